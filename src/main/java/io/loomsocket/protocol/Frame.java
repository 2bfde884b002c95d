package io.loomsocket.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One frame as it appears on the wire, minus the mask (RFC 6455 §5.2). The payload is the
 * unmasked application data.
 *
 * <p>A frame may break the rules (a fragmented ping, a 200-byte close): this is a value for
 * encoding and decoding, and rules are checked by {@link Connection}. {@code equals},
 * {@code hashCode} and {@code toString} compare and print the payload's contents.
 *
 * @param fin whether this is the final fragment of a message
 * @param rsv the three reserved bits, RSV1 = {@value #RSV1}, RSV2 = {@value #RSV2}, RSV3 =
 *     {@value #RSV3}
 * @param opcode the frame type
 * @param payload the unmasked payload
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-5.2">RFC 6455 §5.2</a>
 */
public record Frame(boolean fin, int rsv, Opcode opcode, byte[] payload) {

    public static final int RSV1 = 0b100;
    public static final int RSV2 = 0b010;
    public static final int RSV3 = 0b001;

    public Frame {
        if ((rsv & ~0b111) != 0) {
            throw new IllegalArgumentException("rsv must be 3 bits: " + rsv);
        }
        if (opcode == null || payload == null) {
            throw new NullPointerException("opcode and payload are required");
        }
    }

    /** A final frame with no reserved bits. */
    public Frame(Opcode opcode, byte[] payload) {
        this(true, 0, opcode, payload);
    }

    public static Frame text(String text) {
        return new Frame(Opcode.TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    public static Frame binary(byte[] data) {
        return new Frame(Opcode.BINARY, data);
    }

    public static Frame close(CloseCode code, String reason) {
        return new Frame(Opcode.CLOSE, CloseBody.encode(code, reason));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && fin == f.fin && rsv == f.rsv && opcode == f.opcode && Arrays.equals(payload, f.payload);
    }

    @Override
    public int hashCode() {
        return ((Boolean.hashCode(fin) * 31 + rsv) * 31 + opcode.hashCode()) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        String shown = payload.length <= 32 ? HexFormat.of().formatHex(payload)
                : HexFormat.of().formatHex(payload, 0, 32) + "...";
        return "Frame[" + opcode + (fin ? "" : " !fin") + (rsv != 0 ? " rsv=" + rsv : "")
                + ", " + payload.length + " bytes " + shown + "]";
    }
}
