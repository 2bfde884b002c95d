package io.loomsocket.cli;

import io.loomsocket.broadcast.BroadcastRegistry;
import io.loomsocket.examples.ClusterNode;
import io.loomsocket.examples.DemoApp;
import io.loomsocket.examples.JsonChatApp;
import io.loomsocket.redis.RedisUri;
import io.loomsocket.server.WebSocketServer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * {@code demo [--port 8080] [--host 127.0.0.1] [--no-deflate] [--stats 10s] [--metrics-path /metrics]
 * [--trust-proxy 127.0.0.1[,ADDR...]] [--tls-keystore FILE --tls-password-env VAR]}: the chat at {@code /chat}, the channels and ticker at
 * {@code /channels} and a page using both at {@code /} (over https:// and wss:// with TLS: the page picks the
 * WebSocket scheme from its own). See {@link DemoApp}. {@code --stats} prints the server's metrics on one line
 * every period ({@link StatsPrinter}); {@code --metrics-path} serves them as Prometheus text.
 * {@code --trust-proxy} names the reverse proxies (IP addresses, comma-separated or repeated) whose
 * {@code X-Forwarded-For} gives the client's address for the connection log and the connection's
 * attributes ({@link WebSocketServer.Builder#trustedProxies}); off by default, because anyone who
 * reaches the port directly can send that header (see docs/deploy.md). {@code --redis URI} clusters
 * the chat across the nodes on that Redis (its events and its user list; not the ticker).
 */
final class DemoCommand {

    private DemoCommand() {}

    static int run(String[] argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, 1, List.of("no-deflate"));
        Duration stats = Main.stats(args); // a bad value stops here, before the server starts
        RedisUri redis = RedisFlag.parse(args);
        WebSocketServer.Builder builder = Main.metricsPath(Main.deflate(ServerLimits.of(args, "demo").applyTo(TlsFlags.apply(WebSocketServer.builder(), args))
                .host(args.get("host", "127.0.0.1"))
                .port(args.getPort(8080)), args), args).trustedProxies(trustedProxies(args));
        // --redis clusters the chat (its topics and its user list), not the ticker: every node simulates its own.
        BroadcastRegistry chatTopics = new BroadcastRegistry();
        ClusterNode cluster = Main.cluster(redis, chatTopics, true);
        DemoApp app = new DemoApp(new JsonChatApp(JsonChatApp.Variant.SERVER_WS, chatTopics,
                cluster == null ? null : cluster.presence()));
        WebSocketServer server = Main.startClustered(() -> app.start(app.configure(builder)), cluster);
        // A server on every interface is reachable on loopback too; a browser cannot open 0.0.0.0.
        String host = server.host().equals("0.0.0.0") || server.host().equals("::") ? "127.0.0.1" : server.host();
        String http = (server.isTls() ? "https://" : "http://") + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port();
        return Main.serveUntilStopped(server, stats, cluster, out, Main.clusteredBanner(cluster,
                "demo server listening on " + server.url() + DemoApp.CHAT_PATH + " and " + server.url()
                + DemoApp.CHANNELS_PATH + " (Ctrl-C stops it)",
                "demo: open " + http + "/ in a browser"));
    }

    /** {@code --trust-proxy 127.0.0.1,::1} (or repeated): the addresses; none without the option. */
    static String[] trustedProxies(Args args) {
        List<String> addresses = new java.util.ArrayList<>();
        for (String value : args.all("trust-proxy")) {
            for (String a : value.split(",", -1)) {
                if (a.isBlank()) {
                    throw new IllegalArgumentException("--trust-proxy needs IP addresses, comma-separated: \"" + value + "\"");
                }
                addresses.add(a.strip());
            }
        }
        try {
            WebSocketServer.builder().trustedProxies(addresses.toArray(String[]::new)); // checks them before the server starts
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--trust-proxy: " + e.getMessage().replaceFirst("^trustedProxies: ", ""), e);
        }
        return addresses.toArray(String[]::new);
    }
}
