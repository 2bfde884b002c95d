package io.loomsocket.protocol;

import static io.loomsocket.protocol.FrameTesting.concat;
import static io.loomsocket.protocol.FrameTesting.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.protocol.deflate.DeflateOptions;
import io.loomsocket.protocol.deflate.DeflateParams;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The connection with permessage-deflate (RFC 7692 §6, §7.2): which frames carry RSV1, and what they mean. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionDeflateTest {

    private static final int KEY = 0x37fa213d;
    private static final FrameEncoder CLIENT = new FrameEncoder(Role.CLIENT, MaskKeySource.fixed(KEY));
    private static final DeflateParams DEFAULT = DeflateParams.defaults();
    private static final DeflateOptions EVERY_MESSAGE = DeflateOptions.defaults().withThreshold(0);

    private static Connection open(Role role, DeflateParams params, DeflateOptions local) {
        return open(role, params, local, ConnectionConfig.defaults());
    }

    private static Connection open(Role role, DeflateParams params, DeflateOptions local, ConnectionConfig config) {
        Connection c = new Connection(role, role == Role.CLIENT ? config.withMaskKeys(MaskKeySource.fixed(KEY)) : config,
                params, local);
        c.open();
        return c;
    }

    private static List<Message> events(Connection c) {
        List<Message> out = new ArrayList<>();
        for (Message m; (m = c.nextEvent()) != null; ) {
            out.add(m);
        }
        return out;
    }

    /** What {@code c} queued, as frames (unmasked). */
    private static List<Frame> frames(Connection c) {
        List<Frame> out = new ArrayList<>();
        for (byte[] b; (b = c.nextOutgoing()) != null; ) {
            out.addAll(FrameTesting.decodeAllWays(b, c.role()));
        }
        return out;
    }

    /** Moves everything {@code from} queued into {@code to}. */
    private static void pipe(Connection from, Connection to) {
        for (byte[] b; (b = from.nextOutgoing()) != null; ) {
            to.receiveData(b, 0, b.length);
        }
    }

    private static void assertFailedWith(Connection c, int code, String reasonPart) {
        assertThat(c.isFailed()).as("failed").isTrue();
        List<Frame> out = frames(c);
        Frame close = out.get(out.size() - 1);
        assertThat(close.opcode()).isEqualTo(Opcode.CLOSE);
        CloseBody body = CloseBody.parse(close.payload(), 0, close.payload().length);
        assertThat(body.code().code()).isEqualTo(code);
        assertThat(body.reason()).contains(reasonPart);
    }

    private static byte[] rawDeflate(byte[] data) {
        Deflater d = new Deflater(6, true);
        d.setInput(data);
        byte[] out = new byte[data.length * 2 + 64];
        int n = d.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
        d.end();
        return Arrays.copyOf(out, n - 4);
    }

    private static byte[] rawInflate(byte[] payload) throws DataFormatException {
        Inflater i = new Inflater(true);
        i.setInput(concat(payload, hex("0000ffff")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = i.inflate(buf)) > 0) {
            out.write(buf, 0, n);
        }
        i.end();
        return out.toByteArray();
    }

    @Nested
    class Receiving {

        /** RFC 7692 §7.2.3.1: a client reads "Hello" in one compressed frame, at every split. */
        @Test
        void theRfcsCompressedHelloFrameAtEverySplit() {
            byte[] wire = hex("c1 07 f2 48 cd c9 c9 07 00");
            for (int split = 0; split <= wire.length; split++) {
                Connection c = open(Role.CLIENT, DEFAULT, null);
                c.receiveData(wire.clone(), 0, split);
                c.receiveData(wire.clone(), split, wire.length - split);
                assertThat(events(c)).as("split at %d", split).containsExactly(new Message.Text("Hello"));
            }
        }

        /** §7.2.3.1: the same, fragmented; fed byte by byte and at every split. */
        @Test
        void theRfcsFragmentedCompressedHelloAtEverySplitAndByteByByte() {
            byte[] wire = hex("41 03 f2 48 cd 80 04 c9 c9 07 00");
            for (int split = 0; split <= wire.length; split++) {
                Connection c = open(Role.CLIENT, DEFAULT, null);
                c.receiveData(wire.clone(), 0, split);
                c.receiveData(wire.clone(), split, wire.length - split);
                assertThat(events(c)).as("split at %d", split).containsExactly(new Message.Text("Hello"));
            }
            Connection c = open(Role.CLIENT, DEFAULT, null);
            byte[] copy = wire.clone();
            for (int i = 0; i < copy.length; i++) {
                c.receiveData(copy, i, 1);
            }
            assertThat(events(c)).containsExactly(new Message.Text("Hello"));
        }

        /** §7.2.3.2 over frames; §7.2.3.3 an uncompressed block; §7.2.3.4 BFINAL; §7.2.3.5 two blocks. */
        @Test
        void theRfcsOtherExamplesAsFrames() {
            Connection c = open(Role.CLIENT, DEFAULT, null);
            byte[] wire = hex("c1 07 f2 48 cd c9 c9 07 00  c1 05 f2 00 11 00 00"
                    + "c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00  c1 08 f3 48 cd c9 c9 07 00 00"
                    + "c1 0d f2 48 05 00 00 00 ff ff ca c9 c9 07 00");
            c.receiveData(wire, 0, wire.length);
            assertThat(events(c)).containsExactly(new Message.Text("Hello"), new Message.Text("Hello"),
                    new Message.Text("Hello"), new Message.Text("Hello"), new Message.Text("Hello"));
        }

        @Test
        void anUncompressedMessageStillArrivesAsIs() {
            Connection c = open(Role.CLIENT, DEFAULT, null);
            byte[] wire = hex("81 05 48 65 6c 6c 6f");
            c.receiveData(wire, 0, wire.length);
            assertThat(events(c)).containsExactly(new Message.Text("Hello"));
        }

        @Test
        void anEmptyCompressedMessageEitherWay() {
            Connection c = open(Role.CLIENT, DEFAULT, null);
            byte[] wire = hex("c1 00  c2 01 00");
            c.receiveData(wire, 0, wire.length);
            assertThat(events(c)).containsExactly(new Message.Text(""), new Message.Binary(new byte[0]));
        }

        @Test
        void rsv1OnAContinuationFrameFailsWith1002() {
            Connection c = open(Role.CLIENT, DEFAULT, null);
            byte[] wire = hex("41 03 f2 48 cd c0 04 c9 c9 07 00");
            c.receiveData(wire, 0, wire.length);
            assertFailedWith(c, 1002, "RSV1 set on a continuation frame");
        }

        @Test
        void rsv1OnAControlFrameFailsWith1002() {
            Connection c = open(Role.CLIENT, DEFAULT, null);
            byte[] wire = hex("c9 00");
            c.receiveData(wire, 0, wire.length);
            assertFailedWith(c, 1002, "RSV1 set on a PING frame");
        }

        @Test
        void rsv1WithoutTheExtensionFailsWith1002() {
            Connection c = new Connection(Role.CLIENT, ConnectionConfig.defaults());
            c.open();
            byte[] wire = hex("c1 07 f2 48 cd c9 c9 07 00");
            c.receiveData(wire, 0, wire.length);
            assertFailedWith(c, 1002, "with no extension negotiated");
        }

        @Test
        void rsv2WithTheExtensionFailsWith1002() {
            Connection c = open(Role.CLIENT, DEFAULT, null);
            byte[] wire = hex("a1 05 48 65 6c 6c 6f");
            c.receiveData(wire, 0, wire.length);
            assertFailedWith(c, 1002, "defines RSV1 (100) only");
        }

        @Test
        void corruptCompressedDataFailsWith1007() {
            Connection c = open(Role.CLIENT, DEFAULT, null);
            byte[] wire = hex("c2 04 ff ff ff ff");
            c.receiveData(wire, 0, wire.length);
            assertFailedWith(c, 1007, "invalid compressed data");
        }

        @Test
        void invalidUtf8AfterInflatingFailsWith1007() {
            Connection s = open(Role.SERVER, DEFAULT, null);
            byte[] payload = rawDeflate("valid, then \u00e9".getBytes(StandardCharsets.ISO_8859_1)); // é alone is not UTF-8
            byte[] wire = CLIENT.encode(true, 0b100, Opcode.TEXT, payload, 0, payload.length);
            s.receiveData(wire, 0, wire.length);
            assertFailedWith(s, 1007, "");
            assertThat(events(s)).isEmpty();
        }

        @Test
        void theLimitAppliesToTheInflatedSize() {
            ConnectionConfig small = ConnectionConfig.defaults().withMaxMessageSize(1000);
            Connection s = open(Role.SERVER, DEFAULT, null, small);
            byte[] fits = rawDeflate(new byte[1000]);
            byte[] over = rawDeflate(new byte[1001]);
            s.receiveData(CLIENT.encode(true, 0b100, Opcode.BINARY, fits, 0, fits.length), 0, 6 + fits.length);
            assertThat(events(s)).containsExactly(new Message.Binary(new byte[1000]));
            byte[] wire = CLIENT.encode(true, 0b100, Opcode.BINARY, over, 0, over.length);
            s.receiveData(wire, 0, wire.length);
            assertFailedWith(s, 1009, "inflates to more than the limit");
        }

        /** A gibibyte of zeros, about 1 MiB compressed, in 64 KiB fragments: 1009 within the first. */
        @Test
        void aDecompressionBombFailsWith1009AtItsFirstFragment() {
            byte[] bomb = io.loomsocket.protocol.deflate.Bombs.zerosCompressed(1L << 30);
            Connection s = open(Role.SERVER, DEFAULT, null);
            int fragment = 64 * 1024;
            byte[] first = CLIENT.encode(false, 0b100, Opcode.BINARY, bomb, 0, fragment);
            s.receiveData(first, 0, first.length);
            assertFailedWith(s, 1009, "inflates to more than the limit");
            // The rest is ignored.
            for (int off = fragment; off < bomb.length; off += fragment) {
                int n = Math.min(fragment, bomb.length - off);
                byte[] next = CLIENT.encode(off + n == bomb.length, 0, Opcode.CONTINUATION, bomb, off, n);
                s.receiveData(next, 0, next.length);
            }
            assertThat(events(s)).isEmpty();
        }
    }

    @Nested
    class Sending {

        @Test
        void aMessageAtTheThresholdIsCompressedWithRsv1() throws Exception {
            Connection s = open(Role.SERVER, DEFAULT, DeflateOptions.defaults());
            String text = "x".repeat(64);
            s.sendText(text);
            s.sendText("x".repeat(63));
            List<Frame> out = frames(s);
            assertThat(out.get(0).rsv()).isEqualTo(0b100);
            assertThat(new String(rawInflate(out.get(0).payload()), StandardCharsets.UTF_8)).isEqualTo(text);
            assertThat(out.get(1).rsv()).as("under the threshold").isZero();
            assertThat(out.get(1).payload()).hasSize(63);
        }

        @Test
        void controlFramesAreNeverCompressed() {
            Connection s = open(Role.SERVER, DEFAULT, EVERY_MESSAGE);
            s.sendPing(new byte[100]);
            s.sendPong(new byte[100]);
            s.sendClose(CloseCode.NORMAL_CLOSURE, "a".repeat(100));
            assertThat(frames(s)).extracting(Frame::rsv).containsExactly(0, 0, 0);
        }

        @Test
        void aPingIsAnsweredUncompressed() {
            Connection c = open(Role.CLIENT, DEFAULT, EVERY_MESSAGE);
            byte[] ping = hex("89 02 68 69");
            c.receiveData(ping, 0, ping.length);
            List<Frame> out = frames(c);
            assertThat(out).hasSize(1);
            assertThat(out.get(0).opcode()).isEqualTo(Opcode.PONG);
            assertThat(out.get(0).rsv()).isZero();
        }

        @Test
        void aFragmentedMessageHasRsv1OnTheFirstFrameOnly() throws Exception {
            Connection s = open(Role.SERVER, DEFAULT, EVERY_MESSAGE);
            byte[] a = "first part ".repeat(10).getBytes(StandardCharsets.UTF_8);
            byte[] b = "second part".repeat(10).getBytes(StandardCharsets.UTF_8);
            s.sendFrame(Opcode.TEXT, a, 0, a.length, false);
            s.sendPing(new byte[0]); // a control frame between fragments
            s.sendFrame(Opcode.CONTINUATION, b, 0, b.length, true);
            List<Frame> out = frames(s);
            assertThat(out).extracting(Frame::opcode).containsExactly(Opcode.TEXT, Opcode.PING, Opcode.CONTINUATION);
            assertThat(out).extracting(Frame::rsv).containsExactly(0b100, 0, 0);
            assertThat(rawInflate(concat(out.get(0).payload(), out.get(2).payload()))).isEqualTo(concat(a, b));
        }

        @Test
        void aBroadcastEncodingWhileAFragmentedMessageIsCompressedGoesUncompressed() {
            Connection s = open(Role.SERVER, DEFAULT, EVERY_MESSAGE);
            byte[] a = "first part ".repeat(10).getBytes(StandardCharsets.UTF_8);
            s.sendFrame(Opcode.TEXT, a, 0, a.length, false);
            byte[] encoded = s.encodeMessage(Opcode.TEXT, a);
            assertThat(encoded[0] & 0x70).isZero();
            s.sendFrame(Opcode.CONTINUATION, a, 0, a.length, true);
            byte[] after = s.encodeMessage(Opcode.TEXT, a);
            assertThat(after[0] & 0x70).isEqualTo(0x40);
        }

        @Test
        void aWindowLimitedSenderCompressesOnlyWhatFitsTheWindow() {
            DeflateParams eight = new DeflateParams(true, false, 8, 15);
            Connection s = open(Role.SERVER, eight, EVERY_MESSAGE);
            s.sendBinary(new byte[256]);
            s.sendBinary(new byte[257]);
            s.sendFrame(Opcode.BINARY, new byte[10], 0, 10, false);
            s.sendFrame(Opcode.CONTINUATION, new byte[10], 0, 10, true);
            assertThat(frames(s)).extracting(Frame::rsv).containsExactly(0b100, 0, 0, 0);
        }
    }

    static List<Object[]> combinations() {
        List<Object[]> out = new ArrayList<>();
        for (boolean snct : new boolean[] {false, true}) {
            for (boolean cnct : new boolean[] {false, true}) {
                for (int bits : new int[] {8, 15}) {
                    out.add(new Object[] {new DeflateParams(snct, cnct, bits, bits)});
                }
            }
        }
        return out;
    }

    /** Both sides of this library, every parameter combination, messages of 0 B to 4 MiB both ways. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void roundTripsBothWaysByteExact(DeflateParams params) {
        ConnectionConfig big = ConnectionConfig.defaults().withMaxSize(8L << 20);
        Connection server = open(Role.SERVER, params, EVERY_MESSAGE, big);
        Connection client = open(Role.CLIENT, params, EVERY_MESSAGE, big);
        Random r = new Random(params.hashCode());
        int[] sizes = {0, 1, 5, 125, 126, 255, 256, 257, 1000, 65535, 65536, 1 << 20, 4 << 20};
        for (int size : sizes) {
            byte[] binary = new byte[size];
            r.nextBytes(binary);
            String text = ("text message of " + size + " bytes; ").repeat(size / 20 + 1).substring(0, size);
            for (Connection[] way : new Connection[][] {{server, client}, {client, server}}) {
                way[0].sendBinary(binary);
                way[0].sendText(text);
                way[0].sendText(text); // a repeat: with context takeover, a back-reference to the last one
                pipe(way[0], way[1]);
                assertThat(events(way[1])).as("%d bytes, %s", size, way[0].role())
                        .containsExactly(new Message.Binary(binary), new Message.Text(text), new Message.Text(text));
            }
        }
        assertThat(server.isFailed() || client.isFailed()).isFalse();
    }

    @ParameterizedTest(name = "threshold {0}")
    @CsvSource({"0", "64"})
    void anEmptyMessageRoundTripsWithContextTakeover(int threshold) {
        DeflateOptions local = DeflateOptions.defaults().withThreshold(threshold);
        Connection server = open(Role.SERVER, DEFAULT, local);
        Connection client = open(Role.CLIENT, DEFAULT, local);
        server.sendText("some text to fill the window ".repeat(5));
        server.sendText("");
        server.sendBinary(new byte[0]);
        pipe(server, client);
        assertThat(events(client)).extracting(m -> m.getClass().getSimpleName()).containsExactly("Text", "Text", "Binary");
    }
}
