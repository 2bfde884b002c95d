package io.loomsocket.protocol;

import static io.loomsocket.protocol.FrameTesting.concat;
import static io.loomsocket.protocol.FrameTesting.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Random and mutated input fed to a bare {@link FrameDecoder} and to a {@link Connection} in both
 * roles: each input either parses or is rejected the way RFC 6455 says (1002, 1007, 1009), never
 * with another exception, never with 1011, never by buffering more than the configured limit.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DecoderFuzzTest {

    private static final int LIMIT = 64 * 1024;
    private static final int FUZZ_INPUTS = 1_000_000;
    private static final int MODEL_INPUTS = 250_000;

    /** The only violations the bare decoder may raise: the ones it needs to parse at all. */
    private static final Set<Violation> DECODER_VIOLATIONS =
            EnumSet.of(Violation.RESERVED_OPCODE, Violation.NON_MINIMAL_LENGTH, Violation.LENGTH_TOO_LARGE);

    private static final Set<Integer> FAILURE_CODES = Set.of(1002, 1007, 1009);

    private static ConnectionConfig config(long keySeed) {
        Random keys = new Random(keySeed);
        return ConnectionConfig.defaults().withMaxSize(LIMIT).withMaskKeys(keys::nextInt);
    }

    private static Connection openConnection(Role role, ConnectionConfig config) {
        Connection c = new Connection(role, config);
        c.open();
        return c;
    }

    // =================================================================== the million inputs

    /** What happened to the fuzz inputs: shows the fuzzing reached every outcome. */
    private static final class Tally {
        final Map<String, Integer> counts = new TreeMap<>();

        void add(String what) {
            counts.merge(what, 1, Integer::sum);
        }

        int get(String what) {
            return counts.getOrDefault(what, 0);
        }
    }

    @Test
    void aMillionMutatedOrRandomInputsEitherParseOrFailWith1002Or1007Or1009AndNothingElse() {
        Inputs inputs = new Inputs(20111211L);
        ConnectionConfig serverConfig = config(1);
        ConnectionConfig clientConfig = config(2);
        Tally tally = new Tally();
        long bytes = 0;

        for (int i = 0; i < FUZZ_INPUTS; i++) {
            byte[] input = inputs.next();
            List<int[]> chunks = inputs.chunks(input.length);
            bytes += input.length;
            try {
                checkBareDecoder(input, chunks, tally);
                checkConnection(Role.SERVER, serverConfig, input, chunks, tally);
                checkConnection(Role.CLIENT, clientConfig, input, chunks, tally);
            } catch (Throwable t) {
                throw new AssertionError("fuzz input #" + i + " (" + input.length + " bytes): " + hex(input), t);
            }
        }

        // The fuzzing reached every outcome, many times over.
        assertThat(bytes).isGreaterThan(50L * FUZZ_INPUTS);
        assertThat(tally.get("decoder parsed")).isGreaterThan(FUZZ_INPUTS / 4);
        for (Violation v : DECODER_VIOLATIONS) {
            assertThat(tally.get("decoder rejected " + v)).as("decoder rejections with %s; tally %s", v, tally.counts).isGreaterThan(1000);
        }
        for (Role role : Role.values()) {
            for (int code : FAILURE_CODES) {
                assertThat(tally.get(role + " failed " + code)).as("%s failures with %d; tally %s", role, code, tally.counts)
                        .isGreaterThan(500);
            }
            assertThat(tally.get(role + " open")).as("%s inputs accepted; tally %s", role, tally.counts).isGreaterThan(50_000);
            assertThat(tally.get(role + " close received")).as("%s closes; tally %s", role, tally.counts).isGreaterThan(10_000);
        }
    }

    private static void checkBareDecoder(byte[] input, List<int[]> chunks, Tally tally) {
        byte[] buf = input.clone();
        FrameCollector collector = new FrameCollector(); // asserts the callback grammar itself
        FrameDecoder decoder = new FrameDecoder(collector);
        for (int[] chunk : chunks) {
            int consumed;
            try {
                consumed = decoder.feed(buf, chunk[0], chunk[1]);
            } catch (ProtocolException e) {
                assertThat(e.violation()).isIn(DECODER_VIOLATIONS);
                assertThat(e.closeCode()).isEqualTo(CloseCode.PROTOCOL_ERROR);
                tally.add("decoder rejected " + e.violation());
                return;
            }
            assertThat(consumed).isEqualTo(chunk[1]);
        }
        tally.add("decoder parsed");
    }

    private static void checkConnection(Role role, ConnectionConfig config, byte[] input, List<int[]> chunks, Tally tally) {
        Connection c = openConnection(role, config);
        byte[] buf = input.clone();
        int eventsAtFailure = -1;
        int events = 0;
        for (int[] chunk : chunks) {
            c.receiveData(buf, chunk[0], chunk[1]); // may not throw: errors become close frames
            for (Message m; (m = c.nextEvent()) != null; ) {
                events++;
                checkEvent(m);
            }
            if (c.isFailed() && eventsAtFailure < 0) {
                eventsAtFailure = events;
            }
        }
        if (c.isFailed()) {
            // A failed connection takes no more input.
            assertThat(events).isEqualTo(eventsAtFailure);
            CloseBody sent = c.closeSent();
            assertThat(sent).as("close frame sent on failure").isNotNull();
            assertThat(sent.code().code()).as("failure code, %s", sent).isIn(FAILURE_CODES);
            assertThat(sent.encode().length).isLessThanOrEqualTo(125);
            assertThat(c.state()).isEqualTo(ConnectionState.CLOSING);
            assertThat(c.shouldCloseTransport()).isTrue();
            assertThat(c.closeReceived()).isNull();
            assertThat(c.closeCode()).isEqualTo(sent.code());
            assertThat(lastOutgoingCloseCode(c, role)).isEqualTo(sent.code().code());
            tally.add(role + " failed " + sent.code().code());
        } else if (c.closeReceived() != null) {
            CloseBody received = c.closeReceived();
            assertThat(received.code().isValidOnWire() || received.code().equals(CloseCode.NO_STATUS_RCVD)).isTrue();
            assertThat(c.closeSent()).isNotNull();
            assertThat(c.closeSent().code()).isEqualTo(received.code());
            assertThat(c.state()).isEqualTo(ConnectionState.CLOSING);
            tally.add(role + " close received");
        } else {
            assertThat(c.state()).isEqualTo(ConnectionState.OPEN);
            assertThat(c.closeSent()).isNull();
            tally.add(role + " open");
        }
    }

    private static void checkEvent(Message m) {
        switch (m) {
            case Message.Text t -> assertThat(t.text().length()).isLessThanOrEqualTo(LIMIT);
            case Message.Binary b -> assertThat(b.data().length).isLessThanOrEqualTo(LIMIT);
            case Message.Ping p -> assertThat(p.data().length).isLessThanOrEqualTo(125);
            case Message.Pong p -> assertThat(p.data().length).isLessThanOrEqualTo(125);
            case Message.Close cl -> assertThat(cl.code().isValidOnWire() || cl.code().equals(CloseCode.NO_STATUS_RCVD)).isTrue();
        }
    }

    /** Drains the outgoing frames and returns the status code of the last one, which must be a close. */
    private static int lastOutgoingCloseCode(Connection c, Role role) {
        byte[] last = null;
        for (byte[] b; (b = c.nextOutgoing()) != null; ) {
            last = b;
        }
        assertThat(last).as("an outgoing close frame").isNotNull();
        FrameCollector collector = new FrameCollector();
        assertThat(new FrameDecoder(collector).feed(last, 0, last.length)).isEqualTo(last.length);
        FrameCollector.Decoded close = collector.decoded().get(0);
        assertThat(close.frame().opcode()).isEqualTo(Opcode.CLOSE);
        assertThat(close.masked()).isEqualTo(role.masksOutgoing());
        byte[] p = close.frame().payload();
        return CloseBody.parse(p, 0, p.length).code().code();
    }

    // =================================================================== differential check

    /**
     * Each input is also run through a reference model of the receiving rules of RFC 6455 (written
     * here from the RFC, with the JDK's UTF-8 decoder as the UTF-8 oracle), and the connection must
     * agree with it: same failure (any of the codes the model allows when one header breaks several
     * rules), same events, same pongs, same close. Disagreements are collected by kind and reported
     * together with the first input of each kind.
     */
    @ParameterizedTest(name = "received by the {0}")
    @EnumSource(Role.class)
    void connectionAgreesWithAReferenceModelOfTheRfcRulesOnMutatedInputs(Role role) {
        Inputs inputs = new Inputs(role == Role.SERVER ? 7692L : 6455L);
        ConnectionConfig config = config(3);
        Map<String, List<String>> disagreements = new LinkedHashMap<>();
        int compared = 0;

        for (int i = 0; i < MODEL_INPUTS; i++) {
            byte[] input = inputs.next(role == Role.SERVER);
            List<int[]> chunks = inputs.chunks(input.length);

            Model model = new Model(role, LIMIT);
            model.run(input);

            Connection c = openConnection(role, config);
            byte[] buf = input.clone();
            List<Message> events = new ArrayList<>();
            for (int[] chunk : chunks) {
                c.receiveData(buf, chunk[0], chunk[1]);
                for (Message m; (m = c.nextEvent()) != null; ) {
                    events.add(m);
                }
            }
            String disagreement = compare(model, c, events, role);
            compared++;
            if (disagreement != null) {
                disagreements.computeIfAbsent(disagreement, k -> new ArrayList<>()).add(hexPrefixLong(input));
            }
        }

        assertThat(compared).isEqualTo(MODEL_INPUTS);
        StringBuilder report = new StringBuilder();
        disagreements.forEach((kind, examples) -> report.append("\n  ").append(examples.size()).append(" x ").append(kind)
                .append("\n      e.g. ").append(examples.get(0)));
        assertThat(disagreements).as("connection vs reference model:%s", report).isEmpty();
    }

    private static String hexPrefixLong(byte[] b) {
        return b.length <= 200 ? hex(b) : hex(Arrays.copyOf(b, 200)) + "...(" + b.length + " bytes)";
    }

    /** Null if the connection did what the model says, else a description of the kind of difference. */
    private static String compare(Model model, Connection c, List<Message> events, Role role) {
        if (model.failCodes != null) {
            if (!c.isFailed()) {
                return "model fails with " + new TreeSet<>(model.failCodes) + " (" + model.failReason + "), connection did not fail";
            }
            int code = c.closeSent().code().code();
            if (!model.failCodes.contains(code)) {
                return "model fails with " + new TreeSet<>(model.failCodes) + " (" + model.failReason + "), connection failed with " + code;
            }
        } else if (c.isFailed()) {
            return "model accepts, connection failed with " + c.closeSent();
        }
        if (!events.equals(model.events)) {
            return "events differ (model " + model.events.size() + ", connection " + events.size() + ")";
        }
        if (model.closeReceived != null) {
            if (!model.closeReceived.equals(c.closeReceived())) {
                return "close received differs";
            }
            if (!c.closeSent().code().equals(model.closeReceived.code())) {
                return "close code not echoed";
            }
        } else if (c.closeReceived() != null) {
            return "connection received a close the model did not";
        }
        // Outgoing: a pong for each ping, then the close frame if any.
        List<Frame> out = new ArrayList<>();
        for (byte[] b; (b = c.nextOutgoing()) != null; ) {
            FrameCollector collector = new FrameCollector();
            new FrameDecoder(collector).feed(b, 0, b.length);
            for (FrameCollector.Decoded d : collector.decoded()) {
                if (d.masked() != role.masksOutgoing()) {
                    return "outgoing frame masked wrongly";
                }
                out.add(d.frame());
            }
        }
        List<Frame> pongs = out.stream().filter(f -> f.opcode() == Opcode.PONG).toList();
        if (!pongs.equals(model.pongs.stream().map(p -> new Frame(Opcode.PONG, p)).toList())) {
            return "pongs differ";
        }
        boolean closes = model.failCodes != null || model.closeReceived != null;
        if (out.size() != pongs.size() + (closes ? 1 : 0) || (closes && out.get(out.size() - 1).opcode() != Opcode.CLOSE)) {
            return "outgoing frames differ";
        }
        return null;
    }

    /**
     * The receiving rules of RFC 6455 for an endpoint with one size limit on frames and messages,
     * applied to the frames a bare decoder finds in an input. Written from the RFC, not from the
     * implementation: §5.1 masking, §5.2 reserved bits and opcodes and lengths, §5.4 fragmentation,
     * §5.5 control frames, §5.5.1 and §7.4 close bodies, §8.1 UTF-8, §7.4.1 1009 for too big.
     */
    static final class Model {
        final Role role;
        final long limit;
        final List<Message> events = new ArrayList<>();
        final List<byte[]> pongs = new ArrayList<>();
        Set<Integer> failCodes; // non-null once failed: the codes the RFC allows for the failure
        String failReason;
        CloseBody closeReceived;
        private Opcode type; // of the message in progress
        private ByteArrayOutputStream message;

        Model(Role role, long limit) {
            this.role = role;
            this.limit = limit;
        }

        void run(byte[] input) {
            FrameCollector collector = new FrameCollector();
            boolean decoderFailed = false;
            try {
                new FrameDecoder(collector).feed(input.clone(), 0, input.length);
            } catch (ProtocolException e) {
                decoderFailed = true; // reserved opcode or malformed length in the next header
            }
            for (FrameCollector.Decoded d : collector.decoded()) {
                frame(d, true);
            }
            FrameCollector.Decoded partial = collector.partial();
            if (partial != null) {
                frame(partial, false);
            }
            if (decoderFailed) {
                fail(Set.of(1002), "unparseable header");
            }
        }

        private boolean done() {
            return failCodes != null || closeReceived != null;
        }

        private void fail(Set<Integer> codes, String why) {
            if (!done()) {
                failCodes = codes;
                failReason = why;
            }
        }

        private void frame(FrameCollector.Decoded d, boolean complete) {
            if (done()) {
                return;
            }
            Frame f = d.frame();
            long length = d.announcedLength();
            Set<Integer> codes = new HashSet<>();
            List<String> why = new ArrayList<>();
            if (d.masked() != (role == Role.SERVER)) {
                codes.add(1002);
                why.add("mask bit");
            }
            if (f.rsv() != 0) {
                codes.add(1002);
                why.add("rsv");
            }
            switch (f.opcode()) {
                case TEXT, BINARY, CONTINUATION -> {
                    if (length > limit) {
                        codes.add(1009);
                        why.add("frame too big");
                    }
                    if (f.opcode() == Opcode.CONTINUATION && type == null) {
                        codes.add(1002);
                        why.add("continuation without a message");
                    } else if (f.opcode() != Opcode.CONTINUATION && type != null) {
                        codes.add(1002);
                        why.add("new message inside a fragmented one");
                    } else if (f.opcode() == Opcode.CONTINUATION && message.size() + length > limit) {
                        codes.add(1009);
                        why.add("message too big");
                    }
                }
                case PING, PONG, CLOSE -> {
                    if (!f.fin()) {
                        codes.add(1002);
                        why.add("fragmented control frame");
                    }
                    if (length > 125) {
                        codes.add(1002);
                        why.add("control frame over 125 bytes");
                    }
                    if (f.opcode() == Opcode.CLOSE && length == 1) {
                        codes.add(1002);
                        why.add("1-byte close body");
                    }
                }
            }
            if (!codes.isEmpty()) {
                fail(codes, String.join(", ", why));
                return;
            }
            switch (f.opcode()) {
                case TEXT, BINARY, CONTINUATION -> {
                    if (f.opcode() != Opcode.CONTINUATION) {
                        type = f.opcode();
                        message = new ByteArrayOutputStream();
                    }
                    message.writeBytes(f.payload());
                    if (type == Opcode.TEXT && !Utf8Oracle.isPrefixOfValid(message.toByteArray())) {
                        fail(Set.of(1007), "invalid UTF-8 in text");
                        return;
                    }
                    if (complete && f.fin()) {
                        byte[] data = message.toByteArray();
                        if (type == Opcode.TEXT) {
                            if (!Utf8Oracle.isValid(data, 0, data.length)) {
                                fail(Set.of(1007), "text message ends inside a UTF-8 sequence");
                                return;
                            }
                            events.add(new Message.Text(new String(data, StandardCharsets.UTF_8)));
                        } else {
                            events.add(new Message.Binary(data));
                        }
                        type = null;
                        message = null;
                    }
                }
                case PING -> {
                    if (complete) {
                        events.add(new Message.Ping(f.payload()));
                        pongs.add(f.payload());
                    }
                }
                case PONG -> {
                    if (complete) {
                        events.add(new Message.Pong(f.payload()));
                    }
                }
                case CLOSE -> {
                    if (complete) {
                        close(f.payload());
                    }
                }
            }
        }

        private void close(byte[] body) {
            if (body.length == 0) {
                closeReceived = new CloseBody(new CloseCode(1005), "");
            } else {
                int code = (body[0] & 0xFF) << 8 | (body[1] & 0xFF);
                boolean onWire = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
                if (!onWire) {
                    fail(Set.of(1002), "close code " + code);
                    return;
                }
                if (!Utf8Oracle.isValid(body, 2, body.length - 2)) {
                    fail(Set.of(1007), "close reason not UTF-8");
                    return;
                }
                closeReceived = new CloseBody(new CloseCode(code), new String(body, 2, body.length - 2, StandardCharsets.UTF_8));
            }
            events.add(new Message.Close(closeReceived.code(), closeReceived.reason()));
        }
    }

    /** UTF-8 judged by the JDK's decoder in REPORT mode. */
    static final class Utf8Oracle {
        private static final byte[] CONTINUATIONS = {(byte) 0x80, (byte) 0x8F, (byte) 0x90, (byte) 0x9F, (byte) 0xA0, (byte) 0xBF};

        static boolean isValid(byte[] b, int off, int len) {
            try {
                StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(b, off, len));
                return true;
            } catch (CharacterCodingException e) {
                return false;
            }
        }

        /** Whether some bytes could be appended to make {@code b} valid: no invalid byte yet. */
        static boolean isPrefixOfValid(byte[] b) {
            int n = b.length;
            if (n == 0 || isValid(b, 0, n)) {
                return true;
            }
            // The last sequence starts at the last non-continuation byte among the last 4.
            int start = -1;
            for (int j = n - 1; j >= Math.max(0, n - 4); j--) {
                if ((b[j] & 0xC0) != 0x80) {
                    start = j;
                    break;
                }
            }
            if (start < 0 || !isValid(b, 0, start)) {
                return false;
            }
            byte[] tail = Arrays.copyOfRange(b, start, n);
            return completable(tail, 4 - tail.length);
        }

        private static boolean completable(byte[] tail, int room) {
            if (isValid(tail, 0, tail.length)) {
                return true;
            }
            if (room <= 0) {
                return false;
            }
            for (byte c : CONTINUATIONS) {
                byte[] longer = Arrays.copyOf(tail, tail.length + 1);
                longer[tail.length] = c;
                if (completable(longer, room - 1)) {
                    return true;
                }
            }
            return false;
        }
    }

    @Test
    void theUtf8OracleSeesInvalidBytesWhereTheyAreAndTruncationAsAPrefix() {
        assertThat(Utf8Oracle.isPrefixOfValid(hex("e2 82"))).isTrue();
        assertThat(Utf8Oracle.isPrefixOfValid(hex("41 f0 9f 98"))).isTrue();
        assertThat(Utf8Oracle.isPrefixOfValid(hex("ed a0"))).isFalse();
        assertThat(Utf8Oracle.isPrefixOfValid(hex("e0 80"))).isFalse();
        assertThat(Utf8Oracle.isPrefixOfValid(hex("f4 90"))).isFalse();
        assertThat(Utf8Oracle.isPrefixOfValid(hex("c3 a9 80"))).isFalse();
        assertThat(Utf8Oracle.isPrefixOfValid(hex("f0 90 80 80 80"))).isFalse();
        assertThat(Utf8Oracle.isValid(hex("e2 82"), 0, 2)).isFalse();
    }

    // =================================================================== bounded buffering

    /** A frame header: FIN, opcode, then the length in the 64-bit form, masked for a client's frame. */
    private static byte[] header64(boolean fin, Opcode opcode, long length, boolean masked) {
        byte[] h = new byte[masked ? 14 : 10];
        FrameEncoder.writeHeader(h, 0, fin, 0, opcode, length, masked, 0x11223344);
        return h;
    }

    private static byte[] frame(Role sender, boolean fin, Opcode opcode, byte[] payload) {
        FrameEncoder e = sender.masksOutgoing() ? new FrameEncoder(sender, MaskKeySource.fixed(0x0BADF00D)) : FrameEncoder.server();
        return e.encode(new Frame(fin, 0, opcode, payload));
    }

    private static Role peerOf(Role role) {
        return role == Role.SERVER ? Role.CLIENT : Role.SERVER;
    }

    @ParameterizedTest(name = "received by the {0}")
    @EnumSource(Role.class)
    void failsWith1009AsSoonAsAHeaderAnnouncesA2To62ByteFrameBeforeAnyPayloadArrives(Role role) {
        for (Opcode opcode : List.of(Opcode.TEXT, Opcode.BINARY)) {
            for (long length : new long[] {1L << 62, Long.MAX_VALUE, 1L << 32, LIMIT + 1L}) {
                Connection c = openConnection(role, config(9));
                byte[] h = header64(true, opcode, length, role.expectsMaskedIncoming());
                c.receiveData(h, 0, h.length);
                assertThat(c.isFailed()).as("%s of %d bytes", opcode, length).isTrue();
                assertThat(c.closeSent().code()).isEqualTo(CloseCode.MESSAGE_TOO_BIG);
                assertThat(c.hasEvents()).isFalse();
                assertThat(lastOutgoingCloseCode(c, role)).isEqualTo(1009);
            }
        }
    }

    @ParameterizedTest(name = "received by the {0}")
    @EnumSource(Role.class)
    void failsWith1009AtTheHeaderOfAHugeContinuationBeforeAnyOfItsPayload(Role role) {
        Connection c = openConnection(role, config(9));
        byte[] start = frame(peerOf(role), false, Opcode.BINARY, new byte[] {1, 2, 3});
        c.receiveData(start, 0, start.length);
        assertThat(c.isFailed()).isFalse();
        byte[] h = header64(false, Opcode.CONTINUATION, 1L << 62, role.expectsMaskedIncoming());
        c.receiveData(h, 0, h.length);
        assertThat(c.isFailed()).isTrue();
        assertThat(c.closeSent().code()).isEqualTo(CloseCode.MESSAGE_TOO_BIG);
    }

    @ParameterizedTest(name = "received by the {0}")
    @EnumSource(Role.class)
    void failsWith1009AtTheHeaderOfTheFragmentThatTakesTheMessageOverTheLimit(Role role) {
        Connection c = openConnection(role, config(9));
        byte[] first = frame(peerOf(role), false, Opcode.BINARY, new byte[40_000]);
        byte[] second = frame(peerOf(role), false, Opcode.CONTINUATION, new byte[LIMIT - 40_000]); // exactly the limit
        c.receiveData(first, 0, first.length);
        c.receiveData(second, 0, second.length);
        assertThat(c.isFailed()).isFalse();
        byte[] third = frame(peerOf(role), true, Opcode.CONTINUATION, new byte[1]);
        int headerSize = PayloadLength.headerSize(1, role.expectsMaskedIncoming());
        c.receiveData(third, 0, headerSize); // the header alone
        assertThat(c.isFailed()).isTrue();
        assertThat(c.closeSent().code()).isEqualTo(CloseCode.MESSAGE_TOO_BIG);
    }

    @ParameterizedTest(name = "received by the {0}")
    @EnumSource(Role.class)
    void acceptsAMessageOfExactlyTheLimitInOneFrameOrInFragments(Role role) {
        byte[] data = FrameTesting.randomBytes(77, LIMIT);
        Connection c = openConnection(role, config(9));
        byte[] whole = frame(peerOf(role), true, Opcode.BINARY, data);
        c.receiveData(whole, 0, whole.length);
        byte[] a = frame(peerOf(role), false, Opcode.BINARY, Arrays.copyOfRange(data, 0, 30_000));
        byte[] b = frame(peerOf(role), true, Opcode.CONTINUATION, Arrays.copyOfRange(data, 30_000, LIMIT));
        byte[] both = concat(a, b);
        c.receiveData(both, 0, both.length);
        assertThat(c.isFailed()).isFalse();
        assertThat(c.nextEvent()).isEqualTo(new Message.Binary(data));
        assertThat(c.nextEvent()).isEqualTo(new Message.Binary(data));
    }

    @ParameterizedTest(name = "received by the {0}")
    @EnumSource(Role.class)
    void aFailedConnectionIgnoresAllFurtherInput(Role role) {
        Connection c = openConnection(role, config(9));
        byte[] bad = frame(peerOf(role), true, Opcode.TEXT, hex("c0 af"));
        c.receiveData(bad, 0, bad.length);
        assertThat(c.isFailed()).isTrue();
        assertThat(c.closeSent().code()).isEqualTo(CloseCode.INVALID_FRAME_PAYLOAD_DATA);
        byte[] good = frame(peerOf(role), true, Opcode.PING, hex("01"));
        c.receiveData(good, 0, good.length);
        assertThat(c.hasEvents()).isFalse();
        assertThat(lastOutgoingCloseCode(c, role)).isEqualTo(1007);
        assertThat(c.hasOutgoing()).isFalse();
    }

    // =================================================================== the inputs

    /** Seeded inputs: valid streams of frames, mutated in many ways, and plain random bytes. */
    static final class Inputs {
        private static final int[] WIRE_CODES = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999};
        private static final int[] BAD_CODES = {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535};
        private static final String[] BAD_UTF8 = {"c0 af", "ed a0 80", "f4 90 80 80", "ff", "80", "e2 82", "c3", "f0 9f 98", "e0 80 80", "f8 88 80 80 80"};

        private final Random r;
        private final FrameEncoder client;
        private final FrameEncoder server = FrameEncoder.server();

        Inputs(long seed) {
            r = new Random(seed);
            client = new FrameEncoder(Role.CLIENT, r::nextInt);
        }

        /** The next input, from a sender picked at random. */
        byte[] next() {
            return next(r.nextBoolean());
        }

        /** The next input, mostly as sent by a client ({@code masked}) or a server. */
        byte[] next(boolean masked) {
            int k = r.nextInt(100);
            if (k < 4) {
                return randomBytes(r.nextInt(48));
            }
            byte[] s = valid(masked);
            int mutations = k < 25 ? 0 : k < 80 ? 1 : 1 + r.nextInt(3);
            for (int i = 0; i < mutations; i++) {
                s = mutate(s, masked);
            }
            return s;
        }

        /** Random chunking: whole, byte by byte, small pieces, or random pieces. */
        List<int[]> chunks(int n) {
            List<int[]> chunks = new ArrayList<>();
            int mode = r.nextInt(10);
            for (int at = 0; at < n; ) {
                int size = switch (mode) {
                    case 0, 1, 2 -> n;
                    case 3 -> 1;
                    case 4, 5, 6 -> 1 + r.nextInt(8);
                    default -> 1 + r.nextInt(n);
                };
                size = Math.min(size, n - at);
                chunks.add(new int[] {at, size});
                at += size;
            }
            return chunks;
        }

        private byte[] randomBytes(int n) {
            byte[] b = new byte[n];
            r.nextBytes(b);
            if (n > 0 && r.nextBoolean()) {
                // A plausible first byte, so that more random inputs get past the opcode.
                b[0] = (byte) ((r.nextBoolean() ? 0x80 : 0) | new int[] {0, 1, 2, 8, 9, 10}[r.nextInt(6)]);
            }
            return b;
        }

        byte[] valid(boolean masked) {
            FrameEncoder e = masked ? client : server;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int n = 1 + r.nextInt(4);
            for (int i = 0; i < n; i++) {
                for (Frame f : someFrames()) {
                    out.writeBytes(e.encode(f));
                }
            }
            return out.toByteArray();
        }

        private List<Frame> someFrames() {
            int k = r.nextInt(1000);
            if (k < 250) {
                return List.of(new Frame(Opcode.TEXT, text(40)));
            } else if (k < 380) {
                return List.of(new Frame(Opcode.BINARY, bytes(r.nextInt(300))));
            } else if (k < 540) {
                return fragmented(r.nextBoolean() ? Opcode.TEXT : Opcode.BINARY, r.nextBoolean() ? text(80) : bytes(r.nextInt(400)));
            } else if (k < 630) {
                return List.of(new Frame(Opcode.PING, bytes(r.nextInt(126))));
            } else if (k < 690) {
                return List.of(new Frame(Opcode.PONG, bytes(r.nextInt(126))));
            } else if (k < 760) {
                return List.of(new Frame(Opcode.CLOSE, validCloseBody()));
            } else if (k < 800) {
                return List.of(new Frame(Opcode.CLOSE, oddCloseBody()));
            } else if (k < 870) {
                return List.of(new Frame(Opcode.TEXT, invalidText()));
            } else if (k < 997) {
                return ruleBreakers();
            } else if (k < 999) {
                return List.of(new Frame(Opcode.BINARY, bytes(LIMIT - 3 + r.nextInt(7)))); // around the limit
            } else {
                return List.of(new Frame(false, 0, Opcode.BINARY, bytes(40_000)),
                        new Frame(true, 0, Opcode.CONTINUATION, bytes(LIMIT - 40_000 + r.nextInt(3)))); // message at the limit
            }
        }

        private byte[] bytes(int n) {
            byte[] b = new byte[n];
            r.nextBytes(b);
            return b;
        }

        /** Valid UTF-8 of up to {@code maxChars} code points: ASCII, 2-, 3- and 4-byte forms. */
        byte[] text(int maxChars) {
            StringBuilder sb = new StringBuilder();
            int n = r.nextInt(maxChars + 1);
            for (int i = 0; i < n; i++) {
                int k = r.nextInt(10);
                int cp;
                if (k < 6) {
                    cp = 0x20 + r.nextInt(0x5F);
                } else if (k < 7) {
                    cp = 0x80 + r.nextInt(0x800 - 0x80);
                } else if (k < 9) {
                    do {
                        cp = 0x800 + r.nextInt(0x10000 - 0x800);
                    } while (cp >= 0xD800 && cp <= 0xDFFF);
                } else {
                    cp = 0x10000 + r.nextInt(0x110000 - 0x10000);
                }
                sb.appendCodePoint(cp);
            }
            return sb.toString().getBytes(StandardCharsets.UTF_8);
        }

        /** A message in 2–5 frames split at random bytes (inside UTF-8 sequences too), maybe with a ping between. */
        private List<Frame> fragmented(Opcode type, byte[] data) {
            int pieces = 2 + r.nextInt(4);
            int[] cuts = new int[pieces + 1];
            cuts[pieces] = data.length;
            for (int i = 1; i < pieces; i++) {
                cuts[i] = r.nextInt(data.length + 1);
            }
            Arrays.sort(cuts, 1, pieces);
            List<Frame> frames = new ArrayList<>();
            for (int i = 0; i < pieces; i++) {
                frames.add(new Frame(i == pieces - 1, 0, i == 0 ? type : Opcode.CONTINUATION, Arrays.copyOfRange(data, cuts[i], cuts[i + 1])));
                if (i < pieces - 1 && r.nextInt(4) == 0) {
                    frames.add(new Frame(Opcode.PING, bytes(r.nextInt(10))));
                }
            }
            return frames;
        }

        private byte[] validCloseBody() {
            if (r.nextInt(5) == 0) {
                return new byte[0];
            }
            int code = r.nextBoolean() ? WIRE_CODES[r.nextInt(WIRE_CODES.length)] : 3000 + r.nextInt(2000);
            return CloseBody.encode(new CloseCode(code), new String(text(30), StandardCharsets.UTF_8));
        }

        private byte[] oddCloseBody() {
            return switch (r.nextInt(3)) {
                case 0 -> bytes(1);
                case 1 -> {
                    int code = BAD_CODES[r.nextInt(BAD_CODES.length)];
                    yield concat(new byte[] {(byte) (code >>> 8), (byte) code}, text(5));
                }
                default -> concat(hex("03e8"), invalidText());
            };
        }

        private byte[] invalidText() {
            byte[] before = text(6);
            byte[] bad = hex(BAD_UTF8[r.nextInt(BAD_UTF8.length)]);
            return r.nextBoolean() ? concat(before, bad) : concat(before, bad, text(4));
        }

        /** Frames that parse but break a rule of §5. */
        private List<Frame> ruleBreakers() {
            return switch (r.nextInt(8)) {
                case 0 -> List.of(new Frame(true, 1 + r.nextInt(7), Opcode.TEXT, text(5)));
                case 1 -> List.of(new Frame(false, 0, Opcode.PING, bytes(3)));
                case 2 -> List.of(new Frame(Opcode.PING, bytes(126 + r.nextInt(10))));
                case 3 -> List.of(new Frame(true, 0, Opcode.CONTINUATION, bytes(4)));
                case 4 -> List.of(new Frame(false, 0, Opcode.TEXT, text(3)), new Frame(Opcode.BINARY, bytes(2)));
                case 5 -> List.of(new Frame(Opcode.CLOSE, bytes(126)));
                case 6 -> List.of(new Frame(false, 0, Opcode.BINARY, bytes(3)), new Frame(true, 4, Opcode.CONTINUATION, bytes(3)));
                default -> List.of(new Frame(false, 0, Opcode.TEXT, text(10))); // a message that never ends
            };
        }

        private byte[] mutate(byte[] s, boolean masked) {
            if (s.length == 0) {
                return randomBytes(1 + r.nextInt(16));
            }
            byte[] m = s.clone();
            switch (r.nextInt(11)) {
                case 0, 1 -> { // flip bits
                    int flips = 1 + r.nextInt(4);
                    for (int i = 0; i < flips; i++) {
                        m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
                    }
                }
                case 2 -> { // random bytes
                    int n = 1 + r.nextInt(4);
                    for (int i = 0; i < n; i++) {
                        m[r.nextInt(m.length)] = (byte) r.nextInt(256);
                    }
                }
                case 3 -> { // flip bits in the first header, where the length and opcode are
                    int at = r.nextInt(Math.min(m.length, 10));
                    m[at] ^= (byte) (1 << r.nextInt(8));
                }
                case 4 -> m = Arrays.copyOf(m, r.nextInt(m.length)); // truncate
                case 5 -> { // insert random bytes
                    int at = r.nextInt(m.length + 1);
                    m = concat(Arrays.copyOf(s, at), bytes(1 + r.nextInt(8)), Arrays.copyOfRange(s, at, s.length));
                }
                case 6 -> { // delete a range
                    int a = r.nextInt(m.length);
                    int b = a + 1 + r.nextInt(Math.min(16, m.length - a));
                    m = concat(Arrays.copyOf(s, a), Arrays.copyOfRange(s, b, s.length));
                }
                case 7 -> m = concat(m, valid(r.nextInt(4) == 0 ? !masked : masked)); // concatenate
                case 8 -> { // duplicate a range
                    int a = r.nextInt(m.length);
                    int b = a + 1 + r.nextInt(Math.min(32, m.length - a));
                    m = concat(Arrays.copyOf(s, b), Arrays.copyOfRange(s, a, s.length));
                }
                case 9 -> { // a random second byte: mask bit and 7-bit length
                    if (m.length > 1) {
                        m[1] = (byte) r.nextInt(256);
                    }
                }
                default -> { // the first frame's 7-bit length re-encoded in 16 or 64 bits: not minimal,
                    // or in 64 bits with the most significant bit set
                    if (m.length > 1 && (m[1] & 0x7F) < 126) {
                        byte mask = (byte) (m[1] & 0x80);
                        byte len7 = (byte) (m[1] & 0x7F);
                        int how = r.nextInt(3);
                        byte[] longer = how == 0
                                ? new byte[] {m[0], (byte) (mask | 126), 0, len7}
                                : new byte[] {m[0], (byte) (mask | 127), (byte) (how == 2 ? 0x80 : 0), 0, 0, 0, 0, 0, 0, len7};
                        m = concat(longer, Arrays.copyOfRange(m, 2, m.length));
                    }
                }
            }
            return m;
        }
    }
}
