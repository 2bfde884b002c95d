/** The WebSocket client: {@code ws://} over a {@link java.net.Socket}. */
package io.loomsocket.client;
