package io.loomsocket.handshake;

import static io.loomsocket.handshake.Samples.BUSY_REQUEST;
import static io.loomsocket.handshake.Samples.RFC_REQUEST;
import static io.loomsocket.handshake.Samples.RFC_RESPONSE;
import static io.loomsocket.handshake.Samples.bytes;
import static io.loomsocket.handshake.Samples.head;
import static io.loomsocket.handshake.Samples.parseRequest;
import static io.loomsocket.handshake.Samples.parseResponse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class HttpHeadParserTest {

    // --- Parsing whole heads ---------------------------------------------------------------

    @Test
    void parsesTheRfcSampleRequest() {
        HttpRequestHead head = parseRequest(RFC_REQUEST);

        assertThat(head.method()).isEqualTo("GET");
        assertThat(head.target()).isEqualTo("/chat");
        assertThat(head.version()).isEqualTo("HTTP/1.1");
        assertThat(head.headers().size()).isEqualTo(7);
        assertThat(head.headers().first("sec-websocket-key")).contains("dGhlIHNhbXBsZSBub25jZQ==");
        assertThat(head.headers().tokens("Sec-WebSocket-Protocol")).containsExactly("chat", "superchat");
    }

    @Test
    void parsesTheRfcSampleResponse() {
        HttpResponseHead head = parseResponse(RFC_RESPONSE);

        assertThat(head.version()).isEqualTo("HTTP/1.1");
        assertThat(head.status()).isEqualTo(101);
        assertThat(head.reason()).isEqualTo("Switching Protocols");
        assertThat(head.headers().first("Sec-WebSocket-Accept")).contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    @Test
    void trimsOptionalWhitespaceAroundValuesAndKeepsNamesAsReceived() {
        HttpRequestHead head = parseRequest(BUSY_REQUEST);

        assertThat(head.headers().first("Host")).contains("example.com:8080");
        assertThat(head.headers().first("X-Empty")).contains("");
        assertThat(head.headers().iterator().next().name()).isEqualTo("host");
    }

    @Test
    void readsHighBytesInValuesAsIso88591() {
        HttpRequestHead head = parseRequest(head("GET / HTTP/1.1", "Cookie: caf\u00e9 \u00ff\u0080"));

        assertThat(head.headers().first("cookie")).contains("caf\u00e9 \u00ff\u0080");
    }

    @Test
    void acceptsAStatusLineWithoutReasonPhrase() {
        assertThat(parseResponse(head("HTTP/1.1 101", "Upgrade: websocket")).reason()).isEmpty();
        assertThat(parseResponse(head("HTTP/1.1 101 ", "Upgrade: websocket")).reason()).isEmpty();
    }

    @Test
    void parsesAnyWellFormedVersionInAResponseAndLeavesTheCheckToTheClient() {
        assertThat(parseResponse(head("HTTP/1.0 200 OK")).version()).isEqualTo("HTTP/1.0");
    }

    // --- Incremental feeding ---------------------------------------------------------------

    static Stream<String> requestSamples() {
        return Stream.of(RFC_REQUEST, BUSY_REQUEST);
    }

    @ParameterizedTest
    @MethodSource("requestSamples")
    void givesTheSameRequestWhenSplitAtEveryBytePosition(String sample) {
        byte[] b = bytes(sample);
        HttpRequestHead whole = parseRequest(sample);

        for (int split = 0; split <= b.length; split++) {
            HttpHeadParser parser = HttpHeadParser.forRequest();
            assertThat(parser.feed(b, 0, split)).isEqualTo(split);
            assertThat(parser.isComplete()).isEqualTo(split == b.length);
            assertThat(parser.feed(b, split, b.length - split)).isEqualTo(b.length - split);
            assertThat(parser.request()).as("split at %d", split).isEqualTo(whole);
        }
    }

    @ParameterizedTest
    @MethodSource("requestSamples")
    void givesTheSameRequestWhenFedOneByteAtATime(String sample) {
        byte[] b = bytes(sample);
        HttpHeadParser parser = HttpHeadParser.forRequest();

        for (int i = 0; i < b.length; i++) {
            assertThat(parser.isComplete()).isFalse();
            assertThat(parser.feed(b, i, 1)).isEqualTo(1);
        }

        assertThat(parser.request()).isEqualTo(parseRequest(sample));
    }

    @Test
    void givesTheSameResponseWhenSplitAtEveryBytePositionAndOneByteAtATime() {
        byte[] b = bytes(RFC_RESPONSE);
        HttpResponseHead whole = parseResponse(RFC_RESPONSE);

        for (int split = 0; split <= b.length; split++) {
            HttpHeadParser parser = HttpHeadParser.forResponse();
            parser.feed(b, 0, split);
            parser.feed(b, split, b.length - split);
            assertThat(parser.response()).isEqualTo(whole);
        }
        HttpHeadParser parser = HttpHeadParser.forResponse();
        for (int i = 0; i < b.length; i++) {
            parser.feed(b, i, 1);
        }
        assertThat(parser.response()).isEqualTo(whole);
    }

    @Test
    void consumesExactlyTheHeadAndLeavesTheFrameBytesThatFollow() {
        byte[] head = bytes(RFC_REQUEST);
        byte[] frame = {(byte) 0x81, (byte) 0x85, 0x37, (byte) 0xfa, 0x21, 0x3d, 0x7f, (byte) 0x9f, 0x4d, 0x51, 0x58};
        byte[] wire = new byte[head.length + frame.length];
        System.arraycopy(head, 0, wire, 0, head.length);
        System.arraycopy(frame, 0, wire, head.length, frame.length);

        for (int split = 0; split <= wire.length; split++) {
            HttpHeadParser parser = HttpHeadParser.forRequest();
            int first = parser.feed(wire, 0, split);
            int second = parser.feed(wire, first, wire.length - first);

            assertThat(first + second).as("split at %d", split).isEqualTo(head.length);
            assertThat(parser.isComplete()).isTrue();
            assertThat(parser.feed(wire, head.length, frame.length)).isZero();
        }
    }

    @Test
    void byteBufferFeedAdvancesPositionOnlyPastTheHead() {
        byte[] head = bytes(RFC_RESPONSE);
        ByteBuffer buffer = ByteBuffer.allocate(head.length + 3);
        buffer.put(head).put(new byte[] {(byte) 0x81, 0x01, 'x'}).flip();
        HttpHeadParser parser = HttpHeadParser.forResponse();

        int consumed = parser.feed(buffer);

        assertThat(consumed).isEqualTo(head.length);
        assertThat(parser.isComplete()).isTrue();
        assertThat(buffer.remaining()).isEqualTo(3);
        assertThat(buffer.get()).isEqualTo((byte) 0x81);
    }

    @Test
    void byteBufferFeedOneByteAtATimeGivesTheSameRequest() {
        byte[] b = bytes(BUSY_REQUEST);
        HttpHeadParser parser = HttpHeadParser.forRequest();

        for (byte x : b) {
            parser.feed(ByteBuffer.wrap(new byte[] {x}));
        }

        assertThat(parser.request()).isEqualTo(parseRequest(BUSY_REQUEST));
    }

    @Test
    void refusesToContinueAfterAFailure() {
        HttpHeadParser parser = HttpHeadParser.forRequest();
        byte[] bad = bytes("GET / HTTP/1.1\n");

        assertThatThrownBy(() -> parser.feed(bad, 0, bad.length)).isInstanceOf(HandshakeException.class);
        assertThatThrownBy(() -> parser.feed(bad, 0, bad.length)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void refusesToGiveAHeadBeforeItIsCompleteOrOfTheOtherKind() {
        HttpHeadParser parser = HttpHeadParser.forRequest();
        byte[] partial = bytes("GET / HTTP/1.1\r\n");
        parser.feed(partial, 0, partial.length);

        assertThatThrownBy(parser::request).isInstanceOf(IllegalStateException.class);
        byte[] end = bytes("\r\n");
        parser.feed(end, 0, end.length);
        assertThat(parser.request().target()).isEqualTo("/");
        assertThatThrownBy(parser::response).isInstanceOf(IllegalStateException.class);
    }

    // --- 400 Bad Request -------------------------------------------------------------------

    static Stream<Arguments> malformedRequests() {
        return Stream.of(
                Arguments.of("bare LF after the request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", "bare LF"),
                Arguments.of("bare LF ending the head", "GET / HTTP/1.1\r\nHost: a\r\n\n", "bare LF"),
                Arguments.of("bare CR inside a value", "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", "bare CR"),
                Arguments.of("empty request line", "\r\nGET / HTTP/1.1\r\n\r\n", "malformed request line"),
                Arguments.of("two spaces after the method", "GET  / HTTP/1.1\r\n\r\n", "malformed request line"),
                Arguments.of("missing version", "GET /\r\n\r\n", "malformed request line"),
                Arguments.of("four parts", "GET / x HTTP/1.1\r\n\r\n", "malformed request line"),
                Arguments.of("tab as separator", "GET\t/ HTTP/1.1\r\n\r\n", "malformed request line"),
                Arguments.of("method not a token", "G(T / HTTP/1.1\r\n\r\n", "method is not a token"),
                Arguments.of("high byte in target", "GET /\u00e9 HTTP/1.1\r\n\r\n", "request-target"),
                Arguments.of("control char in target", "GET /\u0001 HTTP/1.1\r\n\r\n", "request-target"),
                Arguments.of("version not HTTP", "GET / HTTX/1.1\r\n\r\n", "version is not HTTP/x.y"),
                Arguments.of("lower-case http", "GET / http/1.1\r\n\r\n", "version is not HTTP/x.y"),
                Arguments.of("two-digit minor", "GET / HTTP/1.10\r\n\r\n", "version is not HTTP/x.y"),
                Arguments.of("obs-fold", "GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n", "obsolete line folding"),
                Arguments.of("whitespace before first field", "GET / HTTP/1.1\r\n\tHost: a\r\n\r\n", "obsolete line folding"),
                Arguments.of("no colon", "GET / HTTP/1.1\r\nHost a\r\n\r\n", "no colon"),
                Arguments.of("space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", "whitespace between"),
                Arguments.of("tab before colon", "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", "whitespace between"),
                Arguments.of("empty name", "GET / HTTP/1.1\r\n: a\r\n\r\n", "not a token"),
                Arguments.of("separator in name", "GET / HTTP/1.1\r\nX(Y): a\r\n\r\n", "not a token"),
                Arguments.of("high byte in name", "GET / HTTP/1.1\r\nX\u00e9: a\r\n\r\n", "not a token"),
                Arguments.of("NUL in value", "GET / HTTP/1.1\r\nHost: a\u0000b\r\n\r\n", "control character"),
                Arguments.of("ESC in value", "GET / HTTP/1.1\r\nHost: a\u001bb\r\n\r\n", "control character"),
                Arguments.of("DEL in value", "GET / HTTP/1.1\r\nHost: a\u007fb\r\n\r\n", "control character"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedRequests")
    void rejectsMalformedRequestHeadsWith400(String description, String input, String message) {
        HandshakeException e = requestFailure(input);

        assertThat(e.status()).isEqualTo(400);
        assertThat(e).hasMessageContaining(message);
    }

    @Test
    void acceptsHorizontalTabInsideAValue() {
        assertThat(parseRequest(head("GET / HTTP/1.1", "X-A: a\tb")).headers().first("x-a")).contains("a\tb");
    }

    // --- 405, 505 --------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"POST", "HEAD", "OPTIONS", "get", "CONNECT"})
    void rejectsAMethodOtherThanGetWith405AndAllowGet(String method) {
        HandshakeException e = requestFailure(method + " /chat HTTP/1.1\r\n");

        assertThat(e.status()).isEqualTo(405);
        assertThat(e.responseHeaders().first("Allow")).contains("GET");
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/1.0", "HTTP/2.0", "HTTP/0.9", "HTTP/3.0", "HTTP/1.2"})
    void rejectsAVersionOtherThanHttp11With505(String version) {
        assertThat(requestFailure("GET /chat " + version + "\r\n").status()).isEqualTo(505);
    }

    @Test
    void reportsTheVersionBeforeTheMethod() {
        assertThat(requestFailure("POST / HTTP/1.0\r\n").status()).isEqualTo(505);
    }

    // --- 414, 431: limits ------------------------------------------------------------------

    @Test
    void rejectsARequestLineLongerThanTheLimitWith414() {
        String line = "GET /" + "a".repeat(8192) + " HTTP/1.1";

        HandshakeException e = requestFailure(line);

        assertThat(e.status()).isEqualTo(414);
        assertThat(e).hasMessageContaining("request line longer than 8192 bytes");
    }

    @Test
    void acceptsARequestLineOfExactlyTheLimit() {
        HttpLimits limits = new HttpLimits(17, 100, 1000, 10);
        byte[] b = bytes(head("GET /abc HTTP/1.1")); // 17 bytes before the CRLF
        HttpHeadParser parser = HttpHeadParser.forRequest(limits);

        parser.feed(b, 0, b.length);

        assertThat(parser.request().target()).isEqualTo("/abc");
    }

    @Test
    void rejectsAHeaderLineLongerThanTheLimitWith431() {
        HandshakeException e = requestFailure("GET / HTTP/1.1\r\nX-Long: " + "a".repeat(8192));

        assertThat(e.status()).isEqualTo(431);
        assertThat(e).hasMessageContaining("header line longer than 8192 bytes");
    }

    @Test
    void rejectsMoreThanTheMaximumNumberOfHeadersWith431() {
        StringBuilder sb = new StringBuilder("GET / HTTP/1.1\r\n");
        for (int i = 0; i <= 100; i++) {
            sb.append("X-").append(i).append(": v\r\n");
        }

        HandshakeException e = requestFailure(sb.toString());

        assertThat(e.status()).isEqualTo(431);
        assertThat(e).hasMessageContaining("more than 100 header fields");
    }

    @Test
    void acceptsExactlyTheMaximumNumberOfHeaders() {
        StringBuilder sb = new StringBuilder("GET / HTTP/1.1\r\n");
        for (int i = 0; i < 100; i++) {
            sb.append("X-").append(i).append(": v\r\n");
        }

        assertThat(parseRequest(sb.append("\r\n").toString()).headers().size()).isEqualTo(100);
    }

    @Test
    void rejectsAHeadLargerThanTheLimitWith431() {
        StringBuilder sb = new StringBuilder("GET / HTTP/1.1\r\n");
        for (int i = 0; i < 5; i++) {
            sb.append("X-").append(i).append(": ").append("v".repeat(4000)).append("\r\n");
        }

        HandshakeException e = requestFailure(sb.toString());

        assertThat(e.status()).isEqualTo(431);
        assertThat(e).hasMessageContaining("head larger than 16384 bytes");
    }

    @Test
    void failsAsSoonAsALimitIsCrossedWithoutWaitingForTheLineEnd() {
        HttpHeadParser parser = HttpHeadParser.forRequest(new HttpLimits(10, 10, 100, 10));
        byte[] b = bytes("GET /abcdefgh"); // 13 bytes, no CRLF yet

        assertThatThrownBy(() -> parser.feed(b, 0, b.length))
                .isInstanceOfSatisfying(HandshakeException.class, e -> assertThat(e.status()).isEqualTo(414));
    }

    @Test
    void neverGrowsItsBufferBeyondTheLongestLineLimit() {
        HttpLimits limits = new HttpLimits(300, 500, 100_000, 100);
        HttpHeadParser parser = HttpHeadParser.forRequest(limits);
        byte[] b = bytes("GET /" + "a".repeat(280) + " HTTP/1.1\r\nX: " + "b".repeat(497));

        parser.feed(b, 0, b.length);

        assertThat(parser.bufferCapacity()).isLessThanOrEqualTo(500);
    }

    // --- Response mode ---------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
        "HTTP/1.1 101\u0000Switching\r\n\r\n",
        "HTTP/1.1 1O1 Switching Protocols\r\n\r\n",
        "HTTP/1.1  101 Switching Protocols\r\n\r\n",
        "HTTP/1.1 1010 Switching Protocols\r\n\r\n",
        "HTTP/1.1 901 Switching Protocols\r\n\r\n",
        "HTTP/1.1 099 Switching Protocols\r\n\r\n",
        "HTTX/1.1 101 Switching Protocols\r\n\r\n",
        "HTTP/1.1 101 Switching\u0007Protocols\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade : websocket\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\n folded\r\n\r\n",
        "\r\n",
    })
    void rejectsMalformedResponseHeadsWithStatusZero(String input) {
        HttpHeadParser parser = HttpHeadParser.forResponse();
        byte[] b = bytes(input);

        HandshakeException e = catchThrowableOfType(HandshakeException.class, () -> parser.feed(b, 0, b.length));

        assertThat(e.status()).isZero();
        assertThat(e).hasMessageStartingWith("invalid response head:");
    }

    @Test
    void appliesLimitsToResponsesWithStatusZero() {
        HttpHeadParser parser = HttpHeadParser.forResponse(new HttpLimits(20, 20, 100, 1));
        byte[] b = bytes(head("HTTP/1.1 101 OK", "A: 1", "B: 2"));

        HandshakeException e = catchThrowableOfType(HandshakeException.class, () -> parser.feed(b, 0, b.length));

        assertThat(e.status()).isZero();
        assertThat(e).hasMessageContaining("more than 1 header fields");
    }

    // --- helpers ---------------------------------------------------------------------------

    private static HandshakeException requestFailure(String input) {
        HttpHeadParser parser = HttpHeadParser.forRequest();
        byte[] b = bytes(input);
        HandshakeException e = catchThrowableOfType(HandshakeException.class, () -> parser.feed(b, 0, b.length));
        assertThat(e).as("expected a HandshakeException for %s", List.of(input)).isNotNull();
        return e;
    }
}
