package io.loomsocket.cli;

import java.io.PrintStream;

/** The command line of {@code target/loomsocket.jar}. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the CLI and returns the process exit status; testable without exiting the JVM. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.print(usage());
            return 0;
        }
        if (args[0].equals("--version") || args[0].equals("-V")) {
            out.println("loomsocket " + version());
            return 0;
        }
        err.println("loomsocket: unknown command '" + args[0] + "'");
        err.print(usage());
        return 2;
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }

    static String usage() {
        return """
                Usage: java -jar target/loomsocket.jar <command> [options]

                Loomsocket: WebSocket (RFC 6455) for Java 21 on virtual threads.

                Commands:
                  --help, -h       print this help
                  --version, -V    print the version

                The server and client commands (echo, connect, demo, bench) arrive
                with the socket layer; the protocol core is usable as a library now.
                """;
    }
}
