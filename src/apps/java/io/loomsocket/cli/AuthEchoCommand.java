package io.loomsocket.cli;

import io.loomsocket.examples.AuthEchoApp;
import io.loomsocket.server.WebSocketServer;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code auth-echo [--port 8765] [--host 127.0.0.1] [--token T]}: an echo server at {@code /ws}
 * for clients that present the token ({@code /ws?token=T}, {@code /ws/T} or
 * {@code Authorization: Bearer T}); others get 401 before any upgrade, other paths 404. Without
 * {@code --token} a random one is made and printed. See {@link AuthEchoApp}.
 */
final class AuthEchoCommand {

    private AuthEchoCommand() {}

    static int run(String[] argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, 1, List.of());
        String token = args.get("token", null);
        boolean generated = token == null;
        if (generated) {
            token = AuthEchoApp.randomToken();
        }
        AuthEchoApp app = new AuthEchoApp(token);
        WebSocketServer server = app.configure(ServerLimits.of(args, "auth-echo").applyTo(TlsFlags.apply(WebSocketServer.builder(), args))
                .host(args.get("host", "127.0.0.1"))
                .port(args.getPort(AuthEchoApp.DEFAULT_PORT)))
                .start();
        String encoded = URLEncoder.encode(token, StandardCharsets.UTF_8);
        String endpoint = server.url() + AuthEchoApp.PATH;
        return Main.serveUntilStopped(server, out,
                "auth echo server listening on " + endpoint + " (Ctrl-C stops it)",
                (generated ? "token (generated, pass --token to choose one): " : "token: ") + token,
                "connect with " + endpoint + "?token=" + encoded + ", " + endpoint + "/" + encoded.replace("+", "%20")
                + " or the header \"Authorization: Bearer " + token + "\"");
    }
}
