package io.loomsocket.broadcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.SlowConsumerPolicy;
import io.loomsocket.WebSocket;
import io.loomsocket.broadcast.LocalSessions.Pair;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.io.Eventually;
import io.loomsocket.io.RawPeer;
import io.loomsocket.io.SocketSession;
import io.loomsocket.server.WebSocketServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The registry on server-side sessions of real sockets (no server): membership, who receives a
 * broadcast, the bytes on the wire, leaving on close, and operations from many threads at once.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class BroadcastRegistryTest {

    private LocalSessions local;
    private final BroadcastRegistry registry = new BroadcastRegistry(16, SlowConsumerPolicy.DROP);

    @BeforeEach
    void setUp() throws IOException {
        local = new LocalSessions();
    }

    @AfterEach
    void tearDown() throws IOException {
        local.close();
    }

    /** The text of the next frame the peer receives. */
    private static String nextText(Pair p) throws IOException {
        RawPeer.Frame f = p.peer().readFrame();
        assertThat(f.opcode()).as("a text frame").isEqualTo(0x1);
        return f.text();
    }

    @Test
    void theStripeCountAndPolicyAreConfigurableAndTheDefaultsAreSensible() {
        BroadcastRegistry seven = new BroadcastRegistry(7, SlowConsumerPolicy.CLOSE_POLICY_VIOLATION);
        BroadcastRegistry defaults = new BroadcastRegistry();

        assertThat(seven.stripeCount()).isEqualTo(7);
        assertThat(seven.policy()).isEqualTo(SlowConsumerPolicy.CLOSE_POLICY_VIOLATION);
        assertThat(new BroadcastRegistry(1, SlowConsumerPolicy.DROP).stripeCount()).isEqualTo(1);
        assertThat(defaults.stripeCount()).isGreaterThanOrEqualTo(16);
        assertThat(defaults.policy()).isEqualTo(SlowConsumerPolicy.CLOSE_TRY_AGAIN_LATER);
        assertThatThrownBy(() -> new BroadcastRegistry(0, SlowConsumerPolicy.DROP)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aConnectionJoinsATopicOnceAndLeavesIt() throws IOException {
        SocketSession s = local.open().session();

        assertThat(registry.subscribe("news", s)).isTrue();
        assertThat(registry.subscribe("news", s)).as("already a member").isFalse();
        assertThat(registry.size("news")).isEqualTo(1);
        assertThat(registry.members("news")).containsExactly(s);
        assertThat(registry.connectionCount()).isEqualTo(1);
        assertThat(registry.topicCount()).isEqualTo(1);

        assertThat(registry.unsubscribe("news", s)).isTrue();
        assertThat(registry.unsubscribe("news", s)).as("no longer a member").isFalse();
        assertThat(registry.size("news")).isZero();
        assertThat(registry.members("news")).isEmpty();
        assertThat(registry.topicCount()).as("an empty topic is forgotten").isZero();
    }

    /**
     * connectionCount() is documented as "how many connections are in at least one topic", and
     * broadcastAll() as sending "to every connection subscribed to any topic". A connection that
     * unsubscribed from its only topic is in none.
     */
    @Test
    void aConnectionThatLeftItsLastTopicIsNeitherCountedNorReachedByBroadcastAll() throws IOException {
        Pair left = local.open();
        Pair stays = local.open();
        registry.subscribe("news", left.session());
        registry.subscribe("sport", stays.session());
        registry.unsubscribe("news", left.session());

        assertThat(registry.connectionCount()).as("connections in at least one topic").isEqualTo(1);
        assertThat(registry.broadcastAll("to everyone", null)).as("receivers of broadcastAll").isEqualTo(1);
    }

    @Test
    void unsubscribeAllLeavesEveryTopic() throws IOException {
        SocketSession s = local.open().session();
        SocketSession other = local.open().session();
        for (String t : List.of("a", "b", "c")) {
            registry.subscribe(t, s);
        }
        registry.subscribe("b", other);

        registry.unsubscribeAll(s);

        assertThat(registry.size("a")).isZero();
        assertThat(registry.members("b")).containsExactly(other);
        assertThat(registry.size("c")).isZero();
        assertThat(registry.topicCount()).isEqualTo(1);
        assertThat(registry.connectionCount()).isEqualTo(1);
    }

    @Test
    void aBroadcastReachesEveryMemberOfItsTopicAndNoOtherConnection() throws IOException {
        List<Pair> members = local.open(3);
        Pair outsider = local.open();
        for (Pair p : members) {
            registry.subscribe("news", p.session());
        }
        registry.subscribe("sport", outsider.session());

        assertThat(registry.broadcast("news", "headline", null)).isEqualTo(3);
        assertThat(registry.broadcast("sport", "score", null)).isEqualTo(1);
        assertThat(registry.broadcast("nobody-here", "echo?", null)).isZero();

        for (Pair p : members) {
            assertThat(nextText(p)).isEqualTo("headline");
        }
        assertThat(nextText(outsider)).as("the outsider's first message").isEqualTo("score");
        assertThat(registry.queuedCount()).isEqualTo(4);
        assertThat(registry.refusedCount()).isZero();
    }

    @Test
    void theExcludedSenderDoesNotGetItsOwnBroadcast() throws IOException {
        List<Pair> members = local.open(3);
        for (Pair p : members) {
            registry.subscribe("chat", p.session());
        }
        SocketSession sender = members.get(0).session();

        assertThat(registry.broadcast("chat", "hello from 0", sender)).isEqualTo(2);
        assertThat(registry.broadcast("chat", "marker", null)).isEqualTo(3);

        assertThat(nextText(members.get(0))).as("the sender's first message").isEqualTo("marker");
        assertThat(nextText(members.get(1))).isEqualTo("hello from 0");
        assertThat(nextText(members.get(2))).isEqualTo("hello from 0");
    }

    @Test
    void broadcastAllReachesEachSubscribedConnectionOnceHoweverManyTopicsItIsIn() throws IOException {
        Pair inTwo = local.open();
        Pair inOne = local.open();
        Pair sender = local.open();
        Pair inNone = local.open();
        registry.subscribe("a", inTwo.session());
        registry.subscribe("b", inTwo.session());
        registry.subscribe("b", inOne.session());
        registry.subscribe("a", sender.session());

        assertThat(registry.broadcastAll("everyone", sender.session())).isEqualTo(2);
        registry.broadcast("a", "marker-a", null);
        registry.broadcast("b", "marker-b", null);
        registry.subscribe("c", inNone.session());
        registry.broadcast("c", "marker-c", null);

        assertThat(nextText(inTwo)).isEqualTo("everyone");
        assertThat(nextText(inTwo)).as("not twice").isEqualTo("marker-a");
        assertThat(nextText(inOne)).isEqualTo("everyone");
        assertThat(nextText(sender)).as("the excluded sender").isEqualTo("marker-a");
        assertThat(nextText(inNone)).as("a connection in no topic").isEqualTo("marker-c");
    }

    @Test
    void aBinaryBroadcastArrivesAsOneBinaryFrame() throws IOException {
        Pair p = local.open();
        registry.subscribe("bin", p.session());
        byte[] data = {0, 1, 2, (byte) 0xFF};

        assertThat(registry.broadcast("bin", data, null)).isEqualTo(1);

        RawPeer.Frame f = p.peer().readFrame();
        assertThat(f.opcode()).isEqualTo(0x2);
        assertThat(f.fin()).isTrue();
        assertThat(f.payload()).containsExactly(data);
    }

    @Test
    void everyReceiverGetsTheSameUnmaskedServerFrameByteForByte() throws IOException {
        List<Pair> members = local.open(4);
        for (Pair p : members) {
            registry.subscribe("news", p.session());
        }
        String small = "héllo";
        String medium = "x".repeat(300); // 16-bit extended length

        registry.broadcast("news", small, null);
        registry.broadcast("news", medium, null);

        byte[] expectedSmall = RawPeer.unmaskedFrame(0x1, small.getBytes(StandardCharsets.UTF_8));
        byte[] expectedMedium = RawPeer.unmaskedFrame(0x1, medium.getBytes(StandardCharsets.UTF_8));
        for (Pair p : members) {
            RawPeer.Frame first = p.peer().readFrame();
            RawPeer.Frame second = p.peer().readFrame();
            assertThat(first.masked()).isFalse();
            assertThat(first.raw()).containsExactly(expectedSmall);
            assertThat(second.raw()).containsExactly(expectedMedium);
        }
    }

    /** Encode once: the frame is encoded a single time and the same array is written for everyone. */
    @Test
    void aBroadcastIsEncodedOnceAndEveryReceiverIsHandedTheVeryFrameBytes() throws Exception {
        List<CapturingSocket> sockets = List.of(CapturingSocket.open(), CapturingSocket.open(), CapturingSocket.open());
        for (CapturingSocket socket : sockets) {
            registry.subscribe("news", CapturingSocket.session(socket));
        }

        assertThat(registry.broadcast("news", "once", null)).isEqualTo(3);

        List<byte[]> written = new ArrayList<>();
        for (CapturingSocket socket : sockets) {
            written.add(socket.writes.poll(5, TimeUnit.SECONDS));
        }
        assertThat(written.get(0)).containsExactly(RawPeer.unmaskedFrame(0x1, "once".getBytes(StandardCharsets.UTF_8)));
        assertThat(written.get(1)).isSameAs(written.get(0));
        assertThat(written.get(2)).isSameAs(written.get(0));
    }

    /** A receiver whose socket write is stuck holds no lock: everything else goes on. */
    @Test
    void aReceiverStuckInASocketWriteBlocksNeitherTheBroadcastNorAnyOtherOperation() throws Exception {
        CapturingSocket stuck = CapturingSocket.blocked();
        SocketSession stuckSession = CapturingSocket.session(stuck);
        Pair other = local.open();
        registry.subscribe("news", stuckSession);
        registry.subscribe("news", other.session());

        CompletableFuture<Void> operations = CompletableFuture.runAsync(() -> {
            assertThat(registry.broadcast("news", "first", null)).isEqualTo(2); // starts the stuck write
            assertThat(registry.broadcast("news", "second", null)).isEqualTo(2); // queued behind it
            assertThat(registry.subscribe("sport", stuckSession)).isTrue();
            assertThat(registry.broadcast("sport", "goal", null)).isEqualTo(1);
            assertThat(registry.unsubscribe("news", stuckSession)).isTrue();
            assertThat(registry.members("news")).containsExactly(other.session());
            assertThat(registry.topicCount()).isEqualTo(2);
        }, r -> Thread.ofVirtual().start(r));

        operations.get(5, TimeUnit.SECONDS);
        assertThat(nextText(other)).isEqualTo("first");
        assertThat(nextText(other)).isEqualTo("second");
        stuck.release();
        byte[] expected = concat(RawPeer.unmaskedFrame(0x1, bytes("first")), RawPeer.unmaskedFrame(0x1, bytes("second")),
                RawPeer.unmaskedFrame(0x1, bytes("goal")));
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        while (written.size() < expected.length) {
            byte[] w = stuck.writes.poll(5, TimeUnit.SECONDS);
            assertThat(w).as("a write within 5 s").isNotNull();
            written.writeBytes(w);
        }
        assertThat(written.toByteArray()).as("what the stuck receiver got once released").containsExactly(expected);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void aConnectionThatClosesLeavesEveryTopic() throws Exception {
        Pair closing = local.open();
        Pair staying = local.open();
        for (String t : List.of("a", "b", "c")) {
            registry.subscribe(t, closing.session());
        }
        registry.subscribe("b", staying.session());

        closing.peer().close(); // the peer goes away without a closing handshake
        assertThat(closing.session().awaitClosed(Duration.ofSeconds(5))).isTrue();

        Eventually.await("the closed connection has left every topic", Duration.ofSeconds(5),
                () -> registry.connectionCount() == 1 && registry.topicCount() == 1);
        assertThat(registry.members("b")).containsExactly(staying.session());
        assertThat(registry.broadcast("a", "anyone?", null)).isZero();
    }

    @Test
    void aClosedConnectionCannotSubscribe() throws Exception {
        Pair p = local.open();
        p.peer().close();
        assertThat(p.session().awaitClosed(Duration.ofSeconds(5))).isTrue();

        assertThat(registry.subscribe("news", p.session())).isFalse();

        assertThat(registry.size("news")).isZero();
        assertThat(registry.topicCount()).isZero();
        assertThat(registry.connectionCount()).isZero();
    }

    /**
     * The registry is for server-side connections: it queues unmasked server frames. A client
     * connection is also a SocketSession, but a client must mask every frame (RFC 6455 §5.1), so
     * it must be refused ("not a Loomsocket server connection").
     */
    @Test
    void aClientSideConnectionIsRefused() throws Exception {
        try (WebSocketServer server = WebSocketServer.builder().host("127.0.0.1").port(0).handler(ws -> {
            for (var ignored : ws) {
                // until the client closes
            }
        }).start()) {
            WebSocket client = WebSocketClient.connect(URI.create(server.url() + "/"));
            try {
                assertThatThrownBy(() -> registry.subscribe("news", client)).isInstanceOf(IllegalArgumentException.class);
            } finally {
                client.abort();
            }
        }
    }

    /**
     * Threads that each own a topic subscribe, broadcast and unsubscribe at once, with one stripe
     * (every topic on one lock) and with many; nothing is lost, nothing deadlocks.
     */
    @ParameterizedTest(name = "{0} stripe(s)")
    @ValueSource(ints = {1, 4, 64})
    void operationsOnDifferentTopicsFromManyThreadsAtOnceKeepExactMembership(int stripes) throws Exception {
        BroadcastRegistry r = new BroadcastRegistry(stripes, SlowConsumerPolicy.DROP);
        List<Pair> pairs = local.open(16);
        int threads = 16;
        int rounds = 50;
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger wrongCounts = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            String topic = "topic-" + i;
            workers.add(Thread.ofVirtual().start(() -> {
                try {
                    start.await();
                    for (int round = 0; round < rounds; round++) {
                        for (Pair p : pairs) {
                            r.subscribe(topic, p.session());
                        }
                        if (r.broadcast(topic, topic + "/" + round, null) != pairs.size()) {
                            wrongCounts.incrementAndGet();
                        }
                        for (int k = 0; k < pairs.size(); k += 2) {
                            r.unsubscribe(topic, pairs.get(k).session());
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        start.countDown();
        for (Thread t : workers) {
            assertThat(t.join(Duration.ofSeconds(10))).as("worker finished").isTrue();
        }

        assertThat(wrongCounts).hasValue(0);
        assertThat(r.topicCount()).isEqualTo(threads);
        for (int i = 0; i < threads; i++) {
            assertThat(r.size("topic-" + i)).isEqualTo(pairs.size() / 2);
        }
        assertThat(r.queuedCount()).isEqualTo((long) threads * rounds * pairs.size());
    }

    /**
     * A connection closing while the handler subscribes it: threads subscribe one connection to
     * topic after topic while its peer goes away. Whichever wins, the closed connection must end up
     * in no topic, and subscribe() must only ever return true or false.
     */
    @Test
    void aConnectionClosingWhileItIsBeingSubscribedEndsUpInNoTopic() throws Exception {
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int attempt = 0; attempt < 40; attempt++) {
            Pair p = local.open();
            CountDownLatch running = new CountDownLatch(2);
            List<Thread> subscribers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                String prefix = "attempt-" + attempt + "-thread-" + t + "-";
                subscribers.add(Thread.ofVirtual().start(() -> {
                    running.countDown();
                    try {
                        for (int k = 0; registry.subscribe(prefix + k, p.session()) || p.session().isOpen(); k++) {
                            // on until the connection is closed
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            running.await();
            p.peer().close();
            for (Thread t : subscribers) {
                assertThat(t.join(Duration.ofSeconds(5))).isTrue();
            }
            assertThat(p.session().awaitClosed(Duration.ofSeconds(5))).isTrue();
        }

        assertThat(failures).as("exceptions from subscribe()").isEmpty();
        Eventually.await("no topic holds a closed connection", Duration.ofSeconds(2), registry::topicCount, n -> n == 0);
        assertThat(registry.connectionCount()).isZero();
    }
}
