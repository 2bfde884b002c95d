package io.loomsocket.broadcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.SlowConsumerPolicy;
import io.loomsocket.broadcast.LocalSessions.Pair;
import io.loomsocket.io.RawPeer;
import io.loomsocket.io.SocketSession;
import io.loomsocket.protocol.Opcode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a {@link BroadcastRelay} is told by its registry: a topic's first member and its last
 * leaving (however it leaves), local broadcasts, and {@link BroadcastRegistry#relay} without
 * local delivery; never what {@link BroadcastRegistry#deliverLocally} delivers.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class BroadcastRelayCallbacksTest {

    /** Every call, in order, as "active:t", "idle:t" or "published:t:TEXT:payload". */
    private static final class Recording implements BroadcastRelay {
        final List<String> calls = new ArrayList<>();
        volatile CountDownLatch idle = new CountDownLatch(0);

        @Override
        public synchronized void published(String topic, Opcode type, byte[] payload) {
            calls.add("published:" + topic + ":" + type + ":" + new String(payload, StandardCharsets.UTF_8));
        }

        @Override
        public synchronized void topicActive(String topic) {
            calls.add("active:" + topic);
        }

        @Override
        public void topicIdle(String topic) {
            synchronized (this) {
                calls.add("idle:" + topic);
            }
            idle.countDown();
        }

        synchronized List<String> calls() {
            return List.copyOf(calls);
        }
    }

    private LocalSessions local;
    private final BroadcastRegistry registry = new BroadcastRegistry(16, SlowConsumerPolicy.DROP);
    private final Recording relay = new Recording();

    @BeforeEach
    void setUp() throws IOException {
        local = new LocalSessions();
        registry.addRelay(relay);
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

    @Test
    void theFirstMemberMakesATopicActiveAndTheLastToLeaveMakesItIdle() throws IOException {
        SocketSession a = local.open().session();
        SocketSession b = local.open().session();

        assertThat(registry.subscribe("news", a)).isTrue();
        assertThat(relay.calls()).containsExactly("active:news");

        assertThat(registry.subscribe("news", b)).isTrue();
        assertThat(registry.subscribe("news", b)).isFalse();
        assertThat(relay.calls()).as("no call for a second member, nor for a repeated subscribe").containsExactly("active:news");

        assertThat(registry.unsubscribe("news", a)).isTrue();
        assertThat(relay.calls()).as("a member is left").containsExactly("active:news");
        assertThat(registry.unsubscribe("news", a)).isFalse();

        assertThat(registry.unsubscribe("news", b)).isTrue();
        assertThat(relay.calls()).containsExactly("active:news", "idle:news");

        assertThat(registry.subscribe("news", a)).isTrue();
        assertThat(relay.calls()).as("active again").containsExactly("active:news", "idle:news", "active:news");
    }

    @Test
    void eachTopicIsToldApart() throws IOException {
        SocketSession a = local.open().session();

        registry.subscribe("x", a);
        registry.subscribe("y", a);
        registry.unsubscribeAll(a);

        assertThat(relay.calls()).hasSize(4)
                .containsSubsequence("active:x", "idle:x")
                .containsSubsequence("active:y", "idle:y")
                .startsWith("active:x", "active:y");
    }

    @Test
    void aClosedLastMemberMakesItsTopicsIdle() throws Exception {
        Pair a = local.open();
        Pair b = local.open();
        registry.subscribe("one", a.session());
        registry.subscribe("two", a.session());
        registry.subscribe("two", b.session());
        relay.idle = new CountDownLatch(1);

        a.peer().close(); // the connection dies: the registry hears of it through its close listener

        assertThat(relay.idle.await(10, TimeUnit.SECONDS)).as("topicIdle for the closed connection's topic").isTrue();
        assertThat(relay.calls()).containsExactly("active:one", "active:two", "idle:one");
        assertThat(registry.topics()).containsExactly("two");

        relay.idle = new CountDownLatch(1);
        b.session().abort();
        assertThat(relay.idle.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(relay.calls()).containsExactly("active:one", "active:two", "idle:one", "idle:two");
        assertThat(registry.topics()).isEmpty();
    }

    @Test
    void topicsAreThoseWithMembersNow() throws IOException {
        SocketSession a = local.open().session();
        SocketSession b = local.open().session();
        assertThat(registry.topics()).isEmpty();

        for (int i = 0; i < 40; i++) {
            registry.subscribe("t" + i, i % 2 == 0 ? a : b);
        }
        registry.subscribe("t0", b);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            expected.add("t" + i);
        }
        assertThat(registry.topics()).containsExactlyInAnyOrderElementsOf(expected);

        registry.unsubscribeAll(b);
        expected.removeIf(t -> Integer.parseInt(t.substring(1)) % 2 == 1);
        assertThat(registry.topics()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(registry.topicCount()).isEqualTo(20);
    }

    @Test
    void aBroadcastIsDeliveredThenRelayed() throws IOException {
        Pair p = local.open();
        registry.subscribe("news", p.session());

        assertThat(registry.broadcast("news", "hello")).isEqualTo(1);
        registry.broadcast("news", new byte[] {'b', 'i', 'n'});
        registry.broadcast("empty", "nobody here");

        assertThat(nextText(p)).isEqualTo("hello");
        assertThat(relay.calls()).containsExactly("active:news", "published:news:TEXT:hello",
                "published:news:BINARY:bin", "published:empty:TEXT:nobody here");
    }

    @Test
    void relayTellsTheRelaysWithoutDeliveringLocally() throws IOException {
        Pair p = local.open();
        registry.subscribe("news", p.session());

        registry.relay("news", Opcode.TEXT, "not for local members".getBytes(StandardCharsets.UTF_8));
        registry.relay("news", Opcode.BINARY, new byte[] {'z'});
        assertThat(registry.broadcast("news", "marker")).isEqualTo(1);

        assertThat(nextText(p)).as("the relayed messages never reached the member").isEqualTo("marker");
        assertThat(relay.calls()).containsExactly("active:news", "published:news:TEXT:not for local members",
                "published:news:BINARY:z", "published:news:TEXT:marker");
        assertThat(registry.queuedCount()).as("only the marker was queued").isEqualTo(1);
    }

    @Test
    void relayTakesDataTypesOnly() {
        assertThatThrownBy(() -> registry.relay("news", Opcode.PING, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("not a data message type: PING");
        assertThat(relay.calls()).isEmpty();
    }

    @Test
    void deliverLocallyReachesMembersAndNoRelay() throws IOException {
        Pair p = local.open();
        registry.subscribe("news", p.session());

        assertThat(registry.deliverLocally("news", Opcode.TEXT, "from elsewhere".getBytes(StandardCharsets.UTF_8))).isEqualTo(1);

        assertThat(nextText(p)).isEqualTo("from elsewhere");
        assertThat(relay.calls()).containsExactly("active:news");
    }

    @Test
    void aFailingRelayDoesNotStopTheOthersNorTheBroadcast() throws IOException {
        BroadcastRegistry r = new BroadcastRegistry(4, SlowConsumerPolicy.DROP);
        Recording second = new Recording();
        r.addRelay(new BroadcastRelay() {
            @Override
            public void published(String topic, Opcode type, byte[] payload) {
                throw new IllegalStateException("relay down");
            }

            @Override
            public void topicActive(String topic) {
                throw new IllegalStateException("relay down");
            }
        });
        r.addRelay(second);
        Pair p = local.open();

        assertThat(r.subscribe("news", p.session())).isTrue();
        assertThat(r.broadcast("news", "still")).isEqualTo(1);

        assertThat(nextText(p)).isEqualTo("still");
        assertThat(second.calls()).containsExactly("active:news", "published:news:TEXT:still");
    }

    @Test
    void aRemovedRelayIsToldNothing() throws IOException {
        registry.removeRelay(relay);
        SocketSession a = local.open().session();
        registry.subscribe("news", a);
        registry.broadcast("news", "x");
        registry.unsubscribe("news", a);
        assertThat(relay.calls()).isEmpty();
    }
}
