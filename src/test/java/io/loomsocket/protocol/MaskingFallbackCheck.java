package io.loomsocket.protocol;

import java.util.Arrays;
import java.util.Random;

/**
 * Run in a child JVM by {@link VectorMaskingTest}: prints {@code OK <implementation>} if
 * {@link Masking#mask} and {@link Masking#maskCopy} match {@link Masking#maskReference} over many
 * lengths, offsets and key indexes with whichever path this JVM selected; exits 1 otherwise.
 */
final class MaskingFallbackCheck {

    private MaskingFallbackCheck() {}

    public static void main(String[] args) {
        Random random = new Random(74);
        for (int off = 0; off < 9; off++) {
            for (int len = 0; len <= 400; len++) {
                for (int keyIndex = 0; keyIndex < 4; keyIndex++) {
                    int key = random.nextInt();
                    byte[] data = new byte[off + len + 8];
                    random.nextBytes(data);
                    byte[] expected = data.clone();
                    int next = Masking.maskReference(expected, off, len, key, keyIndex);
                    byte[] actual = data.clone();
                    byte[] copy = new byte[len];
                    if (Masking.mask(actual, off, len, key, keyIndex) != next
                            || Masking.maskCopy(data, off, copy, 0, len, key, keyIndex) != next
                            || !Arrays.equals(actual, expected)
                            || !Arrays.equals(copy, 0, len, expected, off, off + len)) {
                        System.out.println("MISMATCH " + Masking.implementation() + " off=" + off + " len=" + len + " keyIndex=" + keyIndex);
                        System.exit(1);
                    }
                }
            }
        }
        // Lengths past Masking.VECTOR_MIN_LENGTH, where the vector path (if selected) is used.
        for (int len : new int[] {Masking.VECTOR_MIN_LENGTH - 1, Masking.VECTOR_MIN_LENGTH, 40_003, 70_001, 1 << 20}) {
            for (int keyIndex = 0; keyIndex < 4; keyIndex++) {
                int key = random.nextInt();
                byte[] data = new byte[len + 11];
                random.nextBytes(data);
                byte[] expected = data.clone();
                int next = Masking.maskReference(expected, 5, len, key, keyIndex);
                byte[] actual = data.clone();
                if (Masking.mask(actual, 5, len, key, keyIndex) != next || !Arrays.equals(actual, expected)) {
                    System.out.println("MISMATCH " + Masking.implementation() + " len=" + len + " keyIndex=" + keyIndex);
                    System.exit(1);
                }
            }
        }
        System.out.println("OK " + Masking.implementation());
    }
}
