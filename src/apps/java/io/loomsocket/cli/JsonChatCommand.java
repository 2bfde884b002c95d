package io.loomsocket.cli;

import io.loomsocket.examples.JsonChatApp;
import io.loomsocket.server.WebSocketServer;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code json-chat [--port 9090] [--host 127.0.0.1] [--variant server-ws|ws-server]}: the
 * tutorial's JSON chat room (seed 001, the port of its {@code PORT_CHAT}), on every path. See
 * {@link JsonChatApp}.
 */
final class JsonChatCommand {

    static final int DEFAULT_PORT = 9090;

    private JsonChatCommand() {}

    static int run(String[] argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, 1, List.of());
        JsonChatApp.Variant variant = JsonChatApp.Variant.of(args.get("variant", JsonChatApp.Variant.SERVER_WS.option()));
        WebSocketServer server = new JsonChatApp(variant).configure(ServerLimits.of(args, "json-chat").applyTo(TlsFlags.apply(WebSocketServer.builder(), args))
                .host(args.get("host", "127.0.0.1"))
                .port(args.getPort(DEFAULT_PORT)))
                .start();
        return Main.serveUntilStopped(server, out,
                "JSON chat server (" + variant.option() + ") listening on " + server.url() + "/ (any path; Ctrl-C stops it)",
                "send {\"type\": \"register\", \"uuid\": \"...\", \"content\": \"...\"}, then {\"type\": \"send\", \"content\": \"...\"}");
    }
}
