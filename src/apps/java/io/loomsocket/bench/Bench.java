package io.loomsocket.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;

/** Runs one bench mode and prints its RESULT line; see {@link BenchOptions#USAGE}. */
public final class Bench {

    private Bench() {}

    /**
     * Runs {@code options}, prints the RESULT line on {@code out} and progress on {@code err}.
     *
     * @return 0 if there were no errors and at least one message (hold: every connection opened), else 1
     */
    public static int run(BenchOptions options, PrintStream out, PrintStream err) throws IOException {
        ResultLine line = switch (options.mode()) {
            case ECHO -> {
                try (EchoBench b = new EchoBench(options, err)) {
                    yield b.run();
                }
            }
            case BROADCAST -> {
                try (BroadcastBench b = new BroadcastBench(options, err)) {
                    yield b.run();
                }
            }
            case HOLD -> {
                try (HoldBench b = new HoldBench(options, err)) {
                    yield b.run();
                }
            }
        };
        out.println(line);
        out.flush();
        return succeeded(line.fields()) ? 0 : 1;
    }

    static boolean succeeded(Map<String, String> result) {
        if (!"0".equals(result.get("errors"))) {
            return false;
        }
        if ("hold".equals(result.get("bench"))) {
            return result.get("opened").equals(result.get("connections"));
        }
        String messages = result.get("messages");
        return messages != null && !messages.equals(ResultLine.NA) && Long.parseLong(messages) > 0;
    }
}
