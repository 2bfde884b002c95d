package io.loomsocket;

import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.Message;

/**
 * Callback style: each method is called on the connection's handler thread, in order. Sends from
 * inside a callback are fine.
 */
public interface WebSocketListener {

    default void onOpen(WebSocket ws) throws Exception {}

    default void onText(WebSocket ws, String text) throws Exception {}

    default void onBinary(WebSocket ws, byte[] data) throws Exception {}

    /** The connection closed, with the code and reason of {@link WebSocket#closeCode()}. */
    default void onClose(WebSocket ws, CloseCode code, String reason) {}

    /** A callback threw; the connection is then closed with 1011. */
    default void onError(WebSocket ws, Throwable error) {}

    /** Runs {@code listener} over {@code ws} until it closes. */
    static void run(WebSocket ws, WebSocketListener listener) throws InterruptedException {
        try {
            listener.onOpen(ws);
            for (Message m : ws) {
                switch (m) {
                    case Message.Text t -> listener.onText(ws, t.text());
                    case Message.Binary b -> listener.onBinary(ws, b.data());
                    case Message.Ping p -> {}
                    case Message.Pong p -> {}
                    case Message.Close c -> {}
                }
            }
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            listener.onError(ws, e);
            ws.close(CloseCode.INTERNAL_ERROR, "");
        } finally {
            ws.awaitClosed(java.time.Duration.ofDays(1));
            listener.onClose(ws, ws.closeCode(), ws.closeReason());
        }
    }
}
