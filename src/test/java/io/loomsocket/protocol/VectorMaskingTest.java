package io.loomsocket.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link VectorMasking} against the RFC's byte loop (RFC 6455 §5.3), and the choice that
 * {@link Masking} makes between it and the 8-byte path.
 *
 * <p>Surefire runs with {@code --add-modules jdk.incubator.vector} (see the pom), so the vector
 * path is exercised here; the fallback without the module is checked in a child JVM started
 * without it ({@link MaskingFallbackCheck}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VectorMaskingTest {

    private static final int GUARD = 16;

    private static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    @Test
    void theVectorPathIsTakenWhenTheModuleIsPresent() {
        // The pom's surefire argLine adds the module; if it is present, Masking must use it.
        assertThat(Masking.usesVectorApi()).isEqualTo(vectorModulePresent());
        assertThat(Masking.implementation()).isEqualTo(vectorModulePresent() ? "vector" : "8-byte");
    }

    @Test
    void vectorMaskMatchesTheReferenceAtEveryOffsetLengthAndKeyIndex() {
        assumeTrue(vectorModulePresent(), "jdk.incubator.vector not in the boot layer");
        int lanes = VectorMasking.lanes();
        assertThat(lanes).isIn(8, 16, 32, 64);
        Random random = new Random(71);
        // Every length up to 4 registers and a bit, so every split between SIMD body and tail occurs.
        int maxLen = 4 * lanes + 9;
        for (int off = 0; off < 16; off++) {
            for (int len = 0; len <= maxLen; len++) {
                for (int keyIndex = 0; keyIndex < 4; keyIndex++) {
                    int key = random.nextInt();
                    byte[] data = new byte[off + len + GUARD];
                    random.nextBytes(data);
                    byte[] expected = data.clone();
                    int expectedNext = Masking.maskReference(expected, off, len, key, keyIndex);

                    byte[] actual = data.clone();
                    assertThat(VectorMasking.mask(actual, off, len, key, keyIndex)).isEqualTo(expectedNext);
                    if (!Arrays.equals(actual, expected)) { // the whole array: bytes outside the range stay
                        throw new AssertionError("vector mask off=" + off + " len=" + len + " keyIndex=" + keyIndex
                                + " key=" + Integer.toHexString(key));
                    }
                    int dstOff = (off * 5 + 1) % 16;
                    byte[] dst = new byte[dstOff + len + GUARD];
                    random.nextBytes(dst);
                    byte[] dstExpected = dst.clone();
                    System.arraycopy(data, off, dstExpected, dstOff, len);
                    Masking.maskReference(dstExpected, dstOff, len, key, keyIndex);
                    byte[] src = data.clone();
                    assertThat(VectorMasking.maskCopy(src, off, dst, dstOff, len, key, keyIndex)).isEqualTo(expectedNext);
                    assertThat(src).as("source untouched").isEqualTo(data);
                    if (!Arrays.equals(dst, dstExpected)) {
                        throw new AssertionError("vector maskCopy off=" + off + " dstOff=" + dstOff + " len=" + len
                                + " keyIndex=" + keyIndex + " key=" + Integer.toHexString(key));
                    }
                }
            }
        }
    }

    @Test
    void vectorMaskMatchesTheReferenceOnLargeAndRandomRanges() {
        assumeTrue(vectorModulePresent(), "jdk.incubator.vector not in the boot layer");
        Random random = new Random(72);
        List<Integer> lengths = new ArrayList<>(List.of(1000, 4099, 16384, 65536, 65537, (1 << 20) + 5));
        for (int i = 0; i < 300; i++) {
            lengths.add(random.nextInt(5000));
        }
        for (int len : lengths) {
            int off = random.nextInt(40);
            int keyIndex = random.nextInt(4);
            int key = random.nextInt();
            byte[] data = new byte[off + len + 7];
            random.nextBytes(data);
            byte[] expected = data.clone();
            Masking.maskReference(expected, off, len, key, keyIndex);
            byte[] viaVector = data.clone();
            VectorMasking.mask(viaVector, off, len, key, keyIndex);
            FrameTesting.assertSameBytes(viaVector, expected, "vector mask of " + len + " at " + off);
            byte[] viaDispatch = data.clone();
            Masking.mask(viaDispatch, off, len, key, keyIndex);
            FrameTesting.assertSameBytes(viaDispatch, expected, "Masking.mask of " + len + " at " + off);
            byte[] viaScalar = data.clone();
            Masking.maskScalar(viaScalar, off, len, key, keyIndex);
            FrameTesting.assertSameBytes(viaScalar, expected, "Masking.maskScalar of " + len + " at " + off);
        }
    }

    @Test
    void vectorPiecesWithTheReturnedKeyIndexEqualTheWhole() {
        assumeTrue(vectorModulePresent(), "jdk.incubator.vector not in the boot layer");
        Random random = new Random(73);
        for (int i = 0; i < 500; i++) {
            int len = random.nextInt(3000);
            int key = random.nextInt();
            byte[] data = new byte[len];
            random.nextBytes(data);
            byte[] whole = data.clone();
            Masking.maskReference(whole, 0, len, key, 0);
            byte[] pieces = data.clone();
            int keyIndex = 0;
            for (int at = 0; at < len; ) {
                int piece = Math.min(len - at, random.nextInt(300));
                keyIndex = VectorMasking.mask(pieces, at, piece, key, keyIndex);
                at += piece;
            }
            assertThat(keyIndex).isEqualTo(len & 3);
            assertThat(pieces).isEqualTo(whole);
        }
    }

    @Test
    void vectorPathRejectsRangesOutsideTheArraysAndTouchesNothing() {
        assumeTrue(vectorModulePresent(), "jdk.incubator.vector not in the boot layer");
        byte[] buf = new byte[200];
        byte[] dst = new byte[200];
        assertThatThrownBy(() -> VectorMasking.mask(buf, -1, 100, 1, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> VectorMasking.mask(buf, 101, 100, 1, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> VectorMasking.maskCopy(buf, 0, dst, 1, 200, 1, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> VectorMasking.maskCopy(buf, 0, dst, 0, Integer.MAX_VALUE, 1, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(buf).containsOnly(0);
        assertThat(dst).containsOnly(0);
    }

    @Test
    void withoutTheModuleMaskingFallsBackToTheEightBytePathAndMatchesTheReference() throws Exception {
        assertThat(runCheck(List.of())).contains("OK 8-byte");
    }

    @Test
    void thePropertyTurnsTheVectorPathOff() throws Exception {
        assertThat(runCheck(List.of("--add-modules", "jdk.incubator.vector", "-D" + Masking.VECTOR_PROPERTY + "=false")))
                .contains("OK 8-byte");
    }

    @Test
    void inAChildJvmWithTheModuleTheVectorPathIsTaken() throws Exception {
        assertThat(runCheck(List.of("--add-modules", "jdk.incubator.vector"))).contains("OK vector");
    }

    /** Runs {@link MaskingFallbackCheck} on this JVM's java, on the class path, with {@code jvmArgs}. */
    private static String runCheck(List<String> jvmArgs) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classes = Path.of(Masking.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        String testClasses = Path.of(MaskingFallbackCheck.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        List<String> command = new ArrayList<>();
        command.add(java);
        command.add("-Xmx256m");
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classes + File.pathSeparator + testClasses);
        command.add(MaskingFallbackCheck.class.getName());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("child output: %s", out).isZero();
        return out;
    }
}
