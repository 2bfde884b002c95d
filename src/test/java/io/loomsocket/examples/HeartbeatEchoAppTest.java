package io.loomsocket.examples;

import static io.loomsocket.examples.Harness.next;
import static io.loomsocket.examples.Harness.nextText;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
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

    private WebSocketServer start(Duration interval, Duration timeout) throws Exception {
        HeartbeatEchoApp app = new HeartbeatEchoApp(interval, timeout, ws -> serverSide.put(ws.path(), ws));
        return harness.start(app.configure(WebSocketServer.builder()));
    }

    @Test
    void echoesTextAndBinary() throws Exception {
        WebSocketServer server = start(Duration.ofSeconds(10), Duration.ofSeconds(5));
        WebSocket ws = harness.connect(server, "/");

        ws.sendText("ping?");
        ws.sendBinary("raw".getBytes(StandardCharsets.UTF_8));

        assertThat(nextText(ws)).isEqualTo("ping?");
        assertThat(next(ws)).isEqualTo(new Message.Binary("raw".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void theDefaultsArePingEveryTenSecondsAndFiveSecondsToAnswer() throws Exception {
        WebSocketServer server = harness.start(new HeartbeatEchoApp().configure(WebSocketServer.builder()));

        assertThat(server.options().pingInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(server.options().pingTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aPeerThatNeverAnswersPingsIsDroppedWhileALiveOneStays() throws Exception {
        WebSocketServer server = start(Duration.ofMillis(100), Duration.ofMillis(500));
        WebSocket live = harness.connect(server, "/live"); // our client answers pings by itself

        try (RawPeer dead = new RawPeer(server.port())) {
            assertThat(dead.upgrade("/dead")).startsWith("HTTP/1.1 101");
            // It reads, but never answers: it sees pings, then the server gives up on it.
            int pings = 0;
            RawPeer.Frame f;
            while ((f = dead.readFrame()) != null && f.opcode() != RawPeer.Frame.CLOSE) {
                if (f.opcode() == RawPeer.Frame.PING) {
                    pings++;
                }
            }
            assertThat(pings).isGreaterThanOrEqualTo(1);
            assertThat(f).as("a close frame before the end").isNotNull();
            assertThat(f.closeCode()).isEqualTo(1011);
            assertThat(new String(f.payload(), 2, f.payload().length - 2, StandardCharsets.UTF_8))
                    .isEqualTo("keepalive ping timeout");
        }

        // The live client was pinged as long, and answered: it is still there and served.
        assertThat(serverSide.get("/live").lastRoundTrip()).isPresent();
        assertThat(live.isOpen()).isTrue();
        live.sendText("still here");
        assertThat(nextText(live)).isEqualTo("still here");
        assertThat(serverSide.get("/dead").awaitClosed(Duration.ofSeconds(5))).isTrue();
        assertThat(server.connectionCount()).isEqualTo(1);
    }
}
