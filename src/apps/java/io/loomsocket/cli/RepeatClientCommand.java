package io.loomsocket.cli;

import io.loomsocket.examples.RepeatClientExample;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code repeat-client [ws://localhost:9999] [--count 39] [--interval 1s] [--message "Hello, I am PyPy."] [--timeout 10s]}:
 * a new connection for each message. See {@link RepeatClientExample}.
 */
final class RepeatClientCommand {

    private RepeatClientCommand() {}

    static int run(String[] argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, 1, List.of());
        RepeatClientExample.run(ClientArgs.url(args, RepeatClientExample.DEFAULT_URL),
                args.get("message", RepeatClientExample.DEFAULT_MESSAGE),
                ClientArgs.positive(args, "count", RepeatClientExample.DEFAULT_COUNT),
                args.getDurationOrZero("interval", RepeatClientExample.DEFAULT_INTERVAL),
                ClientArgs.timeout(args), out);
        return 0;
    }
}
