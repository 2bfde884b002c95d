package io.loomsocket.examples;

import static io.loomsocket.examples.JsonMessages.error;
import static io.loomsocket.examples.JsonMessages.string;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.broadcast.BroadcastRegistry;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Channels with a live ticker: path {@code /channels} in the demo, every path in the
 * {@code channels} command.
 *
 * <p>Client to server, each answered as shown:
 * <ul>
 *   <li>{@code {"type":"auth","data":{"token":"..."}}} → {@code {"type":"auth_ok"}}. Any non-empty
 *       token is accepted, unless the app was given one: then only that one.
 *   <li>{@code {"type":"subscribe","data":{"channel":"ticker_btc"}}} →
 *       {@code {"type":"subscribed","channel":"ticker_btc","history":[[time,price],...]}} (the last
 *       minute or so of prices, oldest first), then the channel's messages: those published
 *       after the subscription takes effect, just after this answer. Needs auth first.
 *   <li>{@code {"type":"unsubscribe","data":{"channel":"ticker_btc"}}} →
 *       {@code {"type":"unsubscribed","channel":"ticker_btc"}}.
 *   <li>{@code {"type":"ping","seq":n}} → {@code {"type":"pong","seq":n}} (any seq, returned as sent).
 * </ul>
 * The {@code ticker_btc} channel carries {@link Ticker}'s messages. Invalid JSON, an unknown type,
 * a bad field, a refused token, an unknown channel or a subscribe before auth is answered
 * {@code {"type":"error","message":...}}; the connection stays open.
 *
 * <p>The ticker runs from {@link #start} until the server stops (or {@link #close}).
 */
public final class ChannelsApp implements AutoCloseable {

    /** The port of the tutorial's ticker service. */
    public static final int DEFAULT_PORT = 8765;
    public static final Duration DEFAULT_TICK_INTERVAL = Duration.ofMillis(500);
    public static final Set<String> CHANNELS = Set.of(Ticker.CHANNEL);

    private final BroadcastRegistry registry = new BroadcastRegistry();
    private final Ticker ticker;
    private final byte[] token; // null: any non-empty token

    /** Any non-empty token, a tick every 500 ms, a random seed. */
    public ChannelsApp() {
        this(null, DEFAULT_TICK_INTERVAL, System.nanoTime());
    }

    /**
     * @param token the one token accepted, or null for any non-empty one
     * @param tickInterval how often the ticker publishes
     * @param seed the seed of the ticker's random walk
     */
    public ChannelsApp(String token, Duration tickInterval, long seed) {
        if (token != null && token.isEmpty()) {
            throw new IllegalArgumentException("the token must not be empty");
        }
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.ticker = new Ticker(registry, tickInterval, seed);
    }

    public Ticker ticker() {
        return ticker;
    }

    public BroadcastRegistry registry() {
        return registry;
    }

    /** Serves every path. */
    public WebSocketServer.Builder configure(WebSocketServer.Builder builder) {
        return builder.handler(handler());
    }

    /** Starts the server and the ticker; the ticker stops when the server stops. */
    public WebSocketServer start(WebSocketServer.Builder configured) throws IOException {
        WebSocketServer server = configured.start();
        startTicker(server);
        return server;
    }

    /** Starts the ticker, to run until {@code server} stops. */
    public void startTicker(WebSocketServer server) {
        ticker.start();
        Thread.ofVirtual().name("loomsocket-ticker-stopper").start(() -> {
            try {
                server.awaitStop();
                ticker.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Stops the ticker. */
    @Override
    public void close() throws InterruptedException {
        ticker.close();
    }

    public WebSocketHandler handler() {
        return ws -> {
            boolean[] authenticated = {false}; // per connection
            for (Message m : ws) {
                switch (m) {
                    case Message.Text t -> onText(ws, t.text(), authenticated);
                    case Message.Binary b -> ws.sendText(error("binary messages are not supported; send JSON text"));
                    default -> {}
                }
            }
        };
    }

    private void onText(WebSocket ws, String text, boolean[] authenticated) throws IOException {
        Map<String, Object> message;
        String type;
        try {
            message = Json.parseObject(text);
            type = JsonMessages.type(message);
        } catch (Json.JsonException e) {
            ws.sendText(error(e.getMessage()));
            return;
        }
        Map<String, Object> data = JsonMessages.object(message, "data").orElse(Map.of());
        switch (type) {
            case "auth" -> {
                Optional<String> candidate = string(data, "token").filter(s -> !s.isEmpty());
                if (candidate.isEmpty()) {
                    ws.sendText(error("auth needs {\"data\":{\"token\":\"...\"}}"));
                } else if (token != null && !MessageDigest.isEqual(token, candidate.get().getBytes(StandardCharsets.UTF_8))) {
                    ws.sendText(error("invalid token"));
                } else {
                    authenticated[0] = true;
                    ws.sendText(Json.write(Json.object("type", "auth_ok")));
                }
            }
            case "subscribe" -> {
                Optional<String> channel = channel(ws, data);
                if (channel.isEmpty()) {
                    return;
                }
                if (!authenticated[0]) {
                    ws.sendText(error("authenticate first: {\"type\":\"auth\",\"data\":{\"token\":\"...\"}}"));
                    return;
                }
                // The answer before the first tick: subscribe only once it is sent.
                Map<String, Object> reply = new LinkedHashMap<>(Json.object("type", "subscribed", "channel", channel.get()));
                if (channel.get().equals(Ticker.CHANNEL)) {
                    reply.put("history", ticker.history());
                }
                ws.sendText(Json.write(reply));
                registry.subscribe(channel.get(), ws); // left automatically when the connection closes
            }
            case "unsubscribe" -> {
                Optional<String> channel = channel(ws, data);
                if (channel.isEmpty()) {
                    return;
                }
                if (registry.unsubscribe(channel.get(), ws)) {
                    ws.sendText(Json.write(Json.object("type", "unsubscribed", "channel", channel.get())));
                } else {
                    ws.sendText(error("not subscribed to " + channel.get()));
                }
            }
            case "ping" -> {
                Map<String, Object> pong = new LinkedHashMap<>(Json.object("type", "pong"));
                if (message.containsKey("seq")) {
                    pong.put("seq", message.get("seq"));
                }
                ws.sendText(Json.write(pong));
            }
            default -> ws.sendText(error("unknown type \"" + type + "\"; expected auth, subscribe, unsubscribe or ping"));
        }
    }

    /** The known channel named in {@code data}, or empty after answering an error. */
    private static Optional<String> channel(WebSocket ws, Map<String, Object> data) throws IOException {
        Optional<String> channel = string(data, "channel");
        if (channel.isEmpty()) {
            ws.sendText(error("needs {\"data\":{\"channel\":\"...\"}}"));
        } else if (!CHANNELS.contains(channel.get())) {
            ws.sendText(error("unknown channel \"" + channel.get() + "\"; channels: " + String.join(", ", CHANNELS)));
            return Optional.empty();
        }
        return channel;
    }
}
