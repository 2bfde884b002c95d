package io.loomsocket.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * An incremental UTF-8 validator that fails at the first byte that cannot begin or continue a
 * well-formed sequence, even when a message arrives in many frames and a frame in many reads.
 *
 * <p>"When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream is
 * not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_." The
 * accepted sequences are those of Unicode Table 3-7 (RFC 3629 §4): no overlong forms, no
 * surrogates (U+D800–DFFF), nothing above U+10FFFF.
 *
 * <p>State between calls is two small numbers: how many continuation bytes are still due, and
 * the range the next one must fall in (only the byte after E0, ED, F0 and F4 has a narrower
 * range than 80–BF). Runs of ASCII are skipped 8 bytes at a time.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-8.1">RFC 6455 §8.1</a>
 */
public final class Utf8Validator {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080_8080_8080_8080L;

    private int pending; // continuation bytes still due
    private int lo = 0x80; // allowed range of the next continuation byte
    private int hi = 0xBF;

    /** A validator at the start of a stream. */
    public Utf8Validator() {}

    /**
     * Validates the next piece of the stream.
     *
     * @throws ProtocolException {@link Violation#INVALID_UTF8} at the first invalid byte
     */
    public void update(byte[] buf, int off, int len) {
        int i = off;
        int end = off + len;
        int need = pending;
        while (i < end) {
            if (need == 0) {
                // ASCII fast path: 8 bytes with no high bit set are 8 complete characters.
                while (i + 8 <= end && ((long) LONGS.get(buf, i) & HIGH_BITS) == 0) {
                    i += 8;
                }
                if (i == end) {
                    break;
                }
                int b = buf[i++] & 0xFF;
                if (b < 0x80) {
                    continue;
                }
                if (b >= 0xC2 && b <= 0xDF) {
                    need = 1;
                    lo = 0x80;
                    hi = 0xBF;
                } else if (b >= 0xE0 && b <= 0xEF) {
                    need = 2;
                    lo = b == 0xE0 ? 0xA0 : 0x80; // E0 80..9F would be overlong
                    hi = b == 0xED ? 0x9F : 0xBF; // ED A0..BF would be a surrogate
                } else if (b >= 0xF0 && b <= 0xF4) {
                    need = 3;
                    lo = b == 0xF0 ? 0x90 : 0x80; // F0 80..8F would be overlong
                    hi = b == 0xF4 ? 0x8F : 0xBF; // F4 90.. would be above U+10FFFF
                } else {
                    pending = 0;
                    throw invalid(b, i - 1 - off);
                }
            } else {
                int b = buf[i++] & 0xFF;
                if (b < lo || b > hi) {
                    pending = 0;
                    throw invalid(b, i - 1 - off);
                }
                need--;
                lo = 0x80;
                hi = 0xBF;
            }
        }
        pending = need;
    }

    /** Whether the stream so far ends on a character boundary (no sequence left open). */
    public boolean isComplete() {
        return pending == 0;
    }

    /**
     * Marks the end of the stream (a text message's last frame, or a close reason).
     *
     * @throws ProtocolException {@link Violation#INVALID_UTF8} if a sequence was left truncated
     */
    public void finish() {
        if (pending != 0) {
            reset();
            throw new ProtocolException(Violation.INVALID_UTF8, "text ends inside a UTF-8 sequence");
        }
    }

    /** Forgets all state, ready for a new stream. */
    public void reset() {
        pending = 0;
        lo = 0x80;
        hi = 0xBF;
    }

    /** Validates one complete byte string. */
    public static boolean isValid(byte[] buf, int off, int len) {
        Utf8Validator v = new Utf8Validator();
        try {
            v.update(buf, off, len);
            return v.isComplete();
        } catch (ProtocolException e) {
            return false;
        }
    }

    private static ProtocolException invalid(int b, int index) {
        return new ProtocolException(Violation.INVALID_UTF8,
                "invalid UTF-8: byte 0x" + Integer.toHexString(b) + " at offset " + index);
    }
}
