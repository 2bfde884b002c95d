package io.loomsocket.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.io.Eventually;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.Message;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Flight Recorder events, recorded in-process: a connection opened and closed, a refused
 * handshake, and one failed for a protocol violation, each with its fields.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FlightRecorderEventsTest {

    private static final List<String> EVENTS = List.of("io.loomsocket.ConnectionOpened", "io.loomsocket.ConnectionClosed",
            "io.loomsocket.HandshakeRefused", "io.loomsocket.ProtocolFailure");

    private static final WebSocketHandler ECHO = ws -> {
        for (Message m : ws) {
            if (m instanceof Message.Text t) {
                ws.sendText(t.text());
            }
        }
    };

    @TempDir
    Path dir;

    @Test
    void connectionsRefusalsAndProtocolFailuresAreRecordedWithTheirFields() throws Exception {
        Path file = dir.resolve("ws.jfr");
        try (WebSocketServer server = WebSocketServer.builder().route("/chat", ECHO).route("/raw", ECHO)
                .noKeepalive().noDeflate().start();
             Recording recording = new Recording()) {
            for (String name : EVENTS) {
                recording.enable(name);
            }
            recording.start();

            WebSocket ws = WebSocketClient.connect(URI.create(server.url() + "/chat"));
            ws.sendText("hello");
            assertThat(ws.receive()).isEqualTo(new Message.Text("hello"));
            ws.close(CloseCode.NORMAL_CLOSURE, "bye");
            try (RawClient c = new RawClient(server.port())) {
                c.send(RawClient.upgradeRequest(server.port()).replace("GET /raw", "GET /nowhere"));
                assertThat(c.readErrorResponse().statusLine()).startsWith("HTTP/1.1 404");
            }
            try (RawClient c = new RawClient(server.port()).handshake()) {
                c.send(RawClient.unmaskedFrame(true, 0x1, "x".getBytes(StandardCharsets.US_ASCII)));
                assertThat(c.readFrame().closeCode()).isEqualTo(1002);
            }
            Eventually.await("both connections closed and counted", Duration.ofSeconds(10), server::metrics,
                    m -> m.connectionsClosedTotal() == 2);

            recording.stop();
            recording.dump(file);
        }

        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        RecordedEvent opened = one(events, "io.loomsocket.ConnectionOpened", "/chat");
        assertThat(opened.getString("remoteAddress")).matches("127\\.0\\.0\\.1:\\d+");
        assertThat(opened.getString("subprotocol")).isEmpty();

        RecordedEvent closed = one(events, "io.loomsocket.ConnectionClosed", "/chat");
        assertThat(closed.getInt("code")).isEqualTo(1000);
        assertThat(closed.getString("reason")).isEqualTo("bye");
        assertThat(closed.getString("remoteAddress")).isEqualTo(opened.getString("remoteAddress"));
        assertThat(closed.getDuration("lifetime")).isPositive();
        // "hello" in and out, the closes: client frames are masked (6-byte headers), the server's not (2).
        assertThat(closed.getLong("bytesReceived")).isEqualTo((6 + 5) + (6 + 2 + 3));
        assertThat(closed.getLong("bytesSent")).isEqualTo((2 + 5) + (2 + 2));

        RecordedEvent refused = one(events, "io.loomsocket.HandshakeRefused", "/nowhere");
        assertThat(refused.getInt("status")).isEqualTo(404);
        assertThat(refused.getString("reason")).contains("no WebSocket endpoint");

        RecordedEvent failure = one(events, "io.loomsocket.ProtocolFailure", "/raw");
        assertThat(failure.getString("rule")).isEqualTo("UNMASKED_CLIENT_FRAME");
        assertThat(failure.getString("section")).isEqualTo("5.1");
        assertThat(failure.getInt("closeCode")).isEqualTo(1002);
        assertThat(failure.getString("message")).isEqualTo("unmasked frame from the client");
        assertThat(one(events, "io.loomsocket.ConnectionClosed", "/raw").getInt("code")).isEqualTo(1002);

        for (RecordedEvent e : List.of(opened, closed, refused, failure)) {
            assertThat(e.getEventType().getCategoryNames()).containsExactly("Loomsocket");
            assertThat(e.getEventType().getLabel()).startsWith("WebSocket ");
            assertThat(e.getEventType().getDescription()).isNotBlank();
            assertThat(e.getStackTrace()).as("no stack traces: cheap").isNull();
        }
    }

    private static RecordedEvent one(List<RecordedEvent> events, String type, String path) {
        List<RecordedEvent> matching = events.stream()
                .filter(e -> e.getEventType().getName().equals(type) && path.equals(e.getString("path"))).toList();
        assertThat(matching).as("%s events for %s", type, path).hasSize(1);
        return matching.get(0);
    }
}
