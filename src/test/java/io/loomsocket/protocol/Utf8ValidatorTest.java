package io.loomsocket.protocol;

import static io.loomsocket.protocol.FrameTesting.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Utf8Validator} against vectors modelled on Markus Kuhn's "UTF-8 decoder capability and
 * stress test" (written here as bytes), fed whole, split in two at every point, and byte by byte;
 * and against the JDK's decoder on random, UTF-8-like input.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Utf8ValidatorTest {

    // ------------------------------------------------------------------ valid vectors

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("empty", new byte[0]),
                Arguments.of("ASCII", hex("48656c6c6f2c20776f726c6421")),
                Arguments.of("ASCII longer than 8 bytes, for the 8-byte path", hex("303132333435363738396162636465666768696a6b6c6d6e6f70")),
                Arguments.of("U+0000", hex("00")),
                Arguments.of("U+007F, last 1-byte", hex("7f")),
                Arguments.of("U+0080, first 2-byte", hex("c2 80")),
                Arguments.of("U+07FF, last 2-byte", hex("df bf")),
                Arguments.of("U+0800, first 3-byte", hex("e0 a0 80")),
                Arguments.of("U+D7FF, last before the surrogates", hex("ed 9f bf")),
                Arguments.of("U+E000, first after the surrogates", hex("ee 80 80")),
                Arguments.of("U+FFFD, replacement character", hex("ef bf bd")),
                Arguments.of("U+FFFE, noncharacter", hex("ef bf be")),
                Arguments.of("U+FFFF, last 3-byte", hex("ef bf bf")),
                Arguments.of("U+10000, first 4-byte", hex("f0 90 80 80")),
                Arguments.of("U+10FFFF, last code point", hex("f4 8f bf bf")),
                Arguments.of("U+FDD0, noncharacter", hex("ef b7 90")),
                Arguments.of("Greek kosme", hex("ce ba e1 bd b9 cf 83 ce bc ce b5")),
                Arguments.of("CJK 中文字", hex("e4 b8 ad e6 96 87 e5 ad 97")),
                Arguments.of("emoji 😀 and 👍🏽", hex("f0 9f 98 80 f0 9f 91 8d f0 9f 8f bd")),
                Arguments.of("mixed ASCII, 2-, 3-, 4-byte", hex("41 c3 a9 e2 82 ac f0 9d 84 9e 5a")),
                Arguments.of("multi-byte after 8 ASCII bytes", hex("6162636465666768 c3 a9 6162636465666768 e2 82 ac")),
                Arguments.of("U+1F600 between ASCII runs", hex("3031323334353637 f0 9f 98 80 3031323334353637")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void acceptsValidInputWholeSplitAtEveryPointAndByteByByte(String name, byte[] bytes) {
        assertThat(jdkAccepts(bytes, 0, bytes.length)).as("the JDK agrees it is valid").isTrue();
        assertThat(Utf8Validator.isValid(bytes, 0, bytes.length)).isTrue();

        Utf8Validator whole = new Utf8Validator();
        whole.update(bytes, 0, bytes.length);
        assertThat(whole.isComplete()).isTrue();
        whole.finish();

        for (int split = 0; split <= bytes.length; split++) {
            Utf8Validator v = new Utf8Validator();
            v.update(bytes, 0, split);
            v.update(bytes, split, bytes.length - split);
            v.finish();
        }

        Utf8Validator one = new Utf8Validator();
        for (int i = 0; i < bytes.length; i++) {
            one.update(bytes, i, 1);
            // Complete exactly when the byte after this one does not continue a sequence.
            boolean boundary = i + 1 == bytes.length || (bytes[i + 1] & 0xC0) != 0x80;
            assertThat(one.isComplete()).as("complete after byte %d", i).isEqualTo(boundary);
        }
        one.finish();
    }

    // ------------------------------------------------------------------ invalid vectors

    /** Name, bytes, index of the first invalid byte (-1: only the end, at finish(), is invalid). */
    static Stream<Arguments> invalid() {
        List<Arguments> v = new ArrayList<>();
        // 3.1: unexpected continuation bytes, each alone, and runs of them.
        for (int b = 0x80; b <= 0xBF; b++) {
            v.add(Arguments.of(String.format("lone continuation %02x", b), new byte[] {(byte) b}, 0));
            v.add(Arguments.of(String.format("ASCII then continuation %02x", b), new byte[] {0x41, (byte) b}, 1));
        }
        v.add(Arguments.of("2 continuation bytes", hex("80 bf"), 0));
        v.add(Arguments.of("3 continuation bytes after a character", hex("c3 a9 80 bf 80"), 2));
        v.add(Arguments.of("continuation after a complete 4-byte", hex("f0 9f 98 80 80"), 4));
        // 3.2: lonely start bytes followed by a space.
        for (int b = 0xC0; b <= 0xFD; b++) {
            boolean badLead = b <= 0xC1 || b >= 0xF5;
            v.add(Arguments.of(String.format("lonely start %02x then space", b), new byte[] {(byte) b, 0x20}, badLead ? 0 : 1));
        }
        // 3.3: sequences with the last continuation byte missing.
        v.add(Arguments.of("2-byte U+00E9 without its last byte", hex("c3"), -1));
        v.add(Arguments.of("2-byte U+07FF without its last byte", hex("df"), -1));
        v.add(Arguments.of("3-byte U+20AC without its last byte", hex("e2 82"), -1));
        v.add(Arguments.of("3-byte U+FFFF without its last byte", hex("ef bf"), -1));
        v.add(Arguments.of("3-byte U+0800 without its last 2 bytes", hex("e0"), -1));
        v.add(Arguments.of("4-byte U+1F600 without its last byte", hex("f0 9f 98"), -1));
        v.add(Arguments.of("4-byte U+10FFFF without its last byte", hex("f4 8f bf"), -1));
        v.add(Arguments.of("4-byte U+10000 without its last 2 bytes", hex("f0 90"), -1));
        v.add(Arguments.of("ASCII then truncated 3-byte", hex("41 42 43 e2 82"), -1));
        v.add(Arguments.of("truncated 2-byte of overlong U+0000 (c0)", hex("c0"), 0));
        v.add(Arguments.of("truncated 3-byte of overlong U+0000 (e0 80)", hex("e0 80"), 1));
        v.add(Arguments.of("truncated 4-byte of overlong U+0000 (f0 80 80)", hex("f0 80 80"), 1));
        v.add(Arguments.of("truncated 5-byte (f8 80 80 80)", hex("f8 80 80 80"), 0));
        v.add(Arguments.of("truncated 6-byte (fc 80 80 80 80)", hex("fc 80 80 80 80"), 0));
        v.add(Arguments.of("truncated 4-byte U+1FFFFF (f7 bf bf)", hex("f7 bf bf"), 0));
        // 3.3 then a new character: the truncation is found at the byte that is not a continuation.
        v.add(Arguments.of("truncated 2-byte then ASCII", hex("c3 41"), 1));
        v.add(Arguments.of("truncated 3-byte then ASCII", hex("e2 82 41"), 2));
        v.add(Arguments.of("truncated 4-byte then a new lead", hex("f0 9f 98 c3 a9"), 3));
        // 3.4: concatenated incomplete sequences.
        v.add(Arguments.of("concatenated incomplete sequences", hex("c3 e2 82 f0 9f 98 df ef bf"), 1));
        // 3.5: impossible bytes.
        v.add(Arguments.of("fe", hex("fe"), 0));
        v.add(Arguments.of("ff", hex("ff"), 0));
        v.add(Arguments.of("fe fe ff ff", hex("fe fe ff ff"), 0));
        v.add(Arguments.of("ASCII then ff", hex("6162636465666768 ff"), 8));
        // 4.1: overlong '/'.
        v.add(Arguments.of("overlong '/' in 2 bytes", hex("c0 af"), 0));
        v.add(Arguments.of("overlong '/' in 3 bytes", hex("e0 80 af"), 1));
        v.add(Arguments.of("overlong '/' in 4 bytes", hex("f0 80 80 af"), 1));
        v.add(Arguments.of("overlong '/' in 5 bytes", hex("f8 80 80 80 af"), 0));
        v.add(Arguments.of("overlong '/' in 6 bytes", hex("fc 80 80 80 80 af"), 0));
        // 4.2: maximum overlong sequences.
        v.add(Arguments.of("max overlong 2-byte U+007F", hex("c1 bf"), 0));
        v.add(Arguments.of("max overlong 3-byte U+07FF", hex("e0 9f bf"), 1));
        v.add(Arguments.of("max overlong 4-byte U+FFFF", hex("f0 8f bf bf"), 1));
        v.add(Arguments.of("max overlong 5-byte U+1FFFFF", hex("f8 87 bf bf bf"), 0));
        v.add(Arguments.of("max overlong 6-byte U+3FFFFFF", hex("fc 83 bf bf bf bf"), 0));
        // 4.3: overlong U+0000.
        v.add(Arguments.of("overlong U+0000 in 2 bytes", hex("c0 80"), 0));
        v.add(Arguments.of("overlong U+0000 in 3 bytes", hex("e0 80 80"), 1));
        v.add(Arguments.of("overlong U+0000 in 4 bytes", hex("f0 80 80 80"), 1));
        v.add(Arguments.of("overlong U+0000 in 5 bytes", hex("f8 80 80 80 80"), 0));
        v.add(Arguments.of("overlong U+0000 in 6 bytes", hex("fc 80 80 80 80 80"), 0));
        // 5.1: single UTF-16 surrogates.
        for (String s : new String[] {"ed a0 80", "ed ad bf", "ed ae 80", "ed af bf", "ed b0 80", "ed be 80", "ed bf bf"}) {
            v.add(Arguments.of("single surrogate " + s, hex(s), 1));
        }
        // 5.2: paired UTF-16 surrogates.
        for (String s : new String[] {"ed a0 80 ed b0 80", "ed a0 80 ed bf bf", "ed ad bf ed b0 80", "ed ad bf ed bf bf",
                "ed ae 80 ed b0 80", "ed ae 80 ed bf bf", "ed af bf ed b0 80", "ed af bf ed bf bf"}) {
            v.add(Arguments.of("paired surrogates " + s, hex(s), 1));
        }
        v.add(Arguments.of("surrogate after text", hex("41 c3 a9 ed b0 80"), 4));
        // Above U+10FFFF.
        v.add(Arguments.of("U+110000 (f4 90 80 80)", hex("f4 90 80 80"), 1));
        v.add(Arguments.of("U+13FFFF (f4 bf bf bf)", hex("f4 bf bf bf"), 1));
        v.add(Arguments.of("U+140000 (f5 80 80 80)", hex("f5 80 80 80"), 0));
        v.add(Arguments.of("f6 80 80 80", hex("f6 80 80 80"), 0));
        v.add(Arguments.of("U+1FFFFF (f7 bf bf bf)", hex("f7 bf bf bf"), 0));
        // Wrong continuation ranges after the special leads.
        v.add(Arguments.of("e0 then 9f (overlong)", hex("e0 9f 80"), 1));
        v.add(Arguments.of("ed then a0 (surrogate)", hex("ed a0"), 1));
        v.add(Arguments.of("f0 then 8f (overlong)", hex("f0 8f 80 80"), 1));
        v.add(Arguments.of("f4 then 90 (too big)", hex("f4 90"), 1));
        v.add(Arguments.of("4-byte with a bad fourth byte", hex("f0 9f 98 c0"), 3));
        v.add(Arguments.of("2-byte with a lead as second byte", hex("c3 c3 a9"), 1));
        return v.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejectsInvalidInputAtTheFirstInvalidByteHoweverItIsSplit(String name, byte[] bytes, int badIndex) {
        assertThat(jdkAccepts(bytes, 0, bytes.length)).as("the JDK agrees it is invalid").isFalse();
        assertThat(Utf8Validator.isValid(bytes, 0, bytes.length)).isFalse();

        if (badIndex < 0) {
            // Truncated at the end: every update passes, and only finish() fails.
            Utf8Validator whole = new Utf8Validator();
            whole.update(bytes, 0, bytes.length);
            assertThat(whole.isComplete()).isFalse();
            assertInvalid(whole::finish);
            for (int split = 0; split <= bytes.length; split++) {
                Utf8Validator v = new Utf8Validator();
                v.update(bytes, 0, split);
                v.update(bytes, split, bytes.length - split);
                assertInvalid(v::finish);
            }
            Utf8Validator one = new Utf8Validator();
            for (int i = 0; i < bytes.length; i++) {
                one.update(bytes, i, 1);
            }
            assertInvalid(one::finish);
            return;
        }

        // Fail fast: the prefix before the bad byte passes, the prefix through it fails.
        Utf8Validator prefix = new Utf8Validator();
        assertThatCode(() -> prefix.update(bytes, 0, badIndex)).as("prefix of %d bytes", badIndex).doesNotThrowAnyException();
        Utf8Validator through = new Utf8Validator();
        assertInvalid(() -> through.update(bytes, 0, badIndex + 1));

        // Whole.
        assertInvalid(() -> new Utf8Validator().update(bytes, 0, bytes.length));

        // Split at every point: the piece that holds the bad byte fails.
        for (int split = 0; split <= bytes.length; split++) {
            Utf8Validator v = new Utf8Validator();
            int s = split;
            if (badIndex < split) {
                assertInvalid(() -> v.update(bytes, 0, s));
            } else {
                v.update(bytes, 0, split);
                assertInvalid(() -> v.update(bytes, s, bytes.length - s));
            }
        }

        // One byte at a time: exactly the bad byte fails.
        Utf8Validator one = new Utf8Validator();
        for (int i = 0; i < badIndex; i++) {
            one.update(bytes, i, 1);
        }
        assertInvalid(() -> one.update(bytes, badIndex, 1));
    }

    private static void assertInvalid(Runnable r) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(ProtocolException.class, e -> {
            assertThat(e.violation()).isEqualTo(Violation.INVALID_UTF8);
            assertThat(e.closeCode()).isEqualTo(CloseCode.INVALID_FRAME_PAYLOAD_DATA);
        });
    }

    // ------------------------------------------------------------------ state

    @Test
    void isCompleteTellsWhetherASequenceIsOpen() {
        Utf8Validator v = new Utf8Validator();
        assertThat(v.isComplete()).isTrue();
        byte[] euro = hex("e2 82 ac");
        v.update(euro, 0, 1);
        assertThat(v.isComplete()).isFalse();
        v.update(euro, 1, 1);
        assertThat(v.isComplete()).isFalse();
        v.update(euro, 2, 1);
        assertThat(v.isComplete()).isTrue();
        v.update(euro, 0, 0); // nothing
        assertThat(v.isComplete()).isTrue();
    }

    @Test
    void theNarrowRangeAfterE0EdF0F4SurvivesASplitRightAfterTheLead() {
        // The range allowed for the second byte must be remembered between calls.
        for (String bad : new String[] {"e0 9f bf", "ed a0 80", "f0 8f bf bf", "f4 90 80 80"}) {
            byte[] b = hex(bad);
            Utf8Validator v = new Utf8Validator();
            v.update(b, 0, 1);
            assertInvalid(() -> v.update(b, 1, b.length - 1));
        }
        for (String good : new String[] {"e0 a0 80", "ed 9f bf", "f0 90 80 80", "f4 8f bf bf"}) {
            byte[] b = hex(good);
            Utf8Validator v = new Utf8Validator();
            v.update(b, 0, 1);
            v.update(b, 1, b.length - 1);
            v.finish();
        }
    }

    @Test
    void resetForgetsAnOpenSequenceAndAFailure() {
        Utf8Validator v = new Utf8Validator();
        v.update(hex("f0 9f"), 0, 2);
        v.reset();
        assertThat(v.isComplete()).isTrue();
        v.update(hex("41"), 0, 1); // would fail as the third byte of f0 9f
        v.finish();

        assertInvalid(() -> v.update(hex("ed a0"), 0, 2));
        v.reset();
        v.update(hex("c3 a9"), 0, 2);
        v.finish();
    }

    @Test
    void honoursTheOffsetAndLengthOfTheRange() {
        byte[] buf = hex("ff ff c3 a9 41 ff ff");
        assertThat(Utf8Validator.isValid(buf, 2, 3)).isTrue();
        assertThat(Utf8Validator.isValid(buf, 1, 3)).isFalse();
        assertThat(Utf8Validator.isValid(buf, 2, 1)).isFalse(); // truncated
        // 8-byte path near the end of the range must not read past it.
        byte[] ascii = hex("41424344454647484950 c3");
        assertThat(Utf8Validator.isValid(ascii, 0, 10)).isTrue();
        assertThat(Utf8Validator.isValid(ascii, 0, 11)).isFalse();
        assertThat(Utf8Validator.isValid(ascii, 1, 9)).isTrue();
    }

    // ------------------------------------------------------------------ against the JDK

    private static boolean jdkAccepts(byte[] b, int off, int len) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            d.decode(ByteBuffer.wrap(b, off, len));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /**
     * Encodes {@code cp} in {@code n} bytes with the UTF-8 bit pattern, whether or not that is
     * legal: overlong forms, surrogates, values above U+10FFFF, 5- and 6-byte forms.
     */
    private static byte[] looseEncode(int cp, int n) {
        if (n == 1) {
            return new byte[] {(byte) (cp & 0x7F)};
        }
        byte[] out = new byte[n];
        for (int i = n - 1; i > 0; i--) {
            out[i] = (byte) (0x80 | (cp & 0x3F));
            cp >>>= 6;
        }
        int leadBits = 0xFF << (8 - n) & 0xFF;
        out[0] = (byte) (leadBits | (cp & (0x7F >> n)));
        return out;
    }

    private static int naturalLength(int cp) {
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }

    /** UTF-8-like bytes: mostly valid characters, some illegal forms, then random corruption. */
    private static byte[] utf8Like(Random r) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int chars = r.nextInt(12);
        for (int i = 0; i < chars; i++) {
            if (r.nextInt(6) == 0) { // a run of ASCII, so that the 8-byte path meets what follows it
                for (int run = 1 + r.nextInt(16); run > 0; run--) {
                    out.write(0x20 + r.nextInt(0x5F));
                }
            }
            int k = r.nextInt(100);
            int cp;
            if (k < 30) {
                cp = r.nextInt(0x80);
            } else if (k < 45) {
                cp = 0x80 + r.nextInt(0x780);
            } else if (k < 65) {
                cp = 0x800 + r.nextInt(0xF800); // includes the surrogates D800-DFFF
            } else if (k < 80) {
                cp = 0x10000 + r.nextInt(0x100000);
            } else if (k < 85) {
                cp = new int[] {0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xD800, 0xDFFF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x10FFFF, 0x110000}[r.nextInt(13)];
            } else if (k < 90) {
                cp = 0x110000 + r.nextInt(0x200000 - 0x110000); // above U+10FFFF in 4 bytes
            } else {
                cp = r.nextInt(0x800); // to be written overlong below
            }
            int n = naturalLength(cp);
            if (k >= 90) {
                n = Math.min(6, n + 1 + r.nextInt(2)); // overlong
            } else if (cp >= 0x110000) {
                n = 4;
            }
            out.writeBytes(looseEncode(cp, n));
        }
        byte[] b = out.toByteArray();
        int corruption = r.nextInt(6);
        if (corruption == 1 && b.length > 0) {
            b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
        } else if (corruption == 2 && b.length > 0) {
            b[r.nextInt(b.length)] = (byte) r.nextInt(256);
        } else if (corruption == 3 && b.length > 0) {
            b = Arrays.copyOf(b, r.nextInt(b.length));
        } else if (corruption == 4 && b.length > 0) {
            int at = r.nextInt(b.length);
            b = FrameTesting.concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, Math.min(b.length, at + 1), b.length));
        } else if (corruption == 5) {
            int at = r.nextInt(b.length + 1);
            b = FrameTesting.concat(Arrays.copyOf(b, at), new byte[] {(byte) (0x80 + r.nextInt(0x80))}, Arrays.copyOfRange(b, at, b.length));
        }
        return b;
    }

    @Test
    void agreesWithTheJdkDecoderOnAHundredThousandUtf8LikeStrings() {
        Random r = new Random(3629);
        int valid = 0;
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            byte[] b = utf8Like(r);
            // Inside a larger array, so that offsets and the 8-byte path near the edges are exercised.
            int off = r.nextInt(9);
            byte[] buf = new byte[off + b.length + r.nextInt(9)];
            Arrays.fill(buf, (byte) 0xFF);
            System.arraycopy(b, 0, buf, off, b.length);

            boolean jdk = jdkAccepts(b, 0, b.length);
            boolean ours = Utf8Validator.isValid(buf, off, b.length);
            if (jdk != ours) {
                throw new AssertionError("JDK says " + (jdk ? "valid" : "invalid") + ", Utf8Validator says " + (ours ? "valid" : "invalid")
                        + ": " + hex(b));
            }
            // Streaming in random pieces, then finish(), gives the same verdict.
            Utf8Validator v = new Utf8Validator();
            boolean streamed;
            try {
                for (int at = 0; at < b.length; ) {
                    int piece = Math.min(b.length - at, 1 + r.nextInt(5));
                    v.update(buf, off + at, piece);
                    at += piece;
                }
                v.finish();
                streamed = true;
            } catch (ProtocolException e) {
                streamed = false;
            }
            if (streamed != jdk) {
                throw new AssertionError("streamed verdict " + streamed + " but JDK " + jdk + ": " + hex(b));
            }
            valid += jdk ? 1 : 0;
        }
        // Both verdicts were common.
        assertThat(valid).isBetween(n / 5, n * 4 / 5);
    }

    @Test
    void agreesWithTheJdkDecoderOnEveryOneAndTwoByteStringAndEveryThreeByteStringStartingWithALead() {
        byte[] b = new byte[3];
        for (int x = 0; x < 256; x++) {
            b[0] = (byte) x;
            assertThat(Utf8Validator.isValid(b, 0, 1)).as("%02x", x).isEqualTo(jdkAccepts(b, 0, 1));
            for (int y = 0; y < 256; y++) {
                b[1] = (byte) y;
                if (Utf8Validator.isValid(b, 0, 2) != jdkAccepts(b, 0, 2)) {
                    throw new AssertionError(String.format("%02x %02x", x, y));
                }
                if (x >= 0xE0 && x <= 0xF4) {
                    for (int z = 0x70; z < 0xC8; z++) { // around the continuation range
                        b[2] = (byte) z;
                        if (Utf8Validator.isValid(b, 0, 3) != jdkAccepts(b, 0, 3)) {
                            throw new AssertionError(String.format("%02x %02x %02x", x, y, z));
                        }
                    }
                }
            }
        }
    }

    @Test
    void agreesWithTheJdkOnEveryCodePointEncodedNaturallyIncludingSurrogatesAndBeyond() {
        for (int cp = 0; cp < 0x140000; cp++) {
            byte[] b = looseEncode(cp, cp >= 0x110000 ? 4 : naturalLength(cp));
            boolean expected = !(cp >= 0xD800 && cp <= 0xDFFF) && cp <= 0x10FFFF;
            if (Utf8Validator.isValid(b, 0, b.length) != expected) {
                throw new AssertionError(String.format("U+%04X %s: expected %s", cp, hex(b), expected));
            }
        }
        // and a sample against the JDK itself
        for (int cp = 0; cp < 0x140000; cp += 97) {
            byte[] b = looseEncode(cp, cp >= 0x110000 ? 4 : naturalLength(cp));
            assertThat(Utf8Validator.isValid(b, 0, b.length)).as("U+%04X", cp).isEqualTo(jdkAccepts(b, 0, b.length));
        }
    }
}
