package io.loomsocket.examples;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.server.WebSocketServer;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The {@code heartbeat-echo} command: an echo server that pings every connection every
 * {@code pingInterval} and drops a peer whose pong does not come within {@code pingTimeout}
 * (close 1011, "keepalive ping timeout"). Pongs are sent by every conforming client on its own,
 * browsers included, so a live peer never notices; a dead one (a vanished laptop, a half-open
 * TCP connection) is gone after at most interval + timeout.
 */
public final class HeartbeatEchoApp {

    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_PING_TIMEOUT = Duration.ofSeconds(5);

    private final Duration pingInterval;
    private final Duration pingTimeout;
    private final Consumer<WebSocket> onConnect;

    public HeartbeatEchoApp() {
        this(DEFAULT_PING_INTERVAL, DEFAULT_PING_TIMEOUT);
    }

    public HeartbeatEchoApp(Duration pingInterval, Duration pingTimeout) {
        this(pingInterval, pingTimeout, ws -> {});
    }

    /** @param onConnect sees each server-side connection when it opens (for tests and logs) */
    public HeartbeatEchoApp(Duration pingInterval, Duration pingTimeout, Consumer<WebSocket> onConnect) {
        if (pingInterval.isNegative() || pingInterval.isZero() || pingTimeout.isNegative() || pingTimeout.isZero()) {
            throw new IllegalArgumentException("the ping interval and timeout must be positive");
        }
        this.pingInterval = pingInterval;
        this.pingTimeout = pingTimeout;
        this.onConnect = Objects.requireNonNull(onConnect, "onConnect");
    }

    public Duration pingInterval() {
        return pingInterval;
    }

    public Duration pingTimeout() {
        return pingTimeout;
    }

    /** Keepalive on, echo on every path. */
    public WebSocketServer.Builder configure(WebSocketServer.Builder builder) {
        return builder.keepalive(pingInterval, pingTimeout).handler(handler());
    }

    public WebSocketHandler handler() {
        return ws -> {
            onConnect.accept(ws);
            Echo.HANDLER.handle(ws);
        };
    }
}
