package io.loomsocket.examples;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.broadcast.BroadcastRegistry;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The {@code broadcast} command, in one of two modes.
 *
 * <p><b>Trigger</b> ({@link #trigger}, the default; the asyncio tutorial's broadcast): a text
 * message that is exactly {@code broadcast} sends {@code Broadcast message!} to every OTHER open
 * connection, whatever its path; any other message, text or binary, is answered nothing (logged
 * at DEBUG, without its payload).
 *
 * <p><b>Relay</b> ({@link #relay}, {@code broadcast --relay}): every message received on a path is
 * sent to every connection on the same path (the path is the topic), text as text and binary as
 * binary; with {@code excludeSender} not back to its sender.
 *
 * <p>In both, each message is encoded once for all receivers, and a receiver that cannot keep up
 * is closed (1013) instead of slowing the others.
 */
public final class BroadcastApp {

    public static final int DEFAULT_PORT = 8765;
    /** The text message that triggers the announcement, in trigger mode. */
    public static final String TRIGGER = "broadcast";
    /** What the others get when someone sends the trigger. */
    public static final String ANNOUNCEMENT = "Broadcast message!";

    private static final System.Logger LOG = System.getLogger(BroadcastApp.class.getName());
    /** The one topic of trigger mode: every connection (paths start with "/", so no path is it). */
    private static final String EVERYONE = "*";

    private final boolean relay;
    private final boolean excludeSender;
    private final BroadcastRegistry registry = new BroadcastRegistry();
    private final Consumer<WebSocket> onJoin;

    private BroadcastApp(boolean relay, boolean excludeSender, Consumer<WebSocket> onJoin) {
        this.relay = relay;
        this.excludeSender = excludeSender;
        this.onJoin = Objects.requireNonNull(onJoin, "onJoin");
    }

    /** Trigger mode: {@code broadcast} sends {@code Broadcast message!} to the others. */
    public static BroadcastApp trigger() {
        return trigger(ws -> {});
    }

    /** @param onJoin called once a connection has joined (for tests and logs) */
    public static BroadcastApp trigger(Consumer<WebSocket> onJoin) {
        return new BroadcastApp(false, true, onJoin);
    }

    /** Relay mode: every message to every connection on its path, the sender too unless excluded. */
    public static BroadcastApp relay(boolean excludeSender) {
        return relay(excludeSender, ws -> {});
    }

    /** @param onJoin called once a connection has joined its path's topic (for tests and logs) */
    public static BroadcastApp relay(boolean excludeSender, Consumer<WebSocket> onJoin) {
        return new BroadcastApp(true, excludeSender, onJoin);
    }

    public boolean isRelay() {
        return relay;
    }

    /** Whether a sender never gets what it sent: always in trigger mode. */
    public boolean excludeSender() {
        return excludeSender;
    }

    /** The topics: one per path in relay mode, a single one in trigger mode. */
    public BroadcastRegistry registry() {
        return registry;
    }

    /** Serves every path. */
    public WebSocketServer.Builder configure(WebSocketServer.Builder builder) {
        return builder.handler(handler());
    }

    public WebSocketHandler handler() {
        return relay ? this::relayLoop : this::triggerLoop;
    }

    private void triggerLoop(WebSocket ws) throws Exception {
        registry.subscribe(EVERYONE, ws); // left automatically when the connection closes
        onJoin.accept(ws);
        for (Message m : ws) {
            if (m instanceof Message.Text t && t.text().equals(TRIGGER)) {
                int sent = registry.broadcast(EVERYONE, ANNOUNCEMENT, ws);
                LOG.log(System.Logger.Level.DEBUG, "{0}: broadcast to {1} other connection(s)", ws.remoteAddress(), sent);
            } else {
                LOG.log(System.Logger.Level.DEBUG, "{0}: a {1} message, not the trigger: not answered",
                        ws.remoteAddress(), m instanceof Message.Text ? "text" : "binary");
            }
        }
    }

    private void relayLoop(WebSocket ws) throws Exception {
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
    }
}
