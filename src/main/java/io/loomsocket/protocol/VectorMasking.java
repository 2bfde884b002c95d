package io.loomsocket.protocol;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Masking with the Vector API ({@code jdk.incubator.vector}): one SIMD register of payload per
 * step, XORed with the key repeated across the register.
 *
 * <p>"Octet i of the transformed data is the XOR of octet i of the original data with octet at
 * index i modulo 4 of the masking key". A register holds a multiple of 4 bytes, so after the key
 * is rotated for {@code keyIndex} one key register serves every step; the tail shorter than a
 * register goes to {@link Masking#maskCopyScalar}.
 *
 * <p>This class links only when the incubator module is in the boot layer
 * ({@code --add-modules jdk.incubator.vector}). Call {@link Masking#mask} or
 * {@link Masking#maskCopy}, which use this class when it is usable and the 8-byte path
 * otherwise; this class is public only so that benchmarks and tests can measure it directly.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-5.3">RFC 6455 §5.3</a>
 */
public final class VectorMasking {

    private static final VectorSpecies<Byte> SPECIES = ByteVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final VectorSpecies<Integer> INTS = SPECIES.withLanes(int.class);
    /**
     * Whether an int lane reinterpreted as 4 byte lanes puts its least significant byte first;
     * found out once rather than assumed, so that key octet 0 lands in byte lane 0.
     */
    private static final boolean INT_LANES_LITTLE_ENDIAN =
            IntVector.broadcast(INTS, 0x01020304).reinterpretAsBytes().lane(0) == 0x04;

    private VectorMasking() {}

    /** Bytes per SIMD step on this machine (16, 32 or 64). */
    public static int lanes() {
        return LANES;
    }

    /** Masks {@code buf[off, off+len)} in place. Returns the next key index. */
    public static int mask(byte[] buf, int off, int len, int key, int keyIndex) {
        return maskCopy(buf, off, buf, off, len, key, keyIndex);
    }

    /**
     * Masks {@code src[srcOff, srcOff+len)} into {@code dst[dstOff, ...)}, which may be the same
     * range of the same array. Returns the next key index.
     */
    public static int maskCopy(byte[] src, int srcOff, byte[] dst, int dstOff, int len, int key, int keyIndex) {
        if ((srcOff | dstOff | len) < 0 || srcOff > src.length - len || dstOff > dst.length - len) {
            throw new IndexOutOfBoundsException("range out of bounds");
        }
        int i = 0;
        int bound = len - LANES; // last start of a whole register: i <= bound
        if (bound >= 0) {
            int rotated = Integer.rotateLeft(key, 8 * (keyIndex & 3));
            ByteVector keys = IntVector.broadcast(INTS, INT_LANES_LITTLE_ENDIAN ? Integer.reverseBytes(rotated) : rotated)
                    .reinterpretAsBytes();
            for (; i <= bound; i += LANES) {
                ByteVector.fromArray(SPECIES, src, srcOff + i)
                        .lanewise(VectorOperators.XOR, keys)
                        .intoArray(dst, dstOff + i);
            }
        }
        // i is a multiple of 4: the key index for the tail is still keyIndex.
        Masking.maskCopyScalar(src, srcOff + i, dst, dstOff + i, len - i, key, keyIndex);
        return (keyIndex + len) & 3;
    }
}
