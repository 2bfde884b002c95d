package io.loomsocket.broadcast;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The last messages of each topic, in memory, with offsets: each topic numbers its messages from
 * 1, within this history's epoch (a random number drawn when it is created, so that offsets from
 * another process, or from before a restart, are recognised as such and never misread). Bounded
 * per topic in messages and in bytes; the oldest go first.
 *
 * <p>Threads: not thread-safe; {@link ResumableTopics} guards each topic with its lock.
 */
final class TopicHistory {

    record Entry(long offset, String text) {}

    private static final class Topic {
        final ArrayDeque<Entry> entries = new ArrayDeque<>();
        long next = 1;
        long bytes;
    }

    private final long epoch;
    private final int maxMessages;
    private final long maxBytes;
    private final Map<String, Topic> topics = new HashMap<>();

    TopicHistory(int maxMessages, long maxBytes) {
        if (maxMessages < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("a history holds at least one message and one byte");
        }
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        long e;
        SecureRandom r = new SecureRandom();
        do {
            e = r.nextLong() & Long.MAX_VALUE;
        } while (e == 0);
        this.epoch = e;
    }

    long epoch() {
        return epoch;
    }

    /** The offset the next message of {@code topic} will get. */
    long nextOffset(String topic) {
        Topic t = topics.get(topic);
        return t == null ? 1 : t.next;
    }

    /** Keeps {@code text} as the message at {@link #nextOffset}; returns its offset. */
    long append(String topic, String text) {
        Topic t = topics.computeIfAbsent(topic, k -> new Topic());
        long offset = t.next++;
        t.entries.addLast(new Entry(offset, text));
        t.bytes += size(text);
        while (t.entries.size() > maxMessages || (t.bytes > maxBytes && t.entries.size() > 1)) {
            t.bytes -= size(t.entries.removeFirst().text());
        }
        return offset;
    }

    /** The oldest offset still kept for {@code topic}, or {@link #nextOffset} if none is. */
    long oldest(String topic) {
        Topic t = topics.get(topic);
        return t == null || t.entries.isEmpty() ? nextOffset(topic) : t.entries.peekFirst().offset();
    }

    /** The messages after {@code offset}, oldest first (all kept ones if it is older than those). */
    List<Entry> after(String topic, long offset) {
        Topic t = topics.get(topic);
        if (t == null) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        for (Entry e : t.entries) {
            if (e.offset() > offset) {
                out.add(e);
            }
        }
        return out;
    }

    private static long size(String text) {
        return 2L * text.length() + 40; // the String's chars and the entry around it, roughly
    }
}
