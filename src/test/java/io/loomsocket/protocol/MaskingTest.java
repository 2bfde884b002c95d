package io.loomsocket.protocol;

import static io.loomsocket.protocol.FrameTesting.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Masking} against its byte-loop reference (RFC 6455 §5.3), and {@link MaskKeySource}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MaskingTest {

    private static final int GUARD = 16;

    @Test
    void masksTheRfcHelloWithKey37fa213d() {
        byte[] hello = "Hello".getBytes(StandardCharsets.US_ASCII);
        assertThat(Masking.mask(hello, 0, 5, 0x37fa213d, 0)).isEqualTo(1);
        assertThat(hello).isEqualTo(hex("7f 9f 4d 51 58"));
        byte[] again = "Hello".getBytes(StandardCharsets.US_ASCII);
        Masking.maskReference(again, 0, 5, 0x37fa213d, 0);
        assertThat(again).isEqualTo(hex("7f 9f 4d 51 58"));
    }

    @ParameterizedTest(name = "keyIndex {0}")
    @CsvSource({
            "0, 01020304 01020304 01020304",
            "1, 02030401 02030401 02030401",
            "2, 03040102 03040102 03040102",
            "3, 04010203 04010203 04010203",
    })
    void theKeyIndexSaysWhichKeyOctetAppliesToTheFirstByte(int keyIndex, String expected) {
        // Masking zeros shows the key stream itself. 12 bytes: some of the 8-byte path and the tail.
        byte[] zeros = new byte[12];
        assertThat(Masking.mask(zeros, 0, 12, 0x01020304, keyIndex)).isEqualTo(keyIndex);
        assertThat(zeros).isEqualTo(hex(expected));
        byte[] reference = new byte[12];
        Masking.maskReference(reference, 0, 12, 0x01020304, keyIndex);
        assertThat(reference).isEqualTo(hex(expected));
        byte[] copied = new byte[14];
        Masking.maskCopy(new byte[12], 0, copied, 1, 12, 0x01020304, keyIndex);
        assertThat(Arrays.copyOfRange(copied, 1, 13)).isEqualTo(hex(expected));
    }

    @Test
    void maskMatchesTheReferenceAtEveryOffset0To15EveryLength0To64AndEveryKeyIndex() {
        Random random = new Random(53);
        int cases = 0;
        for (int off = 0; off < 16; off++) {
            for (int len = 0; len <= 64; len++) {
                for (int keyIndex = 0; keyIndex < 4; keyIndex++) {
                    int key = random.nextInt();
                    byte[] data = new byte[off + len + GUARD];
                    random.nextBytes(data);
                    byte[] expected = data.clone();
                    int expectedNext = Masking.maskReference(expected, off, len, key, keyIndex);
                    assertThat(expectedNext).isEqualTo((keyIndex + len) & 3);

                    byte[] actual = data.clone();
                    int next = Masking.mask(actual, off, len, key, keyIndex);
                    assertThat(next).isEqualTo(expectedNext);
                    if (!Arrays.equals(actual, expected)) { // the whole array: bytes outside the range stay
                        throw new AssertionError("mask off=" + off + " len=" + len + " keyIndex=" + keyIndex + " key=" + Integer.toHexString(key)
                                + ": " + hex(actual) + " != " + hex(expected));
                    }
                    cases++;
                }
            }
        }
        assertThat(cases).isEqualTo(16 * 65 * 4);
    }

    @Test
    void maskCopyMatchesTheReferenceAtEverySourceAndDestinationOffsetLengthAndKeyIndex() {
        Random random = new Random(54);
        for (int srcOff = 0; srcOff < 16; srcOff++) {
            int dstOff = (srcOff * 7 + 3) % 16; // every destination offset too, unrelated to the source's
            for (int len = 0; len <= 64; len++) {
                for (int keyIndex = 0; keyIndex < 4; keyIndex++) {
                    int key = random.nextInt();
                    byte[] src = new byte[srcOff + len + GUARD];
                    random.nextBytes(src);
                    byte[] srcBefore = src.clone();
                    byte[] dst = new byte[dstOff + len + GUARD];
                    random.nextBytes(dst);

                    byte[] expected = dst.clone();
                    System.arraycopy(src, srcOff, expected, dstOff, len);
                    Masking.maskReference(expected, dstOff, len, key, keyIndex);

                    int next = Masking.maskCopy(src, srcOff, dst, dstOff, len, key, keyIndex);
                    assertThat(next).isEqualTo((keyIndex + len) & 3);
                    assertThat(src).as("source untouched").isEqualTo(srcBefore);
                    if (!Arrays.equals(dst, expected)) {
                        throw new AssertionError("maskCopy srcOff=" + srcOff + " dstOff=" + dstOff + " len=" + len
                                + " keyIndex=" + keyIndex + ": " + hex(dst) + " != " + hex(expected));
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1000, 4099, 65536, 65537, (1 << 20) + 5})
    void masksLargeBuffersLikeTheReference(int len) {
        Random random = new Random(len);
        for (int off : new int[] {0, 3, 8, 13}) {
            for (int keyIndex = 0; keyIndex < 4; keyIndex++) {
                int key = random.nextInt();
                byte[] data = new byte[off + len + 5];
                random.nextBytes(data);
                byte[] expected = data.clone();
                Masking.maskReference(expected, off, len, key, keyIndex);
                byte[] actual = data.clone();
                assertThat(Masking.mask(actual, off, len, key, keyIndex)).isEqualTo((keyIndex + len) & 3);
                FrameTesting.assertSameBytes(actual, expected, "mask of " + len + " bytes at " + off);
                byte[] copy = new byte[len + 2];
                Masking.maskCopy(data, off, copy, 2, len, key, keyIndex);
                FrameTesting.assertSameBytes(Arrays.copyOfRange(copy, 2, len + 2), Arrays.copyOfRange(expected, off, off + len),
                        "maskCopy of " + len + " bytes at " + off);
            }
        }
    }

    @Test
    void maskingTwiceWithTheSameKeyAndIndexIsTheIdentity() {
        Random random = new Random(55);
        for (int i = 0; i < 2_000; i++) {
            int len = random.nextInt(300);
            int off = random.nextInt(16);
            int key = random.nextInt();
            int keyIndex = random.nextInt(4);
            byte[] data = new byte[off + len];
            random.nextBytes(data);
            byte[] original = data.clone();
            Masking.mask(data, off, len, key, keyIndex);
            if (len >= 8 && key != 0) {
                assertThat(data).isNotEqualTo(original);
            }
            Masking.mask(data, off, len, key, keyIndex);
            assertThat(data).isEqualTo(original);
            Masking.maskReference(data, off, len, key, keyIndex);
            Masking.mask(data, off, len, key, keyIndex); // the reference and the fast path undo each other
            assertThat(data).isEqualTo(original);
        }
    }

    @Test
    void piecesMaskedInSequenceWithTheReturnedKeyIndexEqualMaskingTheWhole() {
        Random random = new Random(56);
        for (int i = 0; i < 2_000; i++) {
            int len = random.nextInt(500);
            int key = random.nextInt();
            byte[] data = new byte[len];
            random.nextBytes(data);
            byte[] whole = data.clone();
            Masking.mask(whole, 0, len, key, 0);

            byte[] inPlace = data.clone();
            byte[] copied = new byte[len];
            int keyIndexInPlace = 0;
            int keyIndexCopied = 0;
            for (int at = 0; at < len; ) {
                int piece = Math.min(len - at, random.nextInt(4) == 0 ? random.nextInt(3) : 1 + random.nextInt(40));
                keyIndexInPlace = Masking.mask(inPlace, at, piece, key, keyIndexInPlace);
                keyIndexCopied = Masking.maskCopy(data, at, copied, at, piece, key, keyIndexCopied);
                at += piece;
            }
            assertThat(keyIndexInPlace).isEqualTo(len & 3);
            assertThat(keyIndexCopied).isEqualTo(len & 3);
            assertThat(inPlace).isEqualTo(whole);
            assertThat(copied).isEqualTo(whole);
        }
    }

    @Test
    void rejectsRangesOutsideTheArraysAndTouchesNothing() {
        byte[] buf = new byte[10];
        byte[] dst = new byte[10];
        assertThatThrownBy(() -> Masking.mask(buf, -1, 2, 1, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Masking.mask(buf, 0, -1, 1, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Masking.mask(buf, 5, 6, 1, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Masking.mask(buf, 11, 0, 1, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Masking.maskCopy(buf, 0, dst, 1, 10, 1, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Masking.maskCopy(buf, 1, dst, 0, 10, 1, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Masking.maskCopy(buf, 0, dst, -1, 1, 1, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Masking.maskCopy(buf, 0, dst, 0, Integer.MAX_VALUE, 1, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(buf).containsOnly(0);
        assertThat(dst).containsOnly(0);
        // An empty range at the very end is fine.
        assertThat(Masking.mask(buf, 10, 0, 1, 3)).isEqualTo(3);
        assertThat(Masking.maskCopy(buf, 10, dst, 10, 0, 1, 2)).isEqualTo(2);
    }

    // ------------------------------------------------------------------ key sources

    @Test
    void theSecureSourceGivesVariedKeys() {
        MaskKeySource source = MaskKeySource.secure();
        Set<Integer> distinct = new HashSet<>();
        int ones = 0;
        int allBits = 0;
        int noBits = -1;
        for (int i = 0; i < 10_000; i++) {
            int k = source.nextKey();
            distinct.add(k);
            ones += Integer.bitCount(k);
            allBits |= k;
            noBits &= k;
        }
        // Among 10,000 random 32-bit keys a repeat has a chance of about 1 in 86.
        assertThat(distinct.size()).isGreaterThanOrEqualTo(9_995);
        assertThat(allBits).as("every bit is 1 in some key").isEqualTo(-1);
        assertThat(noBits).as("every bit is 0 in some key").isZero();
        // 320,000 bits: about half are ones (20 standard deviations of slack either way).
        assertThat(ones).isBetween(160_000 - 6_000, 160_000 + 6_000);
    }

    @Test
    void twoSecureSourcesGiveDifferentKeysAcrossTheirBlocks() {
        MaskKeySource a = MaskKeySource.secure();
        MaskKeySource b = MaskKeySource.secure();
        int[] ka = new int[200];
        int[] kb = new int[200];
        for (int i = 0; i < 200; i++) { // more than one block of 64
            ka[i] = a.nextKey();
            kb[i] = b.nextKey();
        }
        assertThat(ka).isNotEqualTo(kb);
        assertThat(Arrays.stream(ka).distinct().count()).isGreaterThanOrEqualTo(199);
    }

    @ParameterizedTest(name = "0x{0}")
    @ValueSource(ints = {0, 1, 0x37fa213d, -1, Integer.MIN_VALUE})
    void theFixedSourceAlwaysGivesItsKey(int key) {
        MaskKeySource fixed = MaskKeySource.fixed(key);
        for (int i = 0; i < 1_000; i++) {
            assertThat(fixed.nextKey()).isEqualTo(key);
        }
    }
}
