package io.loomsocket.cli;

import io.loomsocket.cluster.ClusterOptions;
import io.loomsocket.cluster.RedisPresence;
import io.loomsocket.examples.ClusterNode;
import io.loomsocket.server.WebSocketServer;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;

/** The command line of {@code target/loomsocket.jar}. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        FatalErrorHandler.install(); // an OutOfMemoryError in any thread: exit status 3, not a half-dead server
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
        CommandSpec spec = CommandSpec.ALL.get(args[0]);
        if (spec != null && CommandSpec.asksForHelp(args)) {
            out.print(spec.help());
            return 0;
        }
        try {
            if (spec != null) {
                spec.check(args);
            }
            return switch (args[0]) {
                case "echo" -> EchoCommand.run(args, out);
                case "connect" -> ConnectCommand.run(args, in, out, err);
                case "broadcast" -> BroadcastCommand.run(args, out);
                case "heartbeat-echo" -> HeartbeatEchoCommand.run(args, out);
                case "auth-echo" -> AuthEchoCommand.run(args, out);
                case "two-step-chat" -> TwoStepChatCommand.run(args, out);
                case "json-chat" -> JsonChatCommand.run(args, out);
                case "channels" -> ChannelsCommand.run(args, out);
                case "demo" -> DemoCommand.run(args, out);
                case "bench" -> BenchCommand.run(args, out, err);
                case "bench-server" -> BenchServerCommand.run(args, out);
                case "echo-client" -> EchoClientCommand.run(args, out);
                case "repeat-client" -> RepeatClientCommand.run(args, out);
                case "two-step-client" -> TwoStepClientCommand.run(args, in, out);
                case "json-chat-client" -> JsonChatClientCommand.run(args, in, out);
                default -> {
                    err.println("loomsocket: unknown command '" + args[0] + "'");
                    err.print(usage());
                    yield 2;
                }
            };
        } catch (IllegalArgumentException e) {
            err.println("loomsocket: " + e.getMessage());
            return 2;
        } catch (java.net.BindException | java.net.ConnectException | java.net.UnknownHostException
                 | java.net.SocketTimeoutException e) {
            err.println("loomsocket: " + e.getMessage()); // the library's message names the address
            return 1;
        } catch (Exception e) {
            err.println("loomsocket: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return 1;
        }
    }

    /**
     * What every server command ends with: stop gracefully on SIGINT/SIGTERM, print the banner,
     * and wait until the server has stopped. Returns the exit status, 0.
     */
    /**
     * Permessage-deflate as the command line says: the server builder's default (accept offers
     * with {@code DeflateOptions.defaults()}), or {@code --no-deflate}: decline every offer.
     */
    static WebSocketServer.Builder deflate(WebSocketServer.Builder builder, Args args) {
        return args.has("no-deflate") ? builder.noDeflate() : builder;
    }

    static int serveUntilStopped(WebSocketServer server, PrintStream out, String... banner) throws InterruptedException {
        return serveUntilStopped(server, null, out, banner);
    }

    /**
     * As {@link #serveUntilStopped(WebSocketServer, PrintStream, String...)}, and with
     * {@code stats} (null for none) the server's metrics on one line every {@code stats}, after
     * the banner, until it stops.
     */
    static int serveUntilStopped(WebSocketServer server, Duration stats, PrintStream out, String... banner)
            throws InterruptedException {
        return serveUntilStopped(server, stats, null, out, banner);
    }

    /**
     * As {@link #serveUntilStopped(WebSocketServer, Duration, PrintStream, String...)}, for a
     * server clustered by {@code --redis} ({@code cluster}, null for none): the bridge's counters
     * end the stats line, and the cluster is closed once the server has stopped (on a signal too).
     */
    static int serveUntilStopped(WebSocketServer server, Duration stats, ClusterNode cluster, PrintStream out,
                                 String... banner) throws InterruptedException {
        stopOnSignal(server, cluster);
        for (String line : banner) {
            out.println(line);
        }
        out.flush();
        StatsPrinter printer = stats == null ? null
                : StatsPrinter.start(server, stats, out, cluster == null ? null : cluster::statsLine);
        try {
            server.awaitStop();
        } finally {
            if (printer != null) {
                printer.stop();
            }
            if (cluster != null) {
                cluster.close();
            }
        }
        return 0;
    }

    /** {@code --redis}: the banner's first line says so (host and port, never the password). */
    static String[] clusteredBanner(ClusterNode cluster, String... banner) {
        if (cluster != null && banner.length > 0) {
            banner = banner.clone();
            banner[0] = banner[0] + " [" + cluster.describe() + "]";
        }
        return banner;
    }

    /**
     * {@code --redis}: a bridge (and with {@code presence} a presence too) on {@code registry},
     * with the default options; null without the flag.
     */
    static ClusterNode cluster(io.loomsocket.redis.RedisUri uri, io.loomsocket.broadcast.BroadcastRegistry registry,
                               boolean presence) {
        if (uri == null) {
            return null;
        }
        return presence
                ? ClusterNode.withPresence(registry, uri, ClusterOptions.defaults(), RedisPresence.Options.defaults())
                : ClusterNode.bridge(registry, uri, ClusterOptions.defaults());
    }

    /** How a command starts its server. */
    @FunctionalInterface
    interface ServerStart {
        WebSocketServer start() throws Exception;
    }

    /**
     * Starts the server; with a cluster node (may be null), closes it if the start fails, and
     * serves the bridge's metrics with the server's once it runs.
     */
    static WebSocketServer startClustered(ServerStart start, ClusterNode cluster) throws Exception {
        WebSocketServer server;
        try {
            server = start.start();
        } catch (Exception | Error e) {
            if (cluster != null) {
                cluster.close();
            }
            throw e;
        }
        if (cluster != null) {
            cluster.addMetricsTo(server);
        }
        return server;
    }

    /** {@code --metrics-path /metrics}: the server answers GET of it with Prometheus text. */
    static WebSocketServer.Builder metricsPath(WebSocketServer.Builder builder, Args args) {
        return args.has("metrics-path") ? builder.metricsPath(args.get("metrics-path", null)) : builder;
    }

    /** {@code --stats 10s}: how often to print the metrics line; null without the option. */
    static Duration stats(Args args) {
        return args.has("stats") ? args.getDuration("stats", null) : null;
    }

    /** SIGINT/SIGTERM stop the server gracefully (1001 to every connection). */
    private static void stopOnSignal(WebSocketServer server, ClusterNode cluster) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.stop(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (cluster != null) {
                    cluster.close(); // the JVM may end before the main thread gets to it
                }
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
                  echo [--port 9001] [--host 127.0.0.1] [--max-size 1M] [--max-connections 10000]
                        [--idle-timeout 5m] [--stats 10s] [--metrics-path /metrics]
                                   an echo server: every message is sent back as received
                  echo --style server|echo|huixian|data-received [--port 8765|12345|9999]
                                   the tutorials' echoes: "Server: T", "Echo: T", "\u56de\u663e:T", "Data received as ..."
                  connect ws[s]://host:port/path [--header "Name: value"]... [--subprotocol p]... [--max-size 1M] [--ping]
                        [--insecure]
                                   an interactive client: sends each line of stdin as a text message
                  broadcast [--port 8765] [--host 127.0.0.1] [--relay [--exclude-sender]] [--redis redis://host:6379]
                                   "broadcast" sends "Broadcast message!" to the others; --relay: every message
                                   goes to every connection on the same path
                  heartbeat-echo [--port 8765] [--ping-interval 10s] [--ping-timeout 5s] [--echo]
                                   pings; peers that answer neither a pong nor a text "pong" are dropped;
                                   messages answered nothing (--echo: echoed)
                  auth-echo [--port 8765] [--token T]
                                   echo at /ws for clients with the token (/ws?token=T, /ws/T or Authorization: Bearer T),
                                   else 401
                  two-step-chat [--port 9090]
                                   say Hi first (answered success; before it: connected fail), then each message is answered
                  json-chat [--port 9090] [--variant server-ws|ws-server] [--redis redis://host:6379]
                                   the tutorial's JSON chat room: register, send, unregister; logins and logouts announced
                  channels [--port 8765] [--token T] [--interval 500ms] [--seed N]
                                   JSON channels with a simulated BTC/USD ticker on ticker_btc
                  demo [--port 8080] [--host 127.0.0.1] [--stats 10s] [--metrics-path /metrics] [--trust-proxy 127.0.0.1]
                        [--redis redis://host:6379]
                                   a web page at / with the chat (/chat) and the live ticker (/channels)
                  bench-server [--port 9001] [--host 127.0.0.1] [--keepalive]
                                   the benchmark target: /broadcast (to others), /broadcast-all, any other path echoes
                  bench echo|broadcast|hold --url ws://127.0.0.1:9001/echo [--connections N] [--size 64]
                        [--duration 10] [--warmup 2] [--rate R] [--window 16] [--text] [--server-pid PID]
                                   the load generator: one RESULT line with msgs/s, MB/s, latency, server CPU/RSS
                  bench report --doc docs/benchmarks.md [--results FILE] [--jmh FILE] [--svg-dir docs/bench]
                                   renders benchmark results into tables and SVG charts

                The tutorials' clients (see the README, "The tutorials' clients, in Java"):
                  echo-client [ws://localhost:8765] [--message "Hello, server!"]
                                   sends one message, prints Sent: ... and Received: ...
                  repeat-client [ws://localhost:9999] [--count 39] [--interval 1s] [--message "Hello, I am PyPy."]
                                   a new connection for each message, one after the other; prints each answer
                  two-step-client [ws://127.0.0.1:9090] [--tries 10]
                                   sends Hi until an answer contains success, then each line of stdin; exit ends
                  json-chat-client [ws://127.0.0.1:9090] [--uuid U]
                                   joins the JSON chat as U, sends each line of stdin, prints what arrives; exit leaves

                  --help, -h       print this help
                  --version, -V    print the version

                Every server command (all but connect, bench and the clients) also takes --max-size (default 1M),
                --max-connections (default 10000) and --idle-timeout (default 5m; off: none); its --help states
                its limits. And --tls-keystore FILE --tls-password-env VAR: it then serves wss:// with the
                PKCS12 keystore FILE, whose password is read from the environment variable VAR.
                broadcast, json-chat and demo take --redis redis://[user:password@]host:port[/prefix]: several
                servers on one Redis then act as one (broadcasts and the chat's user list reach every node).
                """;
    }
}
