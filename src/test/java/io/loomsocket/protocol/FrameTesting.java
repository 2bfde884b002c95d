package io.loomsocket.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

/** Static helpers shared by the frame tests: hex vectors, all-ways decoding, two-way wire checks. */
final class FrameTesting {

    /** Inputs up to this size are split at every point; longer ones at a sample of points. */
    static final int SPLIT_EVERYWHERE_LIMIT = 4096;

    private static final byte PAD = (byte) 0xA5;

    /** A key source for servers, which must never draw a key. */
    static final MaskKeySource NO_KEYS = () -> {
        throw new AssertionError("a server must not draw mask keys");
    };

    private FrameTesting() {}

    /** Bytes from hex, ignoring spaces, e.g. {@code hex("81 05 48 65 6c 6c 6f")}. */
    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", "").replace("_", ""));
    }

    /** Bytes as lowercase hex without separators. */
    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** The concatenation of the given arrays. */
    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** Seeded random bytes. */
    static byte[] randomBytes(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * Asserts two byte arrays are equal, reporting the first differing index rather than dumping
     * two large arrays.
     */
    static void assertSameBytes(byte[] actual, byte[] expected, String what) {
        int mismatch = Arrays.mismatch(actual, expected);
        if (mismatch >= 0) {
            String around = " actual[" + mismatch + "..]=" + hex(Arrays.copyOfRange(actual, mismatch, Math.min(actual.length, mismatch + 16)))
                    + " expected[" + mismatch + "..]=" + hex(Arrays.copyOfRange(expected, mismatch, Math.min(expected.length, mismatch + 16)));
            throw new AssertionError(what + ": lengths " + actual.length + " vs expected " + expected.length
                    + ", first difference at index " + mismatch + around);
        }
    }

    /** Decodes {@code wire} (not modified) in one feed, and checks it is consumed to a frame boundary. */
    static List<FrameCollector.Decoded> decodeWhole(byte[] wire) {
        // Place the input at an odd offset in a padded array, to check that off/len are honoured.
        int off = 7;
        byte[] buf = new byte[wire.length + off + 5];
        Arrays.fill(buf, PAD);
        System.arraycopy(wire, 0, buf, off, wire.length);
        FrameCollector c = new FrameCollector();
        FrameDecoder d = new FrameDecoder(c);
        assertThat(d.feed(buf, off, wire.length)).as("bytes consumed by one feed").isEqualTo(wire.length);
        for (int i = 0; i < off; i++) {
            assertThat(buf[i]).as("padding before the input at %d", i).isEqualTo(PAD);
        }
        for (int i = off + wire.length; i < buf.length; i++) {
            assertThat(buf[i]).as("padding after the input at %d", i).isEqualTo(PAD);
        }
        assertThat(c.inFrame()).as("a frame is left unfinished").isFalse();
        assertThat(d.isAtFrameBoundary()).as("decoder at a frame boundary").isTrue();
        return c.decoded();
    }

    /**
     * Decodes {@code wire} (a copy of it, as the decoder unmasks in place) whole, split in two at
     * every point (or, for inputs over {@link #SPLIT_EVERYWHERE_LIMIT} bytes, at every point of the
     * first 64 and last 16 bytes and 200 seeded random points between), and one byte at a time;
     * asserts that all ways give the same frames and returns them.
     */
    static List<Frame> decodeAllWays(byte[] wire) {
        return decodeAllWaysWithMasks(wire).stream().map(FrameCollector.Decoded::frame).toList();
    }

    /** Like {@link #decodeAllWays(byte[])}, and asserts every frame's mask bit matches the sender. */
    static List<Frame> decodeAllWays(byte[] wire, Role sender) {
        List<FrameCollector.Decoded> decoded = decodeAllWaysWithMasks(wire);
        for (FrameCollector.Decoded d : decoded) {
            assertThat(d.masked()).as("mask bit of a frame sent by the %s: %s", sender, d.frame())
                    .isEqualTo(sender.masksOutgoing());
        }
        return decoded.stream().map(FrameCollector.Decoded::frame).toList();
    }

    static List<FrameCollector.Decoded> decodeAllWaysWithMasks(byte[] wire) {
        byte[] original = wire.clone();
        List<FrameCollector.Decoded> whole = decodeWhole(wire);
        assertSameBytes(wire, original, "decodeWhole must work on a copy");

        for (int split : splitPoints(wire.length)) {
            byte[] copy = wire.clone();
            FrameCollector c = new FrameCollector();
            FrameDecoder d = new FrameDecoder(c);
            assertThat(d.feed(copy, 0, split)).as("consumed by the first piece, split at %d", split).isEqualTo(split);
            assertThat(d.feed(copy, split, copy.length - split)).as("consumed by the second piece, split at %d", split)
                    .isEqualTo(copy.length - split);
            assertThat(c.inFrame()).as("unfinished frame, split at %d", split).isFalse();
            if (!c.decoded().equals(whole)) {
                assertThat(c.decoded()).as("frames when split at %d", split).isEqualTo(whole);
            }
        }

        byte[] copy = wire.clone();
        FrameCollector c = new FrameCollector();
        FrameDecoder d = new FrameDecoder(c);
        for (int i = 0; i < copy.length; i++) {
            if (d.feed(copy, i, 1) != 1) {
                throw new AssertionError("byte " + i + " not consumed when fed one at a time");
            }
        }
        assertThat(c.inFrame()).as("unfinished frame, one byte at a time").isFalse();
        assertThat(c.decoded()).as("frames when fed one byte at a time").isEqualTo(whole);
        return whole;
    }

    /** The split points used by {@link #decodeAllWays}: all of 0..n, or a sample for large n. */
    static int[] splitPoints(int n) {
        if (n <= SPLIT_EVERYWHERE_LIMIT) {
            int[] all = new int[n + 1];
            for (int i = 0; i <= n; i++) {
                all[i] = i;
            }
            return all;
        }
        TreeSet<Integer> points = new TreeSet<>();
        for (int i = 0; i <= 64; i++) {
            points.add(i);
        }
        for (int i = n - 16; i <= n; i++) {
            points.add(i);
        }
        Random random = new Random(n);
        for (int i = 0; i < 200; i++) {
            points.add(random.nextInt(n + 1));
        }
        return points.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The two-way check: {@code frame} encoded by {@code sender} with {@code keys} gives exactly
     * {@code expectedWire} (whether into a new array or at an offset of a larger one, without
     * touching the frame's payload), and {@code expectedWire} decoded in every way gives exactly
     * {@code frame}, with the mask bit the sender's role calls for.
     */
    static void assertWire(Frame frame, Role sender, MaskKeySource keys, byte[] expectedWire) {
        byte[] payloadBefore = frame.payload().clone();
        FrameEncoder encoder = new FrameEncoder(sender, keys);
        byte[] encoded = encoder.encode(frame);
        assertSameBytes(frame.payload(), payloadBefore, "the encoder must not modify the payload");
        assertSameBytes(encoded, expectedWire, "encoding of " + frame + " by the " + sender);
        assertThat(encoder.encodedSize(frame.payload().length)).as("encodedSize").isEqualTo(expectedWire.length);

        // The same frame encoded at an offset of a larger buffer, with the same mask key, from a
        // payload that sits at an offset of its own array.
        int headerSize = PayloadLength.headerSize(frame.payload().length, sender.masksOutgoing());
        int key = sender.masksOutgoing() ? keyAt(expectedWire, headerSize - 4) : 0;
        FrameEncoder again = sender.masksOutgoing() ? new FrameEncoder(sender, MaskKeySource.fixed(key)) : FrameEncoder.server();
        byte[] src = concat(new byte[] {1, 2, 3}, frame.payload(), new byte[] {4});
        byte[] out = new byte[expectedWire.length + 9];
        Arrays.fill(out, PAD);
        int written = again.encode(frame.fin(), frame.rsv(), frame.opcode(), src, 3, frame.payload().length, out, 4);
        assertThat(written).as("bytes written at an offset").isEqualTo(expectedWire.length);
        assertSameBytes(Arrays.copyOfRange(out, 4, 4 + written), expectedWire, "encoding at an offset");
        for (int i : new int[] {0, 1, 2, 3, out.length - 5, out.length - 4, out.length - 3, out.length - 2, out.length - 1}) {
            assertThat(out[i]).as("padding at %d after encoding at an offset", i).isEqualTo(PAD);
        }

        assertThat(decodeAllWays(expectedWire, sender)).as("decoding %s", hexPrefix(expectedWire)).containsExactly(frame);
    }

    /** The big-endian int at {@code at}. */
    static int keyAt(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }

    /** The first 32 bytes in hex, for messages. */
    static String hexPrefix(byte[] b) {
        return b.length <= 32 ? hex(b) : hex(Arrays.copyOf(b, 32)) + "...(" + b.length + " bytes)";
    }

    /** Splits [0, n) into random-sized chunks, mostly small, sometimes large. */
    static List<int[]> randomChunks(Random random, int n) {
        List<int[]> chunks = new ArrayList<>();
        int at = 0;
        while (at < n) {
            int size = switch (random.nextInt(4)) {
                case 0 -> 1 + random.nextInt(3);
                case 1 -> 1 + random.nextInt(20);
                case 2 -> 1 + random.nextInt(700);
                default -> 1 + random.nextInt(40_000);
            };
            size = Math.min(size, n - at);
            chunks.add(new int[] {at, size});
            at += size;
        }
        return chunks;
    }
}
