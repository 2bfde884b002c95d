package io.loomsocket.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.loomsocket.examples.DemoApp;
import io.loomsocket.server.WebSocketServer;
import io.loomsocket.tls.TestCertificates;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code demo} page in real headless Chromium: starts the demo server in this JVM on
 * 127.0.0.1 and a free port, runs {@code node src/test/browser/demo.e2e.mjs <url>} (a visitor
 * who has not joined sees who is online, and the list empty once they leave; two users join,
 * one's message reaches the other, ticker updates arrive, the chart is drawn; a third, on a
 * 390 x 844 viewport, is refused a taken name and joins, and at 390 and 320 px the page does not
 * overflow; see the script) and requires exit status 0 and its {@code PASS demo-e2e} line.
 * Screenshots: {@code target/demo-e2e.png}, {@code target/demo-e2e-bob.png},
 * {@code target/demo-390.png} and {@code target/demo-320.png}.
 *
 * <p>The same over TLS: the demo server with the test certificate of {@link TestCertificates},
 * the page on {@code https://} and its WebSockets on {@code wss://} (the script checks the
 * scheme of every one); the browser contexts ignore certificate errors for that run only, since
 * the certificate is self-signed. Screenshots in {@code target/demo-e2e-tls/}.
 *
 * <p>Needs Debian's {@code chromium} ({@code /usr/bin/chromium}, or the {@code CHROMIUM}
 * environment variable), {@code node} >= 20 on the PATH, and {@code npm ci --prefix
 * src/test/browser}; {@code mvn verify} installs all three first
 * ({@code src/test/setup/ensure-test-tools.sh}). Without them this test fails, saying what to
 * install; it never skips.
 */
class DemoBrowserIT {

    /** The script's own watchdog is 120 s; this is the backstop above it. */
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(150);

    private static final String INSTALL = "install the browser test's prerequisites as mvn verify's set-up does: "
            + "`apt-get install -y chromium` and `npm ci --prefix src/test/browser` (node >= 20 on the PATH)";

    private final Path project = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    private final Path browserDir = project.resolve("src/test/browser");

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void twoUsersChatAndSeeTheTickerInHeadlessChromium() throws Exception {
        chatAndTicker(false);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void twoUsersChatAndSeeTheTickerOverHttpsAndWssInHeadlessChromium() throws Exception {
        chatAndTicker(true);
    }

    private void chatAndTicker(boolean tls) throws Exception {
        String node = prerequisites();
        try (Demo demo = startDemo(tls)) {
            assertThat(demo.url()).startsWith(tls ? "https://" : "http://");
            Result run = runScript(node, demo.url(), project.resolve(tls ? "target/demo-e2e-tls" : "target"));
            assertThat(run.exitStatus())
                    .as("exit status of demo.e2e.mjs against %s; its output:%n%s", demo.url(), run.output())
                    .isZero();
            assertThat(run.output().lines())
                    .as("the PASS line of demo.e2e.mjs; its output:%n%s", run.output())
                    .anyMatch(line -> line.startsWith("PASS demo-e2e"));
        }
    }

    // ------------------------------------------------------------------ the demo server

    /** A running demo server: the URL of its page, and how to stop it. */
    private interface Demo extends AutoCloseable {
        String url();

        /** Stops the server and its ticker. */
        @Override
        void close();
    }

    /**
     * THE ONE PLACE that starts the demo server: in this JVM, on 127.0.0.1 and a free port, as
     * {@code java -jar target/loomsocket.jar demo --port P --host 127.0.0.1} would; with
     * {@code tls}, as {@code ... --tls-keystore FILE --tls-password-env VAR} would.
     */
    private static Demo startDemo(boolean tls) throws Exception {
        DemoApp app = new DemoApp();
        WebSocketServer.Builder builder = WebSocketServer.builder()
                .host("127.0.0.1")
                .port(0)
                .closeTimeout(Duration.ofSeconds(2));
        if (tls) {
            builder.tls(TestCertificates.get().keystore(), TestCertificates.PASSWORD.clone());
        }
        WebSocketServer server = app.start(app.configure(builder));
        String url = (tls ? "https" : "http") + "://127.0.0.1:" + server.port() + "/";
        return new Demo() {
            @Override
            public String url() {
                return url;
            }

            @Override
            public void close() {
                try {
                    try {
                        server.stop(Duration.ofSeconds(5));
                    } finally {
                        app.close();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    // ------------------------------------------------------------------ the browser script

    /** Fails, saying what to install, unless Chromium, node and playwright-core are there; returns node. */
    private String prerequisites() {
        List<String> missing = new ArrayList<>();
        String chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
        if (!Files.isExecutable(Path.of(chromium))) {
            missing.add("no Chromium at " + chromium);
        }
        String node = onPath("node");
        if (node == null) {
            missing.add("no `node` on the PATH");
        }
        if (!Files.isDirectory(browserDir.resolve("node_modules/playwright-core"))) {
            missing.add("no " + browserDir.resolve("node_modules/playwright-core"));
        }
        if (!Files.isRegularFile(browserDir.resolve("demo.e2e.mjs"))) {
            missing.add("no " + browserDir.resolve("demo.e2e.mjs") + " (is basedir " + project + " right?)");
        }
        if (!missing.isEmpty()) {
            fail(String.join("; ", missing) + ": " + INSTALL);
        }
        return node;
    }

    private static String onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, command);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    private record Result(int exitStatus, String output) {}

    /** Runs the script with a timeout; its output goes to this test's output too, line by line. */
    private Result runScript(String node, String url, Path screenshots) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(node, browserDir.resolve("demo.e2e.mjs").toString(), url)
                .directory(project.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("DEMO_E2E_OUT", screenshots.toString());
        builder.environment().put("DEMO_E2E_TIMEOUT_MS", "120000");
        Process process = builder.start();
        StringBuilder output = new StringBuilder();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    System.out.println(line);
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                synchronized (output) {
                    output.append("(reading the output failed: ").append(e).append(")\n");
                }
            }
        });
        try {
            if (!process.waitFor(SCRIPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                stop(process);
                reader.join(Duration.ofSeconds(5));
                synchronized (output) {
                    fail("demo.e2e.mjs against " + url + " did not end within " + SCRIPT_TIMEOUT
                            + "; killed it and its Chromium. Its output:\n" + output);
                }
            }
            reader.join(Duration.ofSeconds(10));
            synchronized (output) {
                return new Result(process.exitValue(), output.toString());
            }
        } finally {
            if (process.isAlive()) {
                stop(process); // interrupted, or the JUnit timeout
            }
        }
    }

    /** SIGTERM to node (it then closes its Chromium), then SIGKILL to whatever is left of the tree. */
    private static void stop(Process process) throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        tree.forEach(ProcessHandle::destroyForcibly);
    }
}
