package io.loomsocket.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.SlowConsumerPolicy;
import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.io.Eventually;
import io.loomsocket.io.RawPeer;
import io.loomsocket.io.BroadcastTarget;
import io.loomsocket.io.SocketSession;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.ConnectionState;
import io.loomsocket.protocol.FrameEncoder;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import io.loomsocket.protocol.Opcode;
import io.loomsocket.server.WebSocketServer;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One subscriber that stops reading (a raw socket with a 4 KiB receive buffer that never reads)
 * among three that read: the three keep getting every broadcast promptly, the slow one's queue
 * stays under the high watermark plus one frame, and the policy closes or skips it.
 *
 * <p>Broadcasts go in lockstep: each is received by the three readers before the next, so only
 * the slow subscriber's queue ever grows. It trips the policy once the kernel's socket buffers
 * (a few MiB on loopback) and then its queue (64 KiB) are full.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SlowConsumerTest {

    private static final int HIGH = 64 * 1024;
    private static final int LOW = 16 * 1024;
    private static final int MESSAGE = 16 * 1024;
    /** A 16 KiB binary frame: 2 + 2 header bytes. */
    private static final int FRAME = MESSAGE + 4;
    /** Broadcasts after the slow one tripped the policy, each of which the readers must get. */
    private static final int AFTER = 50;
    private static final int MAX_BROADCASTS = 2_000; // 32 MiB: far more than the kernel buffers hold
    private static final Duration PROMPTLY = Duration.ofSeconds(2);

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final BlockingQueue<WebSocket> joined = new LinkedBlockingQueue<>();
    private BroadcastRegistry registry;
    private WebSocketServer server;
    private final List<WebSocket> readers = new ArrayList<>();
    private SocketSession slow;
    private RawPeer slowPeer;
    private int sequence;

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable r : resources.reversed()) {
            if (r instanceof WebSocket ws) {
                ws.abort();
            } else if (r instanceof WebSocketServer s) {
                s.stop(Duration.ofSeconds(2));
            } else {
                r.close();
            }
        }
    }

    /** A server whose handler subscribes every connection to "feed"; three readers, one slow peer. */
    private void start(SlowConsumerPolicy policy, Duration closeTimeout) throws Exception {
        registry = new BroadcastRegistry(16, policy);
        server = WebSocketServer.builder().host("127.0.0.1").port(0)
                .watermarks(HIGH, LOW).closeTimeout(closeTimeout)
                .handler(ws -> {
                    registry.subscribe("feed", ws);
                    joined.add(ws);
                    for (Message ignored : ws) {
                        // until the connection ends
                    }
                }).start();
        resources.add(server);
        for (int i = 0; i < 3; i++) {
            WebSocket reader = WebSocketClient.builder().closeTimeout(Duration.ofSeconds(1))
                    .connect(URI.create(server.url() + "/feed"));
            resources.add(reader);
            readers.add(reader);
            assertThat(joined.poll(5, TimeUnit.SECONDS)).isNotNull();
        }
        slowPeer = RawPeer.connect(server.port(), 4096).handshake("/feed");
        resources.add(slowPeer);
        slow = (SocketSession) joined.poll(5, TimeUnit.SECONDS);
        assertThat(slow).isNotNull();
        assertThat(registry.size("feed")).isEqualTo(4);
    }

    /**
     * Broadcasts the next message, checks that every reader gets it promptly and that the slow
     * subscriber's queue is bounded. Returns how many receivers took it.
     */
    private int broadcastAndCheck() throws Exception {
        int seq = sequence++;
        byte[] payload = ByteBuffer.allocate(MESSAGE).putInt(seq).array();
        int took = registry.broadcast("feed", payload, null);
        for (WebSocket reader : readers) {
            Optional<DataMessage> m = reader.receive(PROMPTLY);
            assertThat(m).as("broadcast %d reached a reader within %s", seq, PROMPTLY).isPresent();
            assertThat(ByteBuffer.wrap(((Message.Binary) m.get()).data()).getInt()).isEqualTo(seq);
        }
        assertThat(slow.queuedBytes()).as("the slow subscriber's queue").isLessThanOrEqualTo(HIGH + FRAME);
        return took;
    }

    /** Broadcasts until {@code tripped}; returns how many broadcasts that took. */
    private int broadcastUntil(BooleanSupplier tripped) throws Exception {
        while (!tripped.getAsBoolean()) {
            assertThat(sequence).as("broadcasts before the slow subscriber tripped its policy").isLessThan(MAX_BROADCASTS);
            broadcastAndCheck();
        }
        return sequence;
    }

    /** The others get the next {@link #AFTER} broadcasts, each promptly; returns the total time. */
    private Duration broadcastAfterTripping() throws Exception {
        long t0 = System.nanoTime();
        for (int i = 0; i < AFTER; i++) {
            assertThat(broadcastAndCheck()).as("receivers of a broadcast after the slow one tripped").isGreaterThanOrEqualTo(3);
        }
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    @Test
    void aSubscriberThatStopsReadingIsClosedWithoutDelayingTheOthers() throws Exception {
        Duration closeTimeout = Duration.ofMillis(300);
        start(SlowConsumerPolicy.CLOSE_TRY_AGAIN_LATER, closeTimeout);
        long closedBefore = registry.slowConsumerClosedCount();

        broadcastUntil(() -> slow.state() != ConnectionState.OPEN);
        Duration after = broadcastAfterTripping();

        assertThat(after).as("%d broadcasts to the readers after the slow one tripped", AFTER).isLessThan(Duration.ofSeconds(5));
        assertThat(registry.slowConsumerClosedCount() - closedBefore).as("slow-consumer closes counted").isPositive();
        assertThat(server.metrics().slowConsumerCloses()).as("in the server's metrics too").isEqualTo(1);
        // The close frame (1013) waits behind 64 KiB the peer never reads: the closing handshake
        // cannot complete, so the connection is aborted after the close timeout (1006 locally).
        assertThat(slow.awaitClosed(closeTimeout.plusSeconds(2))).as("aborted after the close timeout").isTrue();
        assertThat(slow.closeCode()).isEqualTo(CloseCode.ABNORMAL_CLOSURE);
        Eventually.await("the closed subscriber left the topic", Duration.ofSeconds(5), () -> registry.size("feed") == 3);
        assertThat(registry.members("feed")).doesNotContain(slow).hasSize(3);
        assertThat(registry.refusedCount()).isGreaterThanOrEqualTo(1);
        for (WebSocket reader : readers) {
            assertThat(reader.isOpen()).isTrue();
        }
    }

    @Test
    void aSlowSubscriberThatReadsAgainGetsEverythingQueuedThenA1013Close() throws Exception {
        start(SlowConsumerPolicy.CLOSE_TRY_AGAIN_LATER, Duration.ofSeconds(5));

        int sent = broadcastUntil(() -> slow.state() != ConnectionState.OPEN);
        broadcastAfterTripping();

        // The peer reads again within the close timeout: the broadcasts queued before the policy
        // tripped, in order and without a gap, then the close frame.
        int expected = 0;
        RawPeer.Frame f;
        while ((f = slowPeer.readFrame()).opcode() == 0x2) {
            assertThat(ByteBuffer.wrap(f.payload()).getInt()).isEqualTo(expected++);
        }
        assertThat(expected).isLessThan(sent);
        assertThat(f.opcode()).isEqualTo(0x8);
        assertThat(f.closeCode()).isEqualTo(1013);
        assertThat(f.closeReason()).isEqualTo("slow consumer");
        slowPeer.send(RawPeer.maskedFrame(0x8, RawPeer.closePayload(1013, "")));
        assertThat(slowPeer.seesEndOfStream()).as("the server ends TCP first after the closing handshake").isTrue();
        slowPeer.close();

        assertThat(slow.awaitClosed(Duration.ofSeconds(5))).isTrue();
        assertThat(slow.closeCode()).isEqualTo(CloseCode.TRY_AGAIN_LATER);
        Eventually.await("the closed subscriber left the topic", Duration.ofSeconds(5), () -> registry.size("feed") == 3);
    }

    @Test
    void withTheDropPolicyASlowSubscriberMissesMessagesButStaysSubscribed() throws Exception {
        start(SlowConsumerPolicy.DROP, Duration.ofSeconds(1));
        long droppedBefore = registry.droppedCount();

        broadcastUntil(() -> registry.refusedCount() > 0);
        long droppedAtTrip = registry.droppedCount() - droppedBefore;
        broadcastAfterTripping();

        assertThat(droppedAtTrip).isGreaterThanOrEqualTo(1);
        assertThat(registry.droppedCount() - droppedBefore).as("drops keep being counted").isGreaterThan(droppedAtTrip);
        assertThat(server.metrics().slowConsumerDrops()).as("in the server's metrics too")
                .isEqualTo(registry.droppedCount() - droppedBefore);
        assertThat(server.metrics().slowConsumerCloses()).isZero();
        assertThat(slow.state()).isEqualTo(ConnectionState.OPEN);
        assertThat(registry.members("feed")).contains(slow);

        // The peer reads again: it gets what was queued, in order, with the dropped ones missing;
        // once its queue has drained, it gets new broadcasts again.
        List<Integer> got = new ArrayList<>();
        Thread drainer = Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    RawPeer.Frame f = slowPeer.readFrame();
                    int seq = ByteBuffer.wrap(f.payload()).getInt();
                    synchronized (got) {
                        got.add(seq);
                    }
                    if (seq == Integer.MAX_VALUE) {
                        return;
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Eventually.await("the slow subscriber's queue drained", Duration.ofSeconds(10), slow::queuedBytes, q -> q == 0L);
        assertThat(registry.broadcast("feed", ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array(), null)).isEqualTo(4);
        assertThat(drainer.join(Duration.ofSeconds(10))).as("the last broadcast reached the slow subscriber").isTrue();

        List<Integer> received = got.subList(0, got.size() - 1);
        assertThat(received).isSorted().doesNotHaveDuplicates();
        assertThat(sequence - received.size()).as("missed broadcasts").isEqualTo(registry.refusedCount());
        assertThat(slow.isOpen()).isTrue();
    }

    /**
     * "Every drop and close is counted": a slow subscriber is closed, and counted, once — also
     * when more broadcasts reach it before its close has started. (The close runs on a thread of
     * its own, so the connection is still OPEN for the next few offers.)
     */
    @Test
    void aSlowSubscriberIsClosedAndCountedOnceHoweverManyBroadcastsItRefuses() throws Exception {
        CapturingSocket neverWritten = CapturingSocket.blocked(); // its writer stays stuck in write
        SocketSession session = CapturingSocket.session(neverWritten);
        resources.add(neverWritten::release);
        byte[] frame = FrameEncoder.server()
                .encode(true, 0, Opcode.BINARY, new byte[MESSAGE], 0, MESSAGE);
        int accepted = 0;
        while (session.offerFrame(frame, SlowConsumerPolicy.DROP) == BroadcastTarget.Offer.QUEUED) {
            accepted++;
            assertThat(accepted).isLessThan(1_000);
        }
        AtomicInteger slowCloses = new AtomicInteger();

        // Broadcasters on eight threads reach it at once.
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> broadcasters = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            broadcasters.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 50; i++) {
                    BroadcastTarget.Offer offer = session.offerFrame(frame, SlowConsumerPolicy.CLOSE_TRY_AGAIN_LATER);
                    if (offer != BroadcastTarget.Offer.QUEUED) {
                        refused.incrementAndGet();
                    }
                    if (offer == BroadcastTarget.Offer.SLOW_CLOSED) {
                        slowCloses.incrementAndGet();
                    }
                }
            }));
        }
        go.countDown();
        for (Thread t : broadcasters) {
            t.join();
        }

        assertThat(refused).hasValue(400);
        Eventually.await("closing", Duration.ofSeconds(5), () -> session.state() != ConnectionState.OPEN);
        assertThat(slowCloses).as("offers that started the slow-consumer close").hasValue(1);
    }
}
