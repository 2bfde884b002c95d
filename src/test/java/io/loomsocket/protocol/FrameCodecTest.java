package io.loomsocket.protocol;

import static io.loomsocket.protocol.FrameTesting.NO_KEYS;
import static io.loomsocket.protocol.FrameTesting.assertWire;
import static io.loomsocket.protocol.FrameTesting.concat;
import static io.loomsocket.protocol.FrameTesting.decodeAllWays;
import static io.loomsocket.protocol.FrameTesting.hex;
import static io.loomsocket.protocol.FrameTesting.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link FrameEncoder} and {@link FrameDecoder} against hand-written wire bytes (RFC 6455 §5.2, §5.7). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FrameCodecTest {

    private static final int RFC_KEY = 0x37fa213d;
    private static final int TEST_KEY = 0xA1B2C3D4;

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    // ------------------------------------------------------------------ RFC 6455 §5.7 examples

    @Test
    void encodesAndDecodesTheRfcSingleFrameUnmaskedHello() {
        assertWire(Frame.text("Hello"), Role.SERVER, NO_KEYS, hex("81 05 48 65 6c 6c 6f"));
    }

    @Test
    void encodesAndDecodesTheRfcSingleFrameMaskedHelloWithKey37fa213d() {
        assertWire(Frame.text("Hello"), Role.CLIENT, MaskKeySource.fixed(RFC_KEY),
                hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"));
    }

    @Test
    void decodesMaskedHelloSplitAtEveryByteIntoOnePayloadPiecePerByte() {
        byte[] wire = hex("81 85 37 fa 21 3d 7f 9f 4d 51 58");
        FrameCollector c = new FrameCollector();
        FrameDecoder d = new FrameDecoder(c);
        for (int i = 0; i < wire.length; i++) {
            assertThat(d.isAtFrameBoundary()).as("boundary before byte %d", i).isEqualTo(i == 0);
            assertThat(d.feed(wire, i, 1)).isEqualTo(1);
            // The header is reported as soon as its last byte (the last mask key byte) arrives.
            assertThat(c.headers()).as("headers after byte %d", i).isEqualTo(i >= 5 ? 1 : 0);
        }
        assertThat(c.payloadCalls()).isEqualTo(5);
        assertThat(c.decoded()).containsExactly(new FrameCollector.Decoded(Frame.text("Hello"), true, 5));
        assertThat(d.isAtFrameBoundary()).isTrue();
    }

    @Test
    void encodesAndDecodesTheRfcFragmentedUnmaskedHelloAsHelAndLo() {
        Frame hel = new Frame(false, 0, Opcode.TEXT, ascii("Hel"));
        Frame lo = new Frame(true, 0, Opcode.CONTINUATION, ascii("lo"));
        assertWire(hel, Role.SERVER, NO_KEYS, hex("01 03 48 65 6c"));
        assertWire(lo, Role.SERVER, NO_KEYS, hex("80 02 6c 6f"));
        assertThat(decodeAllWays(hex("01 03 48 65 6c 80 02 6c 6f"), Role.SERVER)).containsExactly(hel, lo);
    }

    @Test
    void encodesAndDecodesTheRfcUnmaskedPingAndMaskedPong() {
        assertWire(new Frame(Opcode.PING, ascii("Hello")), Role.SERVER, NO_KEYS, hex("89 05 48 65 6c 6c 6f"));
        assertWire(new Frame(Opcode.PONG, ascii("Hello")), Role.CLIENT, MaskKeySource.fixed(RFC_KEY),
                hex("8a 85 37 fa 21 3d 7f 9f 4d 51 58"));
    }

    @Test
    void encodesAndDecodesTheRfc256ByteUnmaskedBinaryWithA16BitLength() {
        byte[] data = randomBytes(256, 256);
        byte[] wire = concat(hex("82 7E 0100"), data);
        assertThat(wire).hasSize(4 + 256);
        assertWire(Frame.binary(data), Role.SERVER, NO_KEYS, wire);
    }

    @Test
    void encodesAndDecodesTheRfc64KiBUnmaskedBinaryWithA64BitLength() {
        byte[] data = randomBytes(65536, 65536);
        byte[] wire = concat(hex("82 7F 0000000000010000"), data);
        assertThat(wire).hasSize(10 + 65536);
        assertWire(Frame.binary(data), Role.SERVER, NO_KEYS, wire);
    }

    @Test
    void decodesAllRfcExamplesBackToBackInOneStream() {
        byte[] stream = concat(
                hex("81 05 48 65 6c 6c 6f"),
                hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"),
                hex("01 03 48 65 6c"),
                hex("80 02 6c 6f"),
                hex("89 05 48 65 6c 6c 6f"),
                hex("8a 85 37 fa 21 3d 7f 9f 4d 51 58"));
        assertThat(decodeAllWays(stream)).containsExactly(
                Frame.text("Hello"),
                Frame.text("Hello"),
                new Frame(false, 0, Opcode.TEXT, ascii("Hel")),
                new Frame(true, 0, Opcode.CONTINUATION, ascii("lo")),
                new Frame(Opcode.PING, ascii("Hello")),
                new Frame(Opcode.PONG, ascii("Hello")));
    }

    // ------------------------------------------------------------------ length boundaries

    /** Length, the server's header, the client's header (with mask key a1b2c3d4). */
    static Stream<Arguments> boundaryLengths() {
        return Stream.of(
                Arguments.of(0, "82 00", "82 80 a1b2c3d4"),
                Arguments.of(1, "82 01", "82 81 a1b2c3d4"),
                Arguments.of(124, "82 7c", "82 fc a1b2c3d4"),
                Arguments.of(125, "82 7d", "82 fd a1b2c3d4"),
                Arguments.of(126, "82 7e 007e", "82 fe 007e a1b2c3d4"),
                Arguments.of(127, "82 7e 007f", "82 fe 007f a1b2c3d4"),
                Arguments.of(65534, "82 7e fffe", "82 fe fffe a1b2c3d4"),
                Arguments.of(65535, "82 7e ffff", "82 fe ffff a1b2c3d4"),
                Arguments.of(65536, "82 7f 0000000000010000", "82 ff 0000000000010000 a1b2c3d4"),
                Arguments.of(65537, "82 7f 0000000000010001", "82 ff 0000000000010001 a1b2c3d4"));
    }

    @ParameterizedTest(name = "{0} bytes")
    @MethodSource("boundaryLengths")
    void serverEncodesBoundaryLengthsWithTheMinimalUnmaskedHeader(int length, String serverHeader, String clientHeader) {
        byte[] payload = randomBytes(length, length);
        byte[] header = hex(serverHeader);
        byte[] wire = concat(header, payload);
        assertThat(PayloadLength.headerSize(length, false)).isEqualTo(header.length);
        assertThat(FrameEncoder.server().encodedSize(length)).isEqualTo(header.length + length);
        assertWire(Frame.binary(payload), Role.SERVER, NO_KEYS, wire);
    }

    @ParameterizedTest(name = "{0} bytes")
    @MethodSource("boundaryLengths")
    void clientEncodesBoundaryLengthsWithTheMinimalMaskedHeader(int length, String serverHeader, String clientHeader) {
        byte[] payload = randomBytes(length, length);
        byte[] header = hex(clientHeader);
        byte[] masked = payload.clone();
        Masking.maskReference(masked, 0, masked.length, TEST_KEY, 0);
        byte[] wire = concat(header, masked);
        assertThat(PayloadLength.headerSize(length, true)).isEqualTo(header.length);
        assertThat(new FrameEncoder(Role.CLIENT, MaskKeySource.fixed(TEST_KEY)).encodedSize(length))
                .isEqualTo(header.length + length);
        assertWire(Frame.binary(payload), Role.CLIENT, MaskKeySource.fixed(TEST_KEY), wire);
    }

    @Test
    void decodesTheLargestLegal64BitLengthHeaderWithoutWaitingForPayload() {
        FrameCollector c = new FrameCollector();
        FrameDecoder d = new FrameDecoder(c);
        byte[] header = hex("82 7f 7fffffffffffffff");
        assertThat(d.feed(header, 0, header.length)).isEqualTo(header.length);
        assertThat(c.headers()).isEqualTo(1);
        assertThat(c.announcedLength()).isEqualTo(Long.MAX_VALUE);
        assertThat(c.inFrame()).isTrue();
        assertThat(d.isAtFrameBoundary()).isFalse();
    }

    // ------------------------------------------------------------------ malformed lengths

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "82 7e 0000",                 // 0 in 16 bits
            "82 7e 0001",                 // 1 in 16 bits
            "82 7e 007d",                 // 125 in 16 bits
            "82 fe 007d",                 // same, masked
            "89 7e 0005",                 // a ping with 5 in 16 bits
            "82 7f 0000000000000000",     // 0 in 64 bits
            "82 7f 000000000000007d",     // 125 in 64 bits
            "82 7f 000000000000007e",     // 126 in 64 bits
            "82 7f 0000000000000100",     // 256 in 64 bits
            "82 7f 000000000000ffff",     // 65535 in 64 bits
            "82 ff 000000000000ffff",     // same, masked
    })
    void rejectsNonMinimalLengthEncodingsAsSoonAsTheLengthIsComplete(String header) {
        byte[] wire = hex(header);
        // Whole header at once; no mask key or payload follows, so the check cannot wait for them.
        FrameCollector c = new FrameCollector();
        ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> new FrameDecoder(c).feed(wire.clone(), 0, wire.length));
        assertThat(e).isNotNull();
        assertThat(e.violation()).isEqualTo(Violation.NON_MINIMAL_LENGTH);
        assertThat(e.closeCode()).isEqualTo(CloseCode.PROTOCOL_ERROR);
        assertThat(c.headers()).isZero();
        assertThrowsOnlyAtLastByte(wire, Violation.NON_MINIMAL_LENGTH);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "82 7f 8000000000000000",
            "82 7f 8000000000010000",
            "82 7f ffffffffffffffff",
            "82 ff ffffffffffffffff",
            "80 7f 8000000000000001",
    })
    void rejectsA64BitLengthWithTheMostSignificantBitSet(String header) {
        byte[] wire = hex(header);
        FrameCollector c = new FrameCollector();
        assertThatThrownBy(() -> new FrameDecoder(c).feed(wire.clone(), 0, wire.length))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.violation()).isEqualTo(Violation.LENGTH_TOO_LARGE));
        assertThat(c.headers()).isZero();
        assertThrowsOnlyAtLastByte(wire, Violation.LENGTH_TOO_LARGE);
    }

    /** Feeds one byte at a time: nothing may throw before the last byte, which must throw. */
    private static void assertThrowsOnlyAtLastByte(byte[] wire, Violation expected) {
        FrameDecoder d = new FrameDecoder(new FrameCollector());
        for (int i = 0; i < wire.length - 1; i++) {
            assertThat(d.feed(wire, i, 1)).as("byte %d", i).isEqualTo(1);
        }
        assertThatThrownBy(() -> d.feed(wire, wire.length - 1, 1))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.violation()).isEqualTo(expected));
    }

    // ------------------------------------------------------------------ opcodes and reserved bits

    static IntStream reservedOpcodes() {
        return IntStream.of(0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF);
    }

    @ParameterizedTest(name = "opcode 0x{0}")
    @MethodSource("reservedOpcodes")
    void rejectsEveryReservedOpcodeAtTheFirstByte(int opcode) {
        for (int high : new int[] {0x00, 0x80, 0x70, 0xF0}) { // with and without FIN and RSV bits
            byte[] wire = {(byte) (high | opcode), 0x00};
            FrameCollector c = new FrameCollector();
            FrameDecoder d = new FrameDecoder(c);
            assertThatThrownBy(() -> d.feed(wire, 0, 1))
                    .isInstanceOfSatisfying(ProtocolException.class, e -> {
                        assertThat(e.violation()).isEqualTo(Violation.RESERVED_OPCODE);
                        assertThat(e.closeCode().code()).isEqualTo(1002);
                        assertThat(e.reason()).contains("0x" + Integer.toHexString(opcode));
                    });
            assertThat(c.headers()).isZero();
            assertThatThrownBy(() -> d.feed(wire, 1, 1)).isInstanceOf(IllegalStateException.class);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Opcode.class)
    void decodesEveryDefinedOpcodeWithAndWithoutFin(Opcode opcode) {
        for (boolean fin : new boolean[] {true, false}) {
            byte[] wire = {(byte) ((fin ? 0x80 : 0) | opcode.bits()), 0x01, 0x2A};
            assertWire(new Frame(fin, 0, opcode, new byte[] {0x2A}), Role.SERVER, NO_KEYS, wire);
        }
    }

    @ParameterizedTest(name = "rsv={0}")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7})
    void encodesAndDecodesEachCombinationOfReservedBits(int rsv) {
        for (Opcode opcode : Opcode.values()) {
            for (boolean fin : new boolean[] {true, false}) {
                Frame frame = new Frame(fin, rsv, opcode, ascii("rsv"));
                int first = (fin ? 0x80 : 0) | rsv << 4 | opcode.bits();
                byte[] serverWire = concat(new byte[] {(byte) first, 0x03}, ascii("rsv"));
                assertWire(frame, Role.SERVER, NO_KEYS, serverWire);
                byte[] masked = ascii("rsv");
                Masking.maskReference(masked, 0, 3, TEST_KEY, 0);
                byte[] clientWire = concat(new byte[] {(byte) first, (byte) 0x83}, hex("a1b2c3d4"), masked);
                assertWire(frame, Role.CLIENT, MaskKeySource.fixed(TEST_KEY), clientWire);
            }
        }
        // RSV1 is bit 6 of the first byte, RSV3 bit 4.
        assertThat(decodeAllWays(hex("c1 00"))).containsExactly(new Frame(true, Frame.RSV1, Opcode.TEXT, new byte[0]));
        assertThat(decodeAllWays(hex("a1 00"))).containsExactly(new Frame(true, Frame.RSV2, Opcode.TEXT, new byte[0]));
        assertThat(decodeAllWays(hex("91 00"))).containsExactly(new Frame(true, Frame.RSV3, Opcode.TEXT, new byte[0]));
    }

    @Test
    void decodesAMaskedFrameWithAZeroMaskKeyAndAnUnmaskedEmptyFrame() {
        assertThat(decodeAllWays(hex("82 83 00000000 010203"), Role.CLIENT)).containsExactly(Frame.binary(new byte[] {1, 2, 3}));
        assertThat(decodeAllWays(hex("88 00 8a 80 01020304"))).containsExactly(
                new Frame(Opcode.CLOSE, new byte[0]), new Frame(Opcode.PONG, new byte[0]));
    }

    // ------------------------------------------------------------------ feed contract

    @Test
    void feedReturnsTheCountConsumedIncludingAPartialFrameAtTheEnd() {
        byte[] stream = concat(hex("81 05 48 65 6c 6c 6f"), hex("89 00"), hex("82 7e 01"));
        FrameCollector c = new FrameCollector();
        FrameDecoder d = new FrameDecoder(c);
        assertThat(d.feed(stream, 0, stream.length)).isEqualTo(stream.length);
        assertThat(c.frames()).containsExactly(Frame.text("Hello"), new Frame(Opcode.PING, new byte[0]));
        assertThat(d.isAtFrameBoundary()).isFalse();
        assertThat(d.feed(new byte[0], 0, 0)).isZero();
        byte[] rest = concat(hex("00"), new byte[256]);
        assertThat(d.feed(rest, 0, rest.length)).isEqualTo(rest.length);
        assertThat(c.frames()).last().isEqualTo(Frame.binary(new byte[256]));
        assertThat(d.isAtFrameBoundary()).isTrue();
    }

    @Test
    void feedOfNothingConsumesNothingAndReportsNothing() {
        FrameCollector c = new FrameCollector();
        FrameDecoder d = new FrameDecoder(c);
        assertThat(d.feed(new byte[10], 5, 0)).isZero();
        assertThat(c.headers()).isZero();
        assertThat(d.isAtFrameBoundary()).isTrue();
        assertThat(d.isStopped()).isFalse();
    }

    @Test
    void stopsRightAfterAFrameWhoseEndReturnedFalseAndLaterFeedsConsumeNothing() {
        byte[] first = hex("88 02 03e8");
        byte[] stream = concat(first, hex("81 05 48 65 6c 6c 6f"), hex("89 00"));
        FrameCollector c = new FrameCollector(1);
        FrameDecoder d = new FrameDecoder(c);
        assertThat(d.feed(stream, 0, stream.length)).isEqualTo(first.length);
        assertThat(d.isStopped()).isTrue();
        assertThat(d.isAtFrameBoundary()).isFalse();
        assertThat(c.frames()).containsExactly(new Frame(Opcode.CLOSE, hex("03e8")));
        assertThat(d.feed(stream, first.length, stream.length - first.length)).isZero();
        assertThat(d.feed(hex("89 00"), 0, 2)).isZero();
        assertThat(d.feed(ByteBuffer.wrap(hex("89 00")))).isZero();
        assertThat(c.headers()).isEqualTo(1);
    }

    @Test
    void stopsAfterAnEmptyFrameInTheMiddleOfAFeed() {
        // The empty frame ends inside its header's last byte: the stop must still happen there.
        byte[] stream = hex("81 01 41 88 00 81 01 42");
        FrameCollector c = new FrameCollector(2);
        FrameDecoder d = new FrameDecoder(c);
        assertThat(d.feed(stream, 0, stream.length)).isEqualTo(5);
        assertThat(c.frames()).containsExactly(Frame.text("A"), new Frame(Opcode.CLOSE, new byte[0]));
    }

    @Test
    void stopsWhenFedOneByteAtATimeAndConsumesNoByteAfterTheStop() {
        byte[] stream = hex("81 81 01020304 40 81 01 42");
        FrameCollector c = new FrameCollector(1);
        FrameDecoder d = new FrameDecoder(c);
        int consumed = 0;
        for (int i = 0; i < stream.length; i++) {
            consumed += d.feed(stream, i, 1);
        }
        assertThat(consumed).isEqualTo(7);
        assertThat(c.frames()).containsExactly(Frame.text("A"));
    }

    @Test
    void aDecoderThatThrewIsUnusable() {
        FrameDecoder d = new FrameDecoder(new FrameCollector());
        byte[] bad = hex("83 00");
        assertThatThrownBy(() -> d.feed(bad, 0, bad.length)).isInstanceOf(ProtocolException.class);
        byte[] good = hex("81 00");
        assertThatThrownBy(() -> d.feed(good, 0, good.length))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> d.feed(new byte[0], 0, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> d.feed(ByteBuffer.wrap(good))).isInstanceOf(IllegalStateException.class);
        assertThat(d.isAtFrameBoundary()).isFalse();
        assertThat(d.isStopped()).isFalse();
    }

    @Test
    void anExceptionFromTheListenerPropagatesUnchangedAndMakesTheDecoderUnusable() {
        ProtocolException fromHeader = new ProtocolException(Violation.RESERVED_BITS, "no");
        FrameDecoder onHeader = new FrameDecoder(new FrameCollector() {
            @Override
            public void onHeader(boolean fin, int rsv, Opcode opcode, boolean masked, long payloadLength) {
                throw fromHeader;
            }
        });
        byte[] wire = hex("81 05 48 65 6c 6c 6f");
        assertThatThrownBy(() -> onHeader.feed(wire.clone(), 0, wire.length)).isSameAs(fromHeader);
        assertThatThrownBy(() -> onHeader.feed(wire.clone(), 0, wire.length)).isInstanceOf(IllegalStateException.class);

        ProtocolException fromPayload = new ProtocolException(Violation.INVALID_UTF8, "no");
        FrameDecoder onPayload = new FrameDecoder(new FrameCollector() {
            @Override
            public void onPayload(byte[] buf, int off, int len) {
                throw fromPayload;
            }
        });
        assertThatThrownBy(() -> onPayload.feed(wire.clone(), 0, wire.length)).isSameAs(fromPayload);
        assertThatThrownBy(() -> onPayload.feed(wire.clone(), 0, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void unmasksThePayloadInPlaceInTheCallersBufferAndLeavesTheHeaderAlone() {
        byte[] wire = hex("81 85 37 fa 21 3d 7f 9f 4d 51 58");
        new FrameDecoder(new FrameCollector()).feed(wire, 0, wire.length);
        assertThat(Arrays.copyOfRange(wire, 0, 6)).isEqualTo(hex("81 85 37 fa 21 3d"));
        assertThat(new String(wire, 6, 5, StandardCharsets.US_ASCII)).isEqualTo("Hello");
    }

    @Test
    void reportsAnEmptyPayloadWithNoPayloadCallsAndAPayloadInAsManyPiecesAsItArrived() {
        FrameCollector c = new FrameCollector();
        FrameDecoder d = new FrameDecoder(c);
        byte[] empty = hex("82 80 01020304");
        d.feed(empty, 0, empty.length);
        assertThat(c.payloadCalls()).isZero();
        assertThat(c.frames()).containsExactly(Frame.binary(new byte[0]));

        byte[] wire = concat(hex("82 0a"), new byte[10]);
        d.feed(wire, 0, 4);
        d.feed(wire, 4, 3);
        d.feed(wire, 7, 5);
        assertThat(c.payloadCalls()).isEqualTo(3);
        assertThat(c.frames()).last().isEqualTo(Frame.binary(new byte[10]));
    }

    @Test
    void feedsFromHeapSlicedDirectAndReadOnlyByteBuffersAdvancingThePosition() {
        byte[] wire = hex("81 85 37 fa 21 3d 7f 9f 4d 51 58 89 00");
        byte[] padded = concat(hex("eeee"), wire, hex("ee"));

        ByteBuffer sliced = ByteBuffer.wrap(padded, 1, padded.length - 1).slice(); // arrayOffset 1
        sliced.position(1).limit(1 + wire.length);
        ByteBuffer direct = ByteBuffer.allocateDirect(wire.length + 3);
        direct.put(hex("eeee")).put(wire).flip().position(2);
        ByteBuffer readOnly = ByteBuffer.wrap(wire.clone()).asReadOnlyBuffer();

        for (ByteBuffer in : List.of(sliced, direct, readOnly)) {
            FrameCollector c = new FrameCollector();
            int start = in.position();
            assertThat(new FrameDecoder(c).feed(in)).isEqualTo(wire.length);
            assertThat(in.position()).isEqualTo(start + wire.length);
            assertThat(in.hasRemaining()).isFalse();
            assertThat(c.frames()).containsExactly(Frame.text("Hello"), new Frame(Opcode.PING, new byte[0]));
        }
    }

    @Test
    void aStoppedDecoderAdvancesAByteBufferOnlyPastWhatItConsumed() {
        byte[] wire = hex("88 00 81 01 41");
        ByteBuffer in = ByteBuffer.wrap(wire);
        FrameDecoder d = new FrameDecoder(new FrameCollector(1));
        assertThat(d.feed(in)).isEqualTo(2);
        assertThat(in.position()).isEqualTo(2);
        assertThat(in.remaining()).isEqualTo(3);
    }
}
