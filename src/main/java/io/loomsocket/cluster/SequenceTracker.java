package io.loomsocket.cluster;

import java.util.HashMap;
import java.util.Map;

/**
 * The last sequence number seen per topic and origin, and what a new one means: in order, a
 * duplicate, or after a gap (messages lost on the way), and whether that gap deserves a
 * {@link Discontinuity} of its own.
 *
 * <p>Generations: the subscriber's connection count. When a subscription is lost, every wanted
 * topic gets one event ({@link #lost}); the first message from each origin after that may show
 * the gap of the outage, which is counted but does not give a second event.
 *
 * <p>Threads: owned by the bridge's one delivery thread; no lock.
 */
final class SequenceTracker {

    /** At most this many origins are kept per topic; past it the stalest is forgotten. */
    static final int MAX_ORIGINS_PER_TOPIC = 1024;

    /** What one sequence number means. {@code gap}: messages missing before it. */
    record Seen(boolean duplicate, long gap, boolean newEvent) {
        static final Seen IN_ORDER = new Seen(false, 0, false);
        static final Seen DUPLICATE = new Seen(true, 0, false);
    }

    private static final class Origin {
        long last;
        long generation;
        long touched;
    }

    private static final class Topic {
        final Map<Long, Origin> origins = new HashMap<>();
        long eventGeneration = -1;
    }

    private final Map<String, Topic> topics = new HashMap<>();
    private long clock;

    Seen observe(String topic, long origin, long sequence, long generation) {
        Topic t = topics.computeIfAbsent(topic, k -> new Topic());
        Origin o = t.origins.get(origin);
        clock++;
        if (o == null) {
            if (t.origins.size() >= MAX_ORIGINS_PER_TOPIC) {
                forgetStalest(t);
            }
            o = new Origin();
            o.last = sequence; // a node we had not heard of: what came before is not ours to miss
            o.generation = generation;
            o.touched = clock;
            t.origins.put(origin, o);
            return Seen.IN_ORDER;
        }
        o.touched = clock;
        if (sequence <= o.last) {
            return Seen.DUPLICATE;
        }
        long gap = sequence - o.last - 1;
        boolean firstSinceLoss = o.generation < generation;
        o.last = sequence;
        o.generation = generation;
        if (gap == 0) {
            return Seen.IN_ORDER;
        }
        boolean covered = firstSinceLoss && t.eventGeneration == generation;
        if (!covered) {
            t.eventGeneration = generation;
        }
        return new Seen(false, gap, !covered);
    }

    /** The subscription was lost; messages of generation {@code generation} come after it. */
    void lost(String topic, long generation) {
        topics.computeIfAbsent(topic, k -> new Topic()).eventGeneration = generation;
    }

    /** The topic is no longer subscribed: what comes after a new subscription starts afresh. */
    void forget(String topic) {
        topics.remove(topic);
    }

    int topicCount() {
        return topics.size();
    }

    private static void forgetStalest(Topic t) {
        Long stalest = null;
        long oldest = Long.MAX_VALUE;
        for (Map.Entry<Long, Origin> e : t.origins.entrySet()) {
            if (e.getValue().touched < oldest) {
                oldest = e.getValue().touched;
                stalest = e.getKey();
            }
        }
        t.origins.remove(stalest);
    }
}
