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
