package io.loomsocket.cli;

import io.loomsocket.cluster.ClusterOptions;
import io.loomsocket.cluster.RedisBridge;
import io.loomsocket.examples.BenchServerApp;
import io.loomsocket.redis.RedisUri;
import io.loomsocket.server.WebSocketServer;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code bench-server --port N [--host 127.0.0.1] [--max-size 1M] [--max-connections 1000000] [--idle-timeout 5m]
 * [--keepalive] [--redis redis://host:port[/prefix]]}: the benchmark
 * target (see {@link BenchServerApp}): {@code /broadcast} to the others, {@code /broadcast-all} to
 * all, any other path echoes. Like the peer servers it is compared with, it sends no keepalive
 * pings unless {@code --keepalive} is given. With {@code --redis}, a {@link RedisBridge} relays the
 * broadcast paths' topics over Redis pub/sub, so several bench-servers are one cluster.
 */
final class BenchServerCommand {

    /** What {@code bench-server --help} says about {@code --redis}. */
    static final String REDIS_HELP = "--redis redis://HOST:PORT[/PREFIX] (also redis://[USER]:PASSWORD@HOST:PORT/PREFIX): relay the\n"
            + "broadcast paths over Redis pub/sub (a RedisBridge on their BroadcastRegistry), so that the\n"
            + "bench-servers started with the same Redis and prefix are one cluster: a message sent on\n"
            + "/broadcast of one reaches the /broadcast clients of all (the sender excepted), /broadcast-all\n"
            + "likewise. PREFIX (default loomsocket) names the channels. It connects in the background and\n"
            + "retries forever; local delivery never waits for Redis.";

    private BenchServerCommand() {}

    static int run(String[] argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, 1, List.of("keepalive", "no-deflate"));
        RedisUri redis = RedisFlag.parse(args); // before anything starts: a bad URI is a usage error
        WebSocketServer.Builder builder = TlsFlags.apply(WebSocketServer.builder(), args)
                .host(args.get("host", "127.0.0.1"))
                .port(args.getPort(9001));
        ServerLimits.of(args, "bench-server").applyTo(builder);
        if (!args.has("keepalive")) {
            builder.noKeepalive();
        }
        BenchServerApp app = new BenchServerApp();
        WebSocketServer server = app.configure(Main.deflate(builder, args)).start();
        RedisBridge bridge = null;
        if (redis != null) {
            bridge = RedisBridge.start(app.registry(), redis, ClusterOptions.defaults());
            server.addMetricsSource(bridge.metricsSource());
        }
        try {
            return Main.serveUntilStopped(server, out,
                    "bench-server listening on " + server.url() + " (/broadcast, /broadcast-all, any other path echoes; Ctrl-C stops it)"
                    + (bridge == null ? "" : "; broadcasts relayed over " + redis + " (node " + Long.toHexString(bridge.nodeId()) + ")"));
        } finally {
            if (bridge != null) {
                bridge.close();
            }
        }
    }
}
