package io.loomsocket.cli;

import io.loomsocket.bench.Bench;
import io.loomsocket.bench.BenchOptions;
import io.loomsocket.bench.Report;
import java.io.IOException;
import java.io.PrintStream;

/**
 * {@code bench echo|broadcast|hold ...}: the load generator; {@code bench report ...}: renders
 * results into docs/benchmarks.md. Bad arguments throw {@link IllegalArgumentException} (exit 2).
 */
final class BenchCommand {

    private BenchCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        if (args.length > 1 && (args[1].equals("--help") || args[1].equals("-h"))) {
            out.print(BenchOptions.USAGE);
            out.print(Report.USAGE);
            return 0;
        }
        if (args.length > 1 && args[1].equals("report")) {
            return Report.run(args, 2, out);
        }
        return Bench.run(BenchOptions.parse(args, 1), out, err);
    }
}
