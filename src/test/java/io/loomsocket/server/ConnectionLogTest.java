package io.loomsocket.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.io.ConnectionLog;
import io.loomsocket.io.ConnectionLogCapture;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.Message;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The connection log lines, captured from the {@code java.util.logging} logger behind
 * {@link System.Logger} (the default backend): open and close at INFO with address, path, code
 * and reason; a protocol violation at WARNING with its rule; a refused handshake at INFO; no
 * payload anywhere.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ConnectionLogTest {

    private static final String SECRET = "payload-that-must-never-be-logged-7f3a";

    private static final WebSocketHandler ECHO = ws -> {
        for (Message m : ws) {
            if (m instanceof Message.Text t) {
                ws.sendText(t.text());
            }
        }
    };

    private ConnectionLogCapture capture;
    private WebSocketServer server;

    @BeforeEach
    void capture() {
        capture = ConnectionLogCapture.start(Level.ALL);
    }

    @AfterEach
    void release() {
        if (server != null) {
            server.close();
        }
        capture.close();
    }

    private static Predicate<LogRecord> line(Level level, String start) {
        return r -> r.getLevel().equals(level) && r.getMessage().startsWith(start);
    }

    @Test
    void openAndCloseAreLoggedAtInfoWithAddressPathCodeAndReasonButNoPayload() throws Exception {
        server = WebSocketServer.builder().route("/chat", ECHO).start();
        WebSocket ws = WebSocketClient.connect(URI.create(server.url() + "/chat?token=query-secret"));

        LogRecord open = capture.await(line(Level.INFO, "connection open: "));
        assertThat(open.getMessage()).matches("connection open: 127\\.0\\.0\\.1:\\d+ /chat");
        String local = open.getMessage().split(" ")[2]; // the client's address, as the server sees it

        ws.sendText(SECRET);
        assertThat(ws.receive()).isEqualTo(new Message.Text(SECRET));
        ws.close(CloseCode.NORMAL_CLOSURE, "bye \"now\"\r\nforged line");

        LogRecord closed = capture.await(line(Level.INFO, "connection closed: "));
        assertThat(closed.getMessage())
                .startsWith("connection closed: " + local + " /chat code=1000 reason=\"bye \\\"now\\\"\\u000d\\u000aforged line\" after ")
                .matches(".* after \\d+\\.\\d{3} s")
                .doesNotContain("\n").doesNotContain("\r");
        assertThat(capture.records()).extracting(LogRecord::getMessage)
                .noneMatch(m -> m.contains(SECRET))
                .noneMatch(m -> m.contains("query-secret"));
        assertThat(capture.records()).extracting(LogRecord::getLoggerName).containsOnly(ConnectionLog.NAME);
    }

    @Test
    void aProtocolViolationIsAWarningThatNamesTheRuleAndTheCloseCode() throws Exception {
        server = WebSocketServer.builder().handler(ECHO).start();
        RawClient c = new RawClient(server.port()).handshake();
        c.send(RawClient.unmaskedFrame(true, 0x1, SECRET.getBytes(StandardCharsets.US_ASCII)));
        assertThat(c.readFrame().closeCode()).isEqualTo(1002);
        assertThat(c.seesEndOfStream()).isTrue();
        c.close(); // the server's lingering close ends at our EOF

        LogRecord warning = capture.await(line(Level.WARNING, "protocol violation: "));
        assertThat(warning.getMessage())
                .isEqualTo("protocol violation: 127.0.0.1:" + c.socket.getLocalPort() + " /raw: unmasked frame from the client"
                        + " [UNMASKED_CLIENT_FRAME, §5.1 -> 1002]; failing the connection with 1002");
        LogRecord closed = capture.await(line(Level.INFO, "connection closed: "));
        assertThat(closed.getMessage()).contains(" /raw code=1002 reason=\"unmasked frame from the client\"");
        assertThat(capture.records()).extracting(LogRecord::getMessage).noneMatch(m -> m.contains(SECRET));
    }

    @Test
    void aRefusedHandshakeIsLoggedAtInfoWithItsStatusAndWhy() throws Exception {
        server = WebSocketServer.builder().route("/chat", ECHO).start();
        try (RawClient c = new RawClient(server.port())) {
            c.send(RawClient.upgradeRequest(server.port()).replace("GET /raw", "GET /nope?token=query-secret"));
            assertThat(c.readErrorResponse().statusLine()).startsWith("HTTP/1.1 404");
            LogRecord refused = capture.await(line(Level.INFO, "handshake refused: "));
            assertThat(refused.getMessage()).isEqualTo("handshake refused: 127.0.0.1:" + c.socket.getLocalPort()
                    + " GET /nope -> 404 (no WebSocket endpoint at /nope)");
        }
    }

    @Test
    void nothingIsLoggedPerMessage() throws Exception {
        server = WebSocketServer.builder().handler(ECHO).start();
        WebSocket ws = WebSocketClient.connect(URI.create(server.url() + "/"));
        for (int i = 0; i < 50; i++) {
            ws.sendText("message " + i);
            ws.receive();
        }
        ws.close(CloseCode.NORMAL_CLOSURE, "");
        capture.await(line(Level.INFO, "connection closed: "));
        assertThat(ws.awaitClosed(Duration.ofSeconds(5))).isTrue();
        assertThat(capture.records()).extracting(LogRecord::getMessage)
                .allMatch(m -> m.startsWith("connection open: ") || m.startsWith("connection closed: "))
                .hasSize(2);
    }
}
