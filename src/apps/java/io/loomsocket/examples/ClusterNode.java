package io.loomsocket.examples;

import io.loomsocket.broadcast.BroadcastRegistry;
import io.loomsocket.cluster.BridgeStats;
import io.loomsocket.cluster.ClusterOptions;
import io.loomsocket.cluster.RedisBridge;
import io.loomsocket.cluster.RedisPresence;
import io.loomsocket.redis.RedisUri;
import io.loomsocket.server.WebSocketServer;
import java.util.Objects;

/**
 * What {@code --redis} adds to an app: a {@link RedisBridge} on its {@link BroadcastRegistry},
 * so that its broadcasts reach the members of the same topics on every node, and (for the chat)
 * a {@link RedisPresence} with the same node id. Both connect in the background and retry
 * forever: a node starts even while Redis is down.
 */
public final class ClusterNode implements AutoCloseable {

    private final RedisUri uri;
    private final RedisBridge bridge;
    private final RedisPresence presence;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private ClusterNode(RedisUri uri, RedisBridge bridge, RedisPresence presence) {
        this.uri = uri;
        this.bridge = bridge;
        this.presence = presence;
    }

    /** A bridge with {@code options} on {@code registry}, and no presence. */
    public static ClusterNode bridge(BroadcastRegistry registry, RedisUri uri, ClusterOptions options) {
        return new ClusterNode(uri, RedisBridge.start(registry, uri, options), null);
    }

    /**
     * A bridge with {@code options} on {@code registry}, and a presence with {@code presence}'s
     * settings and the bridge's node id.
     */
    public static ClusterNode withPresence(BroadcastRegistry registry, RedisUri uri, ClusterOptions options,
                                           RedisPresence.Options presence) {
        Objects.requireNonNull(presence, "presence");
        RedisBridge bridge = RedisBridge.start(registry, uri, options);
        try {
            return new ClusterNode(uri, bridge, RedisPresence.start(uri, presence.withNodeId(bridge.nodeId())));
        } catch (RuntimeException e) {
            bridge.close();
            throw e;
        }
    }

    public RedisBridge bridge() {
        return bridge;
    }

    /** The presence, or null for an app without one. */
    public RedisPresence presence() {
        return presence;
    }

    public RedisUri uri() {
        return uri;
    }

    /** Also the bridge's metrics on {@code server}'s metrics path. Returns the server. */
    public WebSocketServer addMetricsTo(WebSocketServer server) {
        server.addMetricsSource(bridge.metricsSource());
        return server;
    }

    /** {@code host:port}, never the credentials: for banners and logs. */
    public String address() {
        return address(uri);
    }

    /** {@code host:port} of {@code uri} (an IPv6 host in brackets), never its credentials. */
    public static String address(RedisUri uri) {
        return (uri.host().indexOf(':') >= 0 ? "[" + uri.host() + "]" : uri.host()) + ":" + uri.port();
    }

    /** What a banner says: {@code clustered via redis 127.0.0.1:6379 (prefix loomsocket)}. */
    public String describe() {
        return "clustered via redis " + address() + " (prefix " + uri.prefix() + ")";
    }

    /** The bridge's key counters as {@code key=value} pairs, for the {@code --stats} line. */
    public String statsLine() {
        return statsLine(bridge.stats());
    }

    public static String statsLine(BridgeStats s) {
        return "cluster_up=" + (s.publisherUp() && s.subscriberUp() ? 1 : 0)
                + " cluster_published=" + s.published()
                + " cluster_publish_failures=" + s.publishFailures()
                + " cluster_received=" + s.received()
                + " cluster_inbound_dropped=" + s.inboundDropped()
                + " cluster_reconnects=" + s.reconnects()
                + " cluster_gaps=" + s.sequenceGaps()
                + " cluster_channels=" + s.subscribedChannels();
    }

    /**
     * Closes the presence (its set and heartbeat removed from Redis: the other nodes drop what is
     * left of its users at their next heartbeat), then the bridge. Call it once the server has
     * stopped, so that the connections have left as themselves first. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (presence != null) {
            presence.close();
        }
        bridge.close();
    }

    /**
     * As if the process had died: the bridge closed, the presence stopped without a word to
     * Redis (the other nodes drop its users when its heartbeat expires). For tests.
     */
    public void abandon() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (presence != null) {
            presence.abandon();
        }
        bridge.close();
    }
}
