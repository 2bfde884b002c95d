package io.loomsocket;

import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.ConnectionState;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.deflate.DeflateParams;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import io.loomsocket.handshake.HttpRequestHead;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One open WebSocket connection, on either side, used from virtual threads.
 *
 * <p>Receiving is blocking and pull-based, like python-websockets' {@code async for}:
 *
 * <pre>{@code
 * for (DataMessage m : ws) {        // ends when the connection closes
 *     switch (m) {
 *         case Message.Text t -> ws.sendText(t.text());
 *         case Message.Binary b -> ws.sendBinary(b.data());
 *     }
 * }
 * }</pre>
 *
 * <p>{@link #receive()} and the iterator yield only data messages ({@link DataMessage}: a
 * {@link io.loomsocket.protocol.Message.Text} or {@link io.loomsocket.protocol.Message.Binary}),
 * reassembled from fragments. Pings are answered by the connection's own
 * reader thread, even while the application is slow to receive; pongs complete {@link #ping()}.
 *
 * <p>Sending is thread-safe: any number of threads may send at once; frames are never
 * interleaved within a message and each sender's messages keep their order. A send returns
 * once its bytes are written to the socket, so a slow peer slows its senders (backpressure).
 */
public interface WebSocket extends Iterable<DataMessage>, AutoCloseable {

    /**
     * The next data message, waiting for it.
     *
     * @throws WebSocketClosedException once the connection is closed and every message received
     *     before the close has been taken
     */
    DataMessage receive() throws IOException, InterruptedException;

    /**
     * The next data message, or empty if none arrives within {@code timeout}.
     *
     * @throws WebSocketClosedException once the connection is closed and every message received
     *     before the close has been taken
     */
    Optional<DataMessage> receive(Duration timeout) throws IOException, InterruptedException;

    /** Data messages until the connection closes; then {@code hasNext()} is false. */
    @Override
    Iterator<DataMessage> iterator();

    /** Sends a whole text message. */
    default void sendText(CharSequence text) throws IOException {
        sendText(text, true);
    }

    /** Sends a text fragment; {@code last} ends the message. Other messages wait until it ends. */
    void sendText(CharSequence text, boolean last) throws IOException;

    /** Sends a whole binary message. */
    default void sendBinary(byte[] data) throws IOException {
        sendBinary(data, true);
    }

    /** Sends a binary fragment; {@code last} ends the message. */
    void sendBinary(byte[] data, boolean last) throws IOException;

    /**
     * Sends a ping and completes with the round-trip time when its pong arrives; completes
     * exceptionally if the connection closes first.
     */
    CompletableFuture<Duration> ping() throws IOException;

    /** The round-trip time of the last answered ping, if any. */
    Optional<Duration> lastRoundTrip();

    /**
     * The closing handshake: sends a close frame and waits, up to the close timeout, for the
     * peer's close and the end of the TCP connection; aborts the connection if they do not come.
     * Does nothing if the connection is already closing or closed.
     *
     * <p>Throws no checked exception, so that try-with-resources needs no {@code catch}: an
     * interrupt while waiting aborts the connection and leaves the thread's interrupt status
     * set. Called from a listener callback on the reader thread (see
     * {@link io.loomsocket.server.WebSocketServer.Builder#route(String, WebSocketListener)}), it
     * sends the close frame and returns without waiting: the reader reads the reply once the
     * callback returns.
     *
     * @throws IllegalArgumentException for a code that may not be sent ({@link CloseCode#isValidOnWire()})
     *     or a reason longer than 123 bytes in UTF-8
     */
    void close(CloseCode code, String reason);

    /** {@code close(CloseCode.NORMAL_CLOSURE, "")}. */
    @Override
    default void close() {
        close(CloseCode.NORMAL_CLOSURE, "");
    }

    /** Closes the TCP connection at once, without a closing handshake. */
    void abort();

    /**
     * Waits until the TCP connection is closed. Returns false on timeout. On a listener's reader
     * thread it does not wait (the reader itself closes the connection) and says whether it is.
     */
    boolean awaitClosed(Duration timeout) throws InterruptedException;

    ConnectionState state();

    default boolean isOpen() {
        return state() == ConnectionState.OPEN;
    }

    /**
     * The close code once closed: the peer's, 1005 if its close frame had none, 1006 if the
     * connection ended without a close frame, or the code we failed the connection with.
     */
    CloseCode closeCode();

    /** The peer's close reason, empty if none. */
    String closeReason();

    /** The request target's path ({@code /chat}), on both sides. */
    String path();

    /** Server side: the upgrade request as received; empty on the client side. */
    Optional<HttpRequestHead> request();

    /** Server side: values of the matched route's {@code {param}} segments. */
    Map<String, String> pathParameters();

    /**
     * Per-connection attributes: what the request hook put there when it accepted (an
     * authenticated user, say), and whatever the application adds. Thread-safe.
     */
    Map<String, Object> attributes();

    /** The negotiated subprotocol, if any. */
    Optional<String> subprotocol();

    /**
     * The extensions in use, as the 101 response's {@code Sec-WebSocket-Extensions} carried them
     * (e.g. {@code permessage-deflate; client_max_window_bits=15}); the empty string when none.
     */
    default String extensions() {
        return "";
    }

    /** The permessage-deflate parameters negotiated (RFC 7692), if it is in use. */
    default Optional<DeflateParams> deflate() {
        return Optional.empty();
    }

    SocketAddress remoteAddress();
}
