package io.loomsocket.protocol.deflate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.protocol.ProtocolException;
import io.loomsocket.protocol.Violation;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The per-message codec of RFC 7692 §7.2: MessageDeflater and MessageInflater, without frames. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MessageCodecTest {

    private static final long MiB = 1 << 20;

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** Inflates one message given as pieces, as frames or reads would split it. */
    static byte[] inflate(MessageInflater inflater, byte[]... pieces) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        inflater.startMessage();
        for (byte[] p : pieces) {
            // At an offset in a padded array, to check that off/len are honoured.
            byte[] padded = new byte[p.length + 10];
            Arrays.fill(padded, (byte) 0x5a);
            System.arraycopy(p, 0, padded, 3, p.length);
            inflater.inflate(padded, 3, p.length, out::write);
        }
        inflater.endMessage(out::write);
        return out.toByteArray();
    }

    /** Asserts {@code compressed} inflates to {@code expected} whole, split at every point, and byte by byte. */
    static void assertInflatesEveryWay(byte[] compressed, byte[] expected) {
        assertThat(inflate(new MessageInflater(true, MiB), compressed)).isEqualTo(expected);
        for (int split = 0; split <= compressed.length; split++) {
            byte[] a = Arrays.copyOfRange(compressed, 0, split);
            byte[] b = Arrays.copyOfRange(compressed, split, compressed.length);
            assertThat(inflate(new MessageInflater(true, MiB), a, b)).as("split at %d", split).isEqualTo(expected);
        }
        byte[][] bytes = new byte[compressed.length][];
        for (int i = 0; i < compressed.length; i++) {
            bytes[i] = new byte[] {compressed[i]};
        }
        assertThat(inflate(new MessageInflater(true, MiB), bytes)).as("byte by byte").isEqualTo(expected);
    }

    private static final byte[] HELLO = "Hello".getBytes(StandardCharsets.US_ASCII);

    /** The examples of RFC 7692 §7.2.3, payloads only (the frame headers are tested with Connection). */
    @Nested
    class RfcExamples {

        @Test
        void helloCompressedInflatesAtEverySplit() { // §7.2.3.1
            assertInflatesEveryWay(hex("f2 48 cd c9 c9 07 00"), HELLO);
        }

        @Test
        void helloCompressesToTheRfcBytes() { // §7.2.3.1
            MessageDeflater d = new MessageDeflater(6, 0, true, 15);
            assertThat(hex(d.compress(HELLO, 0, HELLO.length))).isEqualTo("f248cdc9c90700");
            d.release();
        }

        @Test
        void withContextTakeoverTheSecondHelloIsABackReference() { // §7.2.3.2
            MessageDeflater d = new MessageDeflater(6, 0, false, 15);
            assertThat(hex(d.compress(HELLO, 0, HELLO.length))).isEqualTo("f248cdc9c90700");
            assertThat(hex(d.compress(HELLO, 0, HELLO.length))).isEqualTo("f200110000");
            d.release();

            MessageInflater i = new MessageInflater(false, MiB);
            assertThat(inflate(i, hex("f2 48 cd c9 c9 07 00"))).isEqualTo(HELLO);
            assertThat(inflate(i, hex("f2 00 11 00 00"))).isEqualTo(HELLO);
            i.release();
        }

        @Test
        void withoutContextTakeoverTheSecondHelloIsCompressedAfresh() {
            MessageDeflater d = new MessageDeflater(6, 0, true, 15);
            d.compress(HELLO, 0, HELLO.length);
            assertThat(hex(d.compress(HELLO, 0, HELLO.length))).isEqualTo("f248cdc9c90700");
            d.release();
        }

        @Test
        void theSecondHelloNeedsTheFirstsContext() {
            MessageInflater fresh = new MessageInflater(true, MiB);
            assertThatThrownBy(() -> inflate(fresh, hex("f2 00 11 00 00")))
                    .isInstanceOfSatisfying(ProtocolException.class,
                            e -> assertThat(e.violation()).isEqualTo(Violation.INVALID_COMPRESSED_DATA));
            fresh.release();
        }

        @Test
        void aBlockWithNoCompressionInflatesAtEverySplit() { // §7.2.3.3
            assertInflatesEveryWay(hex("00 05 00 fa ff 48 65 6c 6c 6f 00"), HELLO);
        }

        @Test
        void aBlockWithBfinalSetInflatesAndWhatFollowsIsIgnored() { // §7.2.3.4
            assertInflatesEveryWay(hex("f3 48 cd c9 c9 07 00 00"), HELLO);
        }

        @Test
        void afterABfinalBlockTheNextMessageStartsANewStream() {
            MessageInflater i = new MessageInflater(false, MiB);
            assertThat(inflate(i, hex("f3 48 cd c9 c9 07 00 00"))).isEqualTo(HELLO);
            assertThat(inflate(i, hex("f2 48 cd c9 c9 07 00"))).isEqualTo(HELLO);
            i.release();
        }

        @Test
        void twoDeflateBlocksInOneMessageInflateAtEverySplit() { // §7.2.3.5
            assertInflatesEveryWay(hex("f2 48 05 00 00 00 ff ff ca c9 c9 07 00"), HELLO);
        }
    }

    @Nested
    class EmptyMessages {

        @Test
        void anEmptyMessageCompressesToTheSingleOctet00() { // §7.2.3.6
            MessageDeflater d = new MessageDeflater(6, 0, false, 15);
            assertThat(hex(d.compress(new byte[0], 0, 0))).isEqualTo("00");
            d.release();
        }

        @Test
        void anEmptyPayloadAndTheSingleOctet00BothInflateToNothing() {
            assertThat(inflate(new MessageInflater(true, MiB))).isEmpty();
            assertThat(inflate(new MessageInflater(true, MiB), hex("00"))).isEmpty();
        }

        @Test
        void aMessageUnderTheThresholdIsNotCompressed() {
            MessageDeflater d = new MessageDeflater(6, 64, false, 15);
            assertThat(d.compresses(63, true)).isFalse();
            assertThat(d.compresses(64, true)).isTrue();
            assertThat(d.compresses(0, true)).isFalse();
        }
    }

    @Nested
    class WindowBits {

        @ParameterizedTest(name = "{0} bits")
        @ValueSource(ints = {8, 9, 12, 14})
        void aLimitedWindowCompressesOnlyWholeMessagesThatFitInIt(int bits) {
            MessageDeflater d = new MessageDeflater(6, 0, false, bits);
            assertThat(d.compresses(1 << bits, true)).isTrue();
            assertThat(d.compresses((1 << bits) + 1, true)).isFalse();
            assertThat(d.compresses(10, false)).as("a first fragment: the whole length is unknown").isFalse();
        }

        @Test
        void aLimitedWindowResetsTheContextAfterEveryMessage() {
            MessageDeflater d = new MessageDeflater(6, 0, false, 8);
            d.compress(HELLO, 0, HELLO.length);
            assertThat(d.holdsContext()).isFalse();
            assertThat(hex(d.compress(HELLO, 0, HELLO.length))).isEqualTo("f248cdc9c90700");
        }

        @ParameterizedTest(name = "{0} bits")
        @ValueSource(ints = {8, 9, 10, 11, 12, 13, 14})
        void whatALimitedWindowCompressesInflatesWithAZlibWindowThatSmall(int bits) {
            // The proof of honesty: java.util.zip cannot inflate with a small window, so check every
            // back-reference distance of the output against 2^bits with a tiny DEFLATE reader.
            Random r = new Random(bits);
            MessageDeflater d = new MessageDeflater(9, 0, false, bits);
            for (int n = 0; n < 20; n++) {
                byte[] m = new byte[1 << bits];
                for (int i = 0; i < m.length; i++) {
                    m[i] = (byte) ("abcab".charAt(r.nextInt(5)));
                }
                byte[] c = d.compress(m, 0, m.length);
                InflateCheck.Result checked = InflateCheck.inflate(c);
                assertThat(checked.output()).isEqualTo(m);
                assertThat(checked.maxDistance()).isLessThanOrEqualTo(1 << bits);
            }
        }
    }

    @Nested
    class RoundTrips {

        @ParameterizedTest(name = "{0} bytes, no context takeover {1}")
        @CsvSource({"0,true", "1,false", "63,true", "64,false", "125,true", "126,false", "1000,true", "65535,false",
                "65536,true", "1048576,false", "4194304,true", "4194304,false"})
        void randomAndRepetitiveMessagesRoundTrip(int size, boolean noContextTakeover) {
            MessageDeflater d = new MessageDeflater(6, 0, noContextTakeover, 15);
            MessageInflater i = new MessageInflater(noContextTakeover, 8 * MiB);
            Random r = new Random(size);
            for (int n = 0; n < 3; n++) {
                byte[] random = new byte[size];
                r.nextBytes(random);
                byte[] text = ("message " + n + " ").repeat(size / 8 + 1).substring(0, size).getBytes(StandardCharsets.UTF_8);
                for (byte[] m : new byte[][] {random, text}) {
                    byte[] c = d.compress(m, 0, m.length);
                    assertThat(inflate(i, c)).isEqualTo(m);
                }
            }
            d.release();
            i.release();
        }

        @Test
        void aMessageCompressedFragmentByFragmentInflatesWhole() {
            MessageDeflater d = new MessageDeflater(6, 0, false, 15);
            MessageInflater i = new MessageInflater(false, MiB);
            for (int round = 0; round < 3; round++) {
                byte[] a = "The first fragment, ".repeat(20).getBytes(StandardCharsets.UTF_8);
                byte[] b = "the second, ".repeat(20).getBytes(StandardCharsets.UTF_8);
                byte[] c1 = d.compressFragment(a, 0, a.length, false);
                assertThat(d.inMessage()).isTrue();
                byte[] c2 = d.compressFragment(b, 0, b.length, false);
                byte[] c3 = d.compressFragment(new byte[0], 0, 0, true);
                assertThat(d.inMessage()).isFalse();
                assertThat(hex(c3)).as("an empty final fragment: the header of an empty stored block").isEqualTo("00");
                ByteArrayOutputStream whole = new ByteArrayOutputStream();
                whole.writeBytes(a);
                whole.writeBytes(b);
                assertThat(inflate(i, c1, c2, c3)).isEqualTo(whole.toByteArray());
            }
            d.release();
            i.release();
        }
    }

    @Nested
    class Failures {

        @Test
        void corruptDataFailsWith1007() {
            MessageInflater i = new MessageInflater(false, MiB);
            assertThatThrownBy(() -> inflate(i, hex("ff ff ff ff ff")))
                    .isInstanceOfSatisfying(ProtocolException.class, e -> {
                        assertThat(e.violation()).isEqualTo(Violation.INVALID_COMPRESSED_DATA);
                        assertThat(e.closeCode().code()).isEqualTo(1007);
                    });
            i.release();
        }

        @Test
        void aGibibyteOfZerosStopsAtTheLimitWith1009AndBoundedOutput() {
            byte[] bomb = zerosCompressed(1L << 30);
            assertThat(bomb.length).as("about 1 MiB").isBetween(900_000, 1_200_000);
            long[] delivered = {0};
            int[] consumed = {0};
            MessageInflater i = new MessageInflater(false, MiB);
            i.startMessage();
            assertThatThrownBy(() -> {
                for (int off = 0; off < bomb.length; off += 4096) {
                    int n = Math.min(4096, bomb.length - off);
                    consumed[0] = off + n;
                    i.inflate(bomb, off, n, (buf, o, len) -> delivered[0] += len);
                }
            }).isInstanceOfSatisfying(ProtocolException.class, e -> {
                assertThat(e.violation()).isEqualTo(Violation.INFLATED_MESSAGE_TOO_BIG);
                assertThat(e.closeCode().code()).isEqualTo(1009);
            });
            assertThat(delivered[0]).as("never more than the limit reached the sink").isLessThanOrEqualTo(MiB);
            assertThat(consumed[0]).as("stopped within the first pieces, not after the whole bomb").isLessThanOrEqualTo(8192);
            i.release();
        }
    }

    /** 2^30 zeros or so through a Deflater, 64 KiB at a time: the bomb, without 1 GiB in memory. */
    static byte[] zerosCompressed(long zeros) {
        Deflater d = new Deflater(9, true);
        byte[] in = new byte[64 * 1024];
        byte[] out = new byte[64 * 1024];
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        for (long left = zeros; left > 0; left -= in.length) {
            d.setInput(in, 0, (int) Math.min(in.length, left));
            while (!d.needsInput()) {
                compressed.write(out, 0, d.deflate(out, 0, out.length, Deflater.NO_FLUSH));
            }
        }
        int n;
        do {
            n = d.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
            compressed.write(out, 0, n);
        } while (n == out.length);
        d.end();
        byte[] all = compressed.toByteArray();
        return Arrays.copyOf(all, all.length - 4); // the trailer, as a sender strips it
    }
}
