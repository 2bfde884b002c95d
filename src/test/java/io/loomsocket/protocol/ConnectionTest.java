package io.loomsocket.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The connection state machine (§5.4, §5.5, §7), driven with bytes only. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ConnectionTest {

    private static final int KEY = 0x37fa213d;

    /** Frames as the client would put them on the wire (masked). */
    private static final FrameEncoder CLIENT = new FrameEncoder(Role.CLIENT, MaskKeySource.fixed(KEY));
    /** Frames as the server would put them on the wire (unmasked). */
    private static final FrameEncoder SERVER = FrameEncoder.server();

    private static Connection openServer() {
        return openServer(ConnectionConfig.defaults());
    }

    private static Connection openServer(ConnectionConfig config) {
        Connection c = new Connection(Role.SERVER, config);
        c.open();
        return c;
    }

    private static Connection openClient() {
        Connection c = new Connection(Role.CLIENT, ConnectionConfig.defaults().withMaskKeys(MaskKeySource.fixed(KEY)));
        c.open();
        return c;
    }

    private static byte[] fromClient(boolean fin, Opcode op, byte[] payload) {
        return CLIENT.encode(fin, 0, op, payload, 0, payload.length);
    }

    private static byte[] fromClient(Opcode op, String payload) {
        return fromClient(true, op, payload.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static void feed(Connection c, byte[] wire) {
        c.receiveData(wire.clone(), 0, wire.length);
    }

    private static List<Message> events(Connection c) {
        List<Message> out = new ArrayList<>();
        for (Message m; (m = c.nextEvent()) != null; ) {
            out.add(m);
        }
        return out;
    }

    /** Decodes what a connection wants to send, as its peer would read it. */
    private static List<Frame> outgoing(Connection c) {
        List<Frame> frames = new ArrayList<>();
        FrameDecoder d = new FrameDecoder(new FrameDecoder.Listener() {
            boolean fin;
            int rsv;
            Opcode op;
            ByteArrayOutputStream payload;

            @Override
            public void onHeader(boolean f, int r, Opcode o, boolean masked, long len) {
                fin = f;
                rsv = r;
                op = o;
                payload = new ByteArrayOutputStream();
                assertThat(masked).as("masked").isEqualTo(c.role() == Role.CLIENT);
            }

            @Override
            public void onPayload(byte[] buf, int off, int len) {
                payload.write(buf, off, len);
            }

            @Override
            public boolean onFrameEnd() {
                frames.add(new Frame(fin, rsv, op, payload.toByteArray()));
                return true;
            }
        });
        for (byte[] b; (b = c.nextOutgoing()) != null; ) {
            d.feed(b, 0, b.length);
        }
        return frames;
    }

    private static void assertFailedWith(Connection c, CloseCode code) {
        assertThat(c.isFailed()).as("failed").isTrue();
        assertThat(c.shouldCloseTransport()).isTrue();
        List<Frame> out = outgoing(c);
        assertThat(out).hasSize(1);
        assertThat(out.get(0).opcode()).isEqualTo(Opcode.CLOSE);
        CloseBody body = CloseBody.parse(out.get(0).payload(), 0, out.get(0).payload().length);
        assertThat(body.code()).isEqualTo(code);
        assertThat(c.closeCode()).isEqualTo(code);
    }

    @Nested
    class Lifecycle {
        @Test
        void startsConnectingAndRefusesDataBeforeOpen() {
            Connection c = new Connection(Role.SERVER, ConnectionConfig.defaults());
            assertThat(c.state()).isEqualTo(ConnectionState.CONNECTING);
            assertThatThrownBy(() -> c.receiveData(new byte[1], 0, 1)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> c.sendText("x")).isInstanceOf(IllegalStateException.class);
            c.open();
            assertThat(c.state()).isEqualTo(ConnectionState.OPEN);
            assertThatThrownBy(c::open).isInstanceOf(IllegalStateException.class);
        }

        @Test
        void eofWithoutCloseFrameIsAbnormalClosure() {
            Connection c = openServer();
            c.receiveEof();
            assertThat(c.state()).isEqualTo(ConnectionState.CLOSED);
            assertThat(c.closeCode()).isEqualTo(CloseCode.ABNORMAL_CLOSURE);
            assertThat(c.shouldCloseTransport()).isFalse();
        }
    }

    @Nested
    class Messages {
        @Test
        void deliversTextAndBinaryMessages() {
            Connection c = openServer();
            feed(c, concat(fromClient(Opcode.TEXT, "héllo"), fromClient(true, Opcode.BINARY, new byte[] {1, 2, 3})));
            assertThat(events(c)).containsExactly(new Message.Text("héllo"), new Message.Binary(new byte[] {1, 2, 3}));
            assertThat(c.hasOutgoing()).isFalse();
        }

        @Test
        void reassemblesFragmentedMessageWithPingInterleaved() {
            Connection c = openServer();
            feed(c, concat(
                    fromClient(false, Opcode.TEXT, "Hel".getBytes(StandardCharsets.UTF_8)),
                    fromClient(Opcode.PING, "p"),
                    fromClient(false, Opcode.CONTINUATION, new byte[0]),
                    fromClient(true, Opcode.CONTINUATION, "lo".getBytes(StandardCharsets.UTF_8))));
            assertThat(events(c)).containsExactly(new Message.Ping("p".getBytes(StandardCharsets.UTF_8)), new Message.Text("Hello"));
            assertThat(outgoing(c)).containsExactly(new Frame(Opcode.PONG, "p".getBytes(StandardCharsets.UTF_8)));
        }

        @Test
        void textSplitInsideAMultibyteCharacterAcrossFramesIsValid() {
            byte[] euro = "€".getBytes(StandardCharsets.UTF_8); // E2 82 AC
            Connection c = openServer();
            feed(c, concat(
                    fromClient(false, Opcode.TEXT, new byte[] {euro[0]}),
                    fromClient(true, Opcode.CONTINUATION, new byte[] {euro[1], euro[2]})));
            assertThat(events(c)).containsExactly(new Message.Text("€"));
        }

        @Test
        void wholeStreamFedOneByteAtATimeGivesSameEvents() {
            byte[] wire = concat(fromClient(false, Opcode.BINARY, new byte[300]), fromClient(Opcode.PING, "x"),
                    fromClient(true, Opcode.CONTINUATION, new byte[70_000]), fromClient(Opcode.TEXT, "done"));
            Connection c = openServer();
            byte[] copy = wire.clone();
            for (int i = 0; i < copy.length; i++) {
                c.receiveData(copy, i, 1);
            }
            assertThat(events(c)).containsExactly(new Message.Ping("x".getBytes(StandardCharsets.UTF_8)),
                    new Message.Binary(new byte[70_300]), new Message.Text("done"));
        }
    }

    @Nested
    class ControlFrames {
        @Test
        void answersPingWithPongOfIdenticalPayload() {
            Connection c = openServer();
            byte[] payload = new byte[125];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) i;
            }
            feed(c, fromClient(true, Opcode.PING, payload));
            assertThat(events(c)).containsExactly(new Message.Ping(payload));
            assertThat(outgoing(c)).containsExactly(new Frame(Opcode.PONG, payload));
        }

        @Test
        void clientAnswersPingWithMaskedPong() {
            Connection c = openClient();
            byte[] ping = SERVER.encode(true, 0, Opcode.PING, new byte[] {9}, 0, 1);
            feed(c, ping);
            byte[] pong = c.nextOutgoing();
            assertThat(pong).isEqualTo(new FrameEncoder(Role.CLIENT, MaskKeySource.fixed(KEY)).encode(new Frame(Opcode.PONG, new byte[] {9})));
            assertThat(pong[1] & 0x80).as("mask bit").isEqualTo(0x80);
        }

        @Test
        void deliversPongWithoutAnswering() {
            Connection c = openServer();
            feed(c, fromClient(Opcode.PONG, "rtt"));
            assertThat(events(c)).containsExactly(new Message.Pong("rtt".getBytes(StandardCharsets.UTF_8)));
            assertThat(c.hasOutgoing()).isFalse();
        }

        @Test
        void rejectsFragmentedControlFrame() {
            Connection c = openServer();
            feed(c, fromClient(false, Opcode.PING, new byte[1]));
            assertFailedWith(c, CloseCode.PROTOCOL_ERROR);
        }

        @Test
        void rejectsControlFrameOver125BytesFromHeaderAlone() {
            Connection c = openServer();
            byte[] wire = fromClient(true, Opcode.PING, new byte[126]);
            c.receiveData(wire, 0, 8); // header (2+2+4) only: no payload yet
            assertFailedWith(c, CloseCode.PROTOCOL_ERROR);
        }
    }

    @Nested
    class Closing {
        @Test
        void echoesPeerCloseCodeAndClosesTransport() {
            Connection c = openServer();
            feed(c, fromClient(true, Opcode.CLOSE, CloseBody.encode(new CloseCode(4000), "bye")));
            assertThat(events(c)).containsExactly(new Message.Close(new CloseCode(4000), "bye"));
            assertThat(outgoing(c)).containsExactly(new Frame(Opcode.CLOSE, CloseBody.encode(new CloseCode(4000), "")));
            assertThat(c.state()).isEqualTo(ConnectionState.CLOSING);
            assertThat(c.isClosingHandshakeDone()).isTrue();
            assertThat(c.shouldCloseTransport()).isTrue();
            assertThat(c.closeCode()).isEqualTo(new CloseCode(4000));
            c.receiveEof();
            assertThat(c.state()).isEqualTo(ConnectionState.CLOSED);
        }

        @Test
        void answersEmptyCloseWithEmptyClose() {
            Connection c = openServer();
            feed(c, fromClient(true, Opcode.CLOSE, new byte[0]));
            assertThat(events(c)).containsExactly(new Message.Close(CloseCode.NO_STATUS_RCVD, ""));
            assertThat(outgoing(c)).containsExactly(new Frame(Opcode.CLOSE, new byte[0]));
            assertThat(c.closeCode()).isEqualTo(CloseCode.NO_STATUS_RCVD);
        }

        @Test
        void discardsEverythingAfterReceivedClose() {
            Connection c = openServer();
            byte[] garbage = {(byte) 0xF3, 0x00}; // reserved opcode: would fail if it were read
            feed(c, concat(fromClient(true, Opcode.CLOSE, CloseBody.encode(CloseCode.NORMAL_CLOSURE, "")),
                    fromClient(Opcode.TEXT, "late"), garbage));
            feed(c, fromClient(Opcode.PING, "later"));
            assertThat(events(c)).containsExactly(new Message.Close(CloseCode.NORMAL_CLOSURE, ""));
            assertThat(outgoing(c)).hasSize(1);
            assertThat(c.isFailed()).isFalse();
        }

        @Test
        void clientInitiatedCloseCompletesOnPeerReplyWithoutSecondClose() {
            Connection c = openClient();
            c.sendClose(CloseCode.GOING_AWAY, "leaving");
            assertThat(c.state()).isEqualTo(ConnectionState.CLOSING);
            assertThat(outgoing(c)).containsExactly(new Frame(Opcode.CLOSE, CloseBody.encode(CloseCode.GOING_AWAY, "leaving")));
            c.sendClose(CloseCode.NORMAL_CLOSURE, ""); // close after close: ignored
            assertThat(c.hasOutgoing()).isFalse();
            feed(c, SERVER.encode(Frame.close(CloseCode.GOING_AWAY, "")));
            assertThat(events(c)).containsExactly(new Message.Close(CloseCode.GOING_AWAY, ""));
            assertThat(c.hasOutgoing()).as("no second close").isFalse();
            assertThat(c.isClosingHandshakeDone()).isTrue();
            assertThat(c.shouldCloseTransport()).as("a client waits for the server to close TCP").isFalse();
        }

        @Test
        void stillDeliversDataAfterSendingCloseButDoesNotPong() {
            Connection c = openServer();
            c.sendClose(CloseCode.NORMAL_CLOSURE, "");
            outgoing(c);
            feed(c, concat(fromClient(Opcode.TEXT, "in flight"), fromClient(Opcode.PING, "p")));
            assertThat(events(c)).containsExactly(new Message.Text("in flight"), new Message.Ping("p".getBytes(StandardCharsets.UTF_8)));
            assertThat(c.hasOutgoing()).isFalse();
            assertThatThrownBy(() -> c.sendText("no")).isInstanceOf(IllegalStateException.class);
        }

        @Test
        void rejectsOneByteCloseBody() {
            Connection c = openServer();
            feed(c, fromClient(true, Opcode.CLOSE, new byte[] {3}));
            assertFailedWith(c, CloseCode.PROTOCOL_ERROR);
        }

        @ParameterizedTest
        @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535})
        void rejectsCloseCodeInvalidOnWire(int code) {
            Connection c = openServer();
            feed(c, fromClient(true, Opcode.CLOSE, new byte[] {(byte) (code >> 8), (byte) code}));
            assertFailedWith(c, CloseCode.PROTOCOL_ERROR);
        }

        @Test
        void rejectsCloseReasonThatIsNotUtf8() {
            Connection c = openServer();
            feed(c, fromClient(true, Opcode.CLOSE, new byte[] {0x03, (byte) 0xE8, (byte) 0xC0, (byte) 0xAF}));
            assertFailedWith(c, CloseCode.INVALID_FRAME_PAYLOAD_DATA);
        }

        @Test
        void refusesToSendInvalidCloseCode() {
            Connection c = openServer();
            assertThatThrownBy(() -> c.sendClose(CloseCode.ABNORMAL_CLOSURE, "")).isInstanceOf(IllegalArgumentException.class);
            assertThat(c.state()).isEqualTo(ConnectionState.OPEN);
        }
    }

    @Nested
    class Failures {
        @Test
        void serverRejectsUnmaskedFrame() {
            Connection c = openServer();
            feed(c, SERVER.encode(Frame.text("hi")));
            assertFailedWith(c, CloseCode.PROTOCOL_ERROR);
        }

        @Test
        void clientRejectsMaskedFrame() {
            Connection c = openClient();
            feed(c, fromClient(Opcode.TEXT, "hi"));
            assertFailedWith(c, CloseCode.PROTOCOL_ERROR);
        }

        @ParameterizedTest
        @ValueSource(ints = {Frame.RSV1, Frame.RSV2, Frame.RSV3, 0b111})
        void rejectsReservedBitsWithoutExtension(int rsv) {
            Connection c = openServer();
            feed(c, CLIENT.encode(true, rsv, Opcode.TEXT, new byte[0], 0, 0));
            assertFailedWith(c, CloseCode.PROTOCOL_ERROR);
        }

        @Test
        void rejectsContinuationWithoutMessage() {
            Connection c = openServer();
            feed(c, fromClient(true, Opcode.CONTINUATION, new byte[1]));
            assertFailedWith(c, CloseCode.PROTOCOL_ERROR);
        }

        @Test
        void rejectsNewDataFrameInsideFragmentedMessage() {
            Connection c = openServer();
            feed(c, concat(fromClient(false, Opcode.TEXT, new byte[] {'a'}), fromClient(true, Opcode.BINARY, new byte[1])));
            assertFailedWith(c, CloseCode.PROTOCOL_ERROR);
            assertThat(events(c)).isEmpty();
        }

        @Test
        void rejectsReservedOpcode() {
            Connection c = openServer();
            feed(c, new byte[] {(byte) 0x83, (byte) 0x80, 0, 0, 0, 0});
            assertFailedWith(c, CloseCode.PROTOCOL_ERROR);
        }

        @Test
        void failsOnInvalidUtf8AtTheFirstBadByteBeforeTheFrameEnds() {
            Connection c = openServer();
            byte[] payload = new byte[100];
            java.util.Arrays.fill(payload, (byte) 'a');
            payload[10] = (byte) 0xFF;
            byte[] wire = fromClient(true, Opcode.TEXT, payload);
            int header = 2 + 4;
            c.receiveData(wire, 0, header + 10);
            assertThat(c.isFailed()).as("valid prefix accepted").isFalse();
            c.receiveData(wire, header + 10, 1);
            assertFailedWith(c, CloseCode.INVALID_FRAME_PAYLOAD_DATA);
        }

        @Test
        void failsOnTextEndingInsideUtf8Sequence() {
            Connection c = openServer();
            feed(c, fromClient(true, Opcode.TEXT, new byte[] {'a', (byte) 0xE2, (byte) 0x82}));
            assertFailedWith(c, CloseCode.INVALID_FRAME_PAYLOAD_DATA);
        }

        @Test
        void rejectsFrameOverLimitFromHeaderBeforeAnyPayload() {
            Connection c = openServer(ConnectionConfig.defaults().withMaxSize(1024));
            byte[] wire = fromClient(true, Opcode.BINARY, new byte[1025]);
            c.receiveData(wire, 0, 2 + 2 + 4); // the header only
            assertFailedWith(c, CloseCode.MESSAGE_TOO_BIG);
        }

        @Test
        void rejectsHugeAnnouncedLengthWithoutBuffering() {
            Connection c = openServer(ConnectionConfig.defaults().withMaxSize(1024));
            byte[] header = {(byte) 0x82, (byte) 0xFF, 0x3F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 2, 3, 4};
            c.receiveData(header, 0, header.length);
            assertFailedWith(c, CloseCode.MESSAGE_TOO_BIG);
        }

        @Test
        void rejectsFragmentedMessageOverLimit() {
            Connection c = openServer(ConnectionConfig.defaults().withMaxFrameSize(1000).withMaxMessageSize(1500));
            feed(c, concat(fromClient(false, Opcode.BINARY, new byte[1000]), fromClient(true, Opcode.CONTINUATION, new byte[501])));
            assertFailedWith(c, CloseCode.MESSAGE_TOO_BIG);
            assertThat(events(c)).isEmpty();
        }

        @Test
        void ignoresInputAfterFailure() {
            Connection c = openServer();
            feed(c, SERVER.encode(Frame.text("unmasked")));
            assertThat(c.isFailed()).isTrue();
            feed(c, fromClient(Opcode.TEXT, "after"));
            assertThat(events(c)).isEmpty();
        }

        @Test
        void unexpectedErrorsBecome1011WithoutDetail() {
            CloseBody body = Connection.closeBodyFor(new NullPointerException("secret internal state"));
            assertThat(body.code()).isEqualTo(CloseCode.INTERNAL_ERROR);
            assertThat(body.reason()).isEmpty();
        }

        @Test
        void protocolErrorsKeepTheirCodeAndAShortReason() {
            CloseBody body = Connection.closeBodyFor(new ProtocolException(Violation.INVALID_UTF8, "x".repeat(500)));
            assertThat(body.code()).isEqualTo(CloseCode.INVALID_FRAME_PAYLOAD_DATA);
            assertThat(body.reason().getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(123);
        }

        @Test
        void deferredFailureDeliversEarlierMessagesAndWaitsToBeApplied() {
            Connection c = openServer();
            c.deferCloses(true);
            feed(c, concat(fromClient(Opcode.TEXT, "Hello, world!"), CLIENT.encode(true, Frame.RSV2, Opcode.TEXT, new byte[0], 0, 0),
                    fromClient(Opcode.TEXT, "after the bad frame")));
            assertThat(events(c)).containsExactly(new Message.Text("Hello, world!"));
            assertThat(c.hasPendingFailure()).isTrue();
            assertThat(c.isFailed()).isFalse();
            c.sendText("Hello, world!"); // the application may still answer what it received
            assertThat(outgoing(c)).containsExactly(Frame.text("Hello, world!"));
            feed(c, fromClient(Opcode.TEXT, "ignored"));
            assertThat(events(c)).isEmpty();
            c.applyPendingClose();
            assertFailedWith(c, CloseCode.PROTOCOL_ERROR);
        }

        @Test
        void aDeferredCloseReplyWaitsForTheAnswersToTheMessagesBeforeIt() {
            byte[] wire = concat(fromClient(Opcode.TEXT, "one"), fromClient(Opcode.TEXT, "two"),
                    CLIENT.encode(Frame.close(CloseCode.NORMAL_CLOSURE, "bye")), fromClient(Opcode.TEXT, "after the close"));
            for (int split = 0; split <= wire.length; split++) {
                Connection c = openServer();
                c.deferCloses(true);
                c.receiveData(java.util.Arrays.copyOfRange(wire, 0, split), 0, split);
                c.receiveData(java.util.Arrays.copyOfRange(wire, split, wire.length), 0, wire.length - split);
                assertThat(events(c)).as("split at %d", split).containsExactly(new Message.Text("one"), new Message.Text("two"),
                        new Message.Close(CloseCode.NORMAL_CLOSURE, "bye"));
                assertThat(c.hasPendingClose()).isTrue();
                assertThat(c.hasPendingFailure()).isFalse();
                assertThat(c.state()).as("open until the reply is applied").isEqualTo(ConnectionState.OPEN);
                assertThat(outgoing(c)).as("no reply yet").isEmpty();
                c.sendText("one");
                c.sendText("two");
                c.applyPendingClose();
                assertThat(outgoing(c)).as("split at %d", split).containsExactly(Frame.text("one"), Frame.text("two"),
                        Frame.close(CloseCode.NORMAL_CLOSURE, ""));
                assertThat(c.state()).isEqualTo(ConnectionState.CLOSING);
                assertThat(c.shouldCloseTransport()).as("a server closes the TCP connection first").isTrue();
                assertThatThrownBy(() -> c.sendText("too late")).isInstanceOf(IllegalStateException.class);
            }
        }

        @Test
        void aCloseOfOurOwnWhileTheReplyWaitsIsTheReply() {
            Connection c = openServer();
            c.deferCloses(true);
            feed(c, CLIENT.encode(Frame.close(CloseCode.GOING_AWAY, "")));
            c.sendClose(CloseCode.NORMAL_CLOSURE, "done");
            c.applyPendingClose(); // nothing more: one close frame only
            assertThat(outgoing(c)).containsExactly(Frame.close(CloseCode.NORMAL_CLOSURE, "done"));
            assertThat(c.isClosingHandshakeDone()).isTrue();
            assertThat(c.closeCode()).isEqualTo(CloseCode.GOING_AWAY);
        }

        @Test
        void withoutDeferralTheReplyIsQueuedAsTheCloseIsDecoded() {
            Connection c = openServer();
            feed(c, concat(fromClient(Opcode.TEXT, "one"), CLIENT.encode(Frame.close(CloseCode.NORMAL_CLOSURE, ""))));
            assertThat(c.hasPendingClose()).isFalse();
            assertThat(outgoing(c)).containsExactly(Frame.close(CloseCode.NORMAL_CLOSURE, ""));
        }

        @Test
        void theViolationThatFailedTheInputIsKeptForTheSocketLayerToReport() {
            Connection c = openServer();
            feed(c, fromClient(Opcode.TEXT, "fine"));
            assertThat(c.receiveFailure()).isNull();
            feed(c, SERVER.encode(Frame.text("unmasked")));
            assertThat(c.receiveFailure()).isInstanceOfSatisfying(ProtocolException.class,
                    e -> assertThat(e.violation()).isEqualTo(Violation.UNMASKED_CLIENT_FRAME));

            Connection deferred = openServer();
            deferred.deferCloses(true);
            feed(deferred, CLIENT.encode(true, Frame.RSV2, Opcode.TEXT, new byte[0], 0, 0));
            assertThat(deferred.receiveFailure()).as("known before the failure is applied")
                    .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.violation()).isEqualTo(Violation.RESERVED_BITS));

            Connection local = openServer();
            local.fail(CloseCode.POLICY_VIOLATION, "ours");
            assertThat(local.receiveFailure()).as("a failure of our own is not the peer's").isNull();
        }

        @Test
        void failSendsCloseOnceAndStopsInput() {
            Connection c = openServer();
            c.fail(CloseCode.POLICY_VIOLATION, "nope");
            c.fail(CloseCode.INTERNAL_ERROR, "again");
            assertFailedWith(c, CloseCode.POLICY_VIOLATION);
        }
    }

    @Nested
    class Sending {
        @Test
        void serverFramesAreUnmaskedAndClientFramesMasked() {
            Connection server = openServer();
            server.sendText("Hello");
            assertThat(server.nextOutgoing()).containsExactly(0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f);
            Connection client = openClient();
            client.sendText("Hello");
            assertThat(client.nextOutgoing()).containsExactly(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58);
        }

        @Test
        void sendsFragmentedMessageWithControlFrameBetween() {
            Connection c = openServer();
            byte[] hel = "Hel".getBytes(StandardCharsets.UTF_8);
            byte[] lo = "lo".getBytes(StandardCharsets.UTF_8);
            c.sendFrame(Opcode.TEXT, hel, 0, hel.length, false);
            assertThatThrownBy(() -> c.sendText("interleaved")).isInstanceOf(IllegalStateException.class);
            c.sendPing(new byte[0]);
            c.sendFrame(Opcode.CONTINUATION, lo, 0, lo.length, true);
            assertThat(outgoing(c)).containsExactly(new Frame(false, 0, Opcode.TEXT, hel), new Frame(Opcode.PING, new byte[0]),
                    new Frame(true, 0, Opcode.CONTINUATION, lo));
        }

        @Test
        void refusesContinuationWithoutMessageAndBadControlFrames() {
            Connection c = openServer();
            assertThatThrownBy(() -> c.sendFrame(Opcode.CONTINUATION, new byte[0], 0, 0, true)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> c.sendPing(new byte[126])).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> c.sendFrame(Opcode.PONG, new byte[0], 0, 0, false)).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void refusesInvalidUtf8TextFragments() {
            Connection c = openServer();
            assertThatThrownBy(() -> c.sendFrame(Opcode.TEXT, new byte[] {(byte) 0xC0, (byte) 0x80}, 0, 2, true))
                    .isInstanceOf(IllegalArgumentException.class);
            c.sendFrame(Opcode.TEXT, new byte[] {(byte) 0xE2}, 0, 1, false);
            assertThatThrownBy(() -> c.sendFrame(Opcode.CONTINUATION, new byte[] {(byte) 0x82}, 0, 1, true))
                    .as("text ending inside a character").isInstanceOf(IllegalArgumentException.class);
        }
    }
}
