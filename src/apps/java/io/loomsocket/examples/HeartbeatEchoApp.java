package io.loomsocket.examples;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The {@code heartbeat-echo} command (the asyncio tutorial's {@code echo_with_heartbeat}): every
 * connection is pinged every {@code pingInterval} and dropped (close 1011, "keepalive ping
 * timeout") if it answers neither with a pong nor with a text message {@code pong} within
 * {@code pingTimeout} ({@link Heartbeat}). Pongs are sent by every conforming client on its own,
 * browsers included, so a live peer never notices; a dead one (a vanished laptop, a half-open
 * TCP connection) is gone after at most interval + timeout.
 *
 * <p>By default, as the tutorial, messages are answered nothing (each is logged at DEBUG,
 * without its payload); with {@code echo} every message is echoed, text as text and binary as
 * binary (a text {@code pong} too, which still counts as an answer to a ping).
 */
public final class HeartbeatEchoApp {

    public static final int DEFAULT_PORT = 8765;
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_PING_TIMEOUT = Duration.ofSeconds(5);

    private static final System.Logger LOG = System.getLogger(HeartbeatEchoApp.class.getName());

    private final Duration pingInterval;
    private final Duration pingTimeout;
    private final boolean echo;
    private final Consumer<WebSocket> onConnect;

    /** As the tutorial: a ping every 10 s, 5 s to answer, nothing echoed. */
    public HeartbeatEchoApp() {
        this(DEFAULT_PING_INTERVAL, DEFAULT_PING_TIMEOUT, false);
    }

    public HeartbeatEchoApp(Duration pingInterval, Duration pingTimeout, boolean echo) {
        this(pingInterval, pingTimeout, echo, ws -> {});
    }

    /** @param onConnect sees each server-side connection when it opens (for tests and logs) */
    public HeartbeatEchoApp(Duration pingInterval, Duration pingTimeout, boolean echo, Consumer<WebSocket> onConnect) {
        if (pingInterval.isNegative() || pingInterval.isZero() || pingTimeout.isNegative() || pingTimeout.isZero()) {
            throw new IllegalArgumentException("the ping interval and timeout must be positive");
        }
        this.pingInterval = pingInterval;
        this.pingTimeout = pingTimeout;
        this.echo = echo;
        this.onConnect = Objects.requireNonNull(onConnect, "onConnect");
    }

    public Duration pingInterval() {
        return pingInterval;
    }

    public Duration pingTimeout() {
        return pingTimeout;
    }

    /** Whether messages are echoed (otherwise answered nothing, as the tutorial). */
    public boolean echoes() {
        return echo;
    }

    /** The app's heartbeat instead of the server's keepalive (which knows no text pong), on every path. */
    public WebSocketServer.Builder configure(WebSocketServer.Builder builder) {
        return builder.noKeepalive().handler(handler());
    }

    public WebSocketHandler handler() {
        return ws -> {
            Heartbeat heartbeat = new Heartbeat(ws, pingInterval, pingTimeout);
            Thread.ofVirtual().name("loomsocket-heartbeat").start(heartbeat);
            try {
                onConnect.accept(ws);
                for (Message m : ws) {
                    if (m instanceof Message.Text t && t.text().equals(Heartbeat.TEXT_PONG)) {
                        heartbeat.textPong();
                    }
                    if (echo) {
                        switch (m) {
                            case Message.Text t -> ws.sendText(t.text());
                            case Message.Binary b -> ws.sendBinary(b.data());
                            default -> {}
                        }
                    } else {
                        LOG.log(System.Logger.Level.DEBUG, "{0}: a {1} message, not answered", ws.remoteAddress(),
                                m instanceof Message.Text ? "text" : "binary");
                    }
                }
            } finally {
                heartbeat.stop();
            }
        };
    }
}
