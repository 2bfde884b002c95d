package io.loomsocket.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Client-to-server masking, a pure function.
 *
 * <p>"Octet i of the transformed data ("transformed-octet-i") is the XOR of octet i of the
 * original data ("original-octet-i") with octet at index i modulo 4 of the masking key
 * ("masking-key-octet-j"): j = i MOD 4". Masking and unmasking are the same operation.
 *
 * <p>The key is an {@code int} whose most significant byte is key octet 0, as it appears on the
 * wire. {@code keyIndex} (0–3) says which key octet applies to the first byte, so that a payload
 * can be masked in pieces: each call returns the key index for the next piece.
 *
 * <p>{@link #maskReference} is the plain byte loop of the RFC and the test oracle.
 * {@link #maskCopyScalar} XORs 8 bytes at a time through a {@link VarHandle} view of the array
 * (unaligned reads are fine). {@link #mask} and {@link #maskCopy}, which the decoder and encoder
 * use, take {@link VectorMasking} (one SIMD register at a time) for ranges of at least
 * {@value #VECTOR_MIN_LENGTH} bytes when the Vector API is usable, and the 8-byte path
 * otherwise. The Vector API is usable when the incubator module {@code jdk.incubator.vector} is
 * in the boot layer ({@code java --add-modules jdk.incubator.vector ...}), the class links, and
 * a self-check against {@link #maskReference} passes; {@code -Dloomsocket.vectorApi=false}
 * turns it off. Without the module the library runs unchanged on the 8-byte path.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-5.3">RFC 6455 §5.3</a>
 */
public final class Masking {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    /**
     * Below this many bytes the 8-byte path is as fast or faster (C2 vectorizes its loop by
     * itself). MaskingBenchmark on a Zen 5 core with AVX-512, JDK 25, median ns per op of two
     * forks: 125 bytes 9.2 (8-byte) vs 11.3 (vector); 1 KiB 12.9 vs 6.5–10.6; 16 KiB 99 vs
     * 63–94; 1 MiB 38,000 vs 7,900 (the vector path's spread is between forks: where the array
     * lies relative to cache lines).
     */
    static final int VECTOR_MIN_LENGTH = 1024;

    /**
     * Name of the system property that can turn the Vector API paths off ({@code false}): this
     * class's and {@link Utf8Validator}'s.
     */
    public static final String VECTOR_PROPERTY = "loomsocket.vectorApi";

    private static final boolean VECTOR = vectorUsable();

    private Masking() {}

    /** Which implementation {@link #mask} and {@link #maskCopy} use: {@code "vector"} or {@code "8-byte"}. */
    public static String implementation() {
        return VECTOR ? "vector" : "8-byte";
    }

    /**
     * Whether the Vector API is used: the module is in the boot layer, {@value #VECTOR_PROPERTY}
     * is not {@code false}, and the self-check passed. {@link #mask} and {@link #maskCopy} then
     * use it for long ranges, and {@link Utf8Validator} for long pieces.
     */
    public static boolean usesVectorApi() {
        return VECTOR;
    }

    private static boolean vectorUsable() {
        if ("false".equalsIgnoreCase(System.getProperty(VECTOR_PROPERTY))) {
            return false;
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return false;
        }
        try {
            // Link VectorMasking and check it once against the reference, at every key index.
            for (int keyIndex = 0; keyIndex < 4; keyIndex++) {
                byte[] a = new byte[301];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (byte) (i * 31 + 7);
                }
                byte[] b = a.clone();
                int next = VectorMasking.mask(a, 3, 290, 0x9E3779B9, keyIndex);
                int expected = maskReference(b, 3, 290, 0x9E3779B9, keyIndex);
                if (next != expected || !Arrays.equals(a, b)) {
                    return false;
                }
            }
            return true;
        } catch (LinkageError | RuntimeException e) {
            return false; // module not readable, class not linkable, unsupported platform
        }
    }

    /** The RFC's loop, one byte at a time. Returns the key index for the byte after the range. */
    public static int maskReference(byte[] buf, int off, int len, int key, int keyIndex) {
        for (int i = 0; i < len; i++) {
            int j = (keyIndex + i) & 3;
            buf[off + i] ^= (byte) (key >>> (24 - 8 * j));
        }
        return (keyIndex + len) & 3;
    }

    /**
     * Masks {@code buf[off, off+len)} in place with the fastest usable path (Vector API or 8 bytes
     * at a time). Returns the next key index.
     */
    public static int mask(byte[] buf, int off, int len, int key, int keyIndex) {
        return maskCopy(buf, off, buf, off, len, key, keyIndex);
    }

    /**
     * Masks {@code src[srcOff, srcOff+len)} into {@code dst[dstOff, ...)} (which may be the same
     * range of the same array) with the fastest usable path. Returns the next key index.
     */
    public static int maskCopy(byte[] src, int srcOff, byte[] dst, int dstOff, int len, int key, int keyIndex) {
        if (VECTOR && len >= VECTOR_MIN_LENGTH) {
            return VectorMasking.maskCopy(src, srcOff, dst, dstOff, len, key, keyIndex);
        }
        return maskCopyScalar(src, srcOff, dst, dstOff, len, key, keyIndex);
    }

    /** {@link #maskCopyScalar} in place: 8 bytes at a time, whatever the Vector API's presence. */
    public static int maskScalar(byte[] buf, int off, int len, int key, int keyIndex) {
        return maskCopyScalar(buf, off, buf, off, len, key, keyIndex);
    }

    /**
     * Masks {@code src[srcOff, srcOff+len)} into {@code dst[dstOff, ...)} (which may be the same
     * range of the same array), 8 bytes at a time. Returns the next key index.
     */
    public static int maskCopyScalar(byte[] src, int srcOff, byte[] dst, int dstOff, int len, int key, int keyIndex) {
        if ((srcOff | dstOff | len) < 0 || srcOff > src.length - len || dstOff > dst.length - len) {
            throw new IndexOutOfBoundsException("range out of bounds");
        }
        // Rotate the key so that its first byte is the one that applies at keyIndex; since 8 is a
        // multiple of 4, the same 8-byte mask then applies to every 8-byte block.
        int rotated = Integer.rotateLeft(key, 8 * (keyIndex & 3));
        long mask8 = ((long) rotated << 32) | (rotated & 0xFFFF_FFFFL);
        int i = 0;
        for (int end = len - 7; i < end; i += 8) {
            LONGS.set(dst, dstOff + i, (long) LONGS.get(src, srcOff + i) ^ mask8);
        }
        for (; i < len; i++) {
            dst[dstOff + i] = (byte) (src[srcOff + i] ^ (rotated >>> (24 - 8 * (i & 3))));
        }
        return (keyIndex + len) & 3;
    }
}
