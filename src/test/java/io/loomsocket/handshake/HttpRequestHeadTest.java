package io.loomsocket.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpRequestHeadTest {

    private static HttpRequestHead get(String target) {
        return new HttpRequestHead("GET", target, "HTTP/1.1", HttpHeaders.empty());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "/chat                          | /chat | -",
        "/chat?room=1                   | /chat | room=1",
        "/?                             | /     | ''",
        "/a/b?x=1?y                     | /a/b  | x=1?y",
        "http://example.com/chat?x=1    | /chat | x=1",
        "HTTPS://example.com:443        | /     | -",
        "http://example.com?x           | /     | x",
    })
    void splitsTheTargetIntoPathAndQuery(String target, String path, String query) {
        assertThat(get(target).path()).isEqualTo(path);
        assertThat(get(target).query().orElse(null)).isEqualTo(query);
    }

    @Test
    void decodesQueryParametersInOrder() {
        Map<String, List<String>> parameters = get("/chat?a=1&b=x%20y+z&a=2&flag&&n%C3%A4me=J%C3%BCrgen&e=").queryParameters();

        assertThat(parameters).containsExactly(
                Map.entry("a", List.of("1", "2")),
                Map.entry("b", List.of("x y z")),
                Map.entry("flag", List.of("")),
                Map.entry("n\u00e4me", List.of("J\u00fcrgen")),
                Map.entry("e", List.of("")));
    }

    @Test
    void keepsMalformedEscapesAndReplacesInvalidUtf8() {
        assertThat(get("/?a=100%&b=%zz&c=%4&d=%FF").queryParameters()).containsExactly(
                Map.entry("a", List.of("100%")),
                Map.entry("b", List.of("%zz")),
                Map.entry("c", List.of("%4")),
                Map.entry("d", List.of("\ufffd")));
    }

    @Test
    void hasNoParametersWithoutAQuery() {
        assertThat(get("/chat").queryParameters()).isEmpty();
    }
}
