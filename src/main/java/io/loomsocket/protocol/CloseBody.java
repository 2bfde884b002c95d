package io.loomsocket.protocol;

import java.nio.charset.StandardCharsets;

/**
 * The body of a Close frame: an optional 2-byte status code and an optional UTF-8 reason.
 *
 * <p>"If there is a body, the first two bytes of the body MUST be a 2-byte unsigned integer (in
 * network byte order) representing a status code [...] Following the 2-byte integer, the body
 * MAY contain UTF-8-encoded data".
 *
 * @param code the status code, or {@link CloseCode#NO_STATUS_RCVD} for an empty body
 * @param reason the reason, empty when there is none
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-5.5.1">RFC 6455 §5.5.1</a>
 */
public record CloseBody(CloseCode code, String reason) {

    /** The longest reason that fits a control frame: 125 bytes less the 2-byte code. */
    public static final int MAX_REASON_BYTES = 123;

    /** An empty close body. */
    public static final CloseBody EMPTY = new CloseBody(CloseCode.NO_STATUS_RCVD, "");

    /**
     * Parses and checks a received body.
     *
     * @throws ProtocolException {@link Violation#CLOSE_PAYLOAD_TOO_SHORT} for 1 byte,
     *     {@link Violation#INVALID_CLOSE_CODE} for a code not valid on the wire,
     *     {@link Violation#INVALID_UTF8} for a reason that is not UTF-8
     */
    public static CloseBody parse(byte[] payload, int off, int len) {
        if (len == 0) {
            return EMPTY;
        }
        if (len == 1) {
            throw new ProtocolException(Violation.CLOSE_PAYLOAD_TOO_SHORT, "close frame body of 1 byte");
        }
        CloseCode code = new CloseCode((payload[off] & 0xFF) << 8 | (payload[off + 1] & 0xFF));
        if (!code.isValidOnWire()) {
            throw new ProtocolException(Violation.INVALID_CLOSE_CODE, "close code " + code.code() + " is not valid on the wire");
        }
        Utf8Validator utf8 = new Utf8Validator();
        utf8.update(payload, off + 2, len - 2);
        utf8.finish();
        return new CloseBody(code, new String(payload, off + 2, len - 2, StandardCharsets.UTF_8));
    }

    /**
     * Encodes a body to send. {@link CloseCode#NO_STATUS_RCVD} encodes as an empty body (and then
     * the reason must be empty).
     *
     * @throws IllegalArgumentException for a code that may not be sent, or a reason over 123 bytes
     */
    public static byte[] encode(CloseCode code, String reason) {
        String r = reason == null ? "" : reason;
        if (code.equals(CloseCode.NO_STATUS_RCVD)) {
            if (!r.isEmpty()) {
                throw new IllegalArgumentException("a reason needs a status code");
            }
            return new byte[0];
        }
        if (!code.isValidOnWire()) {
            throw new IllegalArgumentException("close code " + code + " may not be sent on the wire");
        }
        byte[] reasonBytes = r.getBytes(StandardCharsets.UTF_8);
        if (reasonBytes.length > MAX_REASON_BYTES) {
            throw new IllegalArgumentException("close reason is " + reasonBytes.length + " bytes; at most " + MAX_REASON_BYTES + " fit");
        }
        byte[] body = new byte[2 + reasonBytes.length];
        body[0] = (byte) (code.code() >>> 8);
        body[1] = (byte) code.code();
        System.arraycopy(reasonBytes, 0, body, 2, reasonBytes.length);
        return body;
    }

    /** This body's bytes. */
    public byte[] encode() {
        return encode(code, reason);
    }
}
