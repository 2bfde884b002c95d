package io.loomsocket.cli;

import io.loomsocket.broadcast.BroadcastRegistry;
import io.loomsocket.examples.ClusterNode;
import io.loomsocket.examples.JsonChatApp;
import io.loomsocket.redis.RedisUri;
import io.loomsocket.server.WebSocketServer;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code json-chat [--port 9090] [--host 127.0.0.1] [--variant server-ws|ws-server] [--redis URI]}: the
 * tutorial's JSON chat room (seed 001, the port of its {@code PORT_CHAT}), on every path. See
 * {@link JsonChatApp}. With {@code --redis} the room spans every node on that Redis: its events
 * go through a bridge, its user list through a {@code RedisPresence} ({@link ClusterNode}).
 */
final class JsonChatCommand {

    static final int DEFAULT_PORT = 9090;

    private JsonChatCommand() {}

    static int run(String[] argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, 1, List.of());
        JsonChatApp.Variant variant = JsonChatApp.Variant.of(args.get("variant", JsonChatApp.Variant.SERVER_WS.option()));
        RedisUri redis = RedisFlag.parse(args); // a bad URI stops here, before anything starts
        WebSocketServer.Builder builder = ServerLimits.of(args, "json-chat").applyTo(TlsFlags.apply(WebSocketServer.builder(), args))
                .host(args.get("host", "127.0.0.1"))
                .port(args.getPort(DEFAULT_PORT));
        BroadcastRegistry registry = new BroadcastRegistry();
        ClusterNode cluster = Main.cluster(redis, registry, true);
        WebSocketServer server = Main.startClustered(() -> new JsonChatApp(variant, registry,
                cluster == null ? null : cluster.presence()).configure(builder).start(), cluster);
        return Main.serveUntilStopped(server, null, cluster, out, Main.clusteredBanner(cluster,
                "JSON chat server (" + variant.option() + ") listening on " + server.url() + "/ (any path; Ctrl-C stops it)",
                "send {\"type\": \"register\", \"uuid\": \"...\", \"content\": \"...\"}, then {\"type\": \"send\", \"content\": \"...\"}"));
    }
}
