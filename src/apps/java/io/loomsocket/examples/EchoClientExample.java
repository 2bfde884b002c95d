package io.loomsocket.examples;

import io.loomsocket.WebSocket;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;

/**
 * The {@code echo-client} command: the tutorials' first client (seed 001's {@code main}). It
 * connects, sends one text message, prints {@code Sent: <message>}, waits for one answer,
 * prints {@code Received: <answer>} and closes with 1000.
 *
 * <p>Against {@code echo --style echo} (port 8765, the default URL) that prints
 * {@code Sent: Hello, server!} then {@code Received: Echo: Hello, server!}. Seed 003's client
 * is the same exchange with {@code --message "你好,服务端!"} and {@code ws://localhost:12345}
 * ({@code echo --style huixian}); only its print-out differs ({@code 服务端回应:<answer>}).
 */
public final class EchoClientExample {

    public static final URI DEFAULT_URL = URI.create("ws://localhost:8765");
    public static final String DEFAULT_MESSAGE = "Hello, server!";

    private EchoClientExample() {}

    /**
     * One exchange; a binary answer is printed as {@code [binary N bytes]}.
     *
     * @throws IOException naming {@code url}: cannot connect, no answer within {@code timeout},
     *     or closed before answering
     */
    public static void run(URI url, String message, Duration timeout, PrintStream out)
            throws IOException, InterruptedException {
        try (WebSocket ws = ExampleClients.connect(url)) {
            ExampleClients.send(ws, url, message);
            out.println("Sent: " + message);
            out.flush();
            String response = ExampleClients.answer(ws, url, timeout);
            out.println("Received: " + response);
            out.flush();
        }
    }
}
