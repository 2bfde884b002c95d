package io.loomsocket.protocol;

/**
 * Turns frames into bytes for one role: a server's frames go out unmasked, a client's masked
 * with a fresh key from its {@link MaskKeySource} for every frame.
 *
 * <p>The encoder checks nothing but the length: frames that break the rules can be encoded on
 * purpose (tests do). {@link Connection} checks the rules before it sends.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-------+-+-------------+-------------------------------+
 * |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 * |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 * |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 * | |1|2|3|       |K|             |                               |
 * +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 * |     Extended payload length continued, if payload len == 127  |
 * + - - - - - - - - - - - - - - - +-------------------------------+
 * |                               |Masking-key, if MASK set to 1  |
 * +-------------------------------+-------------------------------+
 * | Masking-key (continued)       |          Payload Data         |
 * +-------------------------------- - - - - - - - - - - - - - - - +
 * </pre>
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-5.2">RFC 6455 §5.2</a>
 */
public final class FrameEncoder {

    private final Role role;
    private final MaskKeySource keys;

    public FrameEncoder(Role role, MaskKeySource keys) {
        this.role = role;
        this.keys = keys;
    }

    /** A server's encoder: no masking, so no key source. */
    public static FrameEncoder server() {
        return new FrameEncoder(Role.SERVER, () -> {
            throw new IllegalStateException("servers do not mask");
        });
    }

    public Role role() {
        return role;
    }

    /** Bytes needed to encode a frame with {@code payloadLength} bytes of payload. */
    public int encodedSize(int payloadLength) {
        return PayloadLength.headerSize(payloadLength, role.masksOutgoing()) + payloadLength;
    }

    /** Encodes a whole frame into a new array of exactly the right size. */
    public byte[] encode(Frame frame) {
        return encode(frame.fin(), frame.rsv(), frame.opcode(), frame.payload(), 0, frame.payload().length);
    }

    /** Encodes a frame into a new array of exactly the right size: one allocation per frame. */
    public byte[] encode(boolean fin, int rsv, Opcode opcode, byte[] payload, int off, int len) {
        byte[] out = new byte[encodedSize(len)];
        encode(fin, rsv, opcode, payload, off, len, out, 0);
        return out;
    }

    /**
     * Encodes a frame into {@code out} at {@code outOff} and returns the number of bytes written.
     * A client's payload is masked while it is copied; the source is never modified.
     */
    public int encode(boolean fin, int rsv, Opcode opcode, byte[] payload, int off, int len, byte[] out, int outOff) {
        boolean masked = role.masksOutgoing();
        int key = masked ? keys.nextKey() : 0;
        int h = writeHeader(out, outOff, fin, rsv, opcode, len, masked, key);
        if (masked) {
            Masking.maskCopy(payload, off, out, outOff + h, len, key, 0);
        } else {
            System.arraycopy(payload, off, out, outOff + h, len);
        }
        return h + len;
    }

    /**
     * Writes a frame header and returns its size (2–14 bytes).
     *
     * <p>"the minimal number of bytes MUST be used to encode the length": always done here.
     */
    public static int writeHeader(byte[] out, int off, boolean fin, int rsv, Opcode opcode, long payloadLength, boolean masked, int key) {
        out[off] = (byte) ((fin ? 0x80 : 0) | (rsv & 0b111) << 4 | opcode.bits());
        int marker = PayloadLength.marker(payloadLength);
        out[off + 1] = (byte) ((masked ? 0x80 : 0) | marker);
        int p = off + 2;
        if (marker == 126) {
            out[p++] = (byte) (payloadLength >>> 8);
            out[p++] = (byte) payloadLength;
        } else if (marker == 127) {
            for (int shift = 56; shift >= 0; shift -= 8) {
                out[p++] = (byte) (payloadLength >>> shift);
            }
        }
        if (masked) {
            out[p++] = (byte) (key >>> 24);
            out[p++] = (byte) (key >>> 16);
            out[p++] = (byte) (key >>> 8);
            out[p++] = (byte) key;
        }
        return p - off;
    }
}
