package io.loomsocket.protocol;

/**
 * The six opcodes that RFC 6455 defines. Every other value is reserved.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-5.2">RFC 6455 §5.2</a>
 */
public enum Opcode {
    CONTINUATION(0x0),
    TEXT(0x1),
    BINARY(0x2),
    CLOSE(0x8),
    PING(0x9),
    PONG(0xA);

    private static final Opcode[] BY_BITS = new Opcode[16];

    static {
        for (Opcode op : values()) {
            BY_BITS[op.bits] = op;
        }
    }

    private final int bits;

    Opcode(int bits) {
        this.bits = bits;
    }

    /** The 4-bit value on the wire. */
    public int bits() {
        return bits;
    }

    /**
     * "Control frames are identified by opcodes where the most significant bit of the opcode
     * is 1."
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-5.5">RFC 6455 §5.5</a>
     */
    public boolean isControl() {
        return (bits & 0x8) != 0;
    }

    /** Text, binary or continuation: the frames that carry message data. */
    public boolean isData() {
        return !isControl();
    }

    /**
     * The opcode for the 4 low bits of {@code bits}.
     *
     * <p>"If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket
     * Connection_."
     *
     * @throws ProtocolException with {@link Violation#RESERVED_OPCODE} for %x3-7 and %xB-F
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-5.2">RFC 6455 §5.2</a>
     */
    public static Opcode of(int bits) {
        Opcode op = BY_BITS[bits & 0xF];
        if (op == null) {
            throw new ProtocolException(Violation.RESERVED_OPCODE, "reserved opcode 0x" + Integer.toHexString(bits & 0xF));
        }
        return op;
    }
}
