package io.loomsocket.cli;

import io.loomsocket.server.WebSocketServer;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;

/** The command line of {@code target/loomsocket.jar}. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the CLI and returns the process exit status; testable without exiting the JVM. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, System.in, out, err);
    }

    /** {@link #run(String[], PrintStream, PrintStream)} reading stdin from {@code in}. */
    static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.print(usage());
            return 0;
        }
        if (args[0].equals("--version") || args[0].equals("-V")) {
            out.println("loomsocket " + version());
            return 0;
        }
        try {
            return switch (args[0]) {
                case "echo" -> EchoCommand.run(args, out);
                case "connect" -> ConnectCommand.run(args, in, out);
                default -> {
                    err.println("loomsocket: unknown command '" + args[0] + "'");
                    err.print(usage());
                    yield 2;
                }
            };
        } catch (IllegalArgumentException e) {
            err.println("loomsocket: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("loomsocket: " + e);
            return 1;
        }
    }

    /** SIGINT/SIGTERM stop the server gracefully (1001 to every connection). */
    static void stopOnSignal(WebSocketServer server) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.stop(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "loomsocket-shutdown"));
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
                  echo [--port 9001] [--host 127.0.0.1] [--max-size 64M]
                                   an echo server: every message is sent back as received
                  connect ws://host:port/path [--header "Name: value"]... [--subprotocol p]... [--ping]
                                   an interactive client: sends each line of stdin as a text message
                  --help, -h       print this help
                  --version, -V    print the version
                """;
    }
}
