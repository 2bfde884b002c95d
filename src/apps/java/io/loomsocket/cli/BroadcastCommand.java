package io.loomsocket.cli;

import io.loomsocket.examples.BroadcastApp;
import io.loomsocket.server.WebSocketServer;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code broadcast [--port 8765] [--host 127.0.0.1] [--relay [--exclude-sender]]}: by default the
 * tutorial's trigger (a text message {@code broadcast} sends {@code Broadcast message!} to every
 * other connection); with {@code --relay} every message received on a path goes to every
 * connection on the same path, with {@code --exclude-sender} not back to its sender. See
 * {@link BroadcastApp}.
 */
final class BroadcastCommand {

    private BroadcastCommand() {}

    static int run(String[] argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, 1, List.of("relay", "exclude-sender", "no-deflate"));
        if (args.has("exclude-sender") && !args.has("relay")) {
            throw new IllegalArgumentException("--exclude-sender goes with --relay (without --relay, \"broadcast\""
                    + " already goes to the others only)");
        }
        BroadcastApp app = args.has("relay") ? BroadcastApp.relay(args.has("exclude-sender")) : BroadcastApp.trigger();
        WebSocketServer server = app.configure(Main.deflate(ServerLimits.of(args, "broadcast").applyTo(TlsFlags.apply(WebSocketServer.builder(), args))
                .host(args.get("host", "127.0.0.1"))
                .port(args.getPort(BroadcastApp.DEFAULT_PORT)), args))
                .start();
        return Main.serveUntilStopped(server, out, app.isRelay()
                ? "broadcast server listening on " + server.url() + "/ (each path is a room"
                        + (app.excludeSender() ? ", senders excluded" : "") + "; Ctrl-C stops it)"
                : "broadcast server listening on " + server.url() + "/ (send \"" + BroadcastApp.TRIGGER + "\": every other"
                        + " connection gets \"" + BroadcastApp.ANNOUNCEMENT + "\"; Ctrl-C stops it)");
    }
}
