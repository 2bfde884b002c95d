package io.loomsocket.protocol;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The bulk of UTF-8 validation with the Vector API ({@code jdk.incubator.vector}), one SIMD
 * register of input at a time; {@link Utf8Validator} uses it when the module is present and does
 * the rest (the last bytes, sequences split between pieces, and finding the exact invalid byte).
 *
 * <p>Per register, as bit masks (one bit per byte): which bytes are continuation bytes
 * ({@code 10xxxxxx}), and which begin a sequence of at least 2, 3 and 4 bytes. A sequence of
 * length n beginning at byte p needs continuation bytes at p+1 … p+n-1, and every continuation
 * byte must be needed by exactly such a sequence; so the input is well-formed in structure
 * exactly when "needed" (with what the previous register's last sequence still needs) equals
 * "is a continuation byte". What structure cannot say comes from Unicode Table 3-7: the bytes
 * C0, C1 and F5–FF never occur, and the second byte after E0 is A0–BF (no overlong forms), after
 * ED 80–9F (no surrogates), after F0 90–BF (no overlong forms), after F4 80–8F (nothing above
 * U+10FFFF).
 *
 * <p>This class links only when the incubator module is in the boot layer; see
 * {@link Masking#usesVectorApi()}.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-8.1">RFC 6455 §8.1</a>
 */
final class VectorUtf8 {

    private static final VectorSpecies<Byte> SPECIES = ByteVector.SPECIES_PREFERRED.length() <= 64
            ? ByteVector.SPECIES_PREFERRED : ByteVector.SPECIES_512;
    private static final int LANES = SPECIES.length();
    private static final long LANE_BITS = LANES == 64 ? -1L : (1L << LANES) - 1;

    private VectorUtf8() {}

    /**
     * Validates from {@code start}, a character boundary, as far as whole registers go. Returns a
     * character boundary at or before the end of the input up to which everything is
     * well-formed; if the input is not well-formed, the first invalid byte lies within a few
     * registers after it.
     */
    static int validPrefix(byte[] buf, int start, int end) {
        int i = start;
        long carry = 0; // continuation bytes still needed at the start of this register
        // The register after the one at i is read too (shifted by 1): keep i + LANES < end.
        while (i + LANES < end) {
            ByteVector v = ByteVector.fromArray(SPECIES, buf, i);
            VectorMask<Byte> high = v.lt((byte) 0);
            if (!high.anyTrue()) {
                if (carry != 0) {
                    break; // ASCII where a continuation byte was needed
                }
                i += LANES;
                continue;
            }
            // Signed comparisons only (the unsigned operators were renamed between JDK
            // releases): as signed bytes, 80–BF are -128..-65 and C0–FF are -64..-1.
            long highBits = high.toLong();
            long cont = v.compare(VectorOperators.LT, (byte) 0xC0).toLong();
            long lead2 = v.compare(VectorOperators.GE, (byte) 0xC0).toLong() & highBits;
            long lead3 = v.compare(VectorOperators.GE, (byte) 0xE0).toLong() & highBits;
            long lead4 = v.compare(VectorOperators.GE, (byte) 0xF0).toLong() & highBits;
            long needed = carry | lead2 << 1 | lead3 << 2 | lead4 << 3;
            if ((needed & LANE_BITS) != cont) {
                break;
            }
            // The byte after each byte. Where it is not a continuation byte the structure check
            // fails (here or in the next register), so only continuation bytes need a range here.
            ByteVector next = ByteVector.fromArray(SPECIES, buf, i + 1);
            VectorMask<Byte> bad = v.compare(VectorOperators.GE, (byte) 0xF5).and(high)
                    .or(v.eq((byte) 0xC0))
                    .or(v.eq((byte) 0xC1))
                    .or(v.eq((byte) 0xE0).and(next.compare(VectorOperators.LT, (byte) 0xA0)))
                    .or(v.eq((byte) 0xED).and(next.compare(VectorOperators.GT, (byte) 0x9F)))
                    .or(v.eq((byte) 0xF0).and(next.compare(VectorOperators.LT, (byte) 0x90)))
                    .or(v.eq((byte) 0xF4).and(next.compare(VectorOperators.GT, (byte) 0x8F)));
            if (bad.anyTrue()) {
                break;
            }
            // Continuation bytes that the last sequences need in the next register.
            carry = lead2 >>> (LANES - 1) | lead3 >>> (LANES - 2) | lead4 >>> (LANES - 3);
            i += LANES;
        }
        if (carry != 0) {
            // i is inside a sequence: back up to its first byte, at most 3 bytes before i (all
            // bytes before i are well-formed, so the bytes between are continuation bytes).
            i--;
            while ((buf[i] & 0xC0) == 0x80) {
                i--;
            }
        }
        return i;
    }
}
