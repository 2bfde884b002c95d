package io.loomsocket.examples;

import static io.loomsocket.examples.Harness.next;
import static io.loomsocket.examples.Harness.nextText;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class HeartbeatEchoAppTest {

    private final Harness harness = new Harness();
    private final Map<String, WebSocket> serverSide = new ConcurrentHashMap<>();

    @AfterEach
    void cleanUp() throws Exception {
        harness.close();
    }

    private WebSocketServer start(Duration interval, Duration timeout, boolean echo) throws Exception {
        HeartbeatEchoApp app = new HeartbeatEchoApp(interval, timeout, echo, ws -> serverSide.put(ws.path(), ws));
        return harness.start(app.configure(WebSocketServer.builder()));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The next frame that is not a ping, counting the pings skipped in {@code pings[0]}. */
    private static RawPeer.Frame nextNonPing(RawPeer peer, int[] pings) throws Exception {
        RawPeer.Frame f;
        while ((f = peer.readFrame()) != null && f.opcode() == RawPeer.Frame.PING) {
            pings[0]++;
        }
        return f;
    }

    @Test
    void withEchoTextAndBinaryAreEchoed() throws Exception {
        WebSocketServer server = start(Duration.ofSeconds(10), Duration.ofSeconds(5), true);
        WebSocket ws = harness.connect(server, "/");

        ws.sendText("ping?");
        ws.sendBinary(utf8("raw"));
        ws.sendText("pong");

        assertThat(nextText(ws)).isEqualTo("ping?");
        assertThat(next(ws)).isEqualTo(new Message.Binary(utf8("raw")));
        assertThat(nextText(ws)).isEqualTo("pong");
    }

    @Test
    void theDefaultsAreTheTutorialsPingEveryTenSecondsFiveSecondsToAnswerAndNoEcho() throws Exception {
        HeartbeatEchoApp app = new HeartbeatEchoApp();
        WebSocketServer server = harness.start(app.configure(WebSocketServer.builder()));

        assertThat(app.pingInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(app.pingTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(app.echoes()).isFalse();
        assertThat(server.options().pingInterval()).as("the app's heartbeat, not the server's keepalive").isNull();
    }

    /**
     * A peer that never answers a ping with a pong but sends the text {@code pong} stays: and
     * what it sent before is answered nothing. Its frames are handled in order, and the heartbeat
     * sends the next ping only once the text pong was handled: so an answer to "hello" would be
     * on the wire before that next ping. Then it stops answering, and is dropped.
     */
    @Test
    void byDefaultATextPongCountsAsAnAnswerAndNothingIsAnswered() throws Exception {
        WebSocketServer server = start(Duration.ofMillis(100), Duration.ofSeconds(2), false);

        try (RawPeer peer = new RawPeer(server.port())) {
            assertThat(peer.upgrade("/text-pong")).startsWith("HTTP/1.1 101");
            for (int round = 0; round < 3; round++) {
                RawPeer.Frame ping = peer.readFrame();
                assertThat(ping).as("round %d: the next frame is a ping, not an answer", round).isNotNull();
                assertThat(ping.opcode()).as("round %d: the next frame is a ping, not an answer", round)
                        .isEqualTo(RawPeer.Frame.PING);
                peer.sendFrame(RawPeer.Frame.TEXT, utf8("hello"));
                peer.sendFrame(RawPeer.Frame.BINARY, utf8("raw"));
                peer.sendFrame(RawPeer.Frame.TEXT, utf8("pong"));
            }
            // Now it answers nothing: the next ping, then the close.
            int[] pings = {0};
            RawPeer.Frame f = nextNonPing(peer, pings);
            assertThat(pings[0]).isEqualTo(1);
            assertThat(f).as("a close frame before the end").isNotNull();
            assertThat(f.opcode()).isEqualTo(RawPeer.Frame.CLOSE);
            assertThat(f.closeCode()).isEqualTo(1011);
            assertThat(new String(f.payload(), 2, f.payload().length - 2, StandardCharsets.UTF_8))
                    .isEqualTo("keepalive ping timeout");
        }
    }

    @Test
    void aPeerThatNeverAnswersPingsIsDroppedWhileALiveOneStays() throws Exception {
        WebSocketServer server = start(Duration.ofMillis(100), Duration.ofMillis(500), true);
        // Our client answers pings by itself; its own keepalive off, so only the server pings.
        WebSocket live = harness.connect(server, "/live", WebSocketClient.builder().noKeepalive());

        try (RawPeer dead = new RawPeer(server.port())) {
            assertThat(dead.upgrade("/dead")).startsWith("HTTP/1.1 101");
            // It reads, but never answers: it sees a ping, then the server gives up on it.
            int[] pings = {0};
            RawPeer.Frame f = nextNonPing(dead, pings);
            assertThat(pings[0]).isEqualTo(1);
            assertThat(f).as("a close frame before the end").isNotNull();
            assertThat(f.closeCode()).isEqualTo(1011);
            assertThat(new String(f.payload(), 2, f.payload().length - 2, StandardCharsets.UTF_8))
                    .isEqualTo("keepalive ping timeout");
            dead.sendFrame(RawPeer.Frame.CLOSE, f.payload()); // completes the closing handshake
        }

        // The live client was pinged as long, and answered: it is still there and served.
        assertThat(serverSide.get("/live").lastRoundTrip()).isPresent();
        assertThat(live.isOpen()).isTrue();
        live.sendText("still here");
        assertThat(nextText(live)).isEqualTo("still here");
        assertThat(serverSide.get("/dead").awaitClosed(Duration.ofSeconds(5))).isTrue();
        // (Not server.connectionCount(): the server forgets a connection when its handler has
        // returned, which can be just after awaitClosed returns.)
        assertThat(serverSide.get("/dead").closeCode().code()).isEqualTo(1011);
        assertThat(serverSide.get("/live").isOpen()).isTrue();
    }
}
