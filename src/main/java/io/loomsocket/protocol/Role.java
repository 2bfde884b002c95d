package io.loomsocket.protocol;

/**
 * Which end of the connection we are. The roles differ in masking.
 *
 * <p>"A client MUST mask all frames that it sends to the server" and "A server MUST NOT mask
 * any frames that it sends to the client."
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-5.1">RFC 6455 §5.1</a>
 */
public enum Role {
    CLIENT,
    SERVER;

    /** Whether frames this role sends are masked. */
    public boolean masksOutgoing() {
        return this == CLIENT;
    }

    /** Whether frames this role receives must be masked. */
    public boolean expectsMaskedIncoming() {
        return this == SERVER;
    }
}
