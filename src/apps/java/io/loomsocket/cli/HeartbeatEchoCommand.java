package io.loomsocket.cli;

import io.loomsocket.examples.HeartbeatEchoApp;
import io.loomsocket.server.WebSocketServer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

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
                args.getDuration("ping-interval", HeartbeatEchoApp.DEFAULT_PING_INTERVAL),
                args.getDuration("ping-timeout", HeartbeatEchoApp.DEFAULT_PING_TIMEOUT),
                args.has("echo"));
        WebSocketServer server = app.configure(ServerLimits.of(args, "heartbeat-echo").applyTo(TlsFlags.apply(WebSocketServer.builder(), args))
                .host(args.get("host", "127.0.0.1"))
                .port(args.getPort(HeartbeatEchoApp.DEFAULT_PORT)))
                .start();
        return Main.serveUntilStopped(server, out,
                "heartbeat " + (app.echoes() ? "echo " : "") + "server listening on " + server.url() + "/ (ping every "
                + text(app.pingInterval()) + ", peers that answer neither a pong nor a text \"pong\" within "
                + text(app.pingTimeout()) + " are dropped; messages are " + (app.echoes() ? "echoed" : "answered nothing")
                + "; Ctrl-C stops it)");
    }

    static String text(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
