package io.loomsocket.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
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
 * {@link RespParser} on hand-written RESP2 and RESP3 replies, each parsed whole, split in two at
 * every byte, and fed byte by byte: the values must be the same every way.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RespParserTest {

    // ------------------------------------------------------------------ helpers

    static byte[] wire(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1); // one char, one byte: NUL, CR and LF as written
    }

    static RespValue bulk(String s) {
        return new RespValue.Bulk(wire(s));
    }

    static RespValue simple(String s) {
        return new RespValue.Simple(s);
    }

    static RespValue integer(long n) {
        return new RespValue.Int(n);
    }

    static RespValue array(RespValue... items) {
        return new RespValue.Array(List.of(items));
    }

    /** Every value {@code wire} holds, fed as {@code pieces}, {@link RespParser#next} called after each. */
    static List<RespValue> parse(RespParser p, List<byte[]> pieces) throws RespProtocolException {
        List<RespValue> out = new ArrayList<>();
        for (byte[] piece : pieces) {
            p.feed(piece, 0, piece.length);
            for (RespValue v; (v = p.next()) != null; ) {
                out.add(v);
            }
        }
        assertThat(p.buffered()).as("bytes left over").isZero();
        return out;
    }

    /** Parses {@code wire} whole, in two pieces split at every byte, and byte by byte; asserts each gives {@code expected}. */
    static void assertParsesAllWays(byte[] wire, List<RespValue> expected) throws RespProtocolException {
        assertThat(parse(new RespParser(), List.of(wire))).as("whole").isEqualTo(expected);
        for (int split = 0; split <= wire.length; split++) {
            List<byte[]> two = List.of(Arrays.copyOfRange(wire, 0, split), Arrays.copyOfRange(wire, split, wire.length));
            assertThat(parse(new RespParser(), two)).as("split at %d", split).isEqualTo(expected);
        }
        List<byte[]> bytes = new ArrayList<>();
        for (byte b : wire) {
            bytes.add(new byte[] {b});
        }
        assertThat(parse(new RespParser(), bytes)).as("byte by byte").isEqualTo(expected);
    }

    // ------------------------------------------------------------------ every reply type

    static Stream<Arguments> replies() {
        return Stream.of(
                Arguments.of("simple", "+OK\r\n", simple("OK")),
                Arguments.of("simple, empty", "+\r\n", simple("")),
                Arguments.of("error", "-ERR unknown command 'FOO', with args beginning with: \r\n",
                        new RespValue.Error("ERR unknown command 'FOO', with args beginning with: ")),
                Arguments.of("WRONGPASS", "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
                        new RespValue.Error("WRONGPASS invalid username-password pair or user is disabled.")),
                Arguments.of("integer 0", ":0\r\n", integer(0)),
                Arguments.of("integer negative", ":-42\r\n", integer(-42)),
                Arguments.of("integer max", ":9223372036854775807\r\n", integer(Long.MAX_VALUE)),
                Arguments.of("integer min", ":-9223372036854775808\r\n", integer(Long.MIN_VALUE)),
                Arguments.of("bulk", "$5\r\nhello\r\n", bulk("hello")),
                Arguments.of("bulk, empty", "$0\r\n\r\n", bulk("")),
                Arguments.of("bulk with CR, LF, NUL", "$7\r\na\r\nb\0c\r\r\n", bulk("a\r\nb\0c\r")),
                Arguments.of("bulk that is CRLF", "$2\r\n\r\n\r\n", bulk("\r\n")),
                Arguments.of("bulk, high bytes", "$3\r\n\u00ff\u0080\u00fe\r\n", bulk("\u00ff\u0080\u00fe")),
                Arguments.of("null bulk", "$-1\r\n", RespValue.NULL),
                Arguments.of("null array", "*-1\r\n", RespValue.NULL),
                Arguments.of("empty array", "*0\r\n", array()),
                Arguments.of("nested arrays", "*3\r\n*2\r\n:1\r\n:2\r\n*0\r\n*2\r\n$3\r\nfoo\r\n*1\r\n$-1\r\n",
                        array(array(integer(1), integer(2)), array(), array(bulk("foo"), array(RespValue.NULL)))),
                Arguments.of("RESP2 subscribe reply", "*3\r\n$9\r\nsubscribe\r\n$4\r\nchan\r\n:1\r\n",
                        array(bulk("subscribe"), bulk("chan"), integer(1))),
                Arguments.of("RESP2 message", "*3\r\n$7\r\nmessage\r\n$4\r\nchan\r\n$7\r\nhe\r\nl\0o\r\n",
                        array(bulk("message"), bulk("chan"), bulk("he\r\nl\0o"))),
                Arguments.of("RESP2 pmessage", "*4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$4\r\nchan\r\n$2\r\nhi\r\n",
                        array(bulk("pmessage"), bulk("c*"), bulk("chan"), bulk("hi"))),
                Arguments.of("RESP3 push message", ">3\r\n$7\r\nmessage\r\n$4\r\nchan\r\n$5\r\nhello\r\n",
                        new RespValue.Push(List.of(bulk("message"), bulk("chan"), bulk("hello")))),
                Arguments.of("RESP3 push subscribe", ">3\r\n$9\r\nsubscribe\r\n$4\r\nchan\r\n:1\r\n",
                        new RespValue.Push(List.of(bulk("subscribe"), bulk("chan"), integer(1)))),
                Arguments.of("HELLO 3 reply", "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n"
                        + "$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:5\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n"
                        + "$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n",
                        new RespValue.Map(List.of(bulk("server"), bulk("redis"), bulk("version"), bulk("7.0.15"),
                                bulk("proto"), integer(3), bulk("id"), integer(5), bulk("mode"), bulk("standalone"),
                                bulk("role"), bulk("master"), bulk("modules"), array()))),
                Arguments.of("empty map", "%0\r\n", new RespValue.Map(List.of())),
                Arguments.of("RESP3 null", "_\r\n", RespValue.NULL),
                Arguments.of("double", ",3.14\r\n", new RespValue.Double(3.14)),
                Arguments.of("double, exponent", ",-1.5e10\r\n", new RespValue.Double(-1.5e10)),
                Arguments.of("double inf", ",inf\r\n", new RespValue.Double(Double.POSITIVE_INFINITY)),
                Arguments.of("double -inf", ",-inf\r\n", new RespValue.Double(Double.NEGATIVE_INFINITY)),
                Arguments.of("double nan", ",nan\r\n", new RespValue.Double(Double.NaN)),
                Arguments.of("true", "#t\r\n", new RespValue.Bool(true)),
                Arguments.of("false", "#f\r\n", new RespValue.Bool(false)),
                Arguments.of("big number", "(3492890328409238509324850943850943825024385\r\n",
                        new RespValue.BigNumber("3492890328409238509324850943850943825024385")),
                Arguments.of("big number, negative", "(-3492890328409238509324850943850943825024385\r\n",
                        new RespValue.BigNumber("-3492890328409238509324850943850943825024385")),
                Arguments.of("verbatim", "=15\r\ntxt:Some string\r\n", bulk("Some string")),
                Arguments.of("verbatim, empty text", "=4\r\nmkd:\r\n", bulk("")),
                Arguments.of("blob error", "!21\r\nSYNTAX invalid syntax\r\n", new RespValue.Error("SYNTAX invalid syntax")),
                Arguments.of("blob error with CRLF", "!9\r\nERR a\r\nb.\r\n", new RespValue.Error("ERR a\r\nb.")),
                Arguments.of("set", "~3\r\n+a\r\n+b\r\n:3\r\n", array(simple("a"), simple("b"), integer(3))),
                Arguments.of("attribute before an array",
                        "|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n",
                        array(integer(2039123), integer(9543892))),
                Arguments.of("attribute inside an array", "*2\r\n|1\r\n+ttl\r\n:3600\r\n:1\r\n:2\r\n",
                        array(integer(1), integer(2))),
                Arguments.of("empty attribute", "|0\r\n+OK\r\n", simple("OK")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("replies")
    void parsesEachReplySplitAtEveryByteAndByteByByte(String name, String wire, RespValue expected) throws Exception {
        assertParsesAllWays(wire(wire), List.of(expected));
    }

    @Test
    void parsesAllRepliesInOneStreamSplitAtEveryByteAndByteByByte() throws Exception {
        StringBuilder all = new StringBuilder();
        List<RespValue> expected = new ArrayList<>();
        replies().forEach(a -> {
            all.append((String) a.get()[1]);
            expected.add((RespValue) a.get()[2]);
        });
        assertParsesAllWays(wire(all.toString()), expected);
    }

    @Test
    void errorCodeIsTheFirstWord() {
        assertThat(new RespValue.Error("WRONGPASS invalid username-password pair").code()).isEqualTo("WRONGPASS");
        assertThat(new RespValue.Error("NOAUTH Authentication required.").code()).isEqualTo("NOAUTH");
        assertThat(new RespValue.Error("ERR").code()).isEqualTo("ERR");
    }

    @Test
    void asTextOfSimpleBulkAndIntOnly() {
        assertThat(simple("OK").asText()).isEqualTo("OK");
        assertThat(new RespValue.Bulk("é".getBytes(StandardCharsets.UTF_8)).asText()).isEqualTo("é");
        assertThat(integer(-7).asText()).isEqualTo("-7");
        assertThatThrownBy(() -> RespValue.NULL.asText()).isInstanceOf(IllegalStateException.class).hasMessageContaining("Null");
        assertThatThrownBy(() -> array().asText()).isInstanceOf(IllegalStateException.class).hasMessageContaining("Array");
        assertThatThrownBy(() -> new RespValue.Error("ERR x").asText()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Error");
    }

    @Test
    void mapLooksUpTextKeys() throws Exception {
        RespValue.Map hello = (RespValue.Map) parse(new RespParser(), List.of(wire(
                "%2\r\n$5\r\nproto\r\n:3\r\n+role\r\n$6\r\nmaster\r\n"))).get(0);
        assertThat(hello.get("proto")).isEqualTo(integer(3));
        assertThat(hello.get("role")).isEqualTo(bulk("master"));
        assertThat(hello.get("nope")).isNull();
    }

    // ------------------------------------------------------------------ malformed input

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("?foo\r\n", "bad type byte 0x3f"),
                Arguments.of("+OK\r\n\0", "bad type byte 0x00"),
                Arguments.of("$abc\r\n", "bad length 'abc'"),
                Arguments.of("$\r\n", "bad length ''"),
                Arguments.of("$-2\r\n", "bad length -2"),
                Arguments.of("$+5\r\nhello\r\n", "bad length '+5'"),
                Arguments.of("*-5\r\n", "bad length -5"),
                Arguments.of(">-1\r\n", "bad length -1"),
                Arguments.of("%-1\r\n", "bad length -1"),
                Arguments.of("*99999999999\r\n", "bad length 99999999999"),
                Arguments.of(":12a\r\n", "bad integer '12a'"),
                Arguments.of(":99999999999999999999\r\n", "bad integer"),
                Arguments.of(":-9999999999999999999\r\n", "beyond 64 bits"),
                Arguments.of(":9999999999999999999\r\n", "beyond 64 bits"),
                Arguments.of(":9223372036854775808\r\n", "beyond 64 bits"),
                Arguments.of("+OK\rX\r\n", "CR not followed by LF (0x58)"),
                Arguments.of("$3\r\rfoo\r\n", "CR not followed by LF"),
                Arguments.of("+O\nK\r\n", "LF without CR"),
                Arguments.of("$3\r\nfooXY", "a string of 3 bytes is followed by 0x58 0x59, not CRLF"),
                Arguments.of("$3\r\nfoo\n\r", "not CRLF"),
                Arguments.of("#x\r\n", "bad boolean 'x'"),
                Arguments.of("#true\r\n", "bad boolean 'true'"),
                Arguments.of(",abc\r\n", "bad double 'abc'"),
                Arguments.of(",1.5d\r\n", "bad double '1.5d'"),
                Arguments.of(",\r\n", "bad double ''"),
                Arguments.of("(12x\r\n", "bad big number '12x'"),
                Arguments.of("_x\r\n", "bad null"),
                Arguments.of("=3\r\ntxt\r\n", "bad length 3 of a verbatim string"),
                Arguments.of("=5\r\ntxt;a\r\n", "bad verbatim string"),
                Arguments.of("!-1\r\n", "bad length -1"),
                Arguments.of("+" + "a".repeat(70_000) + "\r\n", "line too long"),
                Arguments.of("*1\r\n".repeat(33) + ":1\r\n", "depth exceeded: aggregates nested deeper than 32"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("malformed")
    void malformedInputFailsWithAMessageWholeAndByteByByte(String input, String message) {
        byte[] w = wire(input);
        assertThatThrownBy(() -> parse(new RespParser(), List.of(w)))
                .isInstanceOf(RespProtocolException.class).hasMessageContaining(message);
        List<byte[]> bytes = new ArrayList<>();
        for (byte b : w) {
            bytes.add(new byte[] {b});
        }
        assertThatThrownBy(() -> parse(new RespParser(), bytes))
                .isInstanceOf(RespProtocolException.class).hasMessageContaining(message);
    }

    @Test
    void aLineTooLongFailsBeforeItsEndArrives() {
        RespParser p = new RespParser();
        byte[] chunk = wire("-" + "e".repeat(RespParser.MAX_LINE));
        p.feed(chunk, 0, chunk.length);
        assertThatThrownBy(p::next).isInstanceOf(RespProtocolException.class)
                .hasMessageContaining("line too long").hasMessageContaining("64 KiB");
    }

    @Test
    void aLineOf64KiBIsAccepted() throws Exception {
        String text = "s".repeat(RespParser.MAX_LINE - 1); // with its '+', 64 KiB before CRLF
        assertThat(parse(new RespParser(), List.of(wire("+" + text + "\r\n")))).containsExactly(simple(text));
    }

    @Test
    void bulkOverTheLimitFailsOnItsHeader() {
        RespParser p = new RespParser(10, 32);
        byte[] w = wire("$11\r\n");
        p.feed(w, 0, w.length);
        assertThatThrownBy(p::next).isInstanceOf(RespProtocolException.class)
                .hasMessage("bulk too large: 11 bytes (max 10)");
    }

    @Test
    void bulkAtTheLimitIsAccepted() throws Exception {
        assertThat(parse(new RespParser(10, 32), List.of(wire("$10\r\n0123456789\r\n")))).containsExactly(bulk("0123456789"));
    }

    @Test
    void depthLimitCountsEveryAggregate() throws Exception {
        assertThat(parse(new RespParser(100, 2), List.of(wire("*1\r\n%1\r\n+k\r\n:1\r\n"))))
                .containsExactly(array(new RespValue.Map(List.of(simple("k"), integer(1)))));
        assertThatThrownBy(() -> parse(new RespParser(100, 2), List.of(wire("*1\r\n>1\r\n*1\r\n:1\r\n"))))
                .isInstanceOf(RespProtocolException.class).hasMessageContaining("depth exceeded");
    }

    @Test
    void afterAnErrorEveryCallFails() throws Exception {
        RespParser p = new RespParser();
        byte[] w = wire("+OK\r\n?\r\n+OK\r\n");
        p.feed(w, 0, w.length);
        assertThat(p.next()).isEqualTo(simple("OK"));
        assertThatThrownBy(p::next).isInstanceOf(RespProtocolException.class).hasMessageContaining("bad type byte 0x3f");
        assertThatThrownBy(p::next).isInstanceOf(RespProtocolException.class)
                .hasMessageContaining("broke earlier").hasMessageContaining("bad type byte 0x3f");
    }

    @Test
    void rejectsBadLimits() {
        assertThatThrownBy(() -> new RespParser(-1, 32)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RespParser(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------ large values

    private static byte[] payload(int size) {
        byte[] b = new byte[size];
        new Random(42).nextBytes(b);
        for (int i = 0; i < size; i += 997) { // CR, LF and NUL bytes throughout, CRLF pairs too
            b[i] = (byte) "\r\n\0".charAt((i / 997) % 3);
        }
        b[size - 2] = '\r';
        b[size - 1] = '\n';
        return b;
    }

    private static byte[] bulkWire(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 32);
        out.writeBytes(wire("$" + body.length + "\r\n"));
        out.writeBytes(body);
        out.writeBytes(wire("\r\n"));
        return out.toByteArray();
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void a16MiBBulkFedIn64KiBChunksIsCopiedOnceNotBuffered() throws Exception {
        byte[] body = payload(16 * 1024 * 1024);
        byte[] w = bulkWire(body);
        RespParser p = new RespParser();
        RespValue got = null;
        int maxBuffered = 0;
        for (int off = 0; off < w.length; off += 64 * 1024) {
            p.feed(w, off, Math.min(64 * 1024, w.length - off));
            maxBuffered = Math.max(maxBuffered, p.buffered());
            RespValue v = p.next();
            if (v != null) {
                assertThat(got).as("one value only").isNull();
                assertThat(off + 64 * 1024).as("complete only with its last chunk").isGreaterThanOrEqualTo(w.length);
                got = v;
            }
        }
        assertThat(got).isInstanceOf(RespValue.Bulk.class);
        assertThat(Arrays.equals(((RespValue.Bulk) got).bytes(), body)).as("content").isTrue();
        assertThat(maxBuffered).as("bytes held in the parser's buffer besides the value").isLessThanOrEqualTo(64 * 1024);
        assertThat(p.buffered()).isZero();
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void a16MiBBulkFedWholeAndInOddChunksAmongOtherReplies() throws Exception {
        byte[] body = payload(16 * 1024 * 1024);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(wire("+OK\r\n"));
        out.writeBytes(bulkWire(body));
        out.writeBytes(wire(":1\r\n"));
        byte[] w = out.toByteArray();
        List<RespValue> expected = List.of(simple("OK"), new RespValue.Bulk(body), integer(1));
        assertThat(parse(new RespParser(), List.of(w))).isEqualTo(expected);
        List<byte[]> odd = new ArrayList<>();
        for (int off = 0; off < w.length; off += 65_537) {
            odd.add(Arrays.copyOfRange(w, off, Math.min(w.length, off + 65_537)));
        }
        assertThat(parse(new RespParser(), odd)).isEqualTo(expected);
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void aLongArrayFedInSmallChunksIsNotParsedAgain() throws Exception {
        int n = 200_000;
        StringBuilder sb = new StringBuilder("*" + n + "\r\n");
        List<RespValue> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            sb.append("$").append(Integer.toString(i).length()).append("\r\n").append(i).append("\r\n");
            items.add(bulk(Integer.toString(i)));
        }
        byte[] w = wire(sb.toString());
        List<byte[]> chunks = new ArrayList<>();
        for (int off = 0; off < w.length; off += 7) {
            chunks.add(Arrays.copyOfRange(w, off, Math.min(w.length, off + 7)));
        }
        assertThat(parse(new RespParser(), chunks)).containsExactly(new RespValue.Array(items));
    }
}
