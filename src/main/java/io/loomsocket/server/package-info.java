/** The WebSocket server: a {@link java.net.ServerSocket} and one virtual thread per connection. */
package io.loomsocket.server;
