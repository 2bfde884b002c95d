package io.loomsocket.cli;

import io.loomsocket.examples.TwoStepChatApp;
import io.loomsocket.server.WebSocketServer;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code two-step-chat [--port 9090] [--host 127.0.0.1]}: say exactly {@code Hi} first (answered
 * {@code success}; anything else before it: {@code connected fail}), then every text message is
 * answered {@code success,get mess: <text>}. See
 * {@link TwoStepChatApp}.
 */
final class TwoStepChatCommand {

    private TwoStepChatCommand() {}

    static int run(String[] argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, 1, List.of());
        WebSocketServer server = new TwoStepChatApp().configure(ServerLimits.of(args, "two-step-chat").applyTo(TlsFlags.apply(WebSocketServer.builder(), args))
                .host(args.get("host", "127.0.0.1"))
                .port(args.getPort(TwoStepChatApp.DEFAULT_PORT)))
                .start();
        return Main.serveUntilStopped(server, out,
                "two-step chat server listening on " + server.url() + "/ (send \"Hi\" first, answered \"success\"; Ctrl-C stops it)");
    }
}
