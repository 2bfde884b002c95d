package io.loomsocket.examples;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.broadcast.BroadcastRegistry;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The {@code broadcast} command: every message received on a path is sent to every connection on
 * the same path (the path is the topic), text as text and binary as binary; with
 * {@code excludeSender} not back to its sender. Each message is encoded once for all receivers,
 * and a receiver that cannot keep up is closed (1013) instead of slowing the others.
 */
public final class BroadcastApp {

    private final boolean excludeSender;
    private final BroadcastRegistry registry = new BroadcastRegistry();
    private final Consumer<WebSocket> onJoin;

    public BroadcastApp(boolean excludeSender) {
        this(excludeSender, ws -> {});
    }

    /** @param onJoin called once a connection has joined its path's topic (for tests and logs) */
    public BroadcastApp(boolean excludeSender, Consumer<WebSocket> onJoin) {
        this.excludeSender = excludeSender;
        this.onJoin = Objects.requireNonNull(onJoin, "onJoin");
    }

    public boolean excludeSender() {
        return excludeSender;
    }

    /** The topics: one per path, with the connections on it. */
    public BroadcastRegistry registry() {
        return registry;
    }

    /** Serves every path. */
    public WebSocketServer.Builder configure(WebSocketServer.Builder builder) {
        return builder.handler(handler());
    }

    public WebSocketHandler handler() {
        return ws -> {
            String topic = ws.path();
            registry.subscribe(topic, ws); // left automatically when the connection closes
            onJoin.accept(ws);
            WebSocket exclude = excludeSender ? ws : null;
            for (Message m : ws) {
                switch (m) {
                    case Message.Text t -> registry.broadcast(topic, t.text(), exclude);
                    case Message.Binary b -> registry.broadcast(topic, b.data(), exclude);
                    default -> {}
                }
            }
        };
    }
}
