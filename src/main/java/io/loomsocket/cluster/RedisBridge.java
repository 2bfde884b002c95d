package io.loomsocket.cluster;

import io.loomsocket.broadcast.BroadcastRegistry;
import io.loomsocket.broadcast.BroadcastRelay;
import io.loomsocket.protocol.Opcode;
import io.loomsocket.redis.RedisOptions;
import io.loomsocket.redis.RedisUri;
import io.loomsocket.server.MetricsSource;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Fans a {@link BroadcastRegistry}'s broadcasts out across several server processes over Redis
 * pub/sub, so that a message published on one node reaches the subscribers of every node.
 *
 * <pre>{@code
 * BroadcastRegistry rooms = new BroadcastRegistry();
 * RedisBridge bridge = RedisBridge.start(rooms, RedisUri.parse("redis://127.0.0.1:6379/chat"));
 * bridge.onDiscontinuity(d -> log.warn("may have missed messages on " + d.topic()));
 * // rooms.broadcast(...) now reaches the members of that topic on every node.
 * }</pre>
 *
 * <ul>
 *   <li><b>Out.</b> A local broadcast is delivered locally at once (by the registry), then
 *       wrapped in an {@link Envelope} (origin node id, per-topic sequence number, time) and
 *       queued for the one publisher connection, which pipelines {@code PUBLISH}es. While Redis
 *       is down, or the queue is full, the publish fails at once and is counted; local delivery
 *       never waits for Redis.
 *   <li><b>In.</b> One subscriber connection holds one channel per topic with local members
 *       ({@code {prefix}:t:{topic}}), kept for a linger after the last member leaves. Its read
 *       loop hands messages to a bounded queue and never waits; a delivery thread drops this
 *       node's own messages, checks sequences and hands the payload to
 *       {@link BroadcastRegistry#deliverLocally}, which encodes one frame for all local members.
 *   <li><b>Order and loss.</b> Per topic, messages from one origin keep their order. Delivery is
 *       at most once; every loss is visible: sequence gaps are counted, and each topic gets one
 *       {@link Discontinuity} per outage.
 *   <li><b>Faults.</b> Both connections reconnect forever with exponential backoff and jitter,
 *       authenticate again and resubscribe every wanted channel. A quiet subscriber is pinged; one
 *       that stays silent, or whose end-to-end probe does not come back, is replaced.
 * </ul>
 *
 * <p>Threads: three virtual threads of its own (publisher, subscriber manager, delivery), plus a
 * reader per subscriber connection. {@link #published} runs on the broadcasting thread; it takes
 * a short lock per topic stripe (sequence number and queue order must agree) and never blocks.
 */
public final class RedisBridge implements BroadcastRelay, AutoCloseable {

    private static final int SEQUENCE_STRIPES = 64;

    private final BroadcastRegistry registry;
    private final ClusterOptions options;
    private final Channels channels;
    private final BridgeCounters counters = new BridgeCounters();
    private final RedisConnector connector;
    private final RedisPublisher publisher;
    private final RedisSubscriber subscriber;
    private final RemoteDelivery delivery;
    private final InboundQueue inbound;
    private final Map<String, AtomicLong> sequences = new ConcurrentHashMap<>();
    private final ReentrantLock[] sequenceLocks = new ReentrantLock[SEQUENCE_STRIPES];
    private volatile boolean closed;

    private RedisBridge(BroadcastRegistry registry, RedisUri uri, RedisOptions redisOptions, ClusterOptions options,
                        LocalSink sink) {
        this.registry = registry;
        this.options = options;
        this.channels = new Channels(uri.prefix());
        for (int i = 0; i < SEQUENCE_STRIPES; i++) {
            sequenceLocks[i] = new ReentrantLock();
        }
        this.connector = new RedisConnector(uri, redisOptions, options.reconnect(), options.connectTimeout());
        this.inbound = new InboundQueue(options.inboundMessages(), options.inboundBytes());
        this.delivery = new RemoteDelivery(inbound, options.nodeId(),
                sink != null ? sink : registry::deliverLocally, counters);
        this.publisher = new RedisPublisher(connector, options, counters);
        this.subscriber = new RedisSubscriber(connector, options, channels, inbound, counters, publisher::offerProbe,
                registry::size);
    }

    /** Starts a bridge with the default options, and adds it to {@code registry}. */
    public static RedisBridge start(BroadcastRegistry registry, RedisUri uri) {
        return start(registry, uri, ClusterOptions.defaults());
    }

    /**
     * Starts a bridge: connects in the background (retrying forever), subscribes the channels of
     * the topics that already have members, and adds itself to {@code registry} as a relay.
     */
    public static RedisBridge start(BroadcastRegistry registry, RedisUri uri, ClusterOptions options) {
        return start(registry, uri, RedisOptions.defaults(), options, null);
    }

    /**
     * As {@link #start(BroadcastRegistry, RedisUri, ClusterOptions)}, with the Redis connection's
     * own options, and {@code sink} (null: {@link BroadcastRegistry#deliverLocally}) for what
     * arrives from other nodes.
     */
    public static RedisBridge start(BroadcastRegistry registry, RedisUri uri, RedisOptions redisOptions,
                                    ClusterOptions options, LocalSink sink) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(uri, "uri");
        RedisBridge bridge = new RedisBridge(registry, uri, redisOptions, options,
                sink);
        registry.addRelay(bridge);
        for (String topic : registry.topics()) {
            bridge.subscriber.want(topic);
        }
        return bridge;
    }

    /** Where messages from other nodes go, if not straight to the registry's local members. */
    @FunctionalInterface
    public interface LocalSink {
        void deliver(String topic, Opcode type, byte[] payload);
    }

    /** Tells {@code listener} of every {@link Discontinuity}, on the bridge's delivery thread. */
    public RedisBridge onDiscontinuity(DiscontinuityListener listener) {
        delivery.addListener(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    public long nodeId() {
        return options.nodeId();
    }

    /** The Redis channel of {@code topic}. */
    public String channelOf(String topic) {
        return channels.topic(topic);
    }

    /** The topics whose channels are wanted now (with local members, or lingering). */
    public Set<String> wantedTopics() {
        return subscriber.wantedTopics();
    }

    @Override
    public void published(String topic, Opcode type, byte[] payload) {
        enqueue(topic, type, payload, env -> publisher.offer(channels.topic(topic), env));
    }

    /**
     * Numbers the message and queues what {@code offer} makes of its envelope, under the topic's
     * stripe lock (sequence order is queue order). Fails fast while Redis is down; the sequence
     * number is spent all the same, so the other nodes see the loss as a gap. A failure is counted.
     */
    private boolean enqueue(String topic, Opcode type, byte[] payload, java.util.function.Predicate<Envelope> offer) {
        if (closed) {
            return false;
        }
        ReentrantLock lock = sequenceLocks[Math.floorMod(topic.hashCode(), SEQUENCE_STRIPES)];
        boolean queued;
        lock.lock();
        try {
            long seq = sequences.computeIfAbsent(topic, t -> new AtomicLong()).incrementAndGet();
            queued = publisher.isUp() && offer.test(Envelope.of(type, options.nodeId(), seq, RemoteDelivery.nowMicros(), payload));
        } finally {
            lock.unlock();
        }
        if (!queued) {
            counters.publishFailures.increment();
        }
        return queued;
    }

    /**
     * The history script: one atomic step that sets the topic's epoch if it has none, numbers the
     * message (n: 1, 2, ... per epoch, so a trimmed history tells exactly how many were lost),
     * appends it to the topic's stream (trimmed to ARGV[1] entries), and publishes it with the
     * epoch, the entry's id and n, so every node renders the same offset.
     */
    static final String HISTORY_SCRIPT = String.join("\n",
            "redis.call('SET', KEYS[3], ARGV[3], 'NX')",
            "local epoch = redis.call('GET', KEYS[3])",
            "local n = redis.call('INCR', KEYS[4])",
            "local id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], '*', 'n', n, 'e', ARGV[2])",
            "redis.call('PUBLISH', KEYS[2], 'S' .. epoch .. ' ' .. id .. ' ' .. n .. '\\n' .. ARGV[2])",
            "return id");

    /**
     * Publishes a message of a resumable topic: it goes through Redis first (history, then
     * pub/sub), and every node, this one included, delivers it when it comes back with its
     * offset. False if it could not be queued (Redis down, queue full): counted as a failure.
     */
    boolean publishToHistory(String topic, Opcode type, byte[] payload, int maxLen, String epochCandidate) {
        return enqueue(topic, type, payload, env -> publisher.offerCommand(new Object[] {"EVAL", HISTORY_SCRIPT, 4,
                channels.history(topic), channels.topic(topic), channels.epoch(topic), channels.counter(topic),
                maxLen, env.asArgument(), epochCandidate}, Envelope.HEADER + payload.length));
    }

    /** Sends a resumable topic's messages to {@code sink} instead of the local sink. */
    void streamSink(RemoteDelivery.StreamSink sink) {
        delivery.streamSink(sink);
    }

    RedisConnector connector() {
        return connector;
    }

    Channels channels() {
        return channels;
    }

    ClusterOptions options() {
        return options;
    }

    /**
     * Waits until this node's subscription to {@code topic}'s channel is in place at Redis (the
     * topic must have a local member); false if not within {@code timeout}.
     */
    public boolean awaitSubscribed(String topic, java.time.Duration timeout) throws InterruptedException {
        return subscriber.awaitConfirmed(channels.topic(topic), timeout.toNanos());
    }

    @Override
    public void topicActive(String topic) {
        subscriber.want(topic);
    }

    @Override
    public void topicIdle(String topic) {
        subscriber.idle(topic);
    }

    public BridgeStats stats() {
        LatencyHistogram l = counters.latency;
        return new BridgeStats(counters.published.sum(), counters.publishFailures.sum(), counters.received.sum(),
                counters.ownEchoDropped.sum(), counters.inboundDropped.sum(), counters.malformed.sum(),
                counters.duplicates.sum(), counters.reconnects.sum(), counters.discontinuities.sum(),
                counters.sequenceGaps.sum(), subscriber.subscribedChannels(), subscriber.isUp(), publisher.isUp(),
                l.count(), l.quantile(0.5), l.quantile(0.99), l.maxMicros());
    }

    /**
     * The bridge's metrics for a server's metrics path ({@code
     * server.addMetricsSource(bridge.metricsSource())}): {@code loomsocket_cluster_*}.
     */
    public MetricsSource metricsSource() {
        return sink -> {
            BridgeStats s = stats();
            sink.counter("loomsocket_cluster_published_total", "Messages published to Redis.", s.published());
            sink.counter("loomsocket_cluster_publish_failures_total",
                    "Local broadcasts that did not reach Redis (down, queue full, lost in flight, error reply).",
                    s.publishFailures());
            sink.counter("loomsocket_cluster_received_total", "Messages from other nodes delivered locally.", s.received());
            sink.counter("loomsocket_cluster_own_echo_dropped_total", "This node's own messages handed back by Redis.",
                    s.ownEchoDropped());
            sink.counter("loomsocket_cluster_inbound_dropped_total",
                    "Messages from Redis dropped because the hand-off to local delivery was full.", s.inboundDropped());
            sink.counter("loomsocket_cluster_malformed_total", "Messages on our channels that were not readable envelopes.",
                    s.malformed());
            sink.counter("loomsocket_cluster_duplicates_total", "Messages dropped for a sequence number already seen.",
                    s.duplicates());
            sink.counter("loomsocket_cluster_reconnects_total", "Connections to Redis re-established after a loss.",
                    s.reconnects());
            sink.counter("loomsocket_cluster_discontinuities_total", "Discontinuity events (possible loss on a topic).",
                    s.discontinuities());
            sink.counter("loomsocket_cluster_sequence_gap_messages_total", "Messages known missing from sequence gaps.",
                    s.sequenceGaps());
            sink.gauge("loomsocket_cluster_subscribed_channels", "Topic channels subscribed on Redis.", s.subscribedChannels());
            sink.gauge("loomsocket_cluster_subscriber_up", "1 while the subscriber connection is established.",
                    s.subscriberUp() ? 1 : 0);
            sink.gauge("loomsocket_cluster_publisher_up", "1 while the publisher connection is established.",
                    s.publisherUp() ? 1 : 0);
            sink.counter("loomsocket_cluster_latency_samples_total", "Cross-node deliveries timed.", s.latencyCount());
            sink.gauge("loomsocket_cluster_latency_p50_seconds", "Median cross-node latency (publish to local delivery).",
                    s.latencyP50Micros() / 1e6);
            sink.gauge("loomsocket_cluster_latency_p99_seconds", "99th percentile cross-node latency.",
                    s.latencyP99Micros() / 1e6);
            sink.gauge("loomsocket_cluster_latency_max_seconds", "Longest cross-node latency.", s.latencyMaxMicros() / 1e6);
        };
    }

    /** Removes the bridge from its registry and closes its connections. Local delivery goes on. */
    @Override
    public void close() {
        closed = true;
        registry.removeRelay(this);
        subscriber.close();
        publisher.close();
        delivery.close();
    }
}
