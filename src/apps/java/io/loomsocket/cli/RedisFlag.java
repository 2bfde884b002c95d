package io.loomsocket.cli;

import io.loomsocket.redis.RedisUri;

/**
 * {@code --redis redis://[user:password@]host:port[/prefix]} on {@code broadcast},
 * {@code json-chat} and {@code demo}: the app's broadcasts go through a cluster bridge over that
 * Redis ({@code io.loomsocket.cluster.RedisBridge}), so that several servers behind a load
 * balancer act as one; the chat's user list is kept there too ({@code RedisPresence}).
 */
final class RedisFlag {

    static final String NAME = "redis";

    static final String HELP = "--redis redis://[user:password@]host:port[/prefix]: cluster this server with the others on the\n"
            + "same Redis and prefix (default prefix loomsocket): broadcasts reach the connections of every node, over\n"
            + "Redis pub/sub (docs/cluster.md). A password with @ : or / is percent-encoded (%40 %3A %2F); it is\n"
            + "never printed. Redis may be down at start: the node retries in the background. The bridge's metrics\n"
            + "join the server's (loomsocket_cluster_*).";

    private RedisFlag() {}

    /** The URI of {@code --redis}, or null without it; a bad one is an error naming the flag, never the password. */
    static RedisUri parse(Args args) {
        if (!args.has(NAME)) {
            return null;
        }
        String value = args.get(NAME, "");
        try {
            return RedisUri.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--redis must be redis://[user:password@]host:port[/prefix]: "
                    + e.getMessage(), e);
        }
    }
}
