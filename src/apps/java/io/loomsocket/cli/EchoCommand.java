package io.loomsocket.cli;

import io.loomsocket.examples.Echo;
import io.loomsocket.examples.EchoStyle;
import io.loomsocket.server.WebSocketServer;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * {@code echo --port 9001 [--host 127.0.0.1] [--max-size 1M] [--max-connections 10000] [--idle-timeout 5m] [--no-deflate] [--stats 10s]
 * [--metrics-path /metrics]}: sends every text and binary message back as received, on any path. Made to be tested
 * by conformance suites (Autobahn's run passes {@code --max-size 64M}: category 9 sends 16 MiB
 * messages); the limits default to safe values ({@link ServerLimits}). {@code --stats} prints the server's metrics on one line every period
 * ({@link StatsPrinter}); {@code --metrics-path} serves them as Prometheus text.
 *
 * <p>{@code --style server|echo|huixian|data-received}: one of the tutorials' echo servers instead
 * ({@link EchoStyle}), on that tutorial's port unless {@code --port} says otherwise, with the
 * default keepalive (a ping every 20 s, as python-websockets).
 */
final class EchoCommand {

    static final int DEFAULT_PORT = 9001;

    private EchoCommand() {}

    static int run(String[] argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, 1, List.of("no-deflate"));
        Duration stats = Main.stats(args); // a bad value stops here, before the server starts
        EchoStyle style = style(args);
        WebSocketServer.Builder builder = TlsFlags.apply(WebSocketServer.builder(), args)
                .host(args.get("host", "127.0.0.1"))
                .port(args.getPort(style == null ? DEFAULT_PORT : style.defaultPort()));
        ServerLimits.of(args, "echo").applyTo(builder);
        if (style == null) {
            builder.noKeepalive() // conformance suites count an unexpected ping against a test case
                    .listener(Echo.LISTENER); // runs on each connection's reader thread
        } else {
            builder.handler(Echo.styled(style, Clock.systemDefaultZone()));
        }
        WebSocketServer server = Main.metricsPath(Main.deflate(builder, args), args).start();
        return Main.serveUntilStopped(server, stats, out, style == null
                ? "echo server listening on " + server.url() + "/ (Ctrl-C stops it)"
                : "echo server (style " + style.cliName() + ": " + style.form()
                        + (style.answersOnce() ? ", then close 1000" : "") + ") listening on " + server.url()
                        + "/ (Ctrl-C stops it)");
    }

    /** {@code --style}: null without it. */
    static EchoStyle style(Args args) {
        String name = args.get("style", null);
        if (name == null) {
            return null;
        }
        return EchoStyle.byName(name).orElseThrow(() -> new IllegalArgumentException(
                "--style must be one of " + EchoStyle.names() + ": " + name));
    }
}
