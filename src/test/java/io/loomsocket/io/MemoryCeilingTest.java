package io.loomsocket.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.WebSocketListener;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a peer that sends and never reads can make a server hold, measured on the session's own
 * counts (queued outbound bytes, messages waiting in the inbox), not on the heap: whatever it
 * sends, the server's memory for the connection stays under a bound set by its limits.
 *
 * <ul>
 *   <li>a ping flood while the writer is stuck on the peer: the pongs are coalesced (§5.5.3),
 *       the most recent ping is the one answered;
 *   <li>an echo whose peer sends and never reads: the echo is held by the socket, the inbox
 *       fills, the reader stops reading, and TCP holds the rest in the peer.
 * </ul>
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MemoryCeilingTest {

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final CompletableFuture<WebSocket> serverSide = new CompletableFuture<>();

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

    private WebSocketServer start(WebSocketServer.Builder builder) throws IOException {
        WebSocketServer server = builder.host("127.0.0.1").port(0).noKeepalive().closeTimeout(Duration.ofSeconds(1)).start();
        resources.add(server);
        return server;
    }

    private RawPeer peer(WebSocketServer server) throws IOException {
        RawPeer peer = RawPeer.connect(server.port(), 4096).handshake("/"); // a 4 KiB window: held early
        resources.add(peer);
        return peer;
    }

    // ------------------------------------------------------------------ ping flood

    /** More than the kernel's socket buffers hold (a few MiB): the writer stays stuck in it. */
    private static final int BIG = 16 * 1024 * 1024;
    private static final int BIG_FRAME = BIG + 10; // 64-bit extended length
    private static final int PINGS = 20_000;
    private static final int PONG_FRAME = 2 + 125;

    private static byte[] pingPayload(int seq) {
        byte[] p = new byte[125];
        Arrays.fill(p, (byte) 'p');
        ByteBuffer.wrap(p).putInt(seq);
        return p;
    }

    @Test
    void aPingFloodWhileTheWriterIsStuckQueuesAtMost32PongsAndTheLastOneAnswersTheLatestPing() throws Exception {
        WebSocketServer server = start(WebSocketServer.builder().handler(ws -> {
            serverSide.complete(ws);
            ws.sendBinary(new byte[BIG]); // the handler is the writer now, and the peer does not read
            for (Message ignored : ws) {
                // until the end
            }
        }));
        RawPeer peer = peer(server);
        SocketSession session = (SocketSession) serverSide.get(5, TimeUnit.SECONDS);
        // The handler is the writer (the reader has read nothing since the handshake, so it cannot be).
        Eventually.await("the handler writing the big frame", Duration.ofSeconds(5),
                () -> session.writing() && session.queuedBytes() >= BIG_FRAME);

        OutputStream out = peer.out;
        for (int seq = 0; seq < PINGS; seq++) {
            out.write(RawPeer.maskedFrame(0x9, pingPayload(seq)));
        }
        out.write(RawPeer.maskedFrame(0x1, "after the pings".getBytes(StandardCharsets.UTF_8)));
        out.flush();
        // The handler is still in its send: the message waits in the inbox once every ping before it was read.
        Eventually.await("every ping read", Duration.ofSeconds(10), session::inboxCount, n -> n == 1);

        // What the server holds for the connection: the big frame and 32 pongs, not 20,000.
        assertThat(session.queuedBytes()).isEqualTo(BIG_FRAME + (long) Outbound.MAX_QUEUED_PONGS * PONG_FRAME);
        assertThat(session.coalescedPongs()).isEqualTo(PINGS - Outbound.MAX_QUEUED_PONGS);

        // The peer reads at last: the big message, then the first 31 pings' pongs, then the latest one's.
        RawPeer.Frame big = peer.readFrame();
        assertThat(big.opcode()).isEqualTo(0x2);
        assertThat(big.payload()).hasSize(BIG);
        for (int i = 0; i < Outbound.MAX_QUEUED_PONGS - 1; i++) {
            RawPeer.Frame pong = peer.readFrame();
            assertThat(pong.opcode()).isEqualTo(0xA);
            assertThat(pong.payload()).isEqualTo(pingPayload(i));
        }
        RawPeer.Frame last = peer.readFrame();
        assertThat(last.opcode()).isEqualTo(0xA);
        assertThat(last.payload()).as("§5.5.3: the most recent ping answered").isEqualTo(pingPayload(PINGS - 1));
        Eventually.await("queue drained", Duration.ofSeconds(5), session::queuedBytes, q -> q == 0L);
    }

    @Test
    void aFewPingsAtOnceAreEachAnswered() throws Exception {
        WebSocketServer server = start(WebSocketServer.builder().handler(ws -> {
            for (Message ignored : ws) {
                // pings are answered by the reader
            }
        }));
        RawPeer peer = peer(server);
        byte[] burst = new byte[0];
        for (int seq = 0; seq < 10; seq++) { // Autobahn 2.10: ten pings in one write, ten pongs expected
            byte[] f = RawPeer.maskedFrame(0x9, pingPayload(seq));
            byte[] grown = Arrays.copyOf(burst, burst.length + f.length);
            System.arraycopy(f, 0, grown, burst.length, f.length);
            burst = grown;
        }
        peer.send(burst);

        for (int seq = 0; seq < 10; seq++) {
            RawPeer.Frame pong = peer.readFrame();
            assertThat(pong.opcode()).isEqualTo(0xA);
            assertThat(pong.payload()).isEqualTo(pingPayload(seq));
        }
    }

    // ------------------------------------------------------------------ echo to a peer that never reads

    private static final int HIGH = 64 * 1024;
    private static final int LOW = 16 * 1024;
    private static final int INBOX = 4;
    private static final int MESSAGE = 16 * 1024;
    private static final int MESSAGE_FRAME = MESSAGE + 4;
    /** Far more than the kernel's buffers on both sides can hold. */
    private static final long TO_SEND = 256L * 1024 * 1024;

    private static final WebSocketHandler ECHO = ws -> {
        for (Message m : ws) {
            if (m instanceof Message.Binary b) {
                ws.sendBinary(b.data());
            }
        }
    };

    /** Sends binary messages until {@link #TO_SEND} bytes or the connection fails; counts what the socket took. */
    private static CompletableFuture<Void> sendForever(RawPeer peer, AtomicLong sent) {
        byte[] frame = RawPeer.maskedFrame(0x2, new byte[MESSAGE]);
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofVirtual().name("flooding-peer").start(() -> {
            try {
                while (sent.get() < TO_SEND) {
                    peer.out.write(frame);
                    sent.addAndGet(frame.length);
                }
                done.complete(null);
            } catch (IOException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /**
     * Samples the server's retained bytes until the peer's writes have stopped moving for 200 ms
     * (the reader no longer reads; a slow pause would not fail the test, since the peer has far
     * more to send than any buffer holds), and returns the largest sample.
     */
    private static long retainedUntilHeld(SocketSession session, AtomicLong sent) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        long max = 0;
        long last = -1;
        long unchangedSince = System.nanoTime();
        while (System.nanoTime() - unchangedSince < TimeUnit.MILLISECONDS.toNanos(200)) {
            assertThat(System.nanoTime() - deadline).as("the peer held within 15 s").isNegative();
            max = Math.max(max, session.queuedBytes() + session.inboxSize());
            long now = sent.get();
            if (now != last) {
                last = now;
                unchangedSince = System.nanoTime();
            }
            Thread.sleep(2);
        }
        return max;
    }

    @Test
    void aPeerThatSendsToAnEchoAndNeverReadsIsHeldByTcpWithBoundedServerMemory() throws Exception {
        WebSocketServer server = start(WebSocketServer.builder().watermarks(HIGH, LOW).inboxLimit(INBOX).maxSize(MESSAGE)
                .handler(ws -> {
                    serverSide.complete(ws);
                    ECHO.handle(ws);
                }));
        RawPeer peer = peer(server);
        SocketSession session = (SocketSession) serverSide.get(5, TimeUnit.SECONDS);
        AtomicLong sent = new AtomicLong();
        CompletableFuture<Void> sender = sendForever(peer, sent);

        Eventually.await("the inbox full behind the held echo", Duration.ofSeconds(15),
                () -> session.inboxCount() == INBOX && session.queuedBytes() > 0);
        long retained = retainedUntilHeld(session, sent);

        // The echo's frame (the handler waits in its socket write) and a full inbox; nothing more.
        assertThat(retained).isLessThanOrEqualTo(HIGH + MESSAGE_FRAME + (long) INBOX * MESSAGE);
        assertThat(session.inboxCount()).isEqualTo(INBOX);
        assertThat(sender).as("the peer is held: it could not send everything").isNotDone();
        assertThat(sent.get()).isLessThan(TO_SEND);
    }

    @Test
    void aListenerThatEchoesToAPeerThatNeverReadsStopsItsOwnReaderWithBoundedServerMemory() throws Exception {
        WebSocketServer server = start(WebSocketServer.builder().watermarks(HIGH, LOW).maxSize(MESSAGE)
                .listener(new WebSocketListener() {
                    @Override
                    public void onOpen(WebSocket ws) {
                        serverSide.complete(ws);
                    }

                    @Override
                    public void onBinary(WebSocket ws, byte[] data) throws IOException {
                        ws.sendBinary(data); // on the reader thread: while it waits, nothing is read
                    }
                }));
        RawPeer peer = peer(server);
        SocketSession session = (SocketSession) serverSide.get(5, TimeUnit.SECONDS);
        AtomicLong sent = new AtomicLong();
        CompletableFuture<Void> sender = sendForever(peer, sent);

        Eventually.await("the echo held", Duration.ofSeconds(15), () -> session.queuedBytes() > 0);
        long retained = retainedUntilHeld(session, sent);

        assertThat(retained).isLessThanOrEqualTo(HIGH + MESSAGE_FRAME);
        assertThat(sender).isNotDone();
        assertThat(sent.get()).isLessThan(TO_SEND);
    }
}
