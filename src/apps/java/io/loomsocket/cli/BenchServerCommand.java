package io.loomsocket.cli;

import io.loomsocket.examples.BenchServerApp;
import io.loomsocket.server.WebSocketServer;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code bench-server --port N [--host 127.0.0.1] [--max-size 1M] [--max-connections 1000000] [--idle-timeout 5m]
 * [--keepalive]}: the benchmark
 * target (see {@link BenchServerApp}): {@code /broadcast} to the others, {@code /broadcast-all} to
 * all, any other path echoes. Like the peer servers it is compared with, it sends no keepalive
 * pings unless {@code --keepalive} is given.
 */
final class BenchServerCommand {

    private BenchServerCommand() {}

    static int run(String[] argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, 1, List.of("keepalive", "no-deflate"));
        WebSocketServer.Builder builder = TlsFlags.apply(WebSocketServer.builder(), args)
                .host(args.get("host", "127.0.0.1"))
                .port(args.getPort(9001));
        ServerLimits.of(args, "bench-server").applyTo(builder);
        if (!args.has("keepalive")) {
            builder.noKeepalive();
        }
        WebSocketServer server = new BenchServerApp().configure(Main.deflate(builder, args)).start();
        return Main.serveUntilStopped(server, out,
                "bench-server listening on " + server.url() + " (/broadcast, /broadcast-all, any other path echoes; Ctrl-C stops it)");
    }
}
