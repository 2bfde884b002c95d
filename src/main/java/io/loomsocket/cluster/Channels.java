package io.loomsocket.cluster;

/**
 * The Redis names the bridge uses, all under one prefix: one channel per topic,
 * {@code {prefix}:t:{topic}} (never a pattern subscription, never one global channel, so Redis
 * sends a node only what its subscribers want), and one probe channel per node,
 * {@code {prefix}:probe:{node id in hex}}; for a resumable topic, its history stream
 * {@code {prefix}:h:{topic}} that history's epoch {@code {prefix}:e:{topic}} and its message counter {@code {prefix}:n:{topic}}.
 */
record Channels(String prefix) {

    String topic(String topic) {
        return prefix + ":t:" + topic;
    }

    /** The topic of a topic channel, or null if {@code channel} is not one. */
    String topicOf(String channel) {
        String head = prefix + ":t:";
        return channel.startsWith(head) ? channel.substring(head.length()) : null;
    }

    /** The Redis stream holding a resumable topic's history across nodes. */
    String history(String topic) {
        return prefix + ":h:" + topic;
    }

    /** The key holding the epoch of that history (a random token set once; gone if Redis lost its data). */
    String epoch(String topic) {
        return prefix + ":e:" + topic;
    }

    /** The counter numbering a resumable topic's messages within its epoch. */
    String counter(String topic) {
        return prefix + ":n:" + topic;
    }

    String probe(long nodeId) {
        return prefix + ":probe:" + Long.toHexString(nodeId);
    }
}
