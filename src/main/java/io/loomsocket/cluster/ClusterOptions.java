package io.loomsocket.cluster;

import io.loomsocket.client.Backoff;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link RedisBridge} behaves. Start from {@link #defaults()} and change what you need
 * with the {@code with...} methods.
 *
 * @param nodeId this node's id in every envelope it publishes (nonzero; random by default, so a
 *     restarted node is a new origin whose sequence starts afresh)
 * @param reconnect the waits between connection attempts to Redis, forever: 100 ms doubling to
 *     at most 2 s, half of each drawn at random, by default
 * @param linger how long a topic stays subscribed after its last local member left (2 s), so
 *     that a client that reconnects at once does not cost an UNSUBSCRIBE and a SUBSCRIBE
 * @param pingInterval how often the subscriber connection is pinged when quiet (1 s)
 * @param livenessTimeout a subscriber connection that read nothing for this long is closed and
 *     replaced (3 s; at least twice the ping interval)
 * @param probeInterval how often this node publishes a probe to its own probe channel, to check
 *     the whole path (publish, Redis, subscription) and not only the socket (2 s)
 * @param probeTimeout a probe that did not come back within this long means the subscription is
 *     dead although its socket answers: it is replaced (5 s)
 * @param connectTimeout for the TCP connection and the HELLO/AUTH exchange (3 s)
 * @param inboundMessages the bound on messages received from Redis and not yet delivered
 *     locally (10,000); past it, or past {@code inboundBytes}, a message is dropped and counted
 * @param inboundBytes the bound on their bytes (64 MiB)
 * @param publishMessages the bound on messages waiting to be published (10,000); past it, or
 *     past {@code publishBytes}, a publish fails at once and is counted
 * @param publishBytes the bound on their bytes (64 MiB)
 */
public record ClusterOptions(long nodeId, Backoff reconnect, Duration linger, Duration pingInterval,
                             Duration livenessTimeout, Duration probeInterval, Duration probeTimeout,
                             Duration connectTimeout, int inboundMessages, long inboundBytes,
                             int publishMessages, long publishBytes) {

    public ClusterOptions {
        if (nodeId == 0) {
            throw new IllegalArgumentException("nodeId 0 is reserved");
        }
        Objects.requireNonNull(reconnect, "reconnect");
        if (linger == null || linger.isNegative()) {
            throw new IllegalArgumentException("linger must not be negative: " + linger);
        }
        positive(pingInterval, "pingInterval");
        positive(probeInterval, "probeInterval");
        positive(probeTimeout, "probeTimeout");
        positive(connectTimeout, "connectTimeout");
        if (livenessTimeout.compareTo(pingInterval.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("livenessTimeout " + livenessTimeout
                    + " is under twice the pingInterval " + pingInterval);
        }
        if (inboundMessages < 1 || inboundBytes < 1 || publishMessages < 1 || publishBytes < 1) {
            throw new IllegalArgumentException("queue bounds must be positive");
        }
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }

    public static ClusterOptions defaults() {
        return new ClusterOptions(randomNodeId(), new Backoff(Duration.ofMillis(100), 2.0, Duration.ofSeconds(2), 0.5),
                Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(2),
                Duration.ofSeconds(5), Duration.ofSeconds(3), 10_000, 64L << 20, 10_000, 64L << 20);
    }

    static long randomNodeId() {
        long id;
        SecureRandom random = new SecureRandom();
        do {
            id = random.nextLong();
        } while (id == 0);
        return id;
    }

    public ClusterOptions withNodeId(long id) {
        return new ClusterOptions(id, reconnect, linger, pingInterval, livenessTimeout, probeInterval, probeTimeout,
                connectTimeout, inboundMessages, inboundBytes, publishMessages, publishBytes);
    }

    public ClusterOptions withReconnect(Backoff b) {
        return new ClusterOptions(nodeId, b, linger, pingInterval, livenessTimeout, probeInterval, probeTimeout,
                connectTimeout, inboundMessages, inboundBytes, publishMessages, publishBytes);
    }

    public ClusterOptions withLinger(Duration d) {
        return new ClusterOptions(nodeId, reconnect, d, pingInterval, livenessTimeout, probeInterval, probeTimeout,
                connectTimeout, inboundMessages, inboundBytes, publishMessages, publishBytes);
    }

    /** The ping interval and the liveness timeout together. */
    public ClusterOptions withLiveness(Duration ping, Duration timeout) {
        return new ClusterOptions(nodeId, reconnect, linger, ping, timeout, probeInterval, probeTimeout,
                connectTimeout, inboundMessages, inboundBytes, publishMessages, publishBytes);
    }

    public ClusterOptions withProbe(Duration interval, Duration timeout) {
        return new ClusterOptions(nodeId, reconnect, linger, pingInterval, livenessTimeout, interval, timeout,
                connectTimeout, inboundMessages, inboundBytes, publishMessages, publishBytes);
    }

    public ClusterOptions withConnectTimeout(Duration d) {
        return new ClusterOptions(nodeId, reconnect, linger, pingInterval, livenessTimeout, probeInterval, probeTimeout,
                d, inboundMessages, inboundBytes, publishMessages, publishBytes);
    }

    public ClusterOptions withInbound(int messages, long bytes) {
        return new ClusterOptions(nodeId, reconnect, linger, pingInterval, livenessTimeout, probeInterval, probeTimeout,
                connectTimeout, messages, bytes, publishMessages, publishBytes);
    }

    public ClusterOptions withPublishQueue(int messages, long bytes) {
        return new ClusterOptions(nodeId, reconnect, linger, pingInterval, livenessTimeout, probeInterval, probeTimeout,
                connectTimeout, inboundMessages, inboundBytes, messages, bytes);
    }
}
