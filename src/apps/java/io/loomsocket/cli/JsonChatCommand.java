package io.loomsocket.cli;

import io.loomsocket.examples.JsonChatApp;
import io.loomsocket.server.WebSocketServer;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code json-chat [--port 9001] [--host 127.0.0.1]}: one chat room speaking JSON, on every path.
 * See {@link JsonChatApp}.
 */
final class JsonChatCommand {

    private JsonChatCommand() {}

    static int run(String[] argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, 1, List.of());
        WebSocketServer server = new JsonChatApp().configure(TlsFlags.apply(WebSocketServer.builder(), args)
                .host(args.get("host", "127.0.0.1"))
                .port(args.getPort(9001)))
                .start();
        return Main.serveUntilStopped(server, out,
                "JSON chat server listening on " + server.url() + "/chat (any path; Ctrl-C stops it)",
                "send {\"type\":\"register\",\"uuid\":\"...\",\"name\":\"...\"}, then {\"type\":\"send\",\"content\":\"...\"}");
    }
}
