package io.loomsocket.broadcast;

import io.loomsocket.WebSocket;
import io.loomsocket.protocol.Opcode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Topics whose clients can come back: each message gets an {@link Offset} and is kept in a
 * bounded history, and a client that reconnects asks for what it missed since the last offset
 * it saw, or is told plainly that this is no longer possible.
 *
 * <pre>{@code
 * ResumableTopics topics = new ResumableTopics(registry, 1000, 1 << 20,
 *         (topic, offset, text) -> "{\"offset\":\"" + offset.token() + "\",\"data\":" + text + "}");
 * topics.publish("prices", "{\"AAPL\":187.3}");
 * switch (topics.subscribe("prices", ws, sinceTokenFromClient)) {
 *     case Resume.Resumed r -> {}                      // r.replayed() messages sent, then live
 *     case Resume.Live l -> {}                         // no offset given: live from now
 *     case Resume.Trimmed t -> tell(ws, "history trimmed: messages lost; oldest kept " + t.oldest().token());
 *     case Resume.EpochChanged e -> tell(ws, "offsets from another run; start afresh");
 * }
 * }</pre>
 *
 * <ul>
 *   <li><b>Offsets.</b> Per topic from 1, within this object's epoch (random at creation): an
 *       offset from another process or an earlier run is an {@link Resume.EpochChanged}, never
 *       misread. Each node of a cluster keeps its own history and offsets; a client that
 *       reconnects to another node is told its epoch changed.
 *   <li><b>No gap, no duplicate</b> between the replay and the live messages: publishing a
 *       message (history, then local delivery) and resuming a client (replay, then joining the
 *       topic) take the topic's lock, so neither happens in the middle of the other. The lock is
 *       held while frames are queued (which never waits), never while application code runs
 *       but the renderer.
 *   <li><b>Rendering.</b> The client must see the offsets, so the {@link Renderer} puts the
 *       offset into the message it delivers (once per message, shared by all local members). What
 *       other nodes get through the registry's relays is the plain text; they render it with
 *       their own offsets ({@link #deliverRemote}, a cluster bridge's local sink).
 * </ul>
 */
public final class ResumableTopics {

    private static final int STRIPES = 64;

    /** Turns a message and its offset into what the clients receive. Must be quick and must not block. */
    @FunctionalInterface
    public interface Renderer {
        String render(String topic, Offset offset, String text);
    }

    /**
     * A position in a topic: the history's epoch and the message's number in it. Its
     * {@link #token()} ({@code epoch:offset}, the epoch in hex) is what a client keeps and sends
     * back.
     */
    public record Offset(long epoch, long value) {

        public String token() {
            return Long.toHexString(epoch) + ":" + value;
        }

        /**
         * Reads a token.
         *
         * @throws IllegalArgumentException naming what is wrong with it
         */
        public static Offset parse(String token) {
            int colon = token == null ? -1 : token.indexOf(':');
            if (colon <= 0 || colon == token.length() - 1) {
                throw new IllegalArgumentException("an offset is epoch:number, not " + quote(token));
            }
            try {
                long epoch = Long.parseUnsignedLong(token.substring(0, colon), 16);
                long value = Long.parseLong(token.substring(colon + 1));
                if (value < 0) {
                    throw new IllegalArgumentException("a negative offset: " + quote(token));
                }
                return new Offset(epoch, value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("an offset is epoch:number, not " + quote(token), e);
            }
        }

        private static String quote(String s) {
            return s == null ? "null" : "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        }
    }

    /** What {@link #subscribe} did. In every case the connection is now a live member of the topic. */
    public sealed interface Resume {
        /** No offset was given: live from now. */
        record Live(Offset next) implements Resume {}

        /** The {@code replayed} messages after the client's offset were sent, then live. */
        record Resumed(int replayed) implements Resume {}

        /**
         * Messages after the client's offset are gone from the history: {@code lost} of them at
         * least. What is kept, from {@code oldest}, was sent, then live.
         */
        record Trimmed(Offset oldest, long lost, int replayed) implements Resume {}

        /** The client's offset is of another epoch (another node, an earlier run): nothing replayed. */
        record EpochChanged(long theirs, long ours) implements Resume {}
    }

    private final BroadcastRegistry registry;
    private final Renderer renderer;
    private final TopicHistory history;
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

    /**
     * @param maxMessages messages kept per topic
     * @param maxBytes about how many bytes of them per topic (at least the newest is kept)
     */
    public ResumableTopics(BroadcastRegistry registry, int maxMessages, long maxBytes, Renderer renderer) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.renderer = Objects.requireNonNull(renderer, "renderer");
        this.history = new TopicHistory(maxMessages, maxBytes);
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    public long epoch() {
        return history.epoch();
    }

    /** Publishes {@code text} to {@code topic} here (rendered with its offset) and through the registry's relays (plain). */
    public Offset publish(String topic, String text) {
        Offset offset = deliver(topic, text);
        registry.relay(topic, Opcode.TEXT, text.getBytes(StandardCharsets.UTF_8));
        return offset;
    }

    /**
     * A message published to {@code topic} on another node: kept and delivered here with this
     * node's next offset. Binary messages are delivered as they are, without history.
     */
    public void deliverRemote(String topic, Opcode type, byte[] payload) {
        if (type == Opcode.TEXT) {
            deliver(topic, new String(payload, StandardCharsets.UTF_8));
        } else {
            registry.deliverLocally(topic, type, payload);
        }
    }

    private Offset deliver(String topic, String text) {
        ReentrantLock lock = lock(topic);
        lock.lock();
        try {
            Offset offset = new Offset(history.epoch(), history.nextOffset(topic));
            String rendered = renderer.render(topic, offset, text);
            history.append(topic, rendered);
            registry.deliverLocally(topic, Opcode.TEXT, rendered.getBytes(StandardCharsets.UTF_8));
            return offset;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Makes {@code ws} a member of {@code topic}, first sending what it missed since {@code since}
     * (a {@link Offset#token()} the client kept; null for live only).
     *
     * @throws IllegalArgumentException if {@code since} is not a token, or is of this epoch but
     *     ahead of the topic's next offset (no such offset was given out); the connection is then
     *     not subscribed
     */
    public Resume subscribe(String topic, WebSocket ws, String since) {
        Offset from = since == null ? null : Offset.parse(since);
        ReentrantLock lock = lock(topic);
        lock.lock();
        try {
            Resume result;
            if (from == null) {
                result = new Resume.Live(new Offset(history.epoch(), history.nextOffset(topic)));
            } else if (from.epoch() != history.epoch()) {
                result = new Resume.EpochChanged(from.epoch(), history.epoch());
            } else if (from.value() >= history.nextOffset(topic)) {
                // Of this epoch, yet past anything published: not an offset this node gave out.
                throw new IllegalArgumentException("offset " + from.token() + " is ahead of topic " + topic
                        + "'s next offset " + history.nextOffset(topic));
            } else {
                long oldest = history.oldest(topic);
                List<TopicHistory.Entry> missed = history.after(topic, from.value());
                for (TopicHistory.Entry e : missed) {
                    BroadcastRegistry.broadcast(List.of(ws), e.text(), registry.policy());
                }
                if (from.value() + 1 < oldest) {
                    result = new Resume.Trimmed(new Offset(history.epoch(), oldest), oldest - from.value() - 1, missed.size());
                } else {
                    result = new Resume.Resumed(missed.size());
                }
            }
            registry.subscribe(topic, ws);
            return result;
        } finally {
            lock.unlock();
        }
    }

    /** The offset the next message of {@code topic} will get. */
    public Offset next(String topic) {
        ReentrantLock lock = lock(topic);
        lock.lock();
        try {
            return new Offset(history.epoch(), history.nextOffset(topic));
        } finally {
            lock.unlock();
        }
    }

    private ReentrantLock lock(String topic) {
        int h = topic.hashCode();
        return locks[Math.floorMod(h ^ (h >>> 16), STRIPES)];
    }
}
