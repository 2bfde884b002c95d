package io.loomsocket.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

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
 * <p>{@link #maskReference} is the plain byte loop of the RFC and the test oracle; {@link #mask}
 * XORs 8 bytes at a time through a {@link VarHandle} view of the array (unaligned reads are
 * fine), which is what the decoder and encoder use.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-5.3">RFC 6455 §5.3</a>
 */
public final class Masking {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private Masking() {}

    /** The RFC's loop, one byte at a time. Returns the key index for the byte after the range. */
    public static int maskReference(byte[] buf, int off, int len, int key, int keyIndex) {
        for (int i = 0; i < len; i++) {
            int j = (keyIndex + i) & 3;
            buf[off + i] ^= (byte) (key >>> (24 - 8 * j));
        }
        return (keyIndex + len) & 3;
    }

    /** Masks {@code buf[off, off+len)} in place, 8 bytes at a time. Returns the next key index. */
    public static int mask(byte[] buf, int off, int len, int key, int keyIndex) {
        return maskCopy(buf, off, buf, off, len, key, keyIndex);
    }

    /**
     * Masks {@code src[srcOff, srcOff+len)} into {@code dst[dstOff, ...)} (which may be the same
     * range of the same array), 8 bytes at a time. Returns the next key index.
     */
    public static int maskCopy(byte[] src, int srcOff, byte[] dst, int dstOff, int len, int key, int keyIndex) {
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
