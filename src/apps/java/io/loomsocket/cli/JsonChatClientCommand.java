package io.loomsocket.cli;

import io.loomsocket.examples.JsonChatClientExample;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code json-chat-client [ws://127.0.0.1:9090] [--uuid U] [--timeout 10s]}: joins the JSON
 * chat as {@code U} (default: a random short id), sends each line of stdin, prints what
 * arrives; {@code exit} leaves. See {@link JsonChatClientExample}.
 */
final class JsonChatClientCommand {

    private JsonChatClientCommand() {}

    static int run(String[] argv, InputStream stdin, PrintStream out) throws Exception {
        Args args = Args.parse(argv, 1, List.of());
        String uuid = args.has("uuid") ? args.get("uuid", null) : JsonChatClientExample.randomUuid();
        if (uuid.isBlank()) {
            throw new IllegalArgumentException("--uuid must not be empty");
        }
        JsonChatClientExample.run(ClientArgs.url(args, JsonChatClientExample.DEFAULT_URL), uuid,
                new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)), out, ClientArgs.timeout(args));
        return 0;
    }
}
