package io.loomsocket.examples;

import io.loomsocket.server.HandshakeDecision;
import io.loomsocket.server.HandshakeRequest;
import io.loomsocket.server.RequestHook;
import io.loomsocket.server.WebSocketServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * The {@code demo} command: one server with the JSON chat at {@code /chat}, the channels and live
 * ticker at {@code /channels}, and a page that uses both at {@code /} — plain HTTP answered by the
 * request hook. {@code /health} answers {@code 200 ok}; a plain request to a WebSocket path 426,
 * to any other path 404; a method other than GET 405.
 */
public final class DemoApp implements AutoCloseable {

    public static final String CHAT_PATH = "/chat";
    public static final String CHANNELS_PATH = "/channels";
    static final String PAGE = "demo.html";

    private final JsonChatApp chat;
    private final ChannelsApp channels;
    private final byte[] page;

    /** A tick every 500 ms. */
    public DemoApp() {
        this(new JsonChatApp());
    }

    /**
     * A tick every 500 ms, with {@code chat} at {@code /chat} (a clustered one, say: its registry
     * bridged, with a presence). The ticker is never clustered: every node simulates its own.
     */
    public DemoApp(JsonChatApp chat) {
        this(chat, ChannelsApp.DEFAULT_TICK_INTERVAL, System.nanoTime());
    }

    public DemoApp(Duration tickInterval, long seed) {
        this(new JsonChatApp(), tickInterval, seed);
    }

    public DemoApp(JsonChatApp chat, Duration tickInterval, long seed) {
        this.chat = java.util.Objects.requireNonNull(chat, "chat");
        this.channels = new ChannelsApp(null, tickInterval, seed);
        this.page = resource(PAGE);
    }

    public JsonChatApp chat() {
        return chat;
    }

    public ChannelsApp channels() {
        return channels;
    }

    /** The two routes and the request hook that serves the page. */
    public WebSocketServer.Builder configure(WebSocketServer.Builder builder) {
        return builder.route(CHAT_PATH, chat.handler())
                .route(CHANNELS_PATH, channels.handler())
                .requestHook(requestHook());
    }

    /** Starts the server and the ticker; the ticker stops when the server stops. */
    public WebSocketServer start(WebSocketServer.Builder configured) throws IOException {
        return channels.start(configured);
    }

    @Override
    public void close() throws InterruptedException {
        channels.close();
    }

    public RequestHook requestHook() {
        return this::check;
    }

    private HandshakeDecision check(HandshakeRequest request) {
        if (request.isUpgrade()) {
            return HandshakeDecision.accept(); // the routes decide (404 for other paths)
        }
        String path = request.path();
        if (path.equals(CHAT_PATH) || path.equals(CHANNELS_PATH)) {
            return new HandshakeDecision.Respond(426, "text/plain; charset=utf-8",
                    ("a WebSocket endpoint: connect with ws://host:port" + path + "\n").getBytes(StandardCharsets.UTF_8),
                    Map.of("Upgrade", "websocket", "Sec-WebSocket-Version", "13"));
        }
        if (!path.equals("/") && !path.equals("/index.html") && !path.equals("/health")) {
            return HandshakeDecision.reject(404, "not found: " + path);
        }
        if (!request.head().method().equals("GET")) {
            return new HandshakeDecision.Respond(405, "text/plain; charset=utf-8",
                    "method not allowed\n".getBytes(StandardCharsets.UTF_8), Map.of("Allow", "GET"));
        }
        if (path.equals("/health")) {
            return HandshakeDecision.respond(200, "text/plain; charset=utf-8", "ok\n".getBytes(StandardCharsets.UTF_8));
        }
        return new HandshakeDecision.Respond(200, "text/html; charset=utf-8", page, Map.of("Cache-Control", "no-cache"));
    }

    /** The page's bytes. */
    static byte[] resource(String name) {
        try (InputStream in = DemoApp.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource io/loomsocket/examples/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
