package io.loomsocket;

/**
 * What a server does with each connection: called on the connection's own virtual thread once
 * the handshake has succeeded. When it returns, the connection is closed with 1000 if still
 * open; if it throws, the connection is closed with 1011 (the error is logged, never sent).
 */
@FunctionalInterface
public interface WebSocketHandler {

    void handle(WebSocket ws) throws Exception;

    /**
     * A handler that drives callbacks, for those who prefer them to a receive loop. A server runs
     * the callbacks on the connection's reader thread itself (see {@link Listening}).
     */
    static WebSocketHandler of(WebSocketListener listener) {
        return new Listening(listener);
    }

    /**
     * Callbacks run on the thread that reads the connection: one virtual thread per connection
     * instead of two, and no hand-off between threads for each message — the cheapest way to
     * serve many connections. A callback that blocks stops reading meanwhile (TCP then slows the
     * peer down). Inside a callback, {@link WebSocket#close} sends the close frame and returns
     * without waiting for the peer's reply, and {@link WebSocket#receive} is not available.
     * Called directly (not by a server), {@link #handle} drives the callbacks from a receive loop.
     */
    record Listening(WebSocketListener listener) implements WebSocketHandler {

        public Listening {
            java.util.Objects.requireNonNull(listener, "listener");
        }

        @Override
        public void handle(WebSocket ws) throws Exception {
            WebSocketListener.run(ws, listener);
        }
    }
}
