package io.loomsocket.examples;

import io.loomsocket.WebSocket;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;

/**
 * The {@code repeat-client} command: seed 001's {@code ws_client}, which connects in a loop
 * ({@code for i in range(1, 40)}: 39 times). Each time it opens a new connection, sends
 * {@code Hello, I am PyPy.}, prints the one answer as it is, closes with 1000 (unless the
 * server already closed, as {@code echo --style data-received} does after answering), and
 * then waits {@code interval} before the next connection (not after the last one).
 *
 * <p>Against {@code echo --style data-received} (port 9999, the default URL) each line is
 * {@code Data received as "Hello, I am PyPy.". time: 2025-01-31 12:00:00.123456}.
 */
public final class RepeatClientExample {

    public static final URI DEFAULT_URL = URI.create("ws://localhost:9999");
    public static final String DEFAULT_MESSAGE = "Hello, I am PyPy.";
    /** {@code range(1, 40)}. */
    public static final int DEFAULT_COUNT = 39;
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

    private RepeatClientExample() {}

    /**
     * {@code count} connections, one after the other.
     *
     * @throws IOException naming the URL and which connection failed ({@code connection 5 of 39})
     */
    public static void run(URI url, String message, int count, Duration interval, Duration timeout, PrintStream out)
            throws IOException, InterruptedException {
        for (int i = 1; i <= count; i++) {
            try (WebSocket ws = ExampleClients.connect(url)) {
                ExampleClients.send(ws, url, message);
                out.println(ExampleClients.answer(ws, url, timeout));
                out.flush();
            } catch (IOException e) {
                throw new IOException("connection " + i + " of " + count + ": " + e.getMessage(), e);
            }
            if (i < count && !interval.isZero()) {
                Thread.sleep(interval);
            }
        }
    }
}
