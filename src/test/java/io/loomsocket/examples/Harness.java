package io.loomsocket.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketClosedException;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Servers on 127.0.0.1 port 0 and clients of our own, all closed by {@link #close()}; and
 * receiving helpers that fail instead of hanging.
 */
final class Harness implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(5);

    private final List<WebSocketServer> servers = new ArrayList<>();
    private final List<WebSocket> clients = new ArrayList<>();
    private final List<AutoCloseable> others = new ArrayList<>();

    WebSocketServer start(WebSocketServer.Builder configured) throws IOException {
        return track(configured.host("127.0.0.1").port(0).closeTimeout(Duration.ofSeconds(2)).start());
    }

    /** A builder on 127.0.0.1 port 0, for apps that start the server themselves. */
    static WebSocketServer.Builder builder() {
        return WebSocketServer.builder().host("127.0.0.1").port(0).closeTimeout(Duration.ofSeconds(2));
    }

    WebSocketServer track(WebSocketServer server) {
        servers.add(server);
        return server;
    }

    <T extends AutoCloseable> T closeLater(T closeable) {
        others.add(closeable);
        return closeable;
    }

    WebSocket connect(WebSocketServer server, String pathAndQuery) throws IOException {
        return connect(server, pathAndQuery, WebSocketClient.builder());
    }

    WebSocket connect(WebSocketServer server, String pathAndQuery, WebSocketClient.Builder options) throws IOException {
        WebSocket ws = options.closeTimeout(Duration.ofSeconds(2)).connect(URI.create(server.url() + pathAndQuery));
        clients.add(ws);
        return ws;
    }

    /** The next data message, failing the test if none comes within {@link #WAIT}. */
    static Message next(WebSocket ws) throws IOException, InterruptedException {
        Optional<DataMessage> m = ws.receive(WAIT);
        assertThat(m).as("a message within %s", WAIT).isPresent();
        return m.get();
    }

    static String nextText(WebSocket ws) throws IOException, InterruptedException {
        Message m = next(ws);
        assertThat(m).isInstanceOf(Message.Text.class);
        return ((Message.Text) m).text();
    }

    static Map<String, Object> nextJson(WebSocket ws) throws IOException, InterruptedException {
        return Json.parseObject(nextText(ws));
    }

    /** The next JSON message of {@code type}, skipping others (ticks, say). */
    static Map<String, Object> nextJson(WebSocket ws, String type) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, Object> m = nextJson(ws);
            if (type.equals(m.get("type"))) {
                return m;
            }
        }
        throw new AssertionError("no " + type + " message within " + WAIT);
    }

    /** Whether nothing arrives within {@code quiet}: for checking that a message was NOT sent. */
    static boolean nothingArrives(WebSocket ws, Duration quiet) throws IOException, InterruptedException {
        try {
            return ws.receive(quiet).isEmpty();
        } catch (WebSocketClosedException e) {
            return true;
        }
    }

    @Override
    public void close() throws Exception {
        for (WebSocket ws : clients) {
            ws.abort();
        }
        for (WebSocketServer s : servers) {
            s.stop(Duration.ofSeconds(2));
        }
        for (AutoCloseable c : others) {
            c.close();
        }
    }
}
