package io.loomsocket.protocol;

import static io.loomsocket.protocol.FrameTesting.randomChunks;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Seeded random round trips: frames of random sizes, opcodes, FIN and RSV bits, encoded back to
 * back into one stream and decoded from random-sized chunks, must come back exactly.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FrameRoundTripTest {

    private static final int FRAMES_PER_ROLE = 100_000;
    private static final int FRAMES_PER_STREAM = 400;
    private static final int[] SMALL_BOUNDARIES = {0, 1, 124, 125, 126, 127, 128};
    private static final int[] LARGE_BOUNDARIES = {65534, 65535, 65536, 65537};

    /** Random bytes that payloads are cut from, so that no frame needs fresh random bytes. */
    private static final byte[] POOL = FrameTesting.randomBytes(0x5EED, 80_000);

    private static int randomLength(Random random) {
        int r = random.nextInt(1000);
        if (r < 600) {
            return random.nextInt(126);                       // 7-bit
        } else if (r < 650) {
            return SMALL_BOUNDARIES[random.nextInt(SMALL_BOUNDARIES.length)];
        } else if (r < 940) {
            return 126 + random.nextInt(4096 - 126);          // 16-bit, small
        } else if (r < 980) {
            return 4096 + random.nextInt(65536 - 4096);       // 16-bit, large
        } else if (r < 985) {
            return LARGE_BOUNDARIES[random.nextInt(LARGE_BOUNDARIES.length)];
        } else {
            return 65536 + random.nextInt(70_000 - 65536);    // 64-bit
        }
    }

    private static Frame randomFrame(Random random, int[] payloadOffset) {
        int length = randomLength(random);
        int off = random.nextInt(POOL.length - length + 1);
        payloadOffset[0] = off;
        Opcode opcode = Opcode.values()[random.nextInt(Opcode.values().length)];
        // Mostly ordinary frames, but every combination of FIN and RSV appears.
        boolean fin = random.nextInt(4) != 0;
        int rsv = random.nextInt(3) == 0 ? random.nextInt(8) : 0;
        return new Frame(fin, rsv, opcode, Arrays.copyOfRange(POOL, off, off + length));
    }

    /** Statistics that show the random frames covered what they should. */
    private static final class Coverage {
        final Map<PayloadLength, Integer> encodings = new EnumMap<>(PayloadLength.class);
        final Map<Opcode, Integer> opcodes = new EnumMap<>(Opcode.class);
        final boolean[] rsvSeen = new boolean[8];
        int frames;
        int notFin;
        long bytes;

        void add(Frame f) {
            encodings.merge(PayloadLength.forLength(f.payload().length), 1, Integer::sum);
            opcodes.merge(f.opcode(), 1, Integer::sum);
            rsvSeen[f.rsv()] = true;
            frames++;
            notFin += f.fin() ? 0 : 1;
            bytes += f.payload().length;
        }
    }

    @ParameterizedTest(name = "sent by the {0}")
    @EnumSource(Role.class)
    void roundTripsOneHundredThousandRandomFramesFedInRandomChunks(Role sender) {
        Random random = new Random(sender == Role.CLIENT ? 6455 : 5646);
        List<Integer> keysUsed = new ArrayList<>();
        MaskKeySource keys = () -> {
            int k = random.nextInt();
            keysUsed.add(k);
            return k;
        };
        FrameEncoder encoder = sender.masksOutgoing() ? new FrameEncoder(sender, keys) : new FrameEncoder(sender, FrameTesting.NO_KEYS);
        Coverage coverage = new Coverage();
        int[] payloadOffset = new int[1];

        for (int done = 0; done < FRAMES_PER_ROLE; done += FRAMES_PER_STREAM) {
            List<Frame> sent = new ArrayList<>(FRAMES_PER_STREAM);
            int[] offsets = new int[FRAMES_PER_STREAM];
            int size = 0;
            for (int i = 0; i < FRAMES_PER_STREAM; i++) {
                Frame f = randomFrame(random, payloadOffset);
                sent.add(f);
                offsets[i] = payloadOffset[0];
                size += encoder.encodedSize(f.payload().length);
                coverage.add(f);
            }
            // Encode back to back into one array, straight from the pool at each payload's offset.
            byte[] stream = new byte[size];
            int at = 0;
            keysUsed.clear();
            for (int i = 0; i < sent.size(); i++) {
                Frame f = sent.get(i);
                int n = encoder.encode(f.fin(), f.rsv(), f.opcode(), POOL, offsets[i], f.payload().length, stream, at);
                assertThat(n).isEqualTo(encoder.encodedSize(f.payload().length));
                at += n;
            }
            assertThat(at).isEqualTo(size);
            assertThat(keysUsed).hasSize(sender.masksOutgoing() ? FRAMES_PER_STREAM : 0);

            FrameCollector collector = new FrameCollector();
            FrameDecoder decoder = new FrameDecoder(collector);
            for (int[] chunk : randomChunks(random, stream.length)) {
                int consumed = decoder.feed(stream, chunk[0], chunk[1]);
                if (consumed != chunk[1]) {
                    throw new AssertionError("chunk at " + chunk[0] + " of " + chunk[1] + " bytes: consumed " + consumed);
                }
            }
            assertThat(decoder.isAtFrameBoundary()).isTrue();
            List<FrameCollector.Decoded> received = collector.decoded();
            assertThat(received).hasSize(sent.size());
            for (int i = 0; i < sent.size(); i++) {
                FrameCollector.Decoded d = received.get(i);
                if (!d.frame().equals(sent.get(i)) || d.masked() != sender.masksOutgoing()) {
                    throw new AssertionError("frame " + (done + i) + ": sent " + sent.get(i) + ", received " + d);
                }
            }
        }

        assertThat(coverage.frames).isEqualTo(FRAMES_PER_ROLE);
        assertThat(coverage.bytes).as("payload bytes round-tripped").isGreaterThan(150_000_000L);
        assertThat(coverage.encodings).containsOnlyKeys(PayloadLength.values());
        assertThat(coverage.encodings.get(PayloadLength.SIXTY_FOUR_BIT)).isGreaterThan(500);
        assertThat(coverage.encodings.get(PayloadLength.SIXTEEN_BIT)).isGreaterThan(20_000);
        assertThat(coverage.opcodes).containsOnlyKeys(Opcode.values());
        assertThat(coverage.rsvSeen).containsOnly(true);
        assertThat(coverage.notFin).isGreaterThan(FRAMES_PER_ROLE / 8);
    }

    @Test
    void roundTripsAStreamThatMixesMaskedAndUnmaskedFramesFedOneToThreeBytesAtATime() {
        Random random = new Random(42);
        FrameEncoder client = new FrameEncoder(Role.CLIENT, random::nextInt);
        FrameEncoder server = FrameEncoder.server();
        List<Frame> sent = new ArrayList<>();
        List<Boolean> masked = new ArrayList<>();
        List<byte[]> parts = new ArrayList<>();
        int[] ignored = new int[1];
        for (int i = 0; i < 2_000; i++) {
            Frame f = randomFrame(random, ignored);
            if (f.payload().length > 3000) {
                f = new Frame(f.fin(), f.rsv(), f.opcode(), Arrays.copyOf(f.payload(), 3000));
            }
            boolean fromClient = random.nextBoolean();
            sent.add(f);
            masked.add(fromClient);
            parts.add((fromClient ? client : server).encode(f));
        }
        byte[] stream = FrameTesting.concat(parts.toArray(byte[][]::new));

        FrameCollector collector = new FrameCollector();
        FrameDecoder decoder = new FrameDecoder(collector);
        for (int at = 0; at < stream.length; ) {
            int n = Math.min(1 + random.nextInt(3), stream.length - at);
            assertThat(decoder.feed(stream, at, n)).isEqualTo(n);
            at += n;
        }
        assertThat(collector.frames()).isEqualTo(sent);
        assertThat(collector.decoded().stream().map(FrameCollector.Decoded::masked).toList()).isEqualTo(masked);
    }

    @Test
    void aClientDrawsAFreshKeyForEveryFrameAndMasksWithIt() {
        int[] next = {0x01020304};
        FrameEncoder client = new FrameEncoder(Role.CLIENT, () -> next[0]++);
        for (int i = 0; i < 300; i++) {
            byte[] payload = Arrays.copyOfRange(POOL, i, i + i);
            byte[] wire = client.encode(Frame.binary(payload));
            int h = PayloadLength.headerSize(i, true);
            assertThat(FrameTesting.keyAt(wire, h - 4)).isEqualTo(0x01020304 + i);
            byte[] unmasked = Arrays.copyOfRange(wire, h, wire.length);
            Masking.maskReference(unmasked, 0, unmasked.length, 0x01020304 + i, 0);
            assertThat(unmasked).isEqualTo(payload);
        }
    }
}
