package io.loomsocket.cluster;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The other nodes' part of a {@link RedisPresence}, as read at the last heartbeat and cached
 * (their ids by node, and the union), and the diff between two reads that makes a
 * {@link RedisPresence.Change}: ids that came, ids that went, and among them the ids lost with
 * their node (it is no longer among the nodes read, while they were online).
 *
 * <p>Threads: replaced by the heartbeat thread alone ({@link #update}); read from any thread
 * without a lock. Each field is volatile and holds an immutable value, replaced whole, never
 * changed.
 */
final class PresenceView {

    /** The other nodes' ids by node, as last read; replaced whole, never changed. */
    private volatile Map<String, Set<String>> remote = Map.of();
    private volatile Set<String> remoteUnion = Set.of();

    /** The other nodes' ids as last read, by node id (16 hex digits). */
    Map<String, Set<String>> remote() {
        return remote;
    }

    /** The other nodes' ids as last read, all together. */
    Set<String> union() {
        return remoteUnion;
    }

    /**
     * Replaces the view with {@code now}, the other nodes' ids by node (immutable), and tells
     * what changed.
     *
     * @param local this node's ids, asked for once, after the view is replaced: they are part
     *     of {@link RedisPresence.Change#online} and never news ({@code joined}) here
     * @return the change, or null if the union is unchanged
     */
    RedisPresence.Change update(Map<String, Set<String>> now, Supplier<Set<String>> local) {
        Map<String, Set<String>> before = remote;
        Set<String> beforeUnion = remoteUnion;
        Set<String> union = new HashSet<>();
        now.values().forEach(union::addAll);
        remote = now;
        remoteUnion = Set.copyOf(union);
        if (union.equals(beforeUnion)) {
            return null;
        }
        Set<String> here = local.get();
        Set<String> online = new HashSet<>(union);
        online.addAll(here);
        Set<String> joined = new HashSet<>(union);
        joined.removeAll(beforeUnion);
        joined.removeAll(here);
        Set<String> left = new HashSet<>(beforeUnion);
        left.removeAll(online);
        Set<String> lost = new HashSet<>();
        for (Map.Entry<String, Set<String>> e : before.entrySet()) {
            if (!now.containsKey(e.getKey())) {
                for (String id : e.getValue()) {
                    if (left.contains(id)) {
                        lost.add(id);
                    }
                }
            }
        }
        return new RedisPresence.Change(online, joined, left, lost);
    }
}
