package io.loomsocket.cli;

import io.loomsocket.examples.TwoStepClientExample;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code two-step-client [ws://127.0.0.1:9090] [--tries 10] [--timeout 10s]}: {@code Hi} until
 * {@code success}, then each line of stdin. See {@link TwoStepClientExample}.
 */
final class TwoStepClientCommand {

    private TwoStepClientCommand() {}

    static int run(String[] argv, InputStream stdin, PrintStream out) throws Exception {
        Args args = Args.parse(argv, 1, List.of());
        TwoStepClientExample.run(ClientArgs.url(args, TwoStepClientExample.DEFAULT_URL),
                new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)), out,
                ClientArgs.positive(args, "tries", TwoStepClientExample.DEFAULT_TRIES), ClientArgs.timeout(args));
        return 0;
    }
}
