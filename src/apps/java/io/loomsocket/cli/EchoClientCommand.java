package io.loomsocket.cli;

import io.loomsocket.examples.EchoClientExample;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code echo-client [ws://localhost:8765] [--message "Hello, server!"] [--timeout 10s]}: one
 * message, one answer. See {@link EchoClientExample}.
 */
final class EchoClientCommand {

    private EchoClientCommand() {}

    static int run(String[] argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, 1, List.of());
        EchoClientExample.run(ClientArgs.url(args, EchoClientExample.DEFAULT_URL),
                args.get("message", EchoClientExample.DEFAULT_MESSAGE), ClientArgs.timeout(args), out);
        return 0;
    }
}
