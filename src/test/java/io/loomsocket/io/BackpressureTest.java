package io.loomsocket.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.SlowConsumerPolicy;
import io.loomsocket.WebSocket;
import io.loomsocket.protocol.FrameEncoder;
import io.loomsocket.protocol.Message;
import io.loomsocket.protocol.Opcode;
import io.loomsocket.server.WebSocketServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Backpressure: a sender whose peer does not read is held in {@code sendBinary} — by the socket
 * once the kernel's buffers are full, and by the watermarks once more than the high watermark is
 * queued — and goes on when the peer reads. The peer is a raw socket with a 4 KiB receive buffer
 * that reads only when the test says so.
 *
 * <p>Senders on one connection take turns for a whole send, socket write included (the message
 * lock in SocketSession), so sends alone queue at most one message: the queue goes over the high
 * watermark when broadcasts ({@link SocketSession#offer}) have filled it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BackpressureTest {

    private static final int HIGH = 64 * 1024;
    private static final int LOW = 16 * 1024;
    private static final int CHUNK = 16 * 1024;
    /** Per sender; two senders send 10 MiB together, far more than the kernel's socket buffers hold. */
    private static final int MESSAGES = 320;
    private static final int SENDERS = 2;
    /** A 16 KiB binary frame: 2 + 2 header bytes (16-bit extended length). */
    private static final int FRAME = CHUNK + 4;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final CompletableFuture<WebSocket> serverSide = new CompletableFuture<>();
    private final AtomicInteger sent = new AtomicInteger();
    private final List<CompletableFuture<Void>> senders = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable r : resources.reversed()) {
            if (r instanceof WebSocketServer s) {
                s.stop(Duration.ofSeconds(2));
            } else {
                r.close();
            }
        }
    }

    /**
     * A server whose handler starts {@link #SENDERS} threads, each sending {@link #MESSAGES}
     * binary messages: sender id (4 bytes), sequence number (4 bytes), then filler.
     */
    private WebSocketServer startSendingServer() throws IOException {
        for (int i = 0; i < SENDERS; i++) {
            senders.add(new CompletableFuture<>());
        }
        WebSocketServer server = WebSocketServer.builder().host("127.0.0.1").port(0)
                .watermarks(HIGH, LOW).closeTimeout(Duration.ofSeconds(1))
                .handler(ws -> {
                    serverSide.complete(ws);
                    List<Thread> threads = new ArrayList<>();
                    for (int s = 0; s < SENDERS; s++) {
                        int id = s;
                        threads.add(Thread.ofVirtual().name("sender-" + id).start(() -> {
                            try {
                                for (int seq = 0; seq < MESSAGES; seq++) {
                                    ws.sendBinary(ByteBuffer.allocate(CHUNK).putInt(id).putInt(seq).array());
                                    sent.incrementAndGet();
                                }
                                senders.get(id).complete(null);
                            } catch (Throwable e) {
                                senders.get(id).completeExceptionally(e);
                            }
                        }));
                    }
                    for (Thread t : threads) {
                        t.join();
                    }
                    for (Message ignored : ws) {
                        // until the peer closes
                    }
                }).start();
        resources.add(server);
        return server;
    }

    /**
     * Waits until the senders are held: no message sent for 200 ms while the peer does not read.
     * (A pause that is merely slow would not fail the test: the senders have more to send than the
     * kernel's buffers hold, so they cannot finish before the peer reads either way.)
     */
    private SocketSession awaitSendersHeld() throws Exception {
        SocketSession session = (SocketSession) serverSide.get(5, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int last = -1;
        int unchanged = 0;
        while (unchanged < 10) {
            assertThat(System.nanoTime() - deadline).as("senders held within 10 s").isNegative();
            Thread.sleep(20);
            int now = sent.get();
            unchanged = now == last ? unchanged + 1 : 0;
            last = now;
        }
        return session;
    }

    @Test
    void sendersWhosePeerDoesNotReadAreHeldInSendBinaryAndResumeWhenItReads() throws Exception {
        WebSocketServer server = startSendingServer();
        RawPeer peer = RawPeer.connect(server.port(), 4096).handshake("/");
        resources.add(peer);

        SocketSession session = awaitSendersHeld();

        // Held: not everything went out (the kernel took a few MiB), and the queue stays bounded.
        assertThat((long) sent.get() * CHUNK).as("bytes accepted before the senders were held")
                .isGreaterThan(HIGH).isLessThan((long) SENDERS * MESSAGES * CHUNK);
        for (int i = 0; i < 50; i++) {
            assertThat(session.queuedBytes()).isLessThanOrEqualTo(HIGH + (long) SENDERS * FRAME);
        }
        assertThat(senders).noneMatch(CompletableFuture::isDone);

        // The peer reads: every message arrives, in order per sender, and both senders finish.
        int[] next = new int[SENDERS];
        for (int i = 0; i < SENDERS * MESSAGES; i++) {
            RawPeer.Frame f = peer.readFrame();
            assertThat(f.opcode()).isEqualTo(0x2);
            assertThat(f.payload()).hasSize(CHUNK);
            ByteBuffer b = ByteBuffer.wrap(f.payload());
            int id = b.getInt();
            assertThat(b.getInt()).as("sequence of sender %d", id).isEqualTo(next[id]++);
        }
        CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(sent.get()).isEqualTo(SENDERS * MESSAGES);
        Eventually.await("queue drained", Duration.ofSeconds(5), session::queuedBytes, q -> q == 0L);
    }

    /**
     * The watermarks themselves: once broadcasts ({@link SocketSession#offer}) have filled the
     * queue of a peer that does not read, a {@code sendBinary} queues its frame, finds more than
     * the high watermark queued, and waits until the peer has read the queue down.
     */
    @Test
    void aSenderThatFindsTheQueueOverTheHighWatermarkWaitsUntilThePeerReads() throws Exception {
        CompletableFuture<Void> sendDone = new CompletableFuture<>();
        CompletableFuture<Void> send = new CompletableFuture<>();
        WebSocketServer server = WebSocketServer.builder().host("127.0.0.1").port(0)
                .watermarks(HIGH, LOW).closeTimeout(Duration.ofSeconds(1))
                .handler(ws -> {
                    serverSide.complete(ws);
                    send.get();
                    try {
                        byte[] message = new byte[CHUNK]; // more than the room left under the high watermark
                        message[0] = 42;
                        ws.sendBinary(message);
                        sendDone.complete(null);
                    } catch (Throwable e) {
                        sendDone.completeExceptionally(e);
                    }
                    for (Message ignored : ws) {
                        // until the peer closes
                    }
                }).start();
        resources.add(server);
        RawPeer peer = RawPeer.connect(server.port(), 4096).handshake("/");
        resources.add(peer);
        SocketSession session = (SocketSession) serverSide.get(5, TimeUnit.SECONDS);

        byte[] frame = FrameEncoder.server()
                .encode(true, 0, Opcode.BINARY, new byte[CHUNK], 0, CHUNK);
        // Offer until the queue stays full: refused for 200 ms on end, the kernel's buffers full too.
        int offered = 0;
        long lastAccepted = System.nanoTime();
        while (System.nanoTime() - lastAccepted < TimeUnit.MILLISECONDS.toNanos(200)) {
            if (session.offerFrame(frame, SlowConsumerPolicy.DROP) == BroadcastTarget.Offer.QUEUED) {
                offered++;
                lastAccepted = System.nanoTime();
                assertThat(offered).as("offers before the queue is full").isLessThan(2_000);
            } else {
                Thread.sleep(5);
            }
        }
        assertThat(session.queuedBytes()).isGreaterThan(HIGH - FRAME).isLessThanOrEqualTo(HIGH);
        send.complete(null);

        Eventually.await("the sender's frame queued", Duration.ofSeconds(5), session::queuedBytes, q -> q > HIGH);
        assertThat(sendDone).as("the sender waits while the peer does not read")
                .failsWithin(Duration.ofMillis(200)).withThrowableOfType(TimeoutException.class);

        for (int i = 0; i < offered; i++) {
            RawPeer.Frame f = peer.readFrame();
            assertThat(f.opcode()).isEqualTo(0x2);
            assertThat(f.payload()).hasSize(CHUNK);
        }
        sendDone.get(5, TimeUnit.SECONDS);
        RawPeer.Frame last = peer.readFrame();
        assertThat(last.payload()).hasSize(CHUNK).startsWith(42);
    }

    @Test
    void sendersHeldByBackpressureFailWhenTheConnectionBreaks() throws Exception {
        WebSocketServer server = startSendingServer();
        RawPeer peer = RawPeer.connect(server.port(), 4096).handshake("/");

        SocketSession session = awaitSendersHeld();
        peer.socket.setSoLinger(true, 0); // closing with unread data: a reset
        peer.close();

        for (CompletableFuture<Void> s : senders) {
            try {
                s.get(10, TimeUnit.SECONDS);
                throw new AssertionError("a sender finished although the connection broke");
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(IOException.class);
            }
        }
        assertThat(sent.get()).isLessThan(SENDERS * MESSAGES);
        assertThat(session.awaitClosed(Duration.ofSeconds(5))).isTrue();
        assertThat(session.queuedBytes()).as("nothing left queued on a dead connection").isZero();
    }
}
