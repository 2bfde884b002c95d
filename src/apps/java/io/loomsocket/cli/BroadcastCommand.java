package io.loomsocket.cli;

import io.loomsocket.examples.BroadcastApp;
import io.loomsocket.server.WebSocketServer;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code broadcast [--port 9001] [--host 127.0.0.1] [--exclude-sender]}: every message received on
 * a path goes to every connection on the same path; with {@code --exclude-sender} not back to its
 * sender. See {@link BroadcastApp}.
 */
final class BroadcastCommand {

    private BroadcastCommand() {}

    static int run(String[] argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, 1, List.of("exclude-sender", "no-deflate"));
        BroadcastApp app = new BroadcastApp(args.has("exclude-sender"));
        WebSocketServer server = app.configure(Main.deflate(TlsFlags.apply(WebSocketServer.builder(), args)
                .host(args.get("host", "127.0.0.1"))
                .port(args.getPort(9001)), args))
                .start();
        return Main.serveUntilStopped(server, out,
                "broadcast server listening on " + server.url() + "/ (each path is a room"
                + (app.excludeSender() ? ", senders excluded" : "") + "; Ctrl-C stops it)");
    }
}
