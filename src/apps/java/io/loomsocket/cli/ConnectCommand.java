package io.loomsocket.cli;

import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code connect ws[s]://host:port/path [--header "Name: value"]... [--subprotocol p]... [--max-size 1M] [--ping] [--insecure]}:
 * an interactive client in the spirit of wscat. Each line of stdin is sent as a text message;
 * received messages are printed as {@code < text} or {@code < [binary N bytes]}. {@code --ping}
 * sends one ping at the start and prints {@code < pong (X ms)}. At the end of stdin the client
 * waits for replies (until none came for 500 ms, at most 2 s), then closes with 1000; when the connection closes it prints {@code closed: CODE [reason]} and exits:
 * 0 for 1000 and 1001, 1 otherwise.
 */
final class ConnectCommand {

    static final long DEFAULT_MAX_SIZE = 1024 * 1024;
    /** After stdin ends: replies are awaited until none came for this long ... */
    static final Duration QUIET = Duration.ofMillis(500);
    /** ... and at most this long. */
    static final Duration REPLY_WAIT = Duration.ofSeconds(2);

    private final java.util.concurrent.atomic.AtomicLong lastMessageNanos = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());

    private ConnectCommand() {}

    static int run(String[] argv, InputStream stdin, PrintStream out, PrintStream err) throws Exception {
        Args args = Args.parse(argv, 1, List.of("ping", "deflate", "insecure"));
        if (args.positional.size() != 1) {
            throw new IllegalArgumentException("connect needs one ws:// or wss:// URI, e.g. connect ws://127.0.0.1:9001/");
        }
        URI uri;
        try {
            uri = new URI(args.positional.get(0));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URI: " + args.positional.get(0));
        }
        WebSocketClient.Builder options = WebSocketClient.builder();
        for (String header : args.all("header")) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--header must look like \"Name: value\": " + header);
            }
            options.header(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
        }
        for (String p : args.all("subprotocol")) {
            options.subprotocol(p);
        }
        options.maxSize(args.getSize("max-size", DEFAULT_MAX_SIZE));
        if (args.has("deflate")) {
            options.deflate();
        }
        if (args.has("insecure")) {
            options.insecureTls();
            if ("wss".equalsIgnoreCase(uri.getScheme())) {
                err.println("loomsocket: warning: --insecure: the server's certificate and host name are NOT verified;"
                        + " anyone on the path can read and change this connection (for tests only)");
                err.flush();
            }
        }

        WebSocket ws = options.connect(uri);
        out.println("connected to " + uri + ws.subprotocol().map(p -> " (subprotocol " + p + ")").orElse(""));
        if (args.has("deflate")) {
            out.println(ws.extensions().isEmpty() ? "permessage-deflate: declined by the server"
                    : "extensions: " + ws.extensions());
        }
        out.flush();

        // Received messages are printed by their own thread, so that they appear while stdin waits.
        ConnectCommand session = new ConnectCommand();
        Thread printer = Thread.ofVirtual().name("connect-printer").start(() -> {
            for (DataMessage m : ws) {
                session.lastMessageNanos.set(System.nanoTime());
                switch (m) {
                    case Message.Text t -> print(out, "< " + t.text());
                    case Message.Binary b -> print(out, "< [binary " + b.data().length + " bytes]");
                }
            }
        });
        if (args.has("ping")) {
            ws.ping().thenAccept(rtt -> print(out, String.format(Locale.ROOT, "< pong (%.1f ms)", rtt.toNanos() / 1e6)));
        }
        // A daemon platform thread: a read from the terminal cannot be interrupted, and must not
        // keep the JVM alive once the server has closed the connection.
        Thread reader = Thread.ofPlatform().daemon().name("connect-stdin").start(() -> session.sendLines(stdin, ws));

        ws.awaitClosed(Duration.ofDays(365));
        printer.join();
        CloseCode code = ws.closeCode();
        String reason = ws.closeReason();
        print(out, "closed: " + code.code() + (reason.isEmpty() ? "" : " " + reason));
        reader.interrupt();
        return code.code() == 1000 || code.code() == 1001 ? 0 : 1;
    }

    /**
     * Sends each line as a text message; at the end of input waits for the replies (until none
     * came for {@link #QUIET}, at most {@link #REPLY_WAIT}), then closes with 1000.
     */
    private void sendLines(InputStream stdin, WebSocket ws) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                ws.sendText(line);
            }
            lastMessageNanos.set(System.nanoTime());
            long deadline = System.nanoTime() + REPLY_WAIT.toNanos();
            while (ws.isOpen() && System.nanoTime() < deadline
                    && System.nanoTime() - lastMessageNanos.get() < QUIET.toNanos()) {
                ws.awaitClosed(Duration.ofMillis(20)); // returns at once if the peer closes
            }
            ws.close(CloseCode.NORMAL_CLOSURE, "");
        } catch (IOException e) {
            // The connection closed (the main thread reports how), or stdin failed: end it.
            if (ws.isOpen()) {
                ws.close(CloseCode.NORMAL_CLOSURE, "");
            }
        } catch (InterruptedException e) {
            ws.abort();
        }
    }

    /** Keeps a line and its flush together; a ReentrantLock, not a monitor, since printing may block. */
    private static final ReentrantLock PRINT_LOCK = new ReentrantLock();

    private static void print(PrintStream out, String line) {
        PRINT_LOCK.lock();
        try {
            out.println(line);
            out.flush();
        } finally {
            PRINT_LOCK.unlock();
        }
    }
}
