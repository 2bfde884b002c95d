package io.loomsocket.autobahn;

import static io.loomsocket.autobahn.AutobahnResults.path;
import static io.loomsocket.autobahn.AutobahnResults.property;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketClosedException;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Autobahn|Testsuite fuzzing server ({@code wstest -m fuzzingserver}, started by the pom under
 * Jython, see {@code src/test/autobahn/wstest_boot.py}) against the Loomsocket client: asks the
 * server for its number of cases, connects to {@code /runCase?case=N&agent=loomsocket} for each and
 * echoes every message back until the server closes, has the reports written
 * ({@code /updateReports}), then compares them case by case with the committed baseline
 * {@code src/test/autobahn/expected-client.txt}.
 */
class AutobahnClientIT {

    static final String AGENT = "loomsocket";
    /** Jython needs some seconds to start the fuzzing server, more on a busy CI machine. */
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(180);
    /** A case that is still open after this is aborted (the suite's own timeouts are shorter). */
    static final Duration CASE_TIMEOUT = Duration.ofSeconds(120);

    /** Category 9 sends messages of up to 16 MiB. */
    private final WebSocketClient.Builder client = WebSocketClient.builder().noKeepalive()
            .maxSize(64L << 20)
            .connectTimeout(Duration.ofSeconds(10))
            .handshakeTimeout(Duration.ofSeconds(30));

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void clientPassesEveryCase() throws Exception {
        assumeFalse(Boolean.getBoolean("autobahn.skip"), "Autobahn|Testsuite skipped (-Dautobahn.skip)");
        String base = "ws://127.0.0.1:" + Integer.parseInt(property("autobahn.fuzzingserver.port"));
        Path dir = path("autobahn.dir");

        int count = caseCount(base, dir.resolve("fuzzingserver.log"));
        long start = System.nanoTime();
        List<String> notes = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            runCase(base, i, notes);
        }
        System.out.printf("[autobahn] Loomsocket client ran %d cases of the fuzzing server in %.1f s%n",
                count, (System.nanoTime() - start) / 1e9);
        notes.forEach(n -> System.out.println("[autobahn]   " + n));
        updateReports(base);

        String failure = AutobahnResults.check(
                "Autobahn|Testsuite fuzzing server -> Loomsocket client",
                dir.resolve("clients"), AGENT,
                path("autobahn.expected").resolve("expected-client.txt"),
                dir.resolve("client-actual.txt"));
        if (failure != null) {
            fail("Loomsocket client, Autobahn|Testsuite fuzzing server:\n" + failure);
        }
    }

    /** {@code /getCaseCount}, retried while the fuzzing server starts. */
    private int caseCount(String base, Path serverLog) throws Exception {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try (WebSocket ws = client.connect(URI.create(base + "/getCaseCount"))) {
                Message m = ws.receive();
                if (m instanceof Message.Text t) {
                    int n = Integer.parseInt(t.text().trim());
                    System.out.println("[autobahn] fuzzing server at " + base + " has " + n + " cases");
                    return n;
                }
                throw new IOException("/getCaseCount answered " + m);
            } catch (IOException e) {
                last = e;
                Thread.sleep(500);
            }
        }
        String log = Files.isRegularFile(serverLog) ? tail(serverLog, 30) : "(no " + serverLog + ")";
        throw new IOException("the Autobahn fuzzing server at " + base + " did not answer /getCaseCount within "
                + STARTUP_TIMEOUT.toSeconds() + " s; its log " + serverLog + " ends with:\n" + log, last);
    }

    /** One case: echo every data message until the server closes; anything odd goes to {@code notes}. */
    private void runCase(String base, int n, List<String> notes) throws InterruptedException {
        URI uri = URI.create(base + "/runCase?case=" + n + "&agent=" + AGENT);
        WebSocket ws;
        try {
            ws = client.connect(uri);
        } catch (IOException e) {
            notes.add("case #" + n + ": connect failed: " + e);
            return;
        }
        long deadline = System.nanoTime() + CASE_TIMEOUT.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    notes.add("case #" + n + ": still open after " + CASE_TIMEOUT.toSeconds() + " s; aborted");
                    ws.abort();
                    return;
                }
                Optional<DataMessage> m = ws.receive(Duration.ofNanos(left));
                if (m.isEmpty()) {
                    continue;
                }
                switch (m.get()) {
                    case Message.Text t -> ws.sendText(t.text());
                    case Message.Binary b -> ws.sendBinary(b.data());
                    default -> {}
                }
            }
        } catch (WebSocketClosedException e) {
            // the normal end of a case
        } catch (IOException e) {
            // an echo that failed because the connection went down meanwhile: the report tells
        } finally {
            if (!ws.awaitClosed(Duration.ofSeconds(30))) {
                notes.add("case #" + n + ": TCP connection still open 30 s after the end; aborted");
                ws.abort();
            }
        }
    }

    /** {@code /updateReports}: the server writes index.json and the case reports, then closes. */
    private void updateReports(String base) throws Exception {
        try (WebSocket ws = client.connect(URI.create(base + "/updateReports?agent=" + AGENT))) {
            while (ws.receive(Duration.ofSeconds(120)).isPresent()) {
                // no messages are expected; wait for the close
            }
        } catch (WebSocketClosedException e) {
            // reports written
        }
    }

    private static String tail(Path file, int lines) throws IOException {
        List<String> all = Files.readAllLines(file);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
