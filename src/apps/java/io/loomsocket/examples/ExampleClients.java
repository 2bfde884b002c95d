package io.loomsocket.examples;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketClosedException;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.handshake.HandshakeException;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;

/**
 * What the tutorials' clients ({@link EchoClientExample}, {@link RepeatClientExample},
 * {@link TwoStepClientExample}, {@link JsonChatClientExample}) share: reading the URL they are
 * given, connecting with the URL named in every failure, and waiting a bounded time for an
 * answer. Failures are {@link IllegalArgumentException} for a bad URL and {@link IOException}
 * for everything that happens on the network, each with a message for a person.
 */
public final class ExampleClients {

    /** How long a client waits for each answer unless told otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private ExampleClients() {}

    /**
     * A {@code ws://} or {@code wss://} URL with a host.
     *
     * @throws IllegalArgumentException naming the text, for anything else
     */
    public static URI url(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + text + " (" + e.getReason() + "); expected ws://host:port/path");
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("ws") || scheme.equalsIgnoreCase("wss"))) {
            throw new IllegalArgumentException("not a ws:// or wss:// URL: " + text + " (e.g. ws://localhost:8765)");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("no host in the URL " + text + " (e.g. ws://localhost:8765)");
        }
        return uri;
    }

    /**
     * Opens a connection to {@code url}.
     *
     * @throws IOException whose message starts with the URL: refused, unknown host, no answer,
     *     or a server that refused the upgrade (its HTTP status)
     */
    public static WebSocket connect(URI url) throws IOException {
        try {
            return WebSocketClient.connect(url);
        } catch (IOException | HandshakeException e) {
            throw new IOException(url + ": " + e.getMessage(), e);
        }
    }

    /**
     * The next message from {@code ws}, a text as it is and a binary as {@code [binary N bytes]}.
     *
     * @throws IOException naming the URL if none comes within {@code timeout}, or if the
     *     connection closes first (with its close code and reason)
     */
    public static String answer(WebSocket ws, URI url, Duration timeout) throws IOException, InterruptedException {
        return answer(ws, url, timeout, "answer");
    }

    /**
     * {@link #answer(WebSocket, URI, Duration)}, the timeout's message naming what was awaited:
     * {@code no <awaited> within 10 s}.
     */
    public static String answer(WebSocket ws, URI url, Duration timeout, String awaited) throws IOException, InterruptedException {
        Optional<DataMessage> m;
        try {
            m = ws.receive(timeout);
        } catch (WebSocketClosedException e) {
            throw closed(url, e);
        }
        if (m.isEmpty()) {
            throw new IOException(url + ": no " + awaited + " within " + text(timeout));
        }
        return text(m.get());
    }

    /** A message as one printable string: the text, or {@code [binary N bytes]}. */
    public static String text(DataMessage m) {
        return switch (m) {
            case Message.Text t -> t.text();
            case Message.Binary b -> "[binary " + b.data().length + " bytes]";
        };
    }

    /** {@code ws.sendText(text)}, a closed connection reported with the URL and close code. */
    public static void send(WebSocket ws, URI url, String text) throws IOException {
        try {
            ws.sendText(text);
        } catch (WebSocketClosedException e) {
            throw closed(url, e);
        }
    }

    private static IOException closed(URI url, WebSocketClosedException e) {
        return new IOException(url + ": the server closed the connection (" + e.code().code()
                + (e.reason().isEmpty() ? "" : " " + e.reason()) + ")", e);
    }

    static String text(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
