package io.loomsocket;

/**
 * What a server does with each connection, in pull style: called on the connection's own
 * virtual thread (its <em>handler thread</em>) once the handshake has succeeded; a second
 * virtual thread, the reader, reads meanwhile and answers pings. When the handler returns, the
 * connection is closed with 1000 if still open; if it throws, the connection is closed with 1011
 * (the error is logged, never sent to the peer).
 *
 * <pre>{@code
 * WebSocketHandler echo = ws -> {
 *     for (DataMessage m : ws) {                // blocks for the next message; ends on close
 *         switch (m) {
 *             case Message.Text t -> ws.sendText(t.text());
 *             case Message.Binary b -> ws.sendBinary(b.data());
 *         }
 *     }
 * };
 * }</pre>
 *
 * For callbacks on the reader thread instead (one thread per connection), register a
 * {@link WebSocketListener} with the server builder's {@code route(path, listener)} or
 * {@code listener(listener)}.
 */
@FunctionalInterface
public interface WebSocketHandler {

    void handle(WebSocket ws) throws Exception;

    /**
     * A handler that drives {@code listener}'s callbacks from a receive loop on the handler
     * thread ({@link WebSocketListener#run}). To run them on the reader thread instead, give the
     * listener itself to the server builder.
     */
    static WebSocketHandler of(WebSocketListener listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        return ws -> WebSocketListener.run(ws, listener);
    }
}
