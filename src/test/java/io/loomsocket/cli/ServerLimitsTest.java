package io.loomsocket.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The limits every server command takes: safe defaults, stated in its --help, applied to its server. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ServerLimitsTest {

    private static final List<String> SERVER_COMMANDS = List.of("echo", "broadcast", "heartbeat-echo", "auth-echo",
            "two-step-chat", "json-chat", "channels", "demo", "bench-server");

    private static ServerLimits parse(String command, String... options) {
        String[] argv = new String[options.length + 1];
        argv[0] = command;
        System.arraycopy(options, 0, argv, 1, options.length);
        return ServerLimits.of(Args.parse(argv, 1, List.of()), command);
    }

    @Test
    void withNoFlagsMessagesAreLimitedTo1MiBAndIdleConnectionsCloseAfterFiveMinutes() {
        assertThat(parse("echo")).isEqualTo(new ServerLimits(1024 * 1024, 10_000, Duration.ofMinutes(5), 0, 0));
        assertThat(parse("demo")).isEqualTo(new ServerLimits(1024 * 1024, 10_000, Duration.ofMinutes(5), 0, 0));
        assertThat(parse("bench-server")).as("its load tool sets the count")
                .isEqualTo(new ServerLimits(1024 * 1024, 1_000_000, Duration.ofMinutes(5), 0, 0));
    }

    @Test
    void theFlagsRaiseOrLowerEachLimitAndOffOrZeroDisablesTheIdleTimeout() {
        assertThat(parse("echo", "--max-size", "64M", "--max-connections", "5", "--idle-timeout", "30s",
                "--inbound-budget", "32M", "--outbound-budget", "16M"))
                .isEqualTo(new ServerLimits(64L * 1024 * 1024, 5, Duration.ofSeconds(30), 32L << 20, 16L << 20));
        for (String off : List.of("off", "OFF", "0", "0s", "0ms")) {
            assertThat(parse("echo", "--idle-timeout", off).idleTimeout()).as(off).isNull();
        }
    }

    @Test
    void aBadIdleTimeoutIsRefusedByName() {
        assertThatThrownBy(() -> parse("echo", "--idle-timeout", "soon")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--idle-timeout must be a duration like 30s or 5m, or off: soon");
        assertThatThrownBy(() -> parse("echo", "--idle-timeout", "-1s")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--idle-timeout must be");
        assertThat(Main.run(new String[] {"demo", "--idle-timeout", "later"}, System.out, new java.io.PrintStream(
                java.io.OutputStream.nullOutputStream()))).as("exit status of a usage error").isEqualTo(2);
    }

    @Test
    void theDefaultsReachTheServersOptions() throws Exception {
        WebSocketServer server = parse("echo").applyTo(WebSocketServer.builder().port(0).handler(ws -> {})).start();
        try {
            WebSocketServer.Options o = server.options();
            assertThat(o.maxFrameSize()).isEqualTo(1024 * 1024);
            assertThat(o.maxMessageSize()).isEqualTo(1024 * 1024);
            assertThat(o.maxConnections()).isEqualTo(10_000);
            assertThat(o.idleTimeout()).isEqualTo(Duration.ofMinutes(5));
            assertThat(o.inboundBudget()).isEqualTo(Runtime.getRuntime().maxMemory() / 4);
            assertThat(o.outboundBudget()).isEqualTo(Runtime.getRuntime().maxMemory() / 4);
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
        WebSocketServer off = parse("echo", "--idle-timeout", "off", "--inbound-budget", "8M", "--outbound-budget", "4M")
                .applyTo(WebSocketServer.builder().port(0)
                .handler(ws -> {})).start();
        try {
            assertThat(off.options().idleTimeout()).isNull();
            assertThat(off.options().inboundBudget()).isEqualTo(8L << 20);
            assertThat(off.options().outboundBudget()).isEqualTo(4L << 20);
        } finally {
            off.stop(Duration.ofSeconds(2));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"echo", "broadcast", "heartbeat-echo", "auth-echo", "two-step-chat", "json-chat", "channels",
            "demo", "bench-server"})
    void everyServerCommandTakesTheLimitsAndItsHelpStatesThem(String command) {
        CommandSpec spec = CommandSpec.ALL.get(command);
        assertThat(spec.values()).contains("max-size", "max-connections", "idle-timeout", "inbound-budget",
                "outbound-budget");
        assertThat(spec.values()).doesNotHaveDuplicates();
        assertThat(spec.help().replaceAll("\\s+", " ")) // as printed, but each line break a space
                .contains("messages and frames up to --max-size (default 1M; larger: close 1009)")
                .contains("--max-connections at once (default " + (command.equals("bench-server") ? "1,000,000" : "10,000"))
                .contains("--idle-timeout (default 5m; off or 0: none)")
                .contains("at most --inbound-budget of received messages and --outbound-budget of queued bytes"
                        + " (default 1/4 of the max heap each;");
    }

    @Test
    void theServerCommandsAreExactlyTheOnesWithAPort() {
        assertThat(CommandSpec.ALL.values().stream().filter(s -> s.values().contains("port")).map(CommandSpec::name)
                .collect(Collectors.toSet())).containsExactlyInAnyOrderElementsOf(SERVER_COMMANDS);
        Map<String, CommandSpec> all = CommandSpec.ALL;
        assertThat(all.get("connect").values()).doesNotContain("idle-timeout");
    }

    /**
     * {@code echo} as a real process with no limit flags but a short idle timeout: a 1 MiB message
     * comes back, one byte more closes with 1009, and a connection that sends nothing is closed
     * with 1001 "idle timeout".
     */
    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void echoEnforcesTheDefaultMaxSizeAndItsIdleTimeout() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                + File.pathSeparator
                + Path.of(WebSocketServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Process echo = new ProcessBuilder(java, "-cp", classes, Main.class.getName(), "echo", "--port", "0",
                "--idle-timeout", "500ms").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader stdout = new BufferedReader(new InputStreamReader(echo.getInputStream(), StandardCharsets.UTF_8));
            String banner = stdout.readLine(); // bounded by the class timeout
            Matcher url = Pattern.compile("echo server listening on (ws://127\\.0\\.0\\.1:\\d+/) .*").matcher(String.valueOf(banner));
            assertThat(url.matches()).as("banner: %s", banner).isTrue();
            URI uri = URI.create(url.group(1));

            WebSocket fits = WebSocketClient.connect(uri);
            byte[] mib = new byte[1024 * 1024];
            fits.sendBinary(mib);
            assertThat(fits.receive()).isEqualTo(new Message.Binary(mib));
            fits.abort();

            WebSocket tooBig = WebSocketClient.connect(uri);
            tooBig.sendBinary(new byte[1024 * 1024 + 1]);
            assertThat(tooBig.awaitClosed(Duration.ofSeconds(10))).isTrue();
            assertThat(tooBig.closeCode()).isEqualTo(CloseCode.MESSAGE_TOO_BIG);

            WebSocket idle = WebSocketClient.connect(uri);
            assertThat(idle.awaitClosed(Duration.ofSeconds(10))).as("closed for idling").isTrue();
            assertThat(idle.closeCode()).isEqualTo(CloseCode.GOING_AWAY);
            assertThat(idle.closeReason()).isEqualTo("idle timeout");
        } finally {
            echo.destroyForcibly();
            echo.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
