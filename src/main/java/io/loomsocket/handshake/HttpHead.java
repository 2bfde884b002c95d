package io.loomsocket.handshake;

/**
 * The head of an HTTP/1.1 message: its start line and header fields, without a body. A WebSocket
 * handshake is one request head and one response head; after them the connection carries frames.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc9112#section-2.1">RFC 9112 §2.1</a>
 */
public sealed interface HttpHead permits HttpRequestHead, HttpResponseHead {

    /** The protocol version, such as {@code HTTP/1.1}. */
    String version();

    HttpHeaders headers();
}
