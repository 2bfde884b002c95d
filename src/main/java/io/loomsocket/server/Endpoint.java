package io.loomsocket.server;

import io.loomsocket.WebSocketHandler;
import io.loomsocket.WebSocketListener;

/** What serves a route: a pull-style handler on its own thread, or a listener on the reader thread. */
sealed interface Endpoint {

    /** {@link WebSocketHandler#handle} on the connection's handler thread; a reader thread beside it. */
    record Handler(WebSocketHandler handler) implements Endpoint {}

    /** Callbacks on the connection's reader thread: one thread per connection. */
    record Listener(WebSocketListener listener) implements Endpoint {}
}
