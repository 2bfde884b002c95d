package io.loomsocket.protocol;

import static io.loomsocket.protocol.FrameTesting.concat;
import static io.loomsocket.protocol.FrameTesting.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link CloseCode} and {@link CloseBody} (RFC 6455 §5.5.1, §7.4). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CloseCodeTest {

    // ------------------------------------------------------------------ which codes go on the wire

    /** Code, whether it may appear in a close frame. */
    static Stream<Arguments> wireValidity() {
        List<Arguments> table = new ArrayList<>(List.of(
                Arguments.of(0, false),
                Arguments.of(999, false),
                Arguments.of(1000, true),   // Normal Closure
                Arguments.of(1001, true),   // Going Away
                Arguments.of(1002, true),   // Protocol error
                Arguments.of(1003, true),   // Unsupported Data
                Arguments.of(1004, false),  // Reserved
                Arguments.of(1005, false),  // No Status Rcvd: MUST NOT be sent
                Arguments.of(1006, false),  // Abnormal Closure: MUST NOT be sent
                Arguments.of(1007, true),
                Arguments.of(1008, true),
                Arguments.of(1009, true),
                Arguments.of(1010, true),
                Arguments.of(1011, true),
                Arguments.of(1012, true),
                Arguments.of(1013, true),
                Arguments.of(1014, true),
                Arguments.of(1015, false),  // TLS handshake: MUST NOT be sent
                Arguments.of(1016, false),
                Arguments.of(2999, false),
                Arguments.of(3000, true),
                Arguments.of(3999, true),
                Arguments.of(4000, true),
                Arguments.of(4999, true),
                Arguments.of(5000, false),
                Arguments.of(65535, false)));
        return table.stream();
    }

    @ParameterizedTest(name = "{0} valid on the wire: {1}")
    @MethodSource("wireValidity")
    void decidesWhichCodesAreValidOnTheWire(int code, boolean valid) {
        assertThat(new CloseCode(code).isValidOnWire()).isEqualTo(valid);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {-1, 65536, Integer.MIN_VALUE, Integer.MAX_VALUE, 100_000})
    void rejectsCodesOutsideSixteenBits(int code) {
        assertThatThrownBy(() -> new CloseCode(code)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {0, 1, 65534, 65535})
    void acceptsEverySixteenBitCode(int code) {
        assertThat(new CloseCode(code).code()).isEqualTo(code);
    }

    @Test
    void isAValueComparedByCode() {
        assertThat(new CloseCode(1000)).isEqualTo(CloseCode.NORMAL_CLOSURE).hasSameHashCodeAs(CloseCode.NORMAL_CLOSURE);
        assertThat(new CloseCode(1001)).isNotEqualTo(CloseCode.NORMAL_CLOSURE);
    }

    // ------------------------------------------------------------------ names

    static Stream<Arguments> namedConstants() {
        return Stream.of(
                Arguments.of(CloseCode.NORMAL_CLOSURE, 1000, "Normal Closure"),
                Arguments.of(CloseCode.GOING_AWAY, 1001, "Going Away"),
                Arguments.of(CloseCode.PROTOCOL_ERROR, 1002, "Protocol error"),
                Arguments.of(CloseCode.UNSUPPORTED_DATA, 1003, "Unsupported Data"),
                Arguments.of(CloseCode.NO_STATUS_RCVD, 1005, "No Status Rcvd"),
                Arguments.of(CloseCode.ABNORMAL_CLOSURE, 1006, "Abnormal Closure"),
                Arguments.of(CloseCode.INVALID_FRAME_PAYLOAD_DATA, 1007, "Invalid frame payload data"),
                Arguments.of(CloseCode.POLICY_VIOLATION, 1008, "Policy Violation"),
                Arguments.of(CloseCode.MESSAGE_TOO_BIG, 1009, "Message Too Big"),
                Arguments.of(CloseCode.MANDATORY_EXT, 1010, "Mandatory Ext."),
                Arguments.of(CloseCode.INTERNAL_ERROR, 1011, "Internal Error"),
                Arguments.of(CloseCode.SERVICE_RESTART, 1012, "Service Restart"),
                Arguments.of(CloseCode.TRY_AGAIN_LATER, 1013, "Try Again Later"),
                Arguments.of(CloseCode.BAD_GATEWAY, 1014, "Bad Gateway"),
                Arguments.of(CloseCode.TLS_HANDSHAKE, 1015, "TLS handshake"));
    }

    @ParameterizedTest(name = "{1} {2}")
    @MethodSource("namedConstants")
    void eachNamedConstantHasItsCodeAndIanaName(CloseCode constant, int code, String name) {
        assertThat(constant.code()).isEqualTo(code);
        assertThat(constant.ianaName()).isEqualTo(name);
        assertThat(constant).hasToString(code + " (" + name + ")");
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
            "1004, Reserved",
            "3000, Library/framework",
            "3999, Library/framework",
            "4000, Private use",
            "4999, Private use",
            "0, Unassigned",
            "999, Unassigned",
            "1016, Unassigned",
            "2999, Unassigned",
            "5000, Unassigned",
            "65535, Unassigned",
    })
    void namesTheReservedCodeAndTheRanges(int code, String name) {
        assertThat(new CloseCode(code).ianaName()).isEqualTo(name);
    }

    // ------------------------------------------------------------------ parsing close bodies

    private static CloseBody parse(byte[] body) {
        return CloseBody.parse(body, 0, body.length);
    }

    private static void assertParseFails(byte[] body, Violation violation) {
        assertThatThrownBy(() -> parse(body))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.violation()).isEqualTo(violation);
                    assertThat(e.closeCode()).isEqualTo(violation.closeCode());
                });
    }

    @Test
    void parsesAnEmptyBodyAsNoStatusReceived() {
        CloseBody body = parse(new byte[0]);
        assertThat(body.code()).isEqualTo(CloseCode.NO_STATUS_RCVD);
        assertThat(body.reason()).isEmpty();
        assertThat(body).isEqualTo(CloseBody.EMPTY);
    }

    @ParameterizedTest(name = "0x{0}")
    @ValueSource(strings = {"00", "03", "e8", "ff"})
    void rejectsAOneByteBody(String b) {
        assertParseFails(hex(b), Violation.CLOSE_PAYLOAD_TOO_SHORT);
        assertThat(Violation.CLOSE_PAYLOAD_TOO_SHORT.closeCode().code()).isEqualTo(1002);
    }

    static IntStream invalidCodes() {
        return IntStream.of(0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidCodes")
    void rejectsEachCodeThatIsNotValidOnTheWire(int code) {
        byte[] codeBytes = {(byte) (code >>> 8), (byte) code};
        assertParseFails(codeBytes, Violation.INVALID_CLOSE_CODE);
        assertParseFails(concat(codeBytes, "why".getBytes(StandardCharsets.UTF_8)), Violation.INVALID_CLOSE_CODE);
        assertThat(Violation.INVALID_CLOSE_CODE.closeCode().code()).isEqualTo(1002);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"c0 af", "ed a0 80", "e2 82", "ff", "80", "41 f4 90 80 80", "c3"})
    void rejectsAReasonThatIsNotUtf8(String reason) {
        assertParseFails(concat(hex("03e8"), hex(reason)), Violation.INVALID_UTF8);
        assertThat(Violation.INVALID_UTF8.closeCode().code()).isEqualTo(1007);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wireValidity")
    void parsesEveryValidCodeWithAndWithoutAReason(int code, boolean valid) {
        if (!valid) {
            return;
        }
        byte[] codeBytes = {(byte) (code >>> 8), (byte) code};
        assertThat(parse(codeBytes)).isEqualTo(new CloseBody(new CloseCode(code), ""));
        byte[] withReason = concat(codeBytes, "κόσμε ok".getBytes(StandardCharsets.UTF_8));
        assertThat(parse(withReason)).isEqualTo(new CloseBody(new CloseCode(code), "κόσμε ok"));
    }

    @Test
    void parsesAMaximalBodyAndHonoursOffsetAndLength() {
        String reason = "x".repeat(CloseBody.MAX_REASON_BYTES);
        byte[] body = concat(hex("0fa0"), reason.getBytes(StandardCharsets.US_ASCII)); // 4000
        assertThat(body).hasSize(125);
        assertThat(parse(body)).isEqualTo(new CloseBody(new CloseCode(4000), reason));

        byte[] framed = concat(hex("ff ff"), hex("03e9"), "bye".getBytes(StandardCharsets.US_ASCII), hex("ff"));
        assertThat(CloseBody.parse(framed, 2, 5)).isEqualTo(new CloseBody(CloseCode.GOING_AWAY, "bye"));
        assertThat(CloseBody.parse(framed, 2, 0)).isEqualTo(CloseBody.EMPTY);
    }

    // ------------------------------------------------------------------ encoding close bodies

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {0, 1, 999, 1004, 1006, 1015, 1016, 2999, 5000, 65535})
    void refusesToEncodeACodeThatMayNotBeSent(int code) {
        assertThatThrownBy(() -> CloseBody.encode(new CloseCode(code), "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CloseBody.encode(new CloseCode(code), "reason")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CloseBody(new CloseCode(code), "").encode()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encodesNoStatusAsAnEmptyBodyAndRefusesAReasonWithoutACode() {
        assertThat(CloseBody.encode(CloseCode.NO_STATUS_RCVD, "")).isEmpty();
        assertThat(CloseBody.encode(CloseCode.NO_STATUS_RCVD, null)).isEmpty();
        assertThat(CloseBody.EMPTY.encode()).isEmpty();
        assertThatThrownBy(() -> CloseBody.encode(CloseCode.NO_STATUS_RCVD, "why")).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "123 ASCII bytes, 123, x, ''",
            "61 two-byte chars and 1 ASCII, 61, é, a",
            "41 three-byte chars, 41, €, ''",
            "30 four-byte chars and 3 ASCII, 30, 😀, abc",
    })
    void encodesAReasonOfExactly123Bytes(String name, int repeat, String unit, String tail) {
        String reason = unit.repeat(repeat) + tail;
        assertThat(reason.getBytes(StandardCharsets.UTF_8)).hasSize(123);
        byte[] body = CloseBody.encode(CloseCode.NORMAL_CLOSURE, reason);
        assertThat(body).hasSize(125);
        assertThat(parse(body)).isEqualTo(new CloseBody(CloseCode.NORMAL_CLOSURE, reason));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "124 ASCII bytes, 124, x, ''",
            "62 two-byte chars, 62, é, ''",
            "41 three-byte chars and 1 ASCII, 41, €, a",
            "31 four-byte chars, 31, 😀, ''",
            "1000 ASCII bytes, 1000, x, ''",
    })
    void refusesAReasonOver123Bytes(String name, int repeat, String unit, String tail) {
        String reason = unit.repeat(repeat) + tail;
        assertThat(reason.getBytes(StandardCharsets.UTF_8).length).isGreaterThan(123);
        assertThatThrownBy(() -> CloseBody.encode(CloseCode.NORMAL_CLOSURE, reason)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encodesTheCodeInNetworkByteOrderFollowedByTheReason() {
        assertThat(CloseBody.encode(CloseCode.NORMAL_CLOSURE, "")).isEqualTo(hex("03e8"));
        assertThat(CloseBody.encode(new CloseCode(4999), "é")).isEqualTo(hex("1387 c3a9"));
        assertThat(CloseBody.encode(CloseCode.GOING_AWAY, null)).isEqualTo(hex("03e9"));
        assertThat(new CloseBody(CloseCode.BAD_GATEWAY, "gw").encode()).isEqualTo(hex("03f6 6777"));
        Frame close = Frame.close(CloseCode.PROTOCOL_ERROR, "no");
        assertThat(close.opcode()).isEqualTo(Opcode.CLOSE);
        assertThat(close.fin()).isTrue();
        assertThat(close.payload()).isEqualTo(hex("03ea 6e6f"));
    }

    @Test
    void everyCodeValidOnTheWireRoundTripsThroughEncodeAndParse() {
        for (int code = 0; code <= 0xFFFF; code++) {
            CloseCode c = new CloseCode(code);
            if (c.isValidOnWire()) {
                assertThat(parse(CloseBody.encode(c, "r"))).isEqualTo(new CloseBody(c, "r"));
            } else if (!c.equals(CloseCode.NO_STATUS_RCVD)) {
                assertThatThrownBy(() -> CloseBody.encode(c, "")).isInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    // ------------------------------------------------------------------ violations

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "RESERVED_BITS, 1002",
            "RESERVED_OPCODE, 1002",
            "NON_MINIMAL_LENGTH, 1002",
            "LENGTH_TOO_LARGE, 1002",
            "UNMASKED_CLIENT_FRAME, 1002",
            "MASKED_SERVER_FRAME, 1002",
            "FRAGMENTED_CONTROL_FRAME, 1002",
            "CONTROL_FRAME_TOO_LONG, 1002",
            "UNEXPECTED_CONTINUATION, 1002",
            "EXPECTED_CONTINUATION, 1002",
            "CLOSE_PAYLOAD_TOO_SHORT, 1002",
            "INVALID_CLOSE_CODE, 1002",
            "INVALID_UTF8, 1007",
            "FRAME_TOO_BIG, 1009",
            "MESSAGE_TOO_BIG, 1009",
            "INVALID_COMPRESSED_DATA, 1007",
            "INFLATED_MESSAGE_TOO_BIG, 1009",
            "COMPRESSED_CONTROL_FRAME, 1002",
            "COMPRESSED_CONTINUATION, 1002",
    })
    void eachViolationFailsTheConnectionWithItsCode(Violation violation, int code) {
        assertThat(violation.closeCode().code()).isEqualTo(code);
        assertThat(violation.closeCode().isValidOnWire()).isTrue();
        ProtocolException e = new ProtocolException(violation, "detail");
        assertThat(e.closeCode().code()).isEqualTo(code);
        assertThat(e.reason()).isEqualTo("detail");
        assertThat(e.getMessage()).startsWith("detail").contains(violation.name()).contains(String.valueOf(code));
    }

    @Test
    void theViolationTableCoversEveryViolation() {
        assertThat(Violation.values()).hasSize(19);
    }
}
