package io.loomsocket.cluster;

import io.loomsocket.redis.RedisConnection;
import io.loomsocket.redis.RedisException;
import io.loomsocket.redis.RespValue;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Redis side of a {@link RedisPresence}: its keys, and the commands that write this node's
 * part and read the other nodes'.
 *
 * <p><b>In Redis</b> ({@code P} the URI's prefix, {@code N} this node's id as 16 hex digits):
 * <ul>
 *   <li>{@code P:presence:N}, a SET of the ids online on this node, with a {@code PEXPIRE} of
 *       three heartbeats. Every heartbeat rewrites it whole ({@code MULTI DEL SADD PEXPIRE EXEC},
 *       so that no reader sees it half written), which also repairs it after an outage or a
 *       Redis restart; between heartbeats a {@link RedisPresence#join} or
 *       {@link RedisPresence#leave} is written at once ({@code SADD}/{@code SREM}), so the other
 *       nodes see it at their next heartbeat.
 *   <li>{@code P:presence:nodes}, a ZSET of node id → the Redis time ({@code TIME}, ms) of its
 *       last heartbeat. Redis' clock, not the nodes', so that skew between nodes does not matter.
 *       Entries older than three heartbeats are removed by whoever beats next.
 * </ul>
 *
 * <p><b>Reading.</b> At each heartbeat this node reads the nodes whose last heartbeat is recent
 * (within three heartbeats, less a quarter heartbeat of margin so that a node judged recent
 * still has its set when it is read) and their sets ({@code SMEMBERS}, pipelined).
 *
 * <p>Threads: immutable (its keys and times only); used by the heartbeat thread alone, on the
 * connection it is given, and never under the presence's lock.
 */
final class PresenceStore {

    private final String prefix;
    private final String nodeHex;
    private final String setKey;
    private final String nodesKey;
    private final long ttlMillis;
    private final long marginMillis;

    PresenceStore(String prefix, long nodeId, Duration heartbeat, Duration ttl) {
        this.prefix = prefix;
        this.nodeHex = HexFormat.of().toHexDigits(nodeId);
        this.setKey = setKey(nodeHex);
        this.nodesKey = prefix + ":presence:nodes";
        this.ttlMillis = ttl.toMillis();
        this.marginMillis = Math.max(1, heartbeat.toMillis() / 4);
    }

    /** This node's set: {@code {prefix}:presence:{nodeIdHex}}. */
    String setKey() {
        return setKey;
    }

    /** The heartbeats: {@code {prefix}:presence:nodes}. */
    String nodesKey() {
        return nodesKey;
    }

    private String setKey(String node) {
        return prefix + ":presence:" + node;
    }

    /** Redis' clock ({@code TIME}), in ms: the heartbeats' scores. */
    long redisTimeMillis(RedisConnection c) throws IOException {
        List<RespValue> t = items(c.callOrThrow("TIME"));
        if (t.size() != 2) {
            throw new IOException("unexpected reply to TIME: " + t);
        }
        return Long.parseLong(t.get(0).asText()) * 1000 + Long.parseLong(t.get(1).asText()) / 1000;
    }

    /** Writes {@code ops} ({@code {"SADD"|"SREM", id}}, in order) and a fresh expiry. */
    void writeChanges(RedisConnection c, List<String[]> ops) throws IOException {
        List<Object[]> commands = new ArrayList<>();
        for (String[] op : ops) {
            commands.add(new Object[] {op[0], setKey, op[1]});
        }
        commands.add(new Object[] {"PEXPIRE", setKey, Long.toString(ttlMillis)});
        pipeline(c, commands);
    }

    /**
     * Writes this node's set whole ({@code ids}) and its heartbeat at {@code now} (Redis' time),
     * then reads the other nodes': their ids by node id (16 hex digits), immutable.
     */
    Map<String, Set<String>> beat(RedisConnection c, long now, List<String> ids) throws IOException {
        List<Object[]> commands = new ArrayList<>();
        commands.add(new Object[] {"MULTI"});
        commands.add(new Object[] {"DEL", setKey});
        if (!ids.isEmpty()) {
            Object[] sadd = new Object[ids.size() + 2];
            sadd[0] = "SADD";
            sadd[1] = setKey;
            for (int i = 0; i < ids.size(); i++) {
                sadd[i + 2] = ids.get(i);
            }
            commands.add(sadd);
            commands.add(new Object[] {"PEXPIRE", setKey, Long.toString(ttlMillis)});
        }
        commands.add(new Object[] {"ZADD", nodesKey, Long.toString(now), nodeHex});
        commands.add(new Object[] {"ZREMRANGEBYSCORE", nodesKey, "-inf", "(" + (now - ttlMillis)});
        commands.add(new Object[] {"PEXPIRE", nodesKey, Long.toString(Math.max(ttlMillis * 10, 60_000))});
        commands.add(new Object[] {"EXEC"});
        // A node counts as alive if it beat within the window less a margin: its set (written in
        // the same transaction, expiring after the whole window) is then still there when read.
        long cutoff = now - ttlMillis + marginMillis;
        commands.add(new Object[] {"ZRANGEBYSCORE", nodesKey, "(" + cutoff, "+inf"});
        List<RespValue> replies = pipeline(c, commands);
        List<String> nodes = new ArrayList<>();
        for (RespValue v : items(replies.get(replies.size() - 1))) {
            String node = v.asText();
            if (!node.equals(nodeHex)) {
                nodes.add(node);
            }
        }
        return Map.copyOf(readSets(c, nodes));
    }

    /** The sets of {@code nodes}, pipelined. */
    private Map<String, Set<String>> readSets(RedisConnection c, List<String> nodes) throws IOException {
        Map<String, Set<String>> read = new HashMap<>();
        if (nodes.isEmpty()) {
            return read;
        }
        List<Object[]> reads = new ArrayList<>();
        for (String node : nodes) {
            reads.add(new Object[] {"SMEMBERS", setKey(node)});
        }
        List<RespValue> sets = pipeline(c, reads);
        for (int i = 0; i < nodes.size(); i++) {
            Set<String> members = new HashSet<>();
            for (RespValue v : items(sets.get(i))) {
                members.add(v.asText());
            }
            read.put(nodes.get(i), Set.copyOf(members));
        }
        return read;
    }

    /** Removes this node's set and heartbeat. */
    void remove(RedisConnection c) throws IOException {
        pipeline(c, List.of(new Object[] {"DEL", setKey}, new Object[] {"ZREM", nodesKey, nodeHex}));
    }

    /** Sends all, flushes once, reads one reply each; an error reply (EXEC's items too) throws. */
    private static List<RespValue> pipeline(RedisConnection c, List<Object[]> commands) throws IOException {
        for (Object[] command : commands) {
            c.send(command);
        }
        c.flush();
        List<RespValue> replies = new ArrayList<>(commands.size());
        RedisException failure = null;
        for (Object[] command : commands) {
            RespValue v = c.read();
            if (v instanceof RespValue.Push) { // not subscribed: none expected, but never taken for a reply
                v = c.read();
            }
            if (failure == null) {
                failure = error(command, v);
            }
            replies.add(v);
        }
        if (failure != null) {
            throw failure;
        }
        return replies;
    }

    private static RedisException error(Object[] command, RespValue v) {
        if (v instanceof RespValue.Error e) {
            return new RedisException(command[0] + " failed: " + e.message(), e);
        }
        if (command[0].equals("EXEC")) {
            if (v instanceof RespValue.Null) {
                return new RedisException("EXEC failed: the transaction was aborted");
            }
            for (RespValue item : items(v)) {
                if (item instanceof RespValue.Error e) {
                    return new RedisException("EXEC failed: " + e.message(), e);
                }
            }
        }
        return null;
    }

    private static List<RespValue> items(RespValue v) {
        return switch (v) {
            case RespValue.Array a -> a.items();
            case RespValue.Null n -> List.of();
            default -> throw new IllegalStateException("expected an array, got " + v);
        };
    }
}
