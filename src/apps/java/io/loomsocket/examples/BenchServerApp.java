package io.loomsocket.examples;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketListener;
import io.loomsocket.broadcast.BroadcastRegistry;
import io.loomsocket.server.WebSocketServer;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The benchmark target ({@code bench-server}), with the convention every peer server in the
 * side-by-side benchmarks implements identically:
 * <ul>
 *   <li>{@code /broadcast}: each message received goes to every <em>other</em> client on
 *       {@code /broadcast};
 *   <li>{@code /broadcast-all}: to every client on {@code /broadcast-all}, the sender included;
 *   <li>any other path: each message is echoed once, with the same opcode.
 * </ul>
 * Every handler is a {@link WebSocketListener} run on the connection's reader thread (one virtual
 * thread per connection, no hand-off per message), and a broadcast is encoded once and its bytes
 * shared by every receiver's queue; each receiver's writer sends everything queued for it in one
 * socket write.
 */
public final class BenchServerApp {

    public static final String BROADCAST = "/broadcast";
    public static final String BROADCAST_ALL = "/broadcast-all";

    private final BroadcastRegistry registry = new BroadcastRegistry();
    private final Consumer<WebSocket> onJoin;

    public BenchServerApp() {
        this(ws -> {});
    }

    /** @param onJoin called once a connection has joined a broadcast path (for tests) */
    public BenchServerApp(Consumer<WebSocket> onJoin) {
        this.onJoin = Objects.requireNonNull(onJoin, "onJoin");
    }

    public BroadcastRegistry registry() {
        return registry;
    }

    public WebSocketServer.Builder configure(WebSocketServer.Builder builder) {
        return builder
                .route(BROADCAST, fanOut(BROADCAST, true))
                .route(BROADCAST_ALL, fanOut(BROADCAST_ALL, false))
                .listener(Echo.LISTENER); // each message echoed once, with its opcode
    }

    private WebSocketListener fanOut(String topic, boolean excludeSender) {
        return new WebSocketListener() {
            @Override
            public void onOpen(WebSocket ws) {
                registry.subscribe(topic, ws); // left automatically when the connection closes
                onJoin.accept(ws);
            }

            @Override
            public void onText(WebSocket ws, String text) {
                registry.broadcast(topic, text, excludeSender ? ws : null);
            }

            @Override
            public void onBinary(WebSocket ws, byte[] data) {
                registry.broadcast(topic, data, excludeSender ? ws : null);
            }
        };
    }
}
