package io.loomsocket.cli;

import io.loomsocket.examples.DemoApp;
import io.loomsocket.server.WebSocketServer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * {@code demo [--port 8080] [--host 127.0.0.1] [--no-deflate] [--stats 10s] [--metrics-path /metrics]
 * [--tls-keystore FILE --tls-password-env VAR]}: the chat at {@code /chat}, the channels and ticker at
 * {@code /channels} and a page using both at {@code /} (over https:// and wss:// with TLS: the page picks the
 * WebSocket scheme from its own). See {@link DemoApp}. {@code --stats} prints the server's metrics on one line
 * every period ({@link StatsPrinter}); {@code --metrics-path} serves them as Prometheus text.
 */
final class DemoCommand {

    private DemoCommand() {}

    static int run(String[] argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, 1, List.of("no-deflate"));
        Duration stats = Main.stats(args); // a bad value stops here, before the server starts
        DemoApp app = new DemoApp();
        WebSocketServer server = app.start(app.configure(Main.metricsPath(Main.deflate(TlsFlags.apply(WebSocketServer.builder(), args)
                .host(args.get("host", "127.0.0.1"))
                .port(args.getPort(8080)), args), args)));
        // A server on every interface is reachable on loopback too; a browser cannot open 0.0.0.0.
        String host = server.host().equals("0.0.0.0") || server.host().equals("::") ? "127.0.0.1" : server.host();
        String http = (server.isTls() ? "https://" : "http://") + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port();
        return Main.serveUntilStopped(server, stats, out,
                "demo server listening on " + server.url() + DemoApp.CHAT_PATH + " and " + server.url()
                + DemoApp.CHANNELS_PATH + " (Ctrl-C stops it)",
                "demo: open " + http + "/ in a browser");
    }
}
