package io.loomsocket.cli;

import io.loomsocket.examples.HeartbeatEchoApp;
import io.loomsocket.server.WebSocketServer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code heartbeat-echo [--port 8765] [--host 127.0.0.1] [--ping-interval 10s] [--ping-timeout 5s] [--echo]}:
 * the tutorial's heartbeat server: pings every connection and drops peers that answer neither
 * with a pong nor with a text {@code pong}; messages are answered nothing, or echoed with
 * {@code --echo}. See {@link HeartbeatEchoApp}.
 */
final class HeartbeatEchoCommand {

    private HeartbeatEchoCommand() {}

    static int run(String[] argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, 1, List.of("echo"));
        HeartbeatEchoApp app = new HeartbeatEchoApp(
                duration(args, "ping-interval", HeartbeatEchoApp.DEFAULT_PING_INTERVAL),
                duration(args, "ping-timeout", HeartbeatEchoApp.DEFAULT_PING_TIMEOUT),
                args.has("echo"));
        WebSocketServer server = app.configure(TlsFlags.apply(WebSocketServer.builder(), args)
                .host(args.get("host", "127.0.0.1"))
                .port(args.getPort(HeartbeatEchoApp.DEFAULT_PORT)))
                .start();
        return Main.serveUntilStopped(server, out,
                "heartbeat " + (app.echoes() ? "echo " : "") + "server listening on " + server.url() + "/ (ping every "
                + text(app.pingInterval()) + ", peers that answer neither a pong nor a text \"pong\" within "
                + text(app.pingTimeout()) + " are dropped; messages are " + (app.echoes() ? "echoed" : "answered nothing")
                + "; Ctrl-C stops it)");
    }

    /** A duration option such as {@code 500ms}, {@code 10s} or {@code 2m}. */
    static Duration duration(Args args, String name, Duration fallback) {
        String v = args.get(name, null);
        if (v == null) {
            return fallback;
        }
        String s = v.trim().toLowerCase(Locale.ROOT);
        try {
            Duration d;
            if (s.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            } else if (s.endsWith("s")) {
                d = Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
            } else if (s.endsWith("m")) {
                d = Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
            } else {
                throw new NumberFormatException();
            }
            if (d.isNegative() || d.isZero()) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a positive duration like 500ms, 10s or 2m: " + v);
        }
    }

    static String text(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
