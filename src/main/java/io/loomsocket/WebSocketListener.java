package io.loomsocket;

import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import java.time.Duration;

/**
 * Callback style, for those who prefer callbacks to a receive loop. The callbacks of one
 * connection are called one at a time, in order, on one thread:
 *
 * <ul>
 *   <li>registered with {@link io.loomsocket.server.WebSocketServer.Builder#route(String, WebSocketListener)}
 *       or {@code .listener(...)}: on the connection's <em>reader thread</em> itself. One virtual
 *       thread per connection and no hand-off between threads per message: the cheapest way to
 *       serve many connections. A callback that blocks stops reading meanwhile (TCP then slows
 *       the peer down); inside a callback, {@link WebSocket#close} sends the close frame and
 *       returns without waiting for the reply, and {@link WebSocket#receive} is refused.
 *   <li>driven by {@link #run} (or {@link WebSocketHandler#of}): on the thread that calls it,
 *       for example a handler thread, from a receive loop.
 * </ul>
 *
 * Sends from inside a callback are fine. An echo server:
 *
 * <pre>{@code
 * WebSocketServer.builder().port(9001).listener(new WebSocketListener() {
 *     public void onText(WebSocket ws, String text) throws IOException {
 *         ws.sendText(text);
 *     }
 * }).start();
 * }</pre>
 */
public interface WebSocketListener {

    /** The connection is open (after the handshake). */
    default void onOpen(WebSocket ws) throws Exception {}

    /** A whole text message (fragments reassembled). */
    default void onText(WebSocket ws, String text) throws Exception {}

    /** A whole binary message; the array is the listener's to keep. */
    default void onBinary(WebSocket ws, byte[] data) throws Exception {}

    /** The connection closed, with the code and reason of {@link WebSocket#closeCode()}. Called once. */
    default void onClose(WebSocket ws, CloseCode code, String reason) {}

    /** A callback threw {@code error}; the connection is then closed with 1011 (Internal Error). */
    default void onError(WebSocket ws, Throwable error) {}

    /**
     * Drives {@code listener} over {@code ws} from a receive loop on the calling thread, until
     * the connection closes; then calls {@code onClose} and returns.
     */
    static void run(WebSocket ws, WebSocketListener listener) throws InterruptedException {
        try {
            listener.onOpen(ws);
            for (DataMessage m : ws) {
                switch (m) {
                    case Message.Text t -> listener.onText(ws, t.text());
                    case Message.Binary b -> listener.onBinary(ws, b.data());
                }
            }
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            listener.onError(ws, e);
            ws.close(CloseCode.INTERNAL_ERROR, "");
        } finally {
            ws.awaitClosed(Duration.ofDays(1));
            listener.onClose(ws, ws.closeCode(), ws.closeReason());
        }
    }
}
