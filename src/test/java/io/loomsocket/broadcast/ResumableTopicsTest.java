package io.loomsocket.broadcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.SlowConsumerPolicy;
import io.loomsocket.broadcast.LocalSessions.Pair;
import io.loomsocket.broadcast.ResumableTopics.Offset;
import io.loomsocket.broadcast.ResumableTopics.Resume;
import io.loomsocket.io.RawPeer;
import io.loomsocket.protocol.Opcode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Offsets, the history and resuming on real server-side sessions: what a returning client is
 * sent, in order, without a gap or a duplicate between the replay and live messages.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ResumableTopicsTest {

    /** What the clients receive: the offset's token, a space, the text. */
    private static final ResumableTopics.Renderer RENDER = (topic, offset, text) -> offset.token() + " " + text;

    private LocalSessions local;
    private final BroadcastRegistry registry = new BroadcastRegistry(16, SlowConsumerPolicy.DROP);
    private final List<String> relayed = new CopyOnWriteArrayList<>();
    private ResumableTopics topics;

    @BeforeEach
    void setUp() throws IOException {
        local = new LocalSessions();
        registry.addRelay((topic, type, payload) -> relayed.add(topic + ":" + type + ":" + new String(payload, StandardCharsets.UTF_8)));
        topics = new ResumableTopics(registry, 1000, 1 << 20, RENDER);
    }

    @AfterEach
    void tearDown() throws IOException {
        local.close();
    }

    private static String nextText(Pair p) throws IOException {
        RawPeer.Frame f = p.peer().readFrame();
        assertThat(f.opcode()).as("a text frame").isEqualTo(0x1);
        return f.text();
    }

    private String token(long n) {
        return new Offset(topics.epoch(), n).token();
    }

    /** What the renderer made of message {@code n} with text {@code text}. */
    private String rendered(long n, String text) {
        return token(n) + " " + text;
    }

    private void publish(String topic, int from, int to) {
        for (int i = from; i <= to; i++) {
            topics.publish(topic, "m" + i);
        }
    }

    @Test
    void publishNumbersEachTopicFromOneAndRendersTheOffset() throws IOException {
        Pair p = local.open();
        assertThat(topics.subscribe("prices", p.session(), null)).isEqualTo(new Resume.Live(new Offset(topics.epoch(), 1)));

        assertThat(topics.publish("prices", "a")).isEqualTo(new Offset(topics.epoch(), 1));
        assertThat(topics.publish("prices", "b")).isEqualTo(new Offset(topics.epoch(), 2));
        assertThat(topics.publish("other", "x")).as("per topic").isEqualTo(new Offset(topics.epoch(), 1));
        assertThat(topics.publish("prices", "c")).isEqualTo(new Offset(topics.epoch(), 3));

        assertThat(nextText(p)).isEqualTo(Long.toHexString(topics.epoch()) + ":1 a");
        assertThat(nextText(p)).isEqualTo(Long.toHexString(topics.epoch()) + ":2 b");
        assertThat(nextText(p)).isEqualTo(Long.toHexString(topics.epoch()) + ":3 c");
        assertThat(topics.next("prices")).isEqualTo(new Offset(topics.epoch(), 4));
        assertThat(topics.next("never")).isEqualTo(new Offset(topics.epoch(), 1));
    }

    @Test
    void publishRelaysThePlainText() {
        topics.publish("prices", "{\"p\":1}");
        assertThat(relayed).containsExactly("prices:TEXT:{\"p\":1}");
    }

    @Test
    void theEpochIsRandomPositiveAndNonzero() {
        ResumableTopics other = new ResumableTopics(registry, 10, 1000, RENDER);
        assertThat(topics.epoch()).isPositive();
        assertThat(other.epoch()).isPositive().isNotEqualTo(topics.epoch());
    }

    @Test
    void subscribingWithoutAnOffsetIsLiveFromNow() throws IOException {
        publish("t", 1, 3);
        Pair p = local.open();

        Resume r = topics.subscribe("t", p.session(), null);

        assertThat(r).isEqualTo(new Resume.Live(new Offset(topics.epoch(), 4)));
        assertThat(registry.size("t")).isEqualTo(1);
        topics.publish("t", "m4");
        assertThat(nextText(p)).as("nothing replayed: the first message is the live one").isEqualTo(rendered(4, "m4"));
    }

    @Test
    void resumingFromTheLastOffsetSeenSendsExactlyWhatWasMissedThenLive() throws IOException {
        publish("t", 1, 5);
        Pair p = local.open();

        Resume r = topics.subscribe("t", p.session(), token(2));

        assertThat(r).isEqualTo(new Resume.Resumed(3));
        publish("t", 6, 7);
        for (int i = 3; i <= 7; i++) {
            assertThat(nextText(p)).isEqualTo(rendered(i, "m" + i));
        }
        assertThat(registry.size("t")).isEqualTo(1);
    }

    @Test
    void resumingFromTheNewestOffsetReplaysNothing() throws IOException {
        publish("t", 1, 3);
        Pair p = local.open();

        assertThat(topics.subscribe("t", p.session(), token(3))).isEqualTo(new Resume.Resumed(0));
        topics.publish("t", "m4");
        assertThat(nextText(p)).isEqualTo(rendered(4, "m4"));
    }

    @Test
    void resumingATopicWithNoMessagesYet() throws IOException {
        Pair p = local.open();
        assertThat(topics.subscribe("t", p.session(), token(0))).isEqualTo(new Resume.Resumed(0));
        topics.publish("t", "m1");
        assertThat(nextText(p)).isEqualTo(rendered(1, "m1"));
    }

    @Test
    void anOffsetOlderThanTheHistoryIsTrimmedAndWhatIsKeptIsReplayed() throws IOException {
        ResumableTopics small = new ResumableTopics(registry, 3, 1 << 20, RENDER);
        for (int i = 1; i <= 6; i++) {
            small.publish("t", "m" + i); // keeps 4, 5, 6
        }
        Pair p = local.open();
        String since = new Offset(small.epoch(), 1).token();

        Resume r = small.subscribe("t", p.session(), since);

        assertThat(r).isEqualTo(new Resume.Trimmed(new Offset(small.epoch(), 4), 2, 3));
        small.publish("t", "m7");
        for (int i = 4; i <= 7; i++) {
            assertThat(nextText(p)).isEqualTo(new Offset(small.epoch(), i).token() + " m" + i);
        }
    }

    @Test
    void trimmedCountsWhatIsLostFromTheClientsOffset() throws IOException {
        ResumableTopics small = new ResumableTopics(registry, 3, 1 << 20, RENDER);
        for (int i = 1; i <= 6; i++) {
            small.publish("t", "m" + i);
        }
        long e = small.epoch();

        assertThat(small.subscribe("t", local.open().session(), new Offset(e, 0).token()))
                .isEqualTo(new Resume.Trimmed(new Offset(e, 4), 3, 3));
        assertThat(small.subscribe("t", local.open().session(), new Offset(e, 2).token()))
                .isEqualTo(new Resume.Trimmed(new Offset(e, 4), 1, 3));
        assertThat(small.subscribe("t", local.open().session(), new Offset(e, 3).token()))
                .as("the next one it needs is the oldest kept: nothing lost")
                .isEqualTo(new Resume.Resumed(3));
    }

    @Test
    void theByteBoundKeepsAtLeastTheNewest() throws IOException {
        ResumableTopics tiny = new ResumableTopics(registry, 1000, 1, RENDER);
        for (int i = 1; i <= 3; i++) {
            tiny.publish("t", "m" + i);
        }
        Pair p = local.open();
        long e = tiny.epoch();

        assertThat(tiny.subscribe("t", p.session(), new Offset(e, 1).token()))
                .isEqualTo(new Resume.Trimmed(new Offset(e, 3), 1, 1));
        assertThat(nextText(p)).isEqualTo(new Offset(e, 3).token() + " m3");
    }

    @Test
    void anOffsetOfAnotherEpochReplaysNothing() throws IOException {
        publish("t", 1, 3);
        Pair p = local.open();
        long theirs = topics.epoch() ^ 0x5A5A;

        Resume r = topics.subscribe("t", p.session(), new Offset(theirs, 1).token());

        assertThat(r).isEqualTo(new Resume.EpochChanged(theirs, topics.epoch()));
        assertThat(registry.size("t")).as("a live member all the same").isEqualTo(1);
        topics.publish("t", "m4");
        assertThat(nextText(p)).as("nothing replayed").isEqualTo(rendered(4, "m4"));
    }

    @Test
    void aMalformedTokenIsRefused() throws IOException {
        Pair p = local.open();
        assertThatThrownBy(() -> topics.subscribe("t", p.session(), "garbage"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an offset is epoch:number, not \"garbage\"");
    }

    @Test
    void anOffsetOfThisEpochAheadOfTheTopicIsRefused() throws IOException {
        publish("t", 1, 3);
        Pair p = local.open();
        String ahead = new Offset(topics.epoch(), 4).token();
        assertThatThrownBy(() -> topics.subscribe("t", p.session(), ahead))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("offset " + ahead + " is ahead of topic t's next offset 4");
        assertThat(registry.size("t")).as("not subscribed").isZero();
        assertThat(topics.subscribe("t", p.session(), new Offset(topics.epoch(), 3).token()))
                .isEqualTo(new Resume.Resumed(0));
    }

    @Test
    void parseReadsTokensAndNamesWhatIsWrong() {
        assertThat(Offset.parse("abc:42")).isEqualTo(new Offset(0xabc, 42));
        assertThat(Offset.parse("1:0")).isEqualTo(new Offset(1, 0));

        assertThatThrownBy(() -> Offset.parse(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an offset is epoch:number, not null");
        assertThatThrownBy(() -> Offset.parse("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an offset is epoch:number, not \"\"");
        assertThatThrownBy(() -> Offset.parse("12")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an offset is epoch:number, not \"12\"");
        assertThatThrownBy(() -> Offset.parse(":12")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an offset is epoch:number, not \":12\"");
        assertThatThrownBy(() -> Offset.parse("ab:")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an offset is epoch:number, not \"ab:\"");
        assertThatThrownBy(() -> Offset.parse("xyz:1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an offset is epoch:number, not \"xyz:1\"")
                .hasCauseInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> Offset.parse("ab:one")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an offset is epoch:number, not \"ab:one\"");
        assertThatThrownBy(() -> Offset.parse("ab:1:2")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an offset is epoch:number, not \"ab:1:2\"");
        assertThatThrownBy(() -> Offset.parse("ab:-3")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a negative offset: \"ab:-3\"");
        assertThatThrownBy(() -> Offset.parse("10000000000000000:1")).as("more than 64 bits of epoch")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an offset is epoch:number, not \"10000000000000000:1\"");
        String longOne = "x".repeat(100);
        assertThatThrownBy(() -> Offset.parse(longOne)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an offset is epoch:number, not \"" + "x".repeat(40) + "...\"");
    }

    @Test
    void tokenAndParseRoundTrip() {
        for (Offset o : List.of(new Offset(0xabc, 42), new Offset(1, 0), new Offset(Long.MAX_VALUE, Long.MAX_VALUE),
                new Offset(-1, 7), new Offset(Long.MIN_VALUE, 1), new Offset(topics.epoch(), 123))) {
            assertThat(Offset.parse(o.token())).as(o.token()).isEqualTo(o);
        }
        assertThat(new Offset(0xabc, 42).token()).isEqualTo("abc:42");
        assertThat(new Offset(-1, 7).token()).isEqualTo("ffffffffffffffff:7");
    }

    @Test
    void deliverRemoteGivesTheLocalNodesOwnOffsetsAndRelaysNothing() throws IOException {
        Pair p = local.open();
        topics.subscribe("t", p.session(), null);
        topics.publish("t", "local one");

        topics.deliverRemote("t", Opcode.TEXT, "from afar".getBytes(StandardCharsets.UTF_8));
        topics.publish("t", "local two");

        assertThat(nextText(p)).isEqualTo(rendered(1, "local one"));
        assertThat(nextText(p)).isEqualTo(rendered(2, "from afar"));
        assertThat(nextText(p)).isEqualTo(rendered(3, "local two"));
        assertThat(relayed).as("what came from elsewhere does not go back out")
                .containsExactly("t:TEXT:local one", "t:TEXT:local two");

        Pair late = local.open();
        assertThat(topics.subscribe("t", late.session(), token(1))).isEqualTo(new Resume.Resumed(2));
        assertThat(nextText(late)).as("kept in the history like any other").isEqualTo(rendered(2, "from afar"));
        assertThat(nextText(late)).isEqualTo(rendered(3, "local two"));
    }

    @Test
    void aRemoteBinaryMessageIsDeliveredAsItIsWithoutHistory() throws IOException {
        Pair p = local.open();
        topics.subscribe("t", p.session(), null);

        topics.deliverRemote("t", Opcode.BINARY, new byte[] {0, 1, 2, (byte) 0xFF});

        RawPeer.Frame f = p.peer().readFrame();
        assertThat(f.opcode()).isEqualTo(0x2);
        assertThat(f.payload()).containsExactly(0, 1, 2, 0xFF);
        assertThat(topics.next("t")).as("no offset taken").isEqualTo(new Offset(topics.epoch(), 1));
        assertThat(relayed).isEmpty();
    }

    @Test
    void historyBoundsMustBePositive() {
        assertThatThrownBy(() -> new ResumableTopics(registry, 0, 10, RENDER))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a history holds at least one message and one byte");
        assertThatThrownBy(() -> new ResumableTopics(registry, 10, 0, RENDER))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a history holds at least one message and one byte");
    }

    /**
     * Publishes race with a resume on another thread, several times: whatever the interleaving,
     * the client sees every offset after its own exactly once, in order.
     */
    @Test
    void aResumeRacingWithPublishesMissesNothingAndRepeatsNothing() throws Exception {
        int before = 10;
        int during = 200;
        for (int round = 0; round < 8; round++) {
            String topic = "race-" + round;
            publish(topic, 1, before);
            Pair p = local.open();
            CountDownLatch started = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            int resumeAfter = round * 20; // let the publisher get a little ahead, more each round
            Thread publisher = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 1; i <= during; i++) {
                        topics.publish(topic, "m" + (before + i));
                        if (i == 1 + resumeAfter / 2) {
                            started.countDown();
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    started.countDown();
                }
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            Resume r = topics.subscribe(topic, p.session(), token(5));
            publisher.join();
            assertThat(failure.get()).isNull();

            assertThat(r).isInstanceOf(Resume.Resumed.class);
            int replayed = ((Resume.Resumed) r).replayed();
            assertThat(replayed).isBetween(before - 5 + 1, before - 5 + during);
            long last = before + during + 1;
            topics.publish(topic, "m" + last); // after the resume: every client reads up to it
            List<Long> seen = new ArrayList<>();
            for (long value = 0; value != last && seen.size() <= 2 * last; ) {
                String[] parts = nextText(p).split(" ", 2);
                Offset o = Offset.parse(parts[0]);
                assertThat(o.epoch()).isEqualTo(topics.epoch());
                assertThat(parts[1]).isEqualTo("m" + o.value());
                value = o.value();
                seen.add(value);
            }
            List<Long> expected = new ArrayList<>();
            for (long i = 6; i <= last; i++) {
                expected.add(i);
            }
            assertThat(seen).as("round %d: offsets strictly consecutive from 6, no gap, no duplicate", round)
                    .isEqualTo(expected);
            topics.publish(topic, "m" + (last + 1));
            assertThat(nextText(p)).as("and nothing more before the next live one").isEqualTo(rendered(last + 1, "m" + (last + 1)));
        }
    }
}
