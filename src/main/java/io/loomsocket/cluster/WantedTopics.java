package io.loomsocket.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;

/**
 * The topics whose channels this node wants subscribed: those with local members, and those whose
 * last member left less than a linger ago. The registry's callbacks may arrive out of order
 * (they run with no lock held), so when a linger runs out the topic's members are counted again
 * before it is let go.
 *
 * <p>Threads: {@link #want} and {@link #idle} from any thread; {@link #plan} from the subscriber's
 * manager thread alone (it owns the {@code sent} set it is given). The map is concurrent; its
 * conditional updates make a {@code want} that races a {@code plan} win.
 */
final class WantedTopics {

    private static final long ACTIVE = Long.MIN_VALUE;

    /** What to change on the connection: channels to subscribe and unsubscribe, topics let go. */
    record Plan(List<String> subscribe, List<String> unsubscribe, List<String> forgotten) {
        boolean isEmpty() {
            return subscribe.isEmpty() && unsubscribe.isEmpty() && forgotten.isEmpty();
        }
    }

    /** topic -> ACTIVE, or the System.nanoTime() its last local member left. */
    private final Map<String, Long> wanted = new ConcurrentHashMap<>();

    void want(String topic) {
        wanted.put(topic, ACTIVE);
    }

    void idle(String topic, long nowNanos) {
        long since = nowNanos == ACTIVE ? nowNanos + 1 : nowNanos;
        wanted.computeIfPresent(topic, (t, v) -> v == ACTIVE ? since : v);
    }

    Set<String> topics() {
        return Set.copyOf(wanted.keySet());
    }

    /**
     * Brings {@code sent} (the channels subscribed on the current connection) in step: every
     * wanted topic's channel subscribed; a topic whose linger ran out with no local member let go.
     */
    Plan plan(Set<String> sent, Channels channels, long nowNanos, long lingerNanos, ToIntFunction<String> localMembers) {
        List<String> subscribe = new ArrayList<>();
        List<String> unsubscribe = new ArrayList<>();
        List<String> forgotten = new ArrayList<>();
        for (Map.Entry<String, Long> e : wanted.entrySet()) {
            String topic = e.getKey();
            long state = e.getValue();
            String channel = channels.topic(topic);
            if (state != ACTIVE && nowNanos - state >= lingerNanos) {
                if (localMembers.applyAsInt(topic) > 0) {
                    wanted.replace(topic, state, ACTIVE); // it got a member again
                } else if (wanted.remove(topic, state)) {
                    if (sent.remove(channel)) {
                        unsubscribe.add(channel);
                    }
                    forgotten.add(topic);
                    continue;
                }
            }
            if (sent.add(channel)) {
                subscribe.add(channel);
            }
        }
        return new Plan(subscribe, unsubscribe, forgotten);
    }
}
