package io.loomsocket;

/**
 * What a server does with each connection: called on the connection's own virtual thread once
 * the handshake has succeeded. When it returns, the connection is closed with 1000 if still
 * open; if it throws, the connection is closed with 1011 (the error is logged, never sent).
 */
@FunctionalInterface
public interface WebSocketHandler {

    void handle(WebSocket ws) throws Exception;

    /** A handler that drives callbacks, for those who prefer them to a receive loop. */
    static WebSocketHandler of(WebSocketListener listener) {
        return ws -> WebSocketListener.run(ws, listener);
    }
}
