package io.loomsocket.protocol;

/**
 * The states of a WebSocket connection.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.1">RFC 6455 §4.1</a> (CONNECTING, OPEN)
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-7.1.3">RFC 6455 §7.1.3</a> (CLOSING)
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-7.1.4">RFC 6455 §7.1.4</a> (CLOSED)
 */
public enum ConnectionState {
    /** The opening handshake has not completed. */
    CONNECTING,
    /** Messages flow both ways. */
    OPEN,
    /** A close frame was sent or received; the closing handshake is under way. */
    CLOSING,
    /** The transport is closed. */
    CLOSED
}
