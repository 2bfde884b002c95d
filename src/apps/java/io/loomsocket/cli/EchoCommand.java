package io.loomsocket.cli;

import io.loomsocket.examples.Echo;
import io.loomsocket.server.WebSocketServer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * {@code echo --port 9001 [--host 127.0.0.1] [--max-size 64M] [--max-connections 10000] [--no-deflate] [--stats 10s]
 * [--metrics-path /metrics]}: sends every text and binary message back as received, on any path. Made to be tested
 * by conformance suites. {@code --stats} prints the server's metrics on one line every period
 * ({@link StatsPrinter}); {@code --metrics-path} serves them as Prometheus text.
 */
final class EchoCommand {

    static final long DEFAULT_MAX_SIZE = 64L * 1024 * 1024;

    private EchoCommand() {}

    static int run(String[] argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, 1, List.of("no-deflate"));
        Duration stats = Main.stats(args); // a bad value stops here, before the server starts
        WebSocketServer.Builder builder = TlsFlags.apply(WebSocketServer.builder(), args)
                .host(args.get("host", "127.0.0.1"))
                .port(args.getPort(9001))
                .maxSize(args.getSize("max-size", DEFAULT_MAX_SIZE))
                .maxConnections(args.getInt("max-connections", WebSocketServer.DEFAULT_MAX_CONNECTIONS))
                .noKeepalive() // conformance suites count an unexpected ping against a test case
                .listener(Echo.LISTENER); // runs on each connection's reader thread
        WebSocketServer server = Main.metricsPath(Main.deflate(builder, args), args).start();
        return Main.serveUntilStopped(server, stats, out,
                "echo server listening on " + server.url() + "/ (Ctrl-C stops it)");
    }

}
