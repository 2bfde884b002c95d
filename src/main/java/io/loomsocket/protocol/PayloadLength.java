package io.loomsocket.protocol;

/**
 * The three encodings of the payload length: 7 bits, 7+16 bits, 7+64 bits.
 *
 * <p>"The length of the "Payload data", in bytes: if 0-125, that is the payload length. If 126,
 * the following 2 bytes interpreted as a 16-bit unsigned integer are the payload length. If 127,
 * the following 8 bytes interpreted as a 64-bit unsigned integer (the most significant bit MUST
 * be 0) are the payload length. [...] the minimal number of bytes MUST be used to encode the
 * length".
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-5.2">RFC 6455 §5.2</a>
 */
public enum PayloadLength {
    /** 0–125, in the 7-bit field itself. */
    SEVEN_BIT(0, 0, 125),
    /** 126–65535: marker 126, then 2 bytes. */
    SIXTEEN_BIT(2, 126, 0xFFFF),
    /** 65536–2^63-1: marker 127, then 8 bytes. */
    SIXTY_FOUR_BIT(8, 127, Long.MAX_VALUE);

    private final int extendedBytes;
    private final int marker;
    private final long max;

    PayloadLength(int extendedBytes, int marker, long max) {
        this.extendedBytes = extendedBytes;
        this.marker = marker;
        this.max = max;
    }

    /** The bytes that follow the 7-bit field. */
    public int extendedBytes() {
        return extendedBytes;
    }

    /** The largest length this encoding may carry. */
    public long max() {
        return max;
    }

    /** The minimal encoding for {@code length}: the one a sender MUST use. */
    public static PayloadLength forLength(long length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative payload length " + length);
        }
        return length <= 125 ? SEVEN_BIT : length <= 0xFFFF ? SIXTEEN_BIT : SIXTY_FOUR_BIT;
    }

    /** The encoding announced by the 7-bit field {@code len7} (0–127). */
    public static PayloadLength ofMarker(int len7) {
        return len7 < 126 ? SEVEN_BIT : len7 == 126 ? SIXTEEN_BIT : SIXTY_FOUR_BIT;
    }

    /** The value of the 7-bit field for {@code length}. */
    public static int marker(long length) {
        PayloadLength enc = forLength(length);
        return enc == SEVEN_BIT ? (int) length : enc.marker;
    }

    /**
     * Checks that a length decoded with this encoding is minimal and fits in 63 bits.
     *
     * @throws ProtocolException {@link Violation#LENGTH_TOO_LARGE} if the most significant bit is
     *     set, {@link Violation#NON_MINIMAL_LENGTH} if a shorter encoding would have done
     */
    public void checkDecoded(long length) {
        if (length < 0) {
            throw new ProtocolException(Violation.LENGTH_TOO_LARGE, "64-bit payload length has its most significant bit set");
        }
        if (forLength(length) != this) {
            throw new ProtocolException(Violation.NON_MINIMAL_LENGTH, "payload length " + length + " not minimally encoded in " + name());
        }
    }

    /** Size of a frame header: 2 bytes, the extended length, and 4 bytes of mask key if masked. */
    public static int headerSize(long payloadLength, boolean masked) {
        return 2 + forLength(payloadLength).extendedBytes + (masked ? 4 : 0);
    }
}
