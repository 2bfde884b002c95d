package io.loomsocket.cluster;

import io.loomsocket.redis.RedisConnection;
import io.loomsocket.redis.RespValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToIntFunction;

/**
 * The bridge's one subscriber connection: subscribed to the channel of every topic this node
 * has local members in (and, for {@code linger} after the last one left, still), and to this
 * node's probe channel.
 *
 * <p>Two threads per connection. The <b>reader</b> reads pushes and replies, and hands each
 * message to the {@link InboundQueue} without ever waiting. The <b>manager</b> owns the
 * connection's writes: it (re)connects with backoff, forever; subscribes every wanted channel on
 * each new connection; keeps the subscriptions in step with the wanted set; pings a quiet
 * connection and replaces one that read nothing within the liveness timeout; and sends a probe
 * through the publisher now and then, replacing the connection when the probe does not come
 * back (a subscription that is silently dead although its socket answers).
 *
 * <p>Ownership: {@code wanted} ({@link WantedTopics}) is shared (any thread calls {@link #want} and {@link #idle});
 * {@code sent}, the set of channels subscribed on the current connection, belongs to the manager;
 * the probe and liveness fields are volatile, written by the reader, read by the manager.
 */
final class RedisSubscriber implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RedisSubscriber.class.getName());
    private static final int CHUNK = 256;

    /** Sends one probe through the publisher; false if it could not be queued. */
    @FunctionalInterface
    interface ProbeSender {
        boolean send(String channel, byte[] body);
    }

    private final RedisConnector connector;
    private final ClusterOptions options;
    private final Channels channels;
    private final String probeChannel;
    private final InboundQueue inbound;
    private final BridgeCounters counters;
    private final ProbeSender probes;
    private final ToIntFunction<String> localMembers;

    private final WantedTopics wanted = new WantedTopics();
    private final ReentrantLock signalLock = new ReentrantLock();
    private final Condition signal = signalLock.newCondition();
    private boolean signalled; // guarded by signalLock

    private final Set<String> confirmed = ConcurrentHashMap.newKeySet(); // channels Redis acknowledged, this connection
    private final ReentrantLock ackLock = new ReentrantLock();
    private final Condition acked = ackLock.newCondition();

    private final Thread manager;
    private volatile boolean closed;
    private volatile boolean up;
    private volatile RedisConnection connection;
    private volatile int confirmedChannels;
    private volatile long lastReadNanos;
    private volatile long probeOutstanding; // 0: none
    private volatile long lastProbeDoneNanos;
    private volatile IOException readerFailure;
    private long generation;
    private long probeNonce;

    RedisSubscriber(RedisConnector connector, ClusterOptions options, Channels channels, InboundQueue inbound,
                    BridgeCounters counters, ProbeSender probes, ToIntFunction<String> localMembers) {
        this.connector = connector;
        this.options = options;
        this.channels = channels;
        this.probeChannel = channels.probe(options.nodeId());
        this.inbound = inbound;
        this.counters = counters;
        this.probes = probes;
        this.localMembers = localMembers;
        this.manager = Thread.ofVirtual().name("loomsocket-redis-subscriber").start(this::run);
    }

    /** {@code topic} has local members: subscribe its channel (soon, on the manager thread). */
    void want(String topic) {
        wanted.want(topic);
        wake();
    }

    /** {@code topic} lost its last local member: unsubscribe after the linger, unless it gets one again. */
    void idle(String topic) {
        wanted.idle(topic, System.nanoTime());
        wake();
    }

    boolean isUp() {
        return up;
    }

    /** Topic channels subscribed on the current connection, as Redis last confirmed (the probe channel not counted). */
    int subscribedChannels() {
        return up ? Math.max(0, confirmedChannels - 1) : 0;
    }

    Set<String> wantedTopics() {
        return wanted.topics();
    }

    private void signalAcked() {
        ackLock.lock();
        try {
            acked.signalAll();
        } finally {
            ackLock.unlock();
        }
    }

    /**
     * Waits until Redis has acknowledged the subscription of {@code channel} on the current
     * connection; false if it has not within {@code timeoutNanos}.
     */
    boolean awaitConfirmed(String channel, long timeoutNanos) throws InterruptedException {
        ackLock.lock();
        try {
            long left = timeoutNanos;
            while (!confirmed.contains(channel)) {
                if (left <= 0 || closed) {
                    return false;
                }
                left = acked.awaitNanos(Math.min(left, 50_000_000L)); // re-checked: an ack may land between contains and await
            }
            return true;
        } finally {
            ackLock.unlock();
        }
    }

    private void wake() {
        signalLock.lock();
        try {
            signalled = true;
            signal.signalAll();
        } finally {
            signalLock.unlock();
        }
    }

    private void run() {
        try {
            while (!closed) {
                RedisConnection c = connector.openForever("subscriber", () -> closed);
                if (c == null) {
                    return;
                }
                generation++;
                if (generation > 1) {
                    counters.reconnects.increment();
                }
                connection = c;
                Set<String> sent = new HashSet<>();
                Thread reader = null;
                try {
                    readerFailure = null;
                    lastReadNanos = System.nanoTime();
                    probeOutstanding = 0;
                    lastProbeDoneNanos = System.nanoTime();
                    long gen = generation;
                    c.send("SUBSCRIBE", probeChannel);
                    c.flush();
                    reader = Thread.ofVirtual().name("loomsocket-redis-subscriber-reader").start(() -> read(c, gen));
                    up = true;
                    manage(c, sent);
                } catch (IOException e) {
                    if (!closed) {
                        LOG.log(System.Logger.Level.WARNING, "redis subscriber connection lost: {0}", e.getMessage());
                    }
                } finally {
                    up = false;
                    confirmed.clear();
                    c.close();
                    if (reader != null) {
                        reader.join(5000);
                    }
                    if (!closed && !sent.isEmpty()) {
                        List<String> lost = new ArrayList<>();
                        for (String channel : sent) {
                            lost.add(channels.topicOf(channel));
                        }
                        inbound.mark(new InboundQueue.Lost(List.copyOf(lost), generation + 1));
                    }
                }
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    /** The manager's loop on one connection; returns or throws when the connection is to be replaced. */
    private void manage(RedisConnection c, Set<String> sent) throws IOException, InterruptedException {
        long pingEvery = options.pingInterval().toNanos();
        long liveness = options.livenessTimeout().toNanos();
        long probeEvery = options.probeInterval().toNanos();
        long probeTimeout = options.probeTimeout().toNanos();
        long linger = options.linger().toNanos();
        long lastPing = System.nanoTime();
        long probeSentAt = 0;
        while (!closed) {
            IOException failed = readerFailure;
            if (failed != null) {
                throw failed;
            }
            sync(c, sent, linger);
            long now = System.nanoTime();
            if (now - lastReadNanos > liveness) {
                throw new IOException("nothing read from Redis for " + TimeUnit.NANOSECONDS.toMillis(now - lastReadNanos)
                        + " ms (liveness timeout " + options.livenessTimeout().toMillis() + " ms)");
            }
            if (now - lastPing >= pingEvery && now - lastReadNanos >= pingEvery) {
                c.send("PING");
                c.flush();
                lastPing = now;
            }
            long outstanding = probeOutstanding;
            if (outstanding != 0) {
                if (now - probeSentAt > probeTimeout) {
                    throw new IOException("probe " + outstanding + " did not come back within "
                            + options.probeTimeout().toMillis() + " ms: the subscription is dead");
                }
            } else if (now - lastProbeDoneNanos >= probeEvery && confirmed.contains(probeChannel)) {
                // (not before Redis confirmed the probe channel: a probe published earlier is lost, not late)
                long nonce = ++probeNonce;
                byte[] body = new Envelope(Envelope.PROBE, options.nodeId(), nonce, RemoteDelivery.nowMicros(), new byte[0]).encode();
                if (probes.send(probeChannel, body)) { // not while the publisher is down: that is not this connection's fault
                    probeSentAt = now;
                    probeOutstanding = nonce;
                } else {
                    lastProbeDoneNanos = now;
                }
            }
            awaitSignal(Math.min(pingEvery, TimeUnit.MILLISECONDS.toNanos(100)));
        }
    }

    private void awaitSignal(long nanos) throws InterruptedException {
        signalLock.lock();
        try {
            long left = nanos;
            while (!signalled && left > 0 && !closed) {
                left = signal.awaitNanos(left);
            }
            signalled = false;
        } finally {
            signalLock.unlock();
        }
    }

    /** Subscribes what is wanted and not yet subscribed; unsubscribes what lingered out with no local member. */
    private void sync(RedisConnection c, Set<String> sent, long linger) throws IOException {
        WantedTopics.Plan plan = wanted.plan(sent, channels, System.nanoTime(), linger, localMembers);
        for (String topic : plan.forgotten()) {
            inbound.mark(new InboundQueue.Forget(topic));
        }
        if (plan.subscribe().isEmpty() && plan.unsubscribe().isEmpty()) {
            return;
        }
        send(c, "SUBSCRIBE", plan.subscribe());
        send(c, "UNSUBSCRIBE", plan.unsubscribe());
        c.flush();
    }

    private static void send(RedisConnection c, String command, List<String> channels) throws IOException {
        for (int i = 0; i < channels.size(); i += CHUNK) {
            List<String> part = channels.subList(i, Math.min(channels.size(), i + CHUNK));
            Object[] args = new Object[part.size() + 1];
            args[0] = command;
            for (int j = 0; j < part.size(); j++) {
                args[j + 1] = part.get(j);
            }
            c.send(args);
        }
    }

    /** The reader thread of one connection. */
    private void read(RedisConnection c, long gen) {
        try {
            while (!closed) {
                RespValue v = c.read();
                lastReadNanos = System.nanoTime();
                List<RespValue> items = switch (v) {
                    case RespValue.Push p -> p.items();
                    case RespValue.Array a -> a.items();
                    case RespValue.Error e -> {
                        LOG.log(System.Logger.Level.WARNING, "redis subscriber: error reply {0}", e.message());
                        yield null;
                    }
                    default -> null; // +PONG under RESP3
                };
                if (items == null || items.isEmpty()) {
                    continue;
                }
                String kind = text(items.get(0));
                switch (kind) {
                    case "message" -> {
                        if (items.size() >= 3) {
                            message(text(items.get(1)), bytes(items.get(2)), gen);
                        }
                    }
                    case "subscribe", "unsubscribe" -> {
                        if (items.size() >= 3 && items.get(2) instanceof RespValue.Int n) {
                            confirmedChannels = (int) n.value();
                        }
                        if (items.size() >= 2) {
                            if (kind.equals("subscribe")) {
                                confirmed.add(text(items.get(1)));
                            } else {
                                confirmed.remove(text(items.get(1)));
                            }
                            signalAcked();
                        }
                    }
                    default -> {} // "pong" under RESP2
                }
            }
        } catch (IOException e) {
            if (!closed) {
                readerFailure = e;
            }
        } catch (RuntimeException e) {
            readerFailure = new IOException("redis subscriber: " + e, e);
        } finally {
            if (readerFailure == null && !closed) {
                readerFailure = new IOException("redis subscriber reader ended");
            }
            wake();
        }
    }

    private void message(String channel, byte[] body, long gen) {
        if (channel.equals(probeChannel)) {
            try {
                Envelope env = Envelope.decode(body);
                if (env.kind() == Envelope.PROBE && env.origin() == options.nodeId() && env.sequence() == probeOutstanding) {
                    lastProbeDoneNanos = System.nanoTime();
                    probeOutstanding = 0;
                }
            } catch (IllegalArgumentException e) {
                counters.malformed.increment();
            }
            return;
        }
        String topic = channels.topicOf(channel);
        if (topic == null) {
            counters.malformed.increment();
            return;
        }
        if (!inbound.offer(new InboundQueue.Message(topic, body, gen))) {
            counters.inboundDropped.increment();
        }
    }

    private static String text(RespValue v) {
        return switch (v) {
            case RespValue.Bulk b -> new String(b.bytes(), StandardCharsets.UTF_8);
            case RespValue.Simple s -> s.text();
            default -> "";
        };
    }

    private static byte[] bytes(RespValue v) {
        return v instanceof RespValue.Bulk b ? b.bytes() : new byte[0];
    }

    @Override
    public void close() {
        closed = true;
        RedisConnection c = connection;
        if (c != null) {
            c.close();
        }
        manager.interrupt();
        wake();
        try {
            manager.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
