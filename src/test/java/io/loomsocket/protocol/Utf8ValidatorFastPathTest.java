package io.loomsocket.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The validator's fast path (ASCII 8 and 32 bytes at a time, whole sequences by table) against
 * the same validator fed one byte at a time, which only ever runs the byte-at-a-time state
 * machine, and against the JDK's decoder: long texts mixing ASCII runs of every length with
 * 2-, 3- and 4-byte characters, each with one random corruption, split at random points.
 * RFC 6455 §8.1.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Utf8ValidatorFastPathTest {

    private static final String[] PIECES = {"a", "ab", "abcdefg", "0123456789abcdef0123456789abcdef012", " ", "é", "κόσμε",
            "你好", "こんにちは", "🌍", "🚀", "\u0080", "\u07FF", "\u0800", "\uFFFF", "\uD7FF", "\uE000", "\uD800\uDC00", "\uDBFF\uDFFF"};

    /** Outcome of one validation: -1 if valid and complete, -2 if it ends inside a sequence, else the failing offset. */
    private static long byteByByte(byte[] b) {
        Utf8Validator v = new Utf8Validator();
        for (int i = 0; i < b.length; i++) {
            try {
                v.update(b, i, 1);
            } catch (ProtocolException e) {
                return i;
            }
        }
        return v.isComplete() ? -1 : -2;
    }

    private static long inPieces(byte[] b, Random r) {
        Utf8Validator v = new Utf8Validator();
        int at = 0;
        while (at < b.length) {
            int n = Math.min(b.length - at, r.nextInt(4) == 0 ? 1 + r.nextInt(4) : 1 + r.nextInt(200));
            try {
                v.update(b, at, n);
            } catch (ProtocolException e) {
                return at + offsetIn(e); // the message names the offset within the piece
            }
            at += n;
        }
        return v.isComplete() ? -1 : -2;
    }

    private static int offsetIn(ProtocolException e) {
        String m = e.getMessage();
        return Integer.parseInt(m.substring(m.lastIndexOf("at offset ") + 10).replaceAll("[^0-9].*", ""));
    }

    private static boolean jdkValid(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    @Test
    void agreesWithTheByteAtATimeStateMachineAndTheJdkOnLongCorruptedTexts() {
        Random r = new Random(6455);
        int invalid = 0;
        for (int round = 0; round < 20_000; round++) {
            StringBuilder sb = new StringBuilder();
            int pieces = 1 + r.nextInt(60);
            for (int p = 0; p < pieces; p++) {
                sb.append(PIECES[r.nextInt(PIECES.length)]);
            }
            byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
            if (r.nextInt(5) != 0) { // corrupt one byte; sometimes leave it valid
                int at = r.nextInt(b.length);
                b[at] = switch (r.nextInt(4)) {
                    case 0 -> (byte) r.nextInt(256);
                    case 1 -> (byte) (0x80 | r.nextInt(64)); // a continuation byte
                    case 2 -> (byte) (0xC0 | r.nextInt(64)); // a lead byte, maybe invalid
                    default -> (byte) (b[at] ^ (1 << r.nextInt(8)));
                };
            }
            if (r.nextInt(10) == 0) { // sometimes cut the text short, maybe inside a sequence
                b = java.util.Arrays.copyOf(b, r.nextInt(b.length + 1));
            }
            long expected = byteByByte(b);
            assertThat(expected == -1).as("JDK agrees on %s", java.util.HexFormat.of().formatHex(b)).isEqualTo(jdkValid(b));
            Utf8Validator whole = new Utf8Validator();
            long wholeResult;
            try {
                whole.update(b, 0, b.length);
                wholeResult = whole.isComplete() ? -1 : -2;
            } catch (ProtocolException e) {
                wholeResult = offsetIn(e);
            }
            assertThat(wholeResult).as("whole %s", java.util.HexFormat.of().formatHex(b)).isEqualTo(expected);
            assertThat(inPieces(b, r)).as("in pieces %s", java.util.HexFormat.of().formatHex(b)).isEqualTo(expected);
            if (expected >= 0) {
                invalid++;
            }
        }
        assertThat(invalid).isGreaterThan(5_000);
    }

    /** A text of about {@code size} bytes from {@link #PIECES}, maybe corrupted at one random byte. */
    private static byte[] randomText(Random r, int size, boolean corrupt) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < Math.max(1, size / 2)) {
            sb.append(PIECES[r.nextInt(PIECES.length)]);
        }
        byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
        if (corrupt) {
            b[r.nextInt(b.length)] = (byte) (r.nextBoolean() ? r.nextInt(256) : 0x80 | r.nextInt(64));
        }
        return b;
    }

    /** Checks a fast path's answer: a prefix that ends on a character boundary, holds no invalid byte, and stops near the end if all is valid. */
    private static void checkPrefix(String name, byte[] b, int prefix, int slack) {
        long whole = byteByByte(b);
        assertThat(prefix).as(name).isBetween(0, b.length);
        if (whole == -1 || whole == -2) {
            assertThat(prefix).as("%s stops near the end of valid input", name).isGreaterThanOrEqualTo(b.length - slack);
        } else {
            assertThat((long) prefix).as("%s stops at or before the invalid byte", name).isLessThanOrEqualTo(whole);
        }
        assertThat(byteByByte(java.util.Arrays.copyOf(b, prefix))).as("%s: the prefix is valid and complete", name).isEqualTo(-1);
    }

    @Test
    void theScalarAndVectorFastPathsStopOnlyAtCharacterBoundariesBeforeAnyInvalidByte() {
        Random r = new Random(3629);
        for (int round = 0; round < 4_000; round++) {
            byte[] b = randomText(r, 1 + r.nextInt(round < 2_000 ? 300 : 5_000), r.nextInt(3) != 0);
            if (r.nextInt(8) == 0) {
                b = java.util.Arrays.copyOf(b, r.nextInt(b.length + 1)); // maybe cut inside a sequence
            }
            checkPrefix("scalar", b, Utf8Validator.wholeSequences(b, 0, b.length), 7 + 3);
            if (Utf8Validator.usesVectorApi()) {
                checkPrefix("vector", b, VectorUtf8.validPrefix(b, 0, b.length), 64 + 3);
            }
            long expected = byteByByte(b);
            assertThat(inPieces(b, r)).isEqualTo(expected);
        }
    }

    @Test
    void theVectorPathIsUsedWhenTheModuleIsPresent() {
        assertThat(Utf8Validator.usesVectorApi())
                .isEqualTo(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
    }
}
