package io.loomsocket.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.protocol.Opcode;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The envelope's wire format: round trips, the exact header, and what decoding refuses. */
class EnvelopeTest {

    /** A payload of {@code n} bytes cycling through CR, LF, NUL, 0xFF and printable bytes. */
    private static byte[] payload(int n) {
        byte[] p = new byte[n];
        byte[] cycle = {'\r', '\n', 0, (byte) 0xFF, 'a', 'L', 1, 9};
        for (int i = 0; i < n; i++) {
            p[i] = cycle[i % cycle.length];
        }
        return p;
    }

    static Stream<Arguments> envelopes() {
        return Stream.of(Envelope.TEXT, Envelope.BINARY, Envelope.PROBE)
                .flatMap(kind -> Stream.of(0, 1, 64 * 1024).map(size -> Arguments.of(kind, size)));
    }

    @ParameterizedTest(name = "kind {0}, {1} bytes")
    @MethodSource("envelopes")
    void encodeThenDecodeGivesTheSameEnvelope(byte kind, int size) {
        byte[] body = payload(size);
        if (size == 1) {
            body[0] = 0; // a lone NUL
        }
        Envelope e = new Envelope(kind, 0x8000_0000_0000_0001L, 42, 1_700_000_000_123_456L, body);

        byte[] wire = e.encode();
        Envelope back = Envelope.decode(wire);

        assertThat(wire).hasSize(Envelope.HEADER + size);
        assertThat(back).isEqualTo(e);
        assertThat(back.kind()).isEqualTo(kind);
        assertThat(back.origin()).isEqualTo(0x8000_0000_0000_0001L);
        assertThat(back.sequence()).isEqualTo(42);
        assertThat(back.publishedAtMicros()).isEqualTo(1_700_000_000_123_456L);
        assertThat(back.payload()).isEqualTo(body);
        assertThat(Arrays.copyOfRange(wire, Envelope.HEADER, wire.length)).isEqualTo(body);
    }

    @Test
    void payloadWithCrLfAndNulSurvivesIntact() {
        byte[] body = {'\r', '\n', 0, '\r', 0, '\n', 0, 0};
        Envelope back = Envelope.decode(new Envelope(Envelope.TEXT, 1, 1, 1, body).encode());
        assertThat(back.payload()).containsExactly('\r', '\n', 0, '\r', 0, '\n', 0, 0);
    }

    @Test
    void extremeHeaderValuesRoundTrip() {
        for (long v : new long[] {-1L, Long.MIN_VALUE, Long.MAX_VALUE, 0L, 1L}) {
            Envelope e = new Envelope(Envelope.BINARY, v, v, v, new byte[] {7});
            Envelope back = Envelope.decode(e.encode());
            assertThat(back.origin()).isEqualTo(v);
            assertThat(back.sequence()).isEqualTo(v);
            assertThat(back.publishedAtMicros()).isEqualTo(v);
        }
    }

    @Test
    void theHeaderBytesAreExactlyAsDocumented() {
        Envelope e = new Envelope(Envelope.BINARY, 0x0102030405060708L, 0x1112131415161718L, 0xA1A2A3A4A5A6A7A8L,
                new byte[] {'h', 'i'});

        assertThat(e.encode()).containsExactly(
                0x4C, 1, 2, 0,
                0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
                0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8,
                'h', 'i');
        assertThat(Envelope.HEADER).isEqualTo(28);
    }

    @Test
    void kindsAreOneTwoAndNine() {
        assertThat(new Envelope(Envelope.TEXT, 1, 1, 1, new byte[0]).encode()[2]).isEqualTo((byte) 1);
        assertThat(new Envelope(Envelope.PROBE, 1, 1, 1, new byte[0]).encode()[2]).isEqualTo((byte) 9);
    }

    @Test
    void dataEnvelopesMapToAndFromMessageTypes() {
        Envelope text = Envelope.of(Opcode.TEXT, 5, 6, 7, new byte[] {'x'});
        Envelope binary = Envelope.of(Opcode.BINARY, 5, 6, 7, new byte[] {'x'});

        assertThat(text.kind()).isEqualTo(Envelope.TEXT);
        assertThat(text.type()).isEqualTo(Opcode.TEXT);
        assertThat(binary.kind()).isEqualTo(Envelope.BINARY);
        assertThat(binary.type()).isEqualTo(Opcode.BINARY);
        assertThat(Envelope.decode(text.encode()).type()).isEqualTo(Opcode.TEXT);
        assertThatThrownBy(() -> Envelope.of(Opcode.PING, 1, 1, 1, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("not a data message type: PING");
        assertThatThrownBy(() -> new Envelope(Envelope.PROBE, 1, 1, 1, new byte[0]).type())
                .isInstanceOf(IllegalStateException.class).hasMessage("not a data envelope: kind 9");
    }

    @Test
    void aBodyShorterThanTheHeaderIsRefused() {
        byte[] valid = new Envelope(Envelope.TEXT, 1, 2, 3, new byte[0]).encode();
        assertThat(Envelope.decode(valid).payload()).isEmpty(); // exactly the header: fine

        assertThatThrownBy(() -> Envelope.decode(Arrays.copyOf(valid, 27)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("message of 27 bytes, shorter than the 28-byte header");
        assertThatThrownBy(() -> Envelope.decode(new byte[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("message of 0 bytes, shorter than the 28-byte header");
    }

    @Test
    void aWrongMagicIsRefused() {
        byte[] wire = new Envelope(Envelope.TEXT, 1, 2, 3, new byte[] {1}).encode();
        wire[0] = (byte) 0xFE;
        assertThatThrownBy(() -> Envelope.decode(wire))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a Loomsocket envelope (first byte 0xfe)");
        wire[0] = '{';
        assertThatThrownBy(() -> Envelope.decode(wire))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a Loomsocket envelope (first byte 0x7b)");
    }

    @Test
    void anUnknownVersionIsRefused() {
        byte[] wire = new Envelope(Envelope.TEXT, 1, 2, 3, new byte[] {1}).encode();
        wire[1] = 2;
        assertThatThrownBy(() -> Envelope.decode(wire))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("envelope version 2, this node reads version 1");
        wire[1] = 0;
        assertThatThrownBy(() -> Envelope.decode(wire))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("envelope version 0, this node reads version 1");
    }

    @Test
    void anUnknownKindIsRefused() {
        byte[] wire = new Envelope(Envelope.TEXT, 1, 2, 3, new byte[] {1}).encode();
        for (byte kind : new byte[] {0, 3, 8, 10, 127}) {
            wire[2] = kind;
            assertThatThrownBy(() -> Envelope.decode(wire))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("unknown envelope kind " + kind);
        }
    }

    @Test
    void decodingCopiesThePayload() {
        byte[] wire = new Envelope(Envelope.BINARY, 1, 2, 3, new byte[] {1, 2, 3}).encode();
        Envelope e = Envelope.decode(wire);
        wire[Envelope.HEADER] = 99;
        assertThat(e.payload()).containsExactly(1, 2, 3);
    }
}
