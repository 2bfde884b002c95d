package io.loomsocket.cluster;

import io.loomsocket.WebSocket;
import io.loomsocket.broadcast.BroadcastRegistry;
import io.loomsocket.protocol.Opcode;
import io.loomsocket.redis.RedisConnection;
import io.loomsocket.redis.RespValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Resumable topics across nodes: each message of such a topic is kept in a Redis stream
 * ({@code {prefix}:h:{topic}}, trimmed to {@code maxLen} entries) and carries the same offset on
 * every node: the history's epoch, the entry's id and the message's number ({@link #token}). A client that reconnects
 * to any node asks for what it missed since its last offset, or is told plainly that this is not
 * possible: {@link Resume.Trimmed} (entries after its offset were trimmed), {@link
 * Resume.EpochChanged} (the history is not the one its offset came from: Redis lost its data, or
 * the token is from elsewhere), {@link Resume.Unavailable} (Redis cannot be asked now).
 *
 * <ul>
 *   <li><b>Through Redis first.</b> {@link #publish} runs one script on Redis that sets the epoch
 *       if there is none, appends to the stream and publishes with the epoch and entry id. Every
 *       node, the publishing one too, delivers the message when it comes back, rendered once with
 *       its offset for all local members. So a resumable publish is not delivered locally while
 *       Redis is down: it fails ({@code false}) and is counted.
 *   <li><b>No gap, no duplicate between the replay and live messages.</b> A resuming connection
 *       joins the topic at once but is skipped by live deliveries while it catches up; once
 *       this node's subscription is confirmed at Redis, the stream is read from its offset and
 *       sent to it, and from then on it gets only live messages newer than the last one replayed.
 *       Live delivery and that read take the topic's lock.
 * </ul>
 *
 * <p>Threads: {@link #publish} and {@link #subscribe} from any thread (subscribe waits for Redis,
 * at most the connect timeout plus {@code subscribeWait}); deliveries on the bridge's delivery
 * thread. The per-topic catching-up marks are guarded by the topic's lock stripe; the history
 * connection by its own lock, taken inside a topic lock, never the other way round.
 */
public final class RedisResumableTopics implements AutoCloseable {

    private static final int STRIPES = 64;
    private static final StreamId CATCHING_UP = new StreamId(-1L, -1L); // above every id: skip everything

    /** Turns a message and its offset token into what clients receive; quick, non-blocking. */
    @FunctionalInterface
    public interface Renderer {
        String render(String topic, String offset, String text);
    }

    /** What {@link #subscribe} did. In every case but an exception, the connection is now a live member. */
    public sealed interface Resume {
        /** No offset given: live from now. */
        record Live() implements Resume {}

        /** The {@code replayed} messages after the client's offset were sent, then live. */
        record Resumed(int replayed) implements Resume {}

        /**
         * {@code lost} messages after the client's offset were trimmed from the history; what is
         * kept was sent ({@code replayed}), then live.
         */
        record Trimmed(long lost, int replayed) implements Resume {}

        /** The history's epoch is not the client's ({@code ours} null: there is no history): nothing replayed, live from now. */
        record EpochChanged(String theirs, String ours) implements Resume {}

        /** Redis could not be asked ({@code reason}): nothing replayed, live from now. */
        record Unavailable(String reason) implements Resume {}
    }

    private final BroadcastRegistry registry;
    private final RedisBridge bridge;
    private final Renderer renderer;
    private final int maxLen;
    private final Duration subscribeWait;
    private final String epochCandidate;
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];
    private final Map<String, Map<WebSocket, StreamId>> catching = new HashMap<>(); // guarded by the topic's lock
    private final ReentrantLock connectionLock = new ReentrantLock();
    private RedisConnection connection; // guarded by connectionLock

    /**
     * @param bridge the registry's bridge; its resumable topics' messages come here
     * @param maxLen entries kept per topic's stream
     */
    public RedisResumableTopics(BroadcastRegistry registry, RedisBridge bridge, int maxLen, Renderer renderer) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.bridge = Objects.requireNonNull(bridge, "bridge");
        this.renderer = Objects.requireNonNull(renderer, "renderer");
        if (maxLen < 1) {
            throw new IllegalArgumentException("maxLen must be positive: " + maxLen);
        }
        this.maxLen = maxLen;
        this.subscribeWait = Duration.ofSeconds(5);
        byte[] r = new byte[8];
        new SecureRandom().nextBytes(r);
        StringBuilder hex = new StringBuilder();
        for (byte b : r) {
            hex.append(String.format("%02x", b));
        }
        this.epochCandidate = hex.toString();
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
        bridge.streamSink(this::deliver);
    }

    /** A client's offset: {@code epoch/ms-seq/n} (the history's epoch, the stream entry's id, the message's number). */
    public static String token(String epoch, StreamId id, long n) {
        return epoch + "/" + id + "/" + n;
    }

    /** Publishes {@code text} to {@code topic} on every node, with its offset; false if Redis cannot take it now. */
    public boolean publish(String topic, String text) {
        return bridge.publishToHistory(topic, Opcode.TEXT, text.getBytes(StandardCharsets.UTF_8), maxLen, epochCandidate);
    }

    /** From the bridge's delivery thread: a message of {@code topic} with its offset. */
    private void deliver(String topic, String epoch, StreamId id, long n, Opcode type, byte[] payload) {
        if (type != Opcode.TEXT) {
            registry.deliverLocally(topic, type, payload);
            return;
        }
        ReentrantLock lock = lock(topic);
        lock.lock();
        try {
            String rendered = renderer.render(topic, token(epoch, id, n), new String(payload, StandardCharsets.UTF_8));
            byte[] bytes = rendered.getBytes(StandardCharsets.UTF_8);
            Map<WebSocket, StreamId> marks = catching.get(topic);
            if (marks == null) {
                registry.deliverLocally(topic, Opcode.TEXT, bytes);
                return;
            }
            Set<WebSocket> skip = new HashSet<>();
            for (Iterator<Map.Entry<WebSocket, StreamId>> it = marks.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<WebSocket, StreamId> e = it.next();
                if (!e.getKey().isOpen()) {
                    it.remove();
                } else if (id.compareTo(e.getValue()) <= 0) {
                    skip.add(e.getKey()); // replayed already, or will be
                } else {
                    it.remove(); // caught up: live from this message on
                }
            }
            if (marks.isEmpty()) {
                catching.remove(topic);
            }
            registry.deliverLocally(topic, Opcode.TEXT, bytes, skip::contains);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Makes {@code ws} a member of {@code topic}, first sending what it missed since {@code since}
     * (a {@link #token} it kept; null for live only).
     *
     * @throws IllegalArgumentException if {@code since} is not a token (the connection is not subscribed)
     */
    public Resume subscribe(String topic, WebSocket ws, String since) throws InterruptedException {
        if (since == null) {
            registry.subscribe(topic, ws);
            return new Resume.Live();
        }
        String[] parts = since.split("/", -1);
        if (parts.length != 3 || parts[0].isEmpty()) {
            throw new IllegalArgumentException("an offset is epoch/ms-seq/n, not \"" + since + "\"");
        }
        String theirs = parts[0];
        StreamId after = StreamId.parse(parts[1]);
        long theirN;
        try {
            theirN = Long.parseLong(parts[2]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("an offset is epoch/ms-seq/n, not \"" + since + "\"", e);
        }
        ReentrantLock lock = lock(topic);
        lock.lock();
        try {
            catching.computeIfAbsent(topic, t -> new HashMap<>()).put(ws, CATCHING_UP);
            registry.subscribe(topic, ws);
        } finally {
            lock.unlock();
        }
        // Read the stream only once this node hears the topic: what is published after the read
        // then arrives live.
        if (!bridge.awaitSubscribed(topic, subscribeWait)) {
            release(topic, ws);
            return new Resume.Unavailable("this node's subscription to the topic is not in place (Redis down?)");
        }
        lock.lock();
        try {
            RedisConnection c;
            List<RespValue> entries;
            String ours;
            connectionLock.lock();
            try {
                for (int attempt = 0; ; attempt++) {
                    boolean reused = connection != null && !connection.isClosed();
                    try {
                        c = connection();
                        ours = text(c.callOrThrow("GET", bridge.channels().epoch(topic)));
                        entries = ours == null || !ours.equals(theirs) ? List.of()
                                : items(c.callOrThrow("XRANGE", bridge.channels().history(topic), "(" + after, "+"));
                        break;
                    } catch (IOException e) {
                        closeConnection();
                        if (!reused || attempt > 0) {
                            throw e;
                        } // a connection from before Redis went away: once more on a new one
                    }
                }
            } catch (IOException | RuntimeException e) {
                closeConnection();
                releaseLocked(topic, ws);
                return new Resume.Unavailable(e.getMessage());
            } finally {
                connectionLock.unlock();
            }
            if (ours == null || !ours.equals(theirs)) {
                releaseLocked(topic, ws);
                return new Resume.EpochChanged(theirs, ours);
            }
            StreamId last = after;
            int replayed = 0;
            long firstN = -1;
            for (RespValue entry : entries) {
                List<RespValue> pair = items(entry);
                StreamId id = StreamId.parse(text(pair.get(0)));
                List<RespValue> fields = items(pair.get(1)); // n, <n>, e, <envelope>
                long n = Long.parseLong(text(fields.get(1)));
                if (firstN < 0) {
                    firstN = n;
                }
                Envelope env = Envelope.decode(((RespValue.Bulk) fields.get(3)).bytes());
                last = id;
                if (env.kind() != Envelope.TEXT) {
                    continue;
                }
                String rendered = renderer.render(topic, token(ours, id, n), new String(env.payload(), StandardCharsets.UTF_8));
                BroadcastRegistry.broadcast(List.of(ws), rendered, registry.policy());
                replayed++;
            }
            Map<WebSocket, StreamId> marks = catching.get(topic);
            if (marks != null && marks.containsKey(ws)) {
                marks.put(ws, last);
            }
            // Trimming takes the oldest first: messages are lost iff the oldest kept one after the
            // client's offset is not the very next.
            long lost = firstN < 0 ? 0 : firstN - theirN - 1;
            return lost > 0 ? new Resume.Trimmed(lost, replayed) : new Resume.Resumed(replayed);
        } finally {
            lock.unlock();
        }
    }

    private void release(String topic, WebSocket ws) {
        ReentrantLock lock = lock(topic);
        lock.lock();
        try {
            releaseLocked(topic, ws);
        } finally {
            lock.unlock();
        }
    }

    /** Live from now on for {@code ws}. */
    private void releaseLocked(String topic, WebSocket ws) {
        Map<WebSocket, StreamId> marks = catching.get(topic);
        if (marks != null) {
            marks.remove(ws);
            if (marks.isEmpty()) {
                catching.remove(topic);
            }
        }
    }

    private RedisConnection connection() throws IOException {
        if (connection == null || connection.isClosed()) {
            connection = bridge.connector().open("history");
            connection.setReadTimeout(bridge.options().connectTimeout().toMillis());
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    private static List<RespValue> items(RespValue v) {
        return switch (v) {
            case RespValue.Array a -> a.items();
            case RespValue.Map m -> m.keysAndValues();
            case RespValue.Push p -> p.items();
            default -> List.of();
        };
    }

    /** {@link RespValue#asText()}, or null for a nil reply (GET of a missing key). */
    private static String text(RespValue v) {
        return v instanceof RespValue.Null ? null : v.asText();
    }

    private ReentrantLock lock(String topic) {
        int h = topic.hashCode();
        return locks[Math.floorMod(h ^ (h >>> 16), STRIPES)];
    }

    @Override
    public void close() {
        connectionLock.lock();
        try {
            closeConnection();
        } finally {
            connectionLock.unlock();
        }
    }
}
