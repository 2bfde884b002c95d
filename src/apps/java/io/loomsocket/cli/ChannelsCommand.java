package io.loomsocket.cli;

import io.loomsocket.examples.ChannelsApp;
import io.loomsocket.server.WebSocketServer;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code channels [--port 8765] [--host 127.0.0.1] [--token T] [--interval 500ms] [--seed N]}:
 * channels with a simulated BTC/USD ticker, on every path. See {@link ChannelsApp}.
 */
final class ChannelsCommand {

    private ChannelsCommand() {}

    static int run(String[] argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, 1, List.of());
        long seed;
        try {
            seed = args.has("seed") ? Long.parseLong(args.get("seed", "0")) : System.nanoTime();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--seed must be a whole number: " + args.get("seed", ""));
        }
        ChannelsApp app = new ChannelsApp(args.get("token", null),
                args.getDuration("interval", ChannelsApp.DEFAULT_TICK_INTERVAL), seed);
        WebSocketServer server = app.start(app.configure(ServerLimits.of(args, "channels").applyTo(TlsFlags.apply(WebSocketServer.builder(), args))
                .host(args.get("host", "127.0.0.1"))
                .port(args.getPort(ChannelsApp.DEFAULT_PORT))));
        String token = args.get("token", null);
        return Main.serveUntilStopped(server, out,
                "channels server listening on " + server.url() + "/channels (any path; ticker_btc every "
                + HeartbeatEchoCommand.text(app.ticker().interval()) + "; Ctrl-C stops it)",
                "send {\"type\":\"auth\",\"data\":{\"token\":\"" + (token == null ? "demo" : token) + "\"}}"
                + (token == null ? " (any non-empty token)" : "") + ", then "
                + "{\"type\":\"subscribe\",\"data\":{\"channel\":\"ticker_btc\"}}");
    }
}
