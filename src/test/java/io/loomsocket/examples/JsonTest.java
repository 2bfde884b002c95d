package io.loomsocket.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class JsonTest {

    /** JMH's result files (read by {@code bench report}) hold bare NaN and Infinity: accepted only when asked. */
    @Test
    void nonFiniteWordsAreReadOnlyByTheLenientParser() {
        String jmh = "[{\"score\": 12.5, \"scoreError\": NaN, \"max\": Infinity, \"min\": -Infinity, \"n\": -3}]";
        List<?> list = (List<?>) Json.parseAllowingNonFinite(jmh);
        Map<?, ?> m = (Map<?, ?>) list.get(0);
        assertThat(m.get("score")).isEqualTo(12.5);
        assertThat((Double) m.get("scoreError")).isNaN();
        assertThat(m.get("max")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(m.get("min")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(m.get("n")).isEqualTo(-3L);
        assertThatThrownBy(() -> Json.parse(jmh)).isInstanceOf(Json.JsonException.class);
        assertThatThrownBy(() -> Json.parse("-Infinity")).isInstanceOf(Json.JsonException.class);
    }


    @Test
    void parsesTheChatAndChannelMessages() {
        Map<String, Object> m = Json.parseObject("{\"type\":\"subscribe\",\"data\":{\"channel\":\"ticker_btc\"}}");
        assertThat(m).containsEntry("type", "subscribe");
        assertThat(m.get("data")).isEqualTo(Map.of("channel", "ticker_btc"));
        assertThat(Json.parseObject(" { \"type\" : \"ping\" , \"seq\" : 42 } ")).containsEntry("seq", 42L);
    }

    @Test
    void parsesEveryKindOfValue() {
        assertThat(Json.parse("[1,-2.5,1e3,true,false,null,\"x\",[],{}]"))
                .isEqualTo(java.util.Arrays.asList(1L, -2.5, 1000.0, true, false, null, "x", List.of(), Map.of()));
        assertThat(Json.parse("\"a\\\"b\\\\c\\/d\\n\\u00e9\\ud83d\\ude00\"")).isEqualTo("a\"b\\c/d\né😀");
        assertThat(Json.parse("123456789012345678901234567890")).isInstanceOf(Double.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"a\"}", "{\"a\":}", "[1,]", "[1 2]", "01", "1.", "-", "1e", "tru", "nul",
        "\"unterminated", "\"bad \\x escape\"", "\"ctl \u0001\"", "{\"a\":1}x", "{a:1}", "[\"\\u12\"]", "'single'"})
    void rejectsMalformedInputWithJsonException(String text) {
        assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(Json.JsonException.class).hasMessageContaining("offset");
    }

    @Test
    void refusesDeepNestingInsteadOfOverflowingTheStack() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        assertThatThrownBy(() -> Json.parse(deep)).isInstanceOf(Json.JsonException.class).hasMessageContaining("nested");
    }

    @Test
    void parseObjectRejectsOtherValues() {
        assertThatThrownBy(() -> Json.parseObject("[1]")).isInstanceOf(Json.JsonException.class);
    }

    @Test
    void writesCompactJsonThatParsesBack() {
        Map<String, Object> m = Json.object("type", "message", "from", "ann \"a\"", "n", 3, "price", 42123.5,
                "ok", true, "none", null, "list", List.of(1, "two"), "ctl", "\u0001\n");
        String text = Json.write(m);
        assertThat(text).isEqualTo("{\"type\":\"message\",\"from\":\"ann \\\"a\\\"\",\"n\":3,\"price\":42123.5,"
                + "\"ok\":true,\"none\":null,\"list\":[1,\"two\"],\"ctl\":\"\\u0001\\n\"}");
        assertThat(Json.parse(text)).isEqualTo(Json.parse(Json.write(Json.parse(text))));
    }

    // The expected strings below are what `/usr/bin/python3 -c 'import json; print(json.dumps(...))'`
    // (CPython 3.11) printed for the same values, pasted verbatim.

    @Test
    void writesPythonsSeparatorsInMapOrder() {
        assertThat(Json.writePython(Json.object("type", "login", "content", "hello", "user_list", List.of("u-1", "u-2"))))
                .isEqualTo("{\"type\": \"login\", \"content\": \"hello\", \"user_list\": [\"u-1\", \"u-2\"]}");
        assertThat(Json.writePython(Json.object("type", "user", "content", "a \"b\" \\ c\n", "from", "404")))
                .isEqualTo("{\"type\": \"user\", \"content\": \"a \\\"b\\\" \\\\ c\\n\", \"from\": \"404\"}");
        assertThat(Json.writePython(List.of())).isEqualTo("[]");
        assertThat(Json.writePython(Map.of())).isEqualTo("{}");
    }

    @Test
    void printableAsciiIsWrittenAsIsAndQuotesAndBackslashesAreEscaped() {
        assertThat(Json.writePython("ASCII: Hello, world! ~ {}[]:,/")).isEqualTo("\"ASCII: Hello, world! ~ {}[]:,/\"");
        assertThat(Json.writePython("quote \" backslash \\ slash /")).isEqualTo("\"quote \\\" backslash \\\\ slash /\"");
    }

    @Test
    void everythingOutsidePrintableAsciiIsEscapedInLowercaseHexAsEnsureAsciiDoes() {
        assertThat(Json.writePython("中文聊天 你好")).isEqualTo("\"\\u4e2d\\u6587\\u804a\\u5929 \\u4f60\\u597d\"");
        assertThat(Json.writePython("emoji 😀 and 🇨🇳"))
                .isEqualTo("\"emoji \\ud83d\\ude00 and \\ud83c\\udde8\\ud83c\\uddf3\"");
        assertThat(Json.writePython("ctl \u0000\u0001\u0008\u0009\n\u000b\u000c\r\u001f \u007f \u0080 \u00a0 \u00e9"))
                .isEqualTo("\"ctl \\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f \\u007f \\u0080 \\u00a0 \\u00e9\"");
        assertThat(Json.writePython("\u2028\u2029\ufeff\uffff")).isEqualTo("\"\\u2028\\u2029\\ufeff\\uffff\"");
        assertThat(Json.writePython("lone \ud800 high and \udfff low")).isEqualTo("\"lone \\ud800 high and \\udfff low\"");
        assertThat(Json.quotePython("中 😀")).isEqualTo(Json.writePython("中 😀"));
    }

    @Test
    void nestedListsAndObjectsIntegersBooleansAndNull() {
        Object nested = List.of(1, List.of(2, List.of(3, List.of())),
                Json.object("a", Map.of(), "b", java.util.Arrays.asList(true, false, null)), -7, 0);
        assertThat(Json.writePython(nested))
                .isEqualTo("[1, [2, [3, []]], {\"a\": {}, \"b\": [true, false, null]}, -7, 0]");
        Object deep = Json.object("nested", Json.object("list", List.of("x", "中", "😀"), "n",
                new java.math.BigInteger("12345678901234567890")));
        assertThat(Json.writePython(deep))
                .isEqualTo("{\"nested\": {\"list\": [\"x\", \"\\u4e2d\", \"\\ud83d\\ude00\"], \"n\": 12345678901234567890}}");
    }

    @Test
    void doublesAreWrittenAsPythonsRepr() {
        List<Double> values = List.of(1.0, -0.0, 0.1, 1e16, 1.5e16, 1e-05, 0.0001, 123456789.125, 1e22, 2.5e-300,
                9007199254740993.0, 5e-324, 1e-323, 1.7976931348623157e308);
        assertThat(Json.writePython(values)).isEqualTo("[1.0, -0.0, 0.1, 1e+16, 1.5e+16, 1e-05, 0.0001, 123456789.125, "
                + "1e+22, 2.5e-300, 9007199254740992.0, 5e-324, 1e-323, 1.7976931348623157e+308]");
        assertThatThrownBy(() -> Json.writePython(Double.NaN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NaN");
    }

    @Test
    void whatPythonWritesParsesBackToTheSameValue() {
        Map<String, Object> m = Json.object("type", "login", "content", "中 😀 \"q\" \\ \u007f\n", "user_list", List.of("a", "b"));
        assertThat(Json.parse(Json.writePython(m))).isEqualTo(m);
    }

    @Test
    void randomGarbageIsRejectedCleanlyNeverWithAnotherException() {
        SplittableRandom r = new SplittableRandom(7);
        String alphabet = "{}[]\":,0123456789.eE+-truefalsnl \\u\n\"ab";
        for (int i = 0; i < 100_000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = r.nextInt(20);
            for (int j = 0; j < len; j++) {
                sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            try {
                Json.parse(sb.toString());
            } catch (Json.JsonException expected) {
                // fine: malformed
            }
        }
    }
}
