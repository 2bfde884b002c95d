package io.loomsocket.cluster;

/**
 * The Redis names the bridge uses, all under one prefix: one channel per topic,
 * {@code {prefix}:t:{topic}} (never a pattern subscription, never one global channel, so Redis
 * sends a node only what its subscribers want), and one probe channel per node,
 * {@code {prefix}:probe:{node id in hex}}.
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

    String probe(long nodeId) {
        return prefix + ":probe:" + Long.toHexString(nodeId);
    }
}
