package io.loomsocket.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.DataMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/loomsocket-demo.service}, the systemd unit docs/deploy.md describes, checked
 * without a running systemd (PID 1 need not be systemd):
 *
 * <ul>
 *   <li>{@code systemd-analyze verify} accepts it without a single warning, and
 *       {@code systemd-analyze security --offline=yes} rates its exposure at most 3.0. Both need
 *       the ExecStart binary to exist, so they see the committed file with its one documented
 *       substitution: {@code /opt/loomsocket} becomes a temporary directory holding {@code jdk}
 *       (a link to the JDK running this test) and {@code loomsocket.jar} (a link to the jar
 *       {@code mvn package} built);
 *   <li>its ExecStart, run as systemd would run it (the same substitution, and
 *       {@code LOOMSOCKET_PORT=0} instead of 8080), serves the demo; the unit's
 *       {@code --trust-proxy 127.0.0.1} names the forwarded client in the connection log; and
 *       SIGTERM, systemd's stop signal, closes every connection with 1001 and ends the process
 *       within {@code TimeoutStopSec} with an exit status the unit counts as success
 *       ({@code SuccessExitStatus}).
 * </ul>
 *
 * Needs {@code systemd-analyze} (Debian's {@code systemd}: {@value #INSTALL}); without it, the
 * check fails at once saying so.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SystemdUnitIT {

    static final Path UNIT = Path.of("deploy/loomsocket-demo.service");
    static final String INSTALL = "apt-get install -y systemd";
    private static final String INSTALLED_AT = "/opt/loomsocket";

    @TempDir
    Path dir;

    @BeforeAll
    static void theUnitIsAsDocumented() throws IOException {
        UnitFile unit = UnitFile.parse(Files.readString(UNIT));
        assertThat(unit.get("Service", "Restart")).isEqualTo("on-failure");
        assertThat(unit.get("Service", "LimitNOFILE")).isEqualTo("65536");
        assertThat(unit.get("Service", "User")).isEqualTo("loomsocket");
        assertThat(unit.get("Service", "NoNewPrivileges")).isEqualTo("yes");
        assertThat(unit.get("Service", "ProtectSystem")).isEqualTo("strict");
        assertThat(unit.get("Service", "KillSignal")).as("SIGTERM, systemd's default").isNull();
        assertThat(unit.execStart(unit.environment())).startsWith(INSTALLED_AT + "/jdk/bin/java", "-XX:+ExitOnOutOfMemoryError",
                "-jar", INSTALLED_AT + "/loomsocket.jar", "demo");
    }

    @Test
    void docsDeployShowsTheUnitAsItIs() throws Exception {
        assertThat(Files.readString(Path.of("docs/deploy.md"))).as("docs/deploy.md shows " + UNIT + " verbatim")
                .contains("```ini\n" + Files.readString(UNIT) + "```\n");
    }

    /** The committed unit with {@code /opt/loomsocket} replaced by {@code dir}, which gets the JDK and the jar. */
    private UnitFile install() throws IOException {
        Path jar = Path.of(System.getProperty("apps.jar", "target/loomsocket.jar")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError(jar + " is missing: run mvn package first");
        }
        Files.createSymbolicLink(dir.resolve("jdk"), Path.of(System.getProperty("java.home")));
        Files.createSymbolicLink(dir.resolve("loomsocket.jar"), jar);
        String text = Files.readString(UNIT).replace(INSTALLED_AT, dir.toString());
        Files.writeString(dir.resolve(UNIT.getFileName()), text);
        return UnitFile.parse(text);
    }

    private static String systemdAnalyze() {
        for (String candidate : List.of("/usr/bin/systemd-analyze", "/bin/systemd-analyze")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new AssertionError("systemd-analyze is missing. Install Debian's systemd package (it need not run), as root: "
                + INSTALL);
    }

    /** Runs a command to its end (at most 60 s): its exit status and its output, stdout and stderr together. */
    private static Map.Entry<Integer, String> run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        BlockingQueue<String> lines = lines(p.getInputStream());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end within 60 s");
        }
        List<String> out = new ArrayList<>();
        for (String line; !(line = lines.take()).equals(EOF); ) {
            out.add(line);
        }
        return Map.entry(p.exitValue(), String.join("\n", out));
    }

    @Test
    void systemdAnalyzeVerifiesTheUnitWithoutAWarningAndRatesItsExposureAtMostThree() throws Exception {
        String analyze = systemdAnalyze();
        install();
        String unit = dir.resolve(UNIT.getFileName()).toString();

        Map.Entry<Integer, String> verify = run(List.of(analyze, "verify", "--man=no", unit));
        System.out.println("SystemdUnitIT: systemd-analyze verify " + UNIT + " -> exit " + verify.getKey()
                + (verify.getValue().isEmpty() ? ", no output" : ":\n" + verify.getValue()));
        assertThat(verify.getKey()).as("exit status; output: %s", verify.getValue()).isZero();
        assertThat(verify.getValue()).as("warnings (an unknown key only warns)").isEmpty();

        // --threshold is in tenths: it fails above 3.0 (with 252: 2.8, "OK").
        Map.Entry<Integer, String> security = run(List.of(analyze, "security", "--offline=yes", "--threshold=30", "--no-pager", unit));
        String overall = security.getValue().lines().filter(l -> l.contains("Overall exposure level")).findFirst().orElse("");
        System.out.println("SystemdUnitIT: systemd-analyze security --offline=yes: " + overall.replaceFirst("^\\W+", ""));
        assertThat(overall).as("output: %s", security.getValue()).isNotEmpty();
        assertThat(security.getKey()).as("exposure over 3.0: %s", overall).isZero();
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void sigtermClosesEveryConnectionWith1001AndTheProcessEndsCleanlyWithinTimeoutStopSec() throws Exception {
        UnitFile unit = install();
        Map<String, String> env = new HashMap<>(unit.environment());
        env.put("LOOMSOCKET_PORT", "0"); // any free port, instead of the unit's 8080
        List<String> argv = unit.execStart(env);
        Duration timeoutStop = seconds(unit.get("Service", "TimeoutStopSec"));
        List<String> success = List.of(unit.get("Service", "SuccessExitStatus").split("\\s+"));

        ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile());
        pb.environment().putAll(env);
        Process demo = pb.start();
        demo.getOutputStream().close();
        try {
            BlockingQueue<String> stdout = lines(demo.getInputStream());
            BlockingQueue<String> stderr = lines(demo.getErrorStream());
            Matcher banner = Pattern.compile("demo server listening on (ws://127\\.0\\.0\\.1:\\d+)/chat .*")
                    .matcher(next(stdout, l -> l.startsWith("demo server listening on "), "the banner"));
            assertThat(banner.matches()).as("banner: %s", banner).isTrue();
            System.out.println("SystemdUnitIT: ExecStart (substituted): " + String.join(" ", argv).replace(dir.toString(), "$DIR"));

            // As nginx would forward a client: from 127.0.0.1, the unit's --trust-proxy.
            WebSocket chat = WebSocketClient.builder().header("X-Forwarded-For", "203.0.113.7")
                    .connect(URI.create(banner.group(1) + "/chat"));
            WebSocket channels = WebSocketClient.connect(URI.create(banner.group(1) + "/channels"));
            chat.sendText("{\"type\":\"register\",\"uuid\":\"systemd-u1\",\"name\":\"systemd-u1\",\"content\":\"joined\"}");
            channels.sendText("{\"type\":\"ping\",\"seq\":1}");
            for (WebSocket ws : List.of(chat, channels)) { // an answer: the server holds the connection as open
                Optional<DataMessage> answer = ws.receive(Duration.ofSeconds(10));
                assertThat(answer).as("an answer on %s", ws.path()).isPresent();
            }
            String open = next(stderr, l -> l.contains("connection open: ") && l.endsWith(" /chat"), "the chat's open line");
            assertThat(open).matches(".*connection open: 203\\.0\\.113\\.7 via 127\\.0\\.0\\.1:\\d+ /chat");

            long start = System.nanoTime();
            demo.destroy(); // SIGTERM, as systemctl stop sends it (KillSignal's default)
            for (WebSocket ws : List.of(chat, channels)) {
                assertThat(ws.awaitClosed(timeoutStop)).as("%s closed within TimeoutStopSec", ws.path()).isTrue();
                assertThat(ws.closeCode()).as("close code on %s", ws.path()).isEqualTo(CloseCode.GOING_AWAY);
            }
            assertThat(demo.waitFor(timeoutStop.toNanos() - (System.nanoTime() - start), TimeUnit.NANOSECONDS))
                    .as("the process ended within TimeoutStopSec=%s", timeoutStop).isTrue();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            int status = demo.exitValue();
            System.out.println("SystemdUnitIT: SIGTERM -> both connections closed 1001 (" + chat.closeReason() + "), exit status "
                    + status + " after " + took.toMillis() + " ms (TimeoutStopSec=" + timeoutStop.toSeconds()
                    + ", SuccessExitStatus=" + String.join(" ", success) + ")");
            // 143 = 128 + SIGTERM: the JVM's status after its shutdown hooks ran; systemd counts 0 and the listed ones as success.
            assertThat(status == 0 || success.contains(Integer.toString(status)))
                    .as("exit status %d is 0 or in SuccessExitStatus=%s", status, success).isTrue();
            assertThat(status).isEqualTo(143);
        } finally {
            demo.destroyForcibly();
        }
    }

    /** {@code 15} or {@code 15s}. */
    private static Duration seconds(String value) {
        assertThat(value).as("TimeoutStopSec in seconds").matches("\\d+s?");
        return Duration.ofSeconds(Long.parseLong(value.replace("s", "")));
    }

    private static final String EOF = "\u0000EOF";

    /** The lines of a stream as they come, read on a virtual thread; {@link #EOF} at its end. */
    private static BlockingQueue<String> lines(InputStream in) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
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

    /** The first line that matches, within 20 s. */
    private static String next(BlockingQueue<String> lines, Predicate<String> match, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (String line; (line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) != null && !line.equals(EOF); ) {
            if (match.test(line)) {
                return line;
            }
        }
        throw new AssertionError("no " + what + " within 20 s");
    }
}
