package io.loomsocket.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketClosedException;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.ConnectionState;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keepalive pings and the idle timeout (io/Keepalive.java), on both sides, over real sockets: a
 * dead peer is detected within interval + timeout, a live one is kept.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class KeepaliveTest {

    private static final Duration INTERVAL = Duration.ofMillis(200);
    private static final Duration TIMEOUT = Duration.ofMillis(200);
    /** Scheduling slack on a loaded machine, on top of interval + timeout. */
    private static final Duration MARGIN = Duration.ofMillis(1_000);
    /**
     * After failing a connection we send the close frame and FIN, then wait for the peer's EOF at
     * most this long (a lingering close): a dead peer never sends one.
     */
    private static final Duration CLOSE_TIMEOUT = Duration.ofMillis(300);

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final CompletableFuture<WebSocket> serverSide = new CompletableFuture<>();

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

    /** A server whose handler hands its connection to the test, then reads until the end. */
    private WebSocketServer start(WebSocketServer.Builder builder) throws IOException {
        WebSocketServer server = builder.host("127.0.0.1").port(0).closeTimeout(CLOSE_TIMEOUT).handler(ws -> {
            serverSide.complete(ws);
            for (Message m : ws) {
                if (m instanceof Message.Text t) {
                    ws.sendText(t.text());
                }
            }
        }).start();
        resources.add(server);
        return server;
    }

    private WebSocket serverSide() throws Exception {
        return serverSide.get(5, TimeUnit.SECONDS);
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    @Test
    void aPeerThatNeverAnswersPingsIsDetectedWithinIntervalPlusTimeoutAndClosedWith1011() throws Exception {
        WebSocketServer server = start(WebSocketServer.builder().keepalive(INTERVAL, TIMEOUT));
        RawPeer peer = track(RawPeer.connect(server.port(), 0)).handshake("/");
        long opened = System.nanoTime();
        WebSocket ws = serverSide();

        Eventually.await("the dead peer detected", INTERVAL.plus(TIMEOUT).plus(MARGIN), () -> ws.state() != ConnectionState.OPEN);
        Duration took = Duration.ofNanos(System.nanoTime() - opened);

        assertThat(took).as("no earlier than one interval plus the timeout").isGreaterThanOrEqualTo(INTERVAL.plus(TIMEOUT).minusMillis(50));
        assertThat(ws.closeCode()).isEqualTo(CloseCode.INTERNAL_ERROR);
        assertThat(ws.closeReason()).isEqualTo("keepalive ping timeout");
        assertThat(ws.awaitClosed(CLOSE_TIMEOUT.plus(MARGIN))).as("let go after the close timeout").isTrue();
        assertThat(ws.closeCode()).isEqualTo(CloseCode.INTERNAL_ERROR);
        // On the wire: the unanswered ping, then the close frame saying why, then the end.
        RawPeer.Frame ping = peer.readFrame();
        assertThat(ping.opcode()).isEqualTo(0x9);
        assertThat(ping.masked()).isFalse();
        RawPeer.Frame close = nextNonPing(peer); // the next interval's ping may go out before the check
        assertThat(close.opcode()).isEqualTo(0x8);
        assertThat(close.closeCode()).isEqualTo(1011);
        assertThat(close.closeReason()).isEqualTo("keepalive ping timeout");
        assertThat(peer.seesEndOfStream()).isTrue();
    }

    @Test
    void aLivePeerStaysConnectedAcrossSeveralIntervalsAndGetsARoundTripTime() throws Exception {
        Duration interval = Duration.ofMillis(100);
        WebSocketServer server = start(WebSocketServer.builder().keepalive(interval, TIMEOUT));
        WebSocket client = track(WebSocketClient.connect(URI.create(server.url() + "/")));
        WebSocket ws = serverSide();

        // Several pings go out and come back (our client answers them on its reader thread).
        assertThat(ws.awaitClosed(interval.multipliedBy(6).plus(TIMEOUT))).as("closed").isFalse();

        assertThat(ws.state()).isEqualTo(ConnectionState.OPEN);
        assertThat(ws.lastRoundTrip()).hasValueSatisfying(rtt -> assertThat(rtt).isPositive().isLessThan(TIMEOUT));
        client.sendText("still there?");
        assertThat(client.receive(Duration.ofSeconds(5))).contains(new Message.Text("still there?"));
    }

    @Test
    void aClientWithKeepaliveDetectsAServerThatNeverAnswersPings() throws Exception {
        RawPeer.Server rawServer = track(new RawPeer.Server());
        CompletableFuture<RawPeer> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return rawServer.acceptWebSocket();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
        WebSocket client = track(WebSocketClient.builder().keepalive(INTERVAL, TIMEOUT).closeTimeout(CLOSE_TIMEOUT)
                .connect(URI.create("ws://127.0.0.1:" + rawServer.port() + "/")));
        long opened = System.nanoTime();
        RawPeer server = track(accepted.get(5, TimeUnit.SECONDS));

        Eventually.await("the dead server detected", INTERVAL.plus(TIMEOUT).plus(MARGIN),
                () -> client.state() != ConnectionState.OPEN);
        Duration took = Duration.ofNanos(System.nanoTime() - opened);

        assertThat(took).isGreaterThanOrEqualTo(INTERVAL.plus(TIMEOUT).minusMillis(50));
        assertThat(client.closeCode()).isEqualTo(CloseCode.INTERNAL_ERROR);
        assertThat(client.closeReason()).isEqualTo("keepalive ping timeout");
        assertThat(client.awaitClosed(CLOSE_TIMEOUT.plus(MARGIN))).as("let go after the close timeout").isTrue();
        RawPeer.Frame ping = server.readFrame();
        assertThat(ping.opcode()).isEqualTo(0x9);
        assertThat(ping.masked()).as("a client masks its pings").isTrue();
        RawPeer.Frame close = nextNonPing(server);
        assertThat(close.opcode()).isEqualTo(0x8);
        assertThat(close.closeCode()).isEqualTo(1011);
    }

    @Test
    void aClientWithKeepaliveStaysConnectedToALiveServerAndGetsARoundTripTime() throws Exception {
        Duration interval = Duration.ofMillis(100);
        WebSocketServer server = start(WebSocketServer.builder());
        WebSocket client = track(WebSocketClient.builder().keepalive(interval, TIMEOUT)
                .connect(URI.create(server.url() + "/")));

        assertThat(client.awaitClosed(interval.multipliedBy(6).plus(TIMEOUT))).as("closed").isFalse();

        assertThat(client.state()).isEqualTo(ConnectionState.OPEN);
        assertThat(client.lastRoundTrip()).hasValueSatisfying(rtt -> assertThat(rtt).isPositive().isLessThan(TIMEOUT));
        assertThat(serverSide().state()).isEqualTo(ConnectionState.OPEN);
    }

    @Test
    void theIdleTimeoutClosesAConnectionWithNoTrafficWith1001() throws Exception {
        Duration idle = Duration.ofMillis(300);
        WebSocketServer server = start(WebSocketServer.builder().idleTimeout(idle));
        long opened = System.nanoTime();
        WebSocket client = track(WebSocketClient.connect(URI.create(server.url() + "/")));
        WebSocket ws = serverSide();

        WebSocketClosedException end = endOf(client);
        Duration took = Duration.ofNanos(System.nanoTime() - opened);

        assertThat(end.code()).isEqualTo(CloseCode.GOING_AWAY);
        assertThat(end.reason()).isEqualTo("idle timeout");
        assertThat(took).isGreaterThanOrEqualTo(idle.minusMillis(50)).isLessThan(idle.multipliedBy(2).plus(MARGIN));
        assertThat(ws.awaitClosed(Duration.ofSeconds(3))).isTrue();
        assertThat(ws.closeCode()).as("our client echoes the code").isEqualTo(CloseCode.GOING_AWAY);
    }

    @Test
    void keepalivePingsCountAsTrafficForTheIdleTimeout() throws Exception {
        Duration idle = Duration.ofMillis(400);
        WebSocketServer server = start(WebSocketServer.builder().idleTimeout(idle));
        WebSocket client = track(WebSocketClient.builder().keepalive(Duration.ofMillis(100), Duration.ofSeconds(1))
                .connect(URI.create(server.url() + "/")));
        WebSocket ws = serverSide();

        assertThat(ws.awaitClosed(idle.multipliedBy(3))).as("closed").isFalse();

        assertThat(ws.state()).isEqualTo(ConnectionState.OPEN);
        assertThat(client.state()).isEqualTo(ConnectionState.OPEN);
    }

    private static RawPeer.Frame nextNonPing(RawPeer peer) throws IOException {
        RawPeer.Frame f;
        do {
            f = peer.readFrame();
        } while (f.opcode() == 0x9);
        return f;
    }

    private static WebSocketClosedException endOf(WebSocket ws) throws InterruptedException {
        try {
            while (true) {
                if (ws.receive(Duration.ofSeconds(5)).isEmpty()) {
                    throw new AssertionError("the connection was not closed within 5 s");
                }
            }
        } catch (WebSocketClosedException e) {
            return e;
        } catch (IOException e) {
            throw new AssertionError("connection ended with " + e, e);
        }
    }
}
