package io.loomsocket.cli;

import io.loomsocket.server.WebSocketServer;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.Message;
import java.io.BufferedReader;
import java.io.File;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The command line as a whole: help, version, errors and their exit statuses, and {@code echo}. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class MainTest {

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(outBytes, true, StandardCharsets.UTF_8), new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpPrintsTheUsageWithEveryCommandAndExitsZero() {
        assertThat(run("--help")).isZero();

        assertThat(out()).startsWith("Usage: java -jar target/loomsocket.jar")
                .contains("echo [--port 9001]")
                .contains("connect ws[s]://host:port/path")
                .contains("--header")
                .contains("--subprotocol")
                .contains("--ping");
        assertThat(err()).isEmpty();
    }

    @Test
    void noArgumentsAndTheShortFormsAlsoPrintTheUsage() {
        assertThat(run()).isZero();
        assertThat(run("-h")).isZero();
        assertThat(run("help")).isZero();

        assertThat(out().split("Usage:", -1)).hasSize(4);
    }

    @Test
    void versionPrintsTheNameAndVersionAndExitsZero() {
        assertThat(run("--version")).isZero();
        assertThat(run("-V")).isZero();

        assertThat(out()).matches("(loomsocket \\S+\\R){2}");
    }

    @Test
    void anUnknownCommandExitsTwoWithTheUsageOnStderr() {
        assertThat(run("frobnicate")).isEqualTo(2);

        assertThat(err()).startsWith("loomsocket: unknown command 'frobnicate'").contains("Usage:");
        assertThat(out()).isEmpty();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"echo", "connect", "broadcast", "heartbeat-echo", "auth-echo",
            "two-step-chat", "json-chat", "channels", "demo", "bench-server", "bench"})
    void everyCommandAnswersHelpWithItsOwnUsageAndExitsZero(String command) {
        assertThat(run(command, "--help")).isZero();
        assertThat(run(command, "-h")).isZero();

        assertThat(out()).contains(command).containsIgnoringCase("usage");
        assertThat(err()).isEmpty();
    }

    @Test
    void jsonChatDefaultsToTheSeedsPortAndNamesABadVariant() {
        assertThat(run("json-chat", "--help")).isZero();
        assertThat(out()).contains("json-chat [--port 9090]").contains("--variant server-ws|ws-server");
        assertThat(run("--help")).isZero();
        assertThat(out()).contains("json-chat [--port 9090] [--variant server-ws|ws-server]");

        assertThat(run("json-chat", "--port", "0", "--variant", "chatty")).isEqualTo(2);
        assertThat(err()).contains("--variant must be server-ws or ws-server: chatty");
    }

    @Test
    void anUnknownOptionIsRefusedByNameAndNothingStarts() {
        assertThat(run("echo", "--bogus", "1")).isEqualTo(2);
        assertThat(err()).contains("unknown option --bogus for echo").contains("echo --help");
        assertThat(out()).as("no server banner").isEmpty();
    }

    @Test
    void aStrayArgumentIsRefusedByName() {
        assertThat(run("demo", "extra")).isEqualTo(2);
        assertThat(err()).contains("unexpected argument 'extra' for demo");
    }

    @Test
    void aPortOutOfRangeIsReportedLikeAnyBadPort() {
        assertThat(run("echo", "--port", "70000")).isEqualTo(2);
        assertThat(run("echo", "--port", "nine")).isEqualTo(2);
        assertThat(err()).contains("--port must be a number from 0 to 65535: 70000")
                .contains("--port must be a number from 0 to 65535: nine");
    }

    @Test
    void aPortInUseIsNamedWithTheAddressAndNoJavaClassName() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            assertThat(run("echo", "--port", Integer.toString(port))).isEqualTo(1);
            assertThat(err()).contains("cannot listen on 127.0.0.1 port " + port)
                    .contains("already in use")
                    .doesNotContain("java.net.");
        }
    }

    /**
     * Each tutorial's system listens on its tutorial's port by default: shown by holding that port
     * on 127.0.0.1 (or finding it held by someone else) and seeing the command fail to listen
     * on exactly it, before any banner.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', textBlock = """
            echo                      | 9001
            echo --style server       | 8765
            echo --style echo         | 8765
            echo --style huixian      | 12345
            echo --style data-received | 9999
            two-step-chat             | 9090
            broadcast                 | 8765
            broadcast --relay         | 8765
            auth-echo                 | 8765
            heartbeat-echo            | 8765
            heartbeat-echo --echo     | 8765
            channels                  | 8765
            """)
    void theTutorialsSystemsListenOnTheirPortsOn127001ByDefault(String commandLine, int port) throws Exception {
        java.net.ServerSocket held = null;
        try {
            held = new java.net.ServerSocket(port, 1, java.net.InetAddress.getByName("127.0.0.1"));
        } catch (java.net.BindException inUse) {
            // someone else holds it: the command must fail on it all the same
        }
        try {
            assertThat(run(commandLine.split(" "))).as(commandLine).isEqualTo(1);
            assertThat(err()).contains("cannot listen on 127.0.0.1 port " + port);
            assertThat(out()).as("no banner").isEmpty();
        } finally {
            if (held != null) {
                held.close();
            }
        }
    }

    @Test
    void broadcastExcludeSenderNeedsRelay() {
        assertThat(run("broadcast", "--exclude-sender", "--port", "0")).isEqualTo(2);
        assertThat(err()).contains("--exclude-sender goes with --relay");
        assertThat(out()).as("no banner").isEmpty();
    }

    @Test
    void anUnknownEchoStyleIsRefusedNamingTheStyles() {
        assertThat(run("echo", "--style", "loud", "--port", "0")).isEqualTo(2);
        assertThat(err()).contains("--style must be one of server, echo, huixian, data-received: loud");
        assertThat(out()).as("no banner").isEmpty();
        assertThat(run("echo", "--help")).isZero();
        assertThat(out()).contains("--style server|echo|huixian|data-received").contains("Server: <text>")
                .contains("Data received as");
    }

    @Test
    void aBadOptionValueExitsTwoBeforeAnythingStarts() {
        assertThat(run("echo", "--port", "nine")).isEqualTo(2);
        assertThat(err()).contains("--port must be a number");

        assertThat(run("echo", "--port")).isEqualTo(2);
        assertThat(err()).contains("--port needs a value");
    }

    @Test
    void aBadMaxConnectionsIsRefusedByNameBeforeAnythingStarts() {
        assertThat(run("echo", "--max-connections", "0")).isEqualTo(2);
        assertThat(err()).contains("maxConnections must be at least 1: 0");
        assertThat(run("bench-server", "--max-connections", "many")).isEqualTo(2);
        assertThat(err()).contains("--max-connections must be a number: many");
        assertThat(out()).as("no server banner").isEmpty();
    }

    @Test
    void benchServerRefusesABadRedisUriOnOneLineBeforeAnythingStarts() {
        assertThat(run("bench-server", "--port", "0", "--redis", "http://127.0.0.1:6379")).isEqualTo(2);
        assertThat(err()).isEqualTo("loomsocket: --redis must be redis://[user:password@]host:port[/prefix]: "
                + "the scheme must be redis, not http: http://127.0.0.1:6379" + System.lineSeparator());
        assertThat(run("bench-server", "--port", "0", "--redis", "redis://127.0.0.1:99999/p")).isEqualTo(2);
        assertThat(err()).contains("--redis must be redis://").contains("port");
        assertThat(run("bench-server", "--port", "0", "--redis")).isEqualTo(2);
        assertThat(err()).contains("--redis needs a value");
        assertThat(out()).as("no server banner").isEmpty();
        assertThat(err().lines().count()).isEqualTo(3);
    }

    @Test
    void benchServerHelpDocumentsRedis() {
        assertThat(run("bench-server", "--help")).isZero();
        assertThat(out()).contains("[--redis redis://host:port[/prefix]]").contains("--redis redis://HOST:PORT[/PREFIX]");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"echo,10", "echo,0s", "echo,-1s", "echo,soon", "echo,1.5s", "demo,10h",
            "demo,ms"})
    void aBadStatsPeriodExitsTwoWithAClearMessageBeforeAnythingStarts(String command, String period) {
        assertThat(run(command, "--port", "0", "--stats", period)).isEqualTo(2);
        assertThat(err()).contains("--stats must be a positive duration like 500ms, 10s or 2m: " + period);
        assertThat(out()).as("no server banner").isEmpty();
    }

    @Test
    void statsNeedsAValueAndIsOnlyForTheServersThatPrintIt() {
        assertThat(run("echo", "--stats")).isEqualTo(2);
        assertThat(err()).contains("--stats needs a value");
        assertThat(run("broadcast", "--stats", "1s")).isEqualTo(2);
        assertThat(err()).contains("unknown option --stats for broadcast");
        assertThat(run("echo", "--port", "0", "--metrics-path", "metrics")).isEqualTo(2);
        assertThat(err()).contains("metricsPath must be a path such as /metrics: metrics");
    }

    @Test
    void theStatsLineHasEveryFieldAsKeyEqualsValue() {
        io.loomsocket.server.MetricsSnapshot m = new io.loomsocket.server.MetricsSnapshot(2, 5, java.util.Map.of(1000, 3L),
                java.util.Map.of("404", 1L), 0, 120, 119, 8160, 7680, 64, java.util.Map.of(), 0, 1, 2,
                Duration.ofMillis(3), Duration.ofMillis(1), Duration.ofMillis(2), 1 << 20, 0, 1 << 20, 0, 0);
        assertThat(StatsPrinter.line(m)).isEqualTo("stats open=2 accepted=5 closed=3 refused=1 msgs_in=120 msgs_out=119"
                + " bytes_in=8160 bytes_out=7680 queued=64 protocol_failures=0 slow_closes=0 slow_drops=1 pings=2"
                + " rtt_ms=1.00/1.50/2.00");
    }

    /**
     * {@code echo --stats 200ms} as a real process: a stats line after the banner every period,
     * which counts the messages echoed; the connection's open line on stderr (the default
     * System.Logger backend); no more lines once SIGTERM stopped the server.
     */
    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void echoWithStatsPrintsTheMetricsPeriodicallyUntilItStops() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                + File.pathSeparator
                + Path.of(WebSocketServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Process echo = new ProcessBuilder(java, "-cp", classes, Main.class.getName(), "echo", "--port", "0", "--stats", "200ms",
                "--metrics-path", "/metrics").start();
        try {
            java.util.concurrent.BlockingQueue<String> stdout = lines(echo.getInputStream());
            java.util.concurrent.BlockingQueue<String> stderr = lines(echo.getErrorStream());
            String banner = stdout.poll(10, TimeUnit.SECONDS);
            Matcher url = Pattern.compile("echo server listening on (ws://127\\.0\\.0\\.1:\\d+/) .*").matcher(String.valueOf(banner));
            assertThat(url.matches()).as("banner: %s", banner).isTrue();
            assertThat(stdout.poll(10, TimeUnit.SECONDS)).as("a stats line within a period or so")
                    .startsWith("stats open=0 accepted=0 closed=0 refused=0 msgs_in=0 msgs_out=0 ");

            WebSocket ws = WebSocketClient.connect(URI.create(url.group(1)));
            for (int i = 0; i < 3; i++) {
                ws.sendText("hello " + i);
                assertThat(ws.receive()).isEqualTo(new Message.Text("hello " + i));
            }
            String counted;
            do {
                counted = stdout.poll(10, TimeUnit.SECONDS);
                assertThat(counted).as("a stats line with the three echoes").isNotNull().matches("stats \\S+=\\S+( \\S+=\\S+)*");
            } while (!counted.contains(" msgs_in=3 "));
            assertThat(counted).contains("open=1 accepted=1 ").contains(" msgs_out=3 ");
            String scraped;
            try (java.net.Socket http = new java.net.Socket("127.0.0.1", URI.create(url.group(1)).getPort())) {
                http.setSoTimeout(10_000);
                http.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                scraped = new String(http.getInputStream().readAllBytes(), StandardCharsets.UTF_8); // closed after it
            }
            assertThat(scraped).startsWith("HTTP/1.1 200 OK\r\n")
                    .contains("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n")
                    .contains("\nloomsocket_messages_received_total 3\n");
            String logged;
            do {
                logged = stderr.poll(10, TimeUnit.SECONDS);
                assertThat(logged).as("the connection's open line on stderr").isNotNull();
            } while (!logged.contains("connection open: 127.0.0.1:"));

            echo.destroy(); // SIGTERM
            assertThat(ws.awaitClosed(Duration.ofSeconds(10))).isTrue();
            assertThat(echo.waitFor(10, TimeUnit.SECONDS)).isTrue(); // 143: the JVM's status after SIGTERM and its hooks
            java.util.List<String> rest = new java.util.ArrayList<>();
            for (String line; (line = stdout.poll(5, TimeUnit.SECONDS)) != null && !line.equals(EOF); ) {
                rest.add(line);
            }
            assertThat(rest).as("at most a line printed while stopping").hasSizeLessThanOrEqualTo(1);
        } finally {
            echo.destroyForcibly();
        }
    }

    private static final String EOF = "\u0000EOF";

    /** The lines of a stream as they come, read on a virtual thread; {@link #EOF} at its end. */
    private static java.util.concurrent.BlockingQueue<String> lines(java.io.InputStream in) {
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process was destroyed
            }
            lines.add(EOF);
        });
        return lines;
    }

    /**
     * {@code echo} blocks until the process is signalled, so it runs as a real process:
     * {@code java -cp <the apps' classes>:<the library's classes> io.loomsocket.cli.Main echo --port 0},
     * then SIGTERM.
     */
    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void echoServesUntilSigtermAndThenClosesEveryConnectionWith1001() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        // The apps (compiled with the tests) and the library are two class-path entries now.
        String classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                + File.pathSeparator
                + Path.of(WebSocketServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Process echo = new ProcessBuilder(java, "-cp", classes, Main.class.getName(), "echo", "--port", "0")
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader stdout = new BufferedReader(new InputStreamReader(echo.getInputStream(), StandardCharsets.UTF_8));
            // Read on a virtual thread: a read from a pipe ignores interrupts, so a silent process
            // must not hang the test; destroyForcibly below ends the read.
            CompletableFuture<String> firstLine = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    firstLine.complete(stdout.readLine());
                } catch (IOException e) {
                    firstLine.completeExceptionally(e);
                }
            });
            String banner = firstLine.get(10, TimeUnit.SECONDS);
            Matcher url = Pattern.compile("echo server listening on (ws://127\\.0\\.0\\.1:\\d+/) .*").matcher(String.valueOf(banner));
            assertThat(url.matches()).as("banner: %s", banner).isTrue();

            WebSocket ws = WebSocketClient.connect(URI.create(url.group(1)));
            ws.sendText("hello, echo");
            assertThat(ws.receive()).isEqualTo(new Message.Text("hello, echo"));
            ws.sendBinary(new byte[] {1, 2, 3});
            assertThat(ws.receive()).isEqualTo(new Message.Binary(new byte[] {1, 2, 3}));

            echo.destroy(); // SIGTERM: the shutdown hook stops the server gracefully

            assertThat(ws.awaitClosed(Duration.ofSeconds(10))).isTrue();
            assertThat(ws.closeCode()).isEqualTo(CloseCode.GOING_AWAY);
            assertThat(echo.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            echo.destroyForcibly();
        }
    }
}
