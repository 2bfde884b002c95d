package io.loomsocket.io;

import io.loomsocket.protocol.ConnectionConfig;
import java.time.Duration;

/**
 * Settings of a socket session.
 *
 * @param connection limits of the protocol core
 * @param closeTimeout how long the closing handshake may take before the connection is aborted
 * @param inboxLimit how many received messages may wait for the application (also at most
 *     8 MiB) before the reader stops reading, and TCP flow control slows the peer
 * @param highWatermark queued outbound bytes above which a sender waits, and a broadcast applies
 *     its slow-consumer policy
 * @param lowWatermark queued outbound bytes under which waiting senders resume
 * @param pingInterval how often to send a keepalive ping; null for none
 * @param pingTimeout how long a keepalive ping may wait for its pong before the connection is
 *     closed with 1011
 * @param idleTimeout close (1001) a connection with no traffic either way for this long; null for
 *     none
 */
public record SessionOptions(ConnectionConfig connection, Duration closeTimeout, int inboxLimit,
                             long highWatermark, long lowWatermark,
                             Duration pingInterval, Duration pingTimeout, Duration idleTimeout) {

    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_INBOX_LIMIT = 64;
    public static final long DEFAULT_HIGH_WATERMARK = 1024 * 1024;
    public static final long DEFAULT_LOW_WATERMARK = 256 * 1024;
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(20);
    public static final Duration DEFAULT_PING_TIMEOUT = Duration.ofSeconds(20);

    public SessionOptions {
        if (!isPositive(closeTimeout)) {
            throw new IllegalArgumentException("closeTimeout must be positive");
        }
        if (inboxLimit < 1) {
            throw new IllegalArgumentException("inboxLimit must be at least 1");
        }
        if (lowWatermark < 0 || highWatermark < lowWatermark) {
            throw new IllegalArgumentException("need 0 <= lowWatermark <= highWatermark");
        }
        if (pingInterval != null && (!isPositive(pingInterval) || !isPositive(pingTimeout))) {
            throw new IllegalArgumentException("pingInterval and pingTimeout must be positive");
        }
        if (idleTimeout != null && !isPositive(idleTimeout)) {
            throw new IllegalArgumentException("idleTimeout must be positive");
        }
    }

    /** Defaults with no keepalive and no idle timeout. */
    public static SessionOptions of(ConnectionConfig connection, Duration closeTimeout, int inboxLimit) {
        return new SessionOptions(connection, closeTimeout, inboxLimit, DEFAULT_HIGH_WATERMARK, DEFAULT_LOW_WATERMARK,
                null, DEFAULT_PING_TIMEOUT, null);
    }

    private static boolean isPositive(Duration d) {
        return d != null && !d.isNegative() && !d.isZero();
    }
}
