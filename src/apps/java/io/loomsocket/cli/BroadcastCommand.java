package io.loomsocket.cli;

import io.loomsocket.examples.BroadcastApp;
import io.loomsocket.examples.ClusterNode;
import io.loomsocket.redis.RedisUri;
import io.loomsocket.server.WebSocketServer;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code broadcast [--port 8765] [--host 127.0.0.1] [--relay [--exclude-sender]] [--redis URI]}: by default the
 * tutorial's trigger (a text message {@code broadcast} sends {@code Broadcast message!} to every
 * other connection); with {@code --relay} every message received on a path goes to every
 * connection on the same path, with {@code --exclude-sender} not back to its sender. See
 * {@link BroadcastApp}. With {@code --redis} the app's topics are bridged over Redis
 * ({@link ClusterNode}): the connections of every node on that Redis are one audience.
 */
final class BroadcastCommand {

    private BroadcastCommand() {}

    static int run(String[] argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, 1, List.of("relay", "exclude-sender", "no-deflate"));
        if (args.has("exclude-sender") && !args.has("relay")) {
            throw new IllegalArgumentException("--exclude-sender goes with --relay (without --relay, \"broadcast\""
                    + " already goes to the others only)");
        }
        RedisUri redis = RedisFlag.parse(args); // a bad URI stops here, before anything starts
        BroadcastApp app = args.has("relay") ? BroadcastApp.relay(args.has("exclude-sender")) : BroadcastApp.trigger();
        WebSocketServer.Builder builder = app.configure(Main.deflate(ServerLimits.of(args, "broadcast").applyTo(TlsFlags.apply(WebSocketServer.builder(), args))
                .host(args.get("host", "127.0.0.1"))
                .port(args.getPort(BroadcastApp.DEFAULT_PORT)), args));
        ClusterNode cluster = Main.cluster(redis, app.registry(), false);
        WebSocketServer server = Main.startClustered(() -> builder.start(), cluster);
        return Main.serveUntilStopped(server, null, cluster, out, Main.clusteredBanner(cluster, app.isRelay()
                ? "broadcast server listening on " + server.url() + "/ (each path is a room"
                        + (app.excludeSender() ? ", senders excluded" : "") + "; Ctrl-C stops it)"
                : "broadcast server listening on " + server.url() + "/ (send \"" + BroadcastApp.TRIGGER + "\": every other"
                        + " connection gets \"" + BroadcastApp.ANNOUNCEMENT + "\"; Ctrl-C stops it)"));
    }
}
