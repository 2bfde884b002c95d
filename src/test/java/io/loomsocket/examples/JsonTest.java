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
