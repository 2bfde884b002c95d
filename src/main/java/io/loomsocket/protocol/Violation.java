package io.loomsocket.protocol;

/**
 * One value for each rule of RFC 6455 whose violation fails the connection. Each carries the
 * close code it maps to and the section that states the rule, so that errors become close codes
 * in exactly one place ({@link #closeCode()}).
 */
public enum Violation {
    /** §5.2: RSV1–3 "MUST be 0 unless an extension is negotiated that defines meanings". */
    RESERVED_BITS(CloseCode.PROTOCOL_ERROR, "5.2"),
    /** §5.2: "If an unknown opcode is received, the receiving endpoint MUST _Fail_". */
    RESERVED_OPCODE(CloseCode.PROTOCOL_ERROR, "5.2"),
    /** §5.2: "the minimal number of bytes MUST be used to encode the length". */
    NON_MINIMAL_LENGTH(CloseCode.PROTOCOL_ERROR, "5.2"),
    /** §5.2: in the 64-bit length "the most significant bit MUST be 0". */
    LENGTH_TOO_LARGE(CloseCode.PROTOCOL_ERROR, "5.2"),
    /** §5.1: "The server MUST close the connection upon receiving a frame that is not masked." */
    UNMASKED_CLIENT_FRAME(CloseCode.PROTOCOL_ERROR, "5.1"),
    /** §5.1: "A client MUST close a connection if it detects a masked frame." */
    MASKED_SERVER_FRAME(CloseCode.PROTOCOL_ERROR, "5.1"),
    /** §5.5: "Control frames themselves MUST NOT be fragmented." */
    FRAGMENTED_CONTROL_FRAME(CloseCode.PROTOCOL_ERROR, "5.5"),
    /** §5.5: "All control frames MUST have a payload length of 125 bytes or less". */
    CONTROL_FRAME_TOO_LONG(CloseCode.PROTOCOL_ERROR, "5.5"),
    /** §5.4: a continuation frame arrived while no fragmented message was in progress. */
    UNEXPECTED_CONTINUATION(CloseCode.PROTOCOL_ERROR, "5.4"),
    /** §5.4: a new text or binary frame arrived inside a fragmented message. */
    EXPECTED_CONTINUATION(CloseCode.PROTOCOL_ERROR, "5.4"),
    /** §5.5.1: a close body, if present, starts with a 2-byte code, so 1 byte is malformed. */
    CLOSE_PAYLOAD_TOO_SHORT(CloseCode.PROTOCOL_ERROR, "5.5.1"),
    /** §7.4: a close code that is not valid on the wire (see {@link CloseCode#isValidOnWire()}). */
    INVALID_CLOSE_CODE(CloseCode.PROTOCOL_ERROR, "7.4"),
    /** §8.1: text frames and close reasons MUST be valid UTF-8. */
    INVALID_UTF8(CloseCode.INVALID_FRAME_PAYLOAD_DATA, "8.1"),
    /** §7.4.1 (1009): a frame longer than the configured maximum frame size. */
    FRAME_TOO_BIG(CloseCode.MESSAGE_TOO_BIG, "7.4.1"),
    /** §7.4.1 (1009): a message longer than the configured maximum message size. */
    MESSAGE_TOO_BIG(CloseCode.MESSAGE_TOO_BIG, "7.4.1"),
    /** RFC 7692 §7.2.2 (1007): compressed data that does not inflate. */
    INVALID_COMPRESSED_DATA(CloseCode.INVALID_FRAME_PAYLOAD_DATA, "RFC 7692 §7.2.2"),
    /** RFC 7692 §7.2.2 with §7.4.1 (1009): a compressed message that inflates past the maximum message size. */
    INFLATED_MESSAGE_TOO_BIG(CloseCode.MESSAGE_TOO_BIG, "RFC 7692 §7.2.2"),
    /**
     * RFC 7692 §6.1 (1002): "An endpoint MUST NOT set the "Per-Message Compressed" bit of control
     * frames"; receiving one fails the connection.
     */
    COMPRESSED_CONTROL_FRAME(CloseCode.PROTOCOL_ERROR, "RFC 7692 §6.1"),
    /**
     * RFC 7692 §6.1 (1002): nor "[of] non-first fragments of a data message"; receiving one fails
     * the connection.
     */
    COMPRESSED_CONTINUATION(CloseCode.PROTOCOL_ERROR, "RFC 7692 §6.1");

    private final CloseCode closeCode;
    private final String section;

    Violation(CloseCode closeCode, String section) {
        this.closeCode = closeCode;
        this.section = section;
    }

    /** The status code sent in the close frame when this rule is violated. */
    public CloseCode closeCode() {
        return closeCode;
    }

    /** The RFC 6455 section (or other RFC) that states the rule. */
    public String section() {
        return section;
    }
}
