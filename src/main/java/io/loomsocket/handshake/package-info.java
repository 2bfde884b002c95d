/**
 * The WebSocket opening handshake (RFC 6455 §4), without I/O: bytes in, heads and decisions out,
 * bytes to send back.
 *
 * <p>Server side: feed the connection's first bytes to {@link
 * io.loomsocket.handshake.HttpHeadParser#forRequest()} until it is complete (what it did not
 * consume are already frames), pass the head to {@link
 * io.loomsocket.handshake.ServerHandshake#validate}, and write either {@link
 * io.loomsocket.handshake.ServerHandshake#accept} or, on a {@link
 * io.loomsocket.handshake.HandshakeException}, its {@code toHttpResponse()}.
 *
 * <p>Client side: write {@link io.loomsocket.handshake.ClientHandshake#requestBytes()}, parse the
 * answer with {@link io.loomsocket.handshake.HttpHeadParser#forResponse()}, and pass it to {@link
 * io.loomsocket.handshake.ClientHandshake#validate}.
 *
 * <p>Nothing here touches a socket, a thread or {@code java.net}.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4">RFC 6455 §4</a>
 */
package io.loomsocket.handshake;
