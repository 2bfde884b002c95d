package io.loomsocket.cluster;

import io.loomsocket.client.Backoff;
import io.loomsocket.redis.RedisConnection;
import io.loomsocket.redis.RedisOptions;
import io.loomsocket.redis.RedisUri;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Who is online across every node of a cluster, kept in Redis: the user list of a chat room
 * whichever node each user's connection landed on.
 *
 * <pre>{@code
 * RedisPresence presence = RedisPresence.start(RedisUri.parse("redis://127.0.0.1:6379/chat"),
 *         RedisPresence.Options.defaults().withNodeId(bridge.nodeId()));
 * presence.onChange(c -> log.info("lost with their node: " + c.lostWithNode()));
 * presence.join("alice");           // never waits for Redis
 * Set<String> everyone = presence.online();
 * }</pre>
 *
 * <p><b>In Redis</b> each node keeps a set of the ids online on it ({@link #setKey}) and its
 * heartbeat ({@link #nodesKey}), written at each heartbeat and gone three heartbeats after its
 * last (the layout and the commands: {@code PresenceStore}). At each heartbeat this node reads
 * the sets of the nodes that beat recently and caches them ({@code PresenceView}).
 * {@link #online} is that cache plus this node's own ids as of now: it never blocks on Redis.
 * All nodes of a cluster should use the same heartbeat.
 *
 * <p><b>Changes</b> of the other nodes' part are told to the {@linkplain #onChange listeners}
 * on the heartbeat thread, after the cache is updated, as a {@link Change}: ids that came, ids
 * that went, and among them the ids {@linkplain Change#lostWithNode lost with their node} (its
 * heartbeat stopped, or it {@linkplain #close closed}, while they were online), which nobody
 * else will announce. A node that dies without a word disappears from the others' lists within
 * about three heartbeats (and one more for the reader's own heartbeat). Notification is by
 * polling at each heartbeat (no pub/sub): it needs nothing but this class's one connection, and
 * a missed message cannot leave a list wrong for longer than one heartbeat.
 *
 * <p><b>Faults.</b> While Redis is unreachable, {@link #online} keeps the last list read (plus
 * the local ids), and the connection is retried forever with {@link Options#reconnect}. The
 * first heartbeat after a reconnection rewrites this node's set.
 *
 * <p>Threads: one virtual thread of its own, the heartbeat, which does all the I/O and calls the
 * listeners. {@link #join}, {@link #leave} and {@link #online} take a short lock (never held
 * during I/O or while a listener runs) and may be called from any thread, under the caller's
 * own locks. The lock guards this node's ids, the changes not yet written and the closing flag;
 * the other nodes' part is read without it.
 */
public final class RedisPresence implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RedisPresence.class.getName());

    /**
     * How a {@link RedisPresence} behaves.
     *
     * @param nodeId this node's id (nonzero), the key of its set; use the bridge's
     *     ({@link RedisBridge#nodeId()}) so that logs and keys agree
     * @param heartbeat how often this node's set and heartbeat are written and the others' read
     *     (1 s); the set expires, and a silent node is dropped, after three of them
     * @param reconnect the waits between connection attempts (100 ms doubling to 2 s, half drawn
     *     at random)
     * @param connectTimeout for the TCP connection, the handshake, and each reply (3 s)
     */
    public record Options(long nodeId, Duration heartbeat, Backoff reconnect, Duration connectTimeout) {

        public Options {
            if (nodeId == 0) {
                throw new IllegalArgumentException("nodeId 0 is reserved");
            }
            Objects.requireNonNull(reconnect, "reconnect");
            if (heartbeat == null || heartbeat.toMillis() < 10) {
                throw new IllegalArgumentException("heartbeat must be at least 10 ms: " + heartbeat);
            }
            if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
                throw new IllegalArgumentException("connectTimeout must be positive: " + connectTimeout);
            }
        }

        public static Options defaults() {
            return new Options(ClusterOptions.randomNodeId(), Duration.ofSeconds(1),
                    new Backoff(Duration.ofMillis(100), 2.0, Duration.ofSeconds(2), 0.5), Duration.ofSeconds(3));
        }

        public Options withNodeId(long id) {
            return new Options(id, heartbeat, reconnect, connectTimeout);
        }

        public Options withHeartbeat(Duration d) {
            return new Options(nodeId, d, reconnect, connectTimeout);
        }

        public Options withReconnect(Backoff b) {
            return new Options(nodeId, heartbeat, b, connectTimeout);
        }

        public Options withConnectTimeout(Duration d) {
            return new Options(nodeId, heartbeat, reconnect, d);
        }

        /** Three heartbeats: the set's expiry and the window in which a node counts as alive. */
        public Duration ttl() {
            return heartbeat.multipliedBy(3);
        }
    }

    /**
     * A change of the other nodes' part of the list, read at a heartbeat.
     *
     * @param online everyone online now, this node's ids included
     * @param joined ids online now that were not before
     * @param left ids no longer online anywhere
     * @param lostWithNode those of {@code left} whose node stopped heartbeating (or closed) with
     *     them online: they did not leave, their node is gone
     */
    public record Change(Set<String> online, Set<String> joined, Set<String> left, Set<String> lostWithNode) {
        public Change {
            online = Set.copyOf(online);
            joined = Set.copyOf(joined);
            left = Set.copyOf(left);
            lostWithNode = Set.copyOf(lostWithNode);
        }
    }

    /** Told of each {@link Change}, on the heartbeat thread; must not block for long. */
    @FunctionalInterface
    public interface Listener {
        void changed(Change change);
    }

    private final RedisUri uri;
    private final Options options;
    private final PresenceStore store;
    private final PresenceView view = new PresenceView();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Set<String> local = new LinkedHashSet<>(); // guarded by lock
    private final List<String[]> pending = new ArrayList<>(); // SADD/SREM not yet written; guarded by lock
    private boolean closing; // guarded by lock

    private volatile boolean up;
    private volatile RedisConnection connection;
    private volatile boolean abandoned;
    private final LongAdder heartbeats = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final Thread thread;

    private RedisPresence(RedisUri uri, Options options) {
        this.uri = uri;
        this.options = options;
        this.store = new PresenceStore(uri.prefix(), options.nodeId(), options.heartbeat(), options.ttl());
        this.thread = Thread.ofVirtual().name("loomsocket-presence").unstarted(this::run);
    }

    /** Starts heartbeating in the background (connecting, and retrying forever); never blocks. */
    public static RedisPresence start(RedisUri uri, Options options) {
        RedisPresence p = new RedisPresence(Objects.requireNonNull(uri, "uri"), Objects.requireNonNull(options, "options"));
        p.thread.start();
        return p;
    }

    public long nodeId() {
        return options.nodeId();
    }

    public Options options() {
        return options;
    }

    /** This node's set: {@code {prefix}:presence:{nodeIdHex}}. */
    public String setKey() {
        return store.setKey();
    }

    /** The heartbeats: {@code {prefix}:presence:nodes}. */
    public String nodesKey() {
        return store.nodesKey();
    }

    /** Adds a listener of the other nodes' changes. */
    public RedisPresence onChange(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /** {@code id} is online on this node (again: no change). Written to Redis at once, in the background. */
    public void join(String id) {
        change("SADD", id);
    }

    /** {@code id} is no longer online on this node. Written to Redis at once, in the background. */
    public void leave(String id) {
        change("SREM", id);
    }

    private void change(String command, String id) {
        Objects.requireNonNull(id, "id");
        lock.lock();
        try {
            if (closing) {
                return;
            }
            boolean changed = command.equals("SADD") ? local.add(id) : local.remove(id);
            if (changed) {
                pending.add(new String[] {command, id});
                wake.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Everyone online: the other nodes' ids as read at the last heartbeat, and this node's now. */
    public Set<String> online() {
        Set<String> all = new HashSet<>(view.union());
        lock.lock();
        try {
            all.addAll(local);
        } finally {
            lock.unlock();
        }
        return Set.copyOf(all);
    }

    /** This node's ids, in the order they joined. */
    public Set<String> local() {
        lock.lock();
        try {
            return new LinkedHashSet<>(local);
        } finally {
            lock.unlock();
        }
    }

    /** The other nodes' ids as last read, by node id (16 hex digits). */
    public Map<String, Set<String>> remote() {
        return view.remote();
    }

    /** Whether the last heartbeat reached Redis. */
    public boolean isUp() {
        return up;
    }

    /** Heartbeats written and read. */
    public long heartbeats() {
        return heartbeats.sum();
    }

    /** Heartbeats or writes that failed (each followed by a reconnection). */
    public long failures() {
        return failures.sum();
    }

    /**
     * Stops: this node's set and heartbeat are removed from Redis (best effort, bounded by the
     * connect timeout), so the other nodes drop its ids at their next heartbeat, as
     * {@linkplain Change#lostWithNode lost with the node}. Call it after the connections have
     * left (a server's stop), so that they leave as themselves first. Idempotent.
     */
    @Override
    public void close() {
        stop(false);
    }

    /**
     * Stops without a word to Redis, as if the process had died: the other nodes drop this
     * node's ids when its set and heartbeat expire, within about three heartbeats. For tests,
     * and for a process that must exit at once.
     */
    public void abandon() {
        stop(true);
    }

    private void stop(boolean silently) {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            closing = true;
            abandoned = silently;
            wake.signal();
        } finally {
            lock.unlock();
        }
        if (silently) {
            RedisConnection c = connection;
            if (c != null) {
                c.close(); // fails a write or read in progress at once
            }
        }
        try {
            if (!thread.join(options.connectTimeout().multipliedBy(2).plusSeconds(1))) {
                thread.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RedisConnection c = connection;
        if (c != null) {
            c.close();
        }
        up = false;
    }

    // ------------------------------------------------------------------ the heartbeat thread

    private void run() {
        int retry = 0;
        boolean warned = false;
        long nextBeat = System.nanoTime();
        while (true) {
            RedisConnection c = connection;
            try {
                if (c == null) {
                    if (isClosing()) {
                        return;
                    }
                    c = open();
                    connection = c;
                    if (warned) {
                        LOG.log(System.Logger.Level.INFO, "redis presence connection to {0} restored", uri);
                    }
                    warned = false;
                    nextBeat = System.nanoTime(); // a full heartbeat at once: repairs our set
                }
                if (isClosing()) {
                    if (!abandoned) {
                        remove(c);
                    }
                    return;
                }
                if (System.nanoTime() - nextBeat >= 0) {
                    beat(c);
                    retry = 0;
                    nextBeat = System.nanoTime() + options.heartbeat().toNanos();
                } else {
                    writePending(c);
                }
                awaitWork(nextBeat);
            } catch (IOException | RuntimeException e) {
                if (c != null) {
                    c.close();
                }
                connection = null;
                up = false;
                if (isClosing()) {
                    return;
                }
                failures.increment();
                if (!warned) {
                    LOG.log(System.Logger.Level.WARNING, "redis presence at {0} failed: {1}; retrying with backoff",
                            uri, e.getMessage());
                    warned = true;
                }
                try {
                    if (!pause(options.reconnect().delay(retry++, ThreadLocalRandom.current()))) {
                        return;
                    }
                } catch (InterruptedException ie) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private RedisConnection open() throws IOException {
        RedisConnection c = RedisConnection.open(uri, RedisOptions.defaults()
                .withClientName("loomsocket-presence").withConnectTimeout(options.connectTimeout()));
        c.setReadTimeout(options.connectTimeout().toMillis());
        return c;
    }

    private boolean isClosing() {
        lock.lock();
        try {
            return closing;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until {@code deadline}, a local change, or close. */
    private void awaitWork(long deadline) throws InterruptedException {
        lock.lock();
        try {
            while (!closing && pending.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                wake.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits {@code d} unless closed meanwhile; false if closed. */
    private boolean pause(Duration d) throws InterruptedException {
        long deadline = System.nanoTime() + d.toNanos();
        lock.lock();
        try {
            while (!closing) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                wake.awaitNanos(left);
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** The SADDs and SREMs since the last write, and a fresh expiry. */
    private void writePending(RedisConnection c) throws IOException {
        List<String[]> ops;
        lock.lock();
        try {
            if (pending.isEmpty()) {
                return;
            }
            ops = new ArrayList<>(pending);
            pending.clear();
        } finally {
            lock.unlock();
        }
        store.writeChanges(c, ops);
    }

    /** Writes this node's set whole and its heartbeat, then reads the other nodes'. */
    private void beat(RedisConnection c) throws IOException {
        long now = store.redisTimeMillis(c);
        List<String> ids;
        lock.lock();
        try {
            pending.clear(); // the whole set is written below
            ids = new ArrayList<>(local);
        } finally {
            lock.unlock();
        }
        Map<String, Set<String>> read = store.beat(c, now, ids);
        up = true;
        heartbeats.increment();
        Change change = view.update(read, this::local);
        if (change != null) {
            for (Listener l : listeners) {
                try {
                    l.changed(change);
                } catch (RuntimeException ex) {
                    LOG.log(System.Logger.Level.WARNING, "presence listener failed", ex);
                }
            }
        }
    }

    /** Removes this node's set and heartbeat (close). */
    private void remove(RedisConnection c) {
        try {
            writePending(c);
            store.remove(c);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "redis presence: could not remove {0}: {1}", store.setKey(), e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "RedisPresence[" + store.setKey() + (up ? ", up" : ", down") + "]";
    }
}
