package io.loomsocket.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

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
 * range than 80–BF). Fast paths, for speed only (every rejection is made, and reported at its
 * byte, by the byte-at-a-time state machine): with the Vector API present (see
 * {@link Masking#usesVectorApi()}), {@code VectorUtf8} validates the bulk of a long piece a SIMD
 * register at a time; then runs of ASCII are skipped 8 and 32 bytes at a time and a character
 * that lies wholly inside the piece is checked in one step ({@code wholeSequences}); the last
 * bytes of a piece, a sequence left open by the previous piece, and an invalid sequence go
 * through the state machine.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-8.1">RFC 6455 §8.1</a>
 */
public final class Utf8Validator {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080_8080_8080_8080L;

    /** Below this many bytes the scalar path alone is as fast. */
    private static final int VECTOR_MIN_LENGTH = 128;

    /**
     * For each first byte: bits 0–7 the length of its sequence (0 if it cannot begin one), bits
     * 8–15 and 16–23 the lowest and highest allowed second byte. From Unicode Table 3-7: C2–DF
     * then 80–BF; E0 then A0–BF (no overlong forms); E1–EC, EE–EF then 80–BF; ED then 80–9F (no
     * surrogates); F0 then 90–BF (no overlong forms); F1–F3 then 80–BF; F4 then 80–8F (nothing
     * above U+10FFFF). Every other byte has 0: no length, no allowed second byte.
     */
    private static final int[] LEADS = new int[256];

    static {
        for (int b = 0xC2; b <= 0xDF; b++) {
            LEADS[b] = lead(2, 0x80, 0xBF);
        }
        for (int b = 0xE0; b <= 0xEF; b++) {
            LEADS[b] = lead(3, b == 0xE0 ? 0xA0 : 0x80, b == 0xED ? 0x9F : 0xBF);
        }
        for (int b = 0xF0; b <= 0xF4; b++) {
            LEADS[b] = lead(4, b == 0xF0 ? 0x90 : 0x80, b == 0xF4 ? 0x8F : 0xBF);
        }
    }

    private static int lead(int length, int lo, int hi) {
        return length | lo << 8 | hi << 16;
    }

    /**
     * Whether {@link VectorUtf8} is used: when {@link Masking#usesVectorApi()} (the module is in
     * the boot layer and not turned off) and it links and agrees with the scalar path on a
     * self-check.
     */
    private static final boolean VECTOR = Masking.usesVectorApi() && vectorWorks();

    /** Whether the Vector API path is in use (for tests). */
    static boolean usesVectorApi() {
        return VECTOR;
    }

    private static boolean vectorWorks() {
        try {
            byte[] text = "ASCII, κόσμε, 你好, 🌍 ".repeat(20).getBytes(StandardCharsets.UTF_8);
            if (VectorUtf8.validPrefix(text, 0, text.length) < text.length - 130) {
                return false;
            }
            text[text.length / 2] = (byte) 0xC0; // never valid: the prefix must stop before it
            return VectorUtf8.validPrefix(text, 0, text.length) <= text.length / 2;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

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
        int end = off + len;
        int i = off;
        if (pending != 0) {
            // Finish the sequence the previous piece left open, byte by byte.
            i = stepwise(buf, off, i, Math.min(end, i + pending));
        }
        if (pending == 0) {
            if (VECTOR && end - i >= VECTOR_MIN_LENGTH) {
                i = VectorUtf8.validPrefix(buf, i, end);
            }
            i = wholeSequences(buf, i, end);
            // The last 3 bytes or fewer (a sequence may be cut by the end of this piece), or an
            // invalid sequence, which fails here at its first bad byte.
            i = stepwise(buf, off, i, end);
        }
        if (i != end) {
            throw new IllegalStateException("unreachable: " + i + " != " + end);
        }
    }

    /**
     * The fast path, between characters ({@code pending == 0}), while 8 bytes are left. It reads
     * 8 bytes at once: if none has its high bit set they are 8 ASCII characters (and the next 32
     * bytes are tried at once too); else the ASCII bytes before the first that has it are skipped
     * together, and the multi-byte sequence starting there is checked whole: its first byte gives
     * its length and, through {@link #LEADS}, the range of its second byte (Table 3-7); the bytes
     * after that must be continuation bytes. Returns where it stopped: at a character boundary
     * fewer than 8 bytes before {@code end}, or at the first byte of a sequence that is not
     * well-formed or not wholly in the input, which {@link #stepwise} then handles (and reports
     * at its exact byte).
     */
    static int wholeSequences(byte[] buf, int i, int end) {
        while (i + 8 <= end) {
            long high = (long) LONGS.get(buf, i) & HIGH_BITS;
            if (high == 0) {
                i += 8;
                while (i + 32 <= end && (((long) LONGS.get(buf, i) | (long) LONGS.get(buf, i + 8)
                        | (long) LONGS.get(buf, i + 16) | (long) LONGS.get(buf, i + 24)) & HIGH_BITS) == 0) {
                    i += 32;
                }
                continue;
            }
            i += Long.numberOfTrailingZeros(high) >>> 3; // little-endian: byte i is the lowest
            if (i + 4 > end) {
                return i;
            }
            int b = buf[i] & 0xFF;
            int lead = LEADS[b];
            int second = buf[i + 1] & 0xFF;
            if (second < ((lead >>> 8) & 0xFF) || second > (lead >>> 16)) {
                return i;
            }
            if (b < 0xE0) {
                if (b < 0xC2) { // a continuation byte with no lead, or C0/C1 (always overlong)
                    return i;
                }
                i += 2;
            } else if (b < 0xF0) {
                if ((buf[i + 2] & 0xC0) != 0x80) {
                    return i;
                }
                i += 3;
            } else {
                if (b > 0xF4 || (buf[i + 2] & 0xC0) != 0x80 || (buf[i + 3] & 0xC0) != 0x80) {
                    return i;
                }
                i += 4;
            }
        }
        return i;
    }

    /**
     * The byte-at-a-time state machine, for sequences split between pieces: validates
     * {@code buf[i, stop)} and keeps the state in the fields. Returns {@code stop}.
     */
    private int stepwise(byte[] buf, int off, int i, int stop) {
        int need = pending;
        while (i < stop) {
            int b = buf[i++] & 0xFF;
            if (need == 0) {
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
                    reset();
                    throw invalid(b, i - 1 - off);
                }
            } else {
                if (b < lo || b > hi) {
                    reset();
                    throw invalid(b, i - 1 - off);
                }
                need--;
                lo = 0x80;
                hi = 0xBF;
            }
        }
        pending = need;
        return i;
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
