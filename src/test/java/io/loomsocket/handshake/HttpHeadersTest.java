package io.loomsocket.handshake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpHeadersTest {

    private final HttpHeaders headers = HttpHeaders.of(
            "Connection", "keep-alive",
            "X-Trace", "1",
            "connection", " , Upgrade,,h2c ",
            "Empty", "");

    @Test
    void looksUpNamesIgnoringAsciiCase() {
        assertThat(headers.first("CONNECTION")).contains("keep-alive");
        assertThat(headers.all("Connection")).containsExactly("keep-alive", " , Upgrade,,h2c ");
        assertThat(headers.contains("x-trace")).isTrue();
        assertThat(headers.contains("X-Missing")).isFalse();
        assertThat(headers.first("X-Missing")).isEmpty();
        assertThat(headers.all("X-Missing")).isEmpty();
    }

    @Test
    void doesNotFoldNonAsciiLettersWhenComparingNames() {
        // U+212A KELVIN SIGN lower-cases to 'k' in Unicode, but not in ASCII.
        assertThat(HttpHeaders.of("Keep", "1").contains("\u212Aeep")).isFalse();
    }

    @Test
    void splitsTokenListsAcrossRepeatedHeadersSkippingEmptyElements() {
        assertThat(headers.tokens("connection")).containsExactly("keep-alive", "Upgrade", "h2c");
        assertThat(headers.tokens("Empty")).isEmpty();
        assertThat(headers.containsToken("Connection", "UPGRADE")).isTrue();
        assertThat(headers.containsToken("Connection", "upgrade2")).isFalse();
    }

    @Test
    void keepsFieldsInOrderWithNamesAsGiven() {
        assertThat(headers.size()).isEqualTo(4);
        assertThat(headers).extracting(HttpHeaders.Field::name).containsExactly("Connection", "X-Trace", "connection", "Empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "a:b", "a\r\n", "caf\u00e9"})
    void rejectsNamesThatAreNotTokens(String name) {
        assertThatThrownBy(() -> HttpHeaders.of(name, "v")).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\r\nb", "a\nb", "a\rb", "a\u0000b", "a\u007fb", "\u20ac"})
    void rejectsValuesWithControlCharactersOrOutsideIso88591(String value) {
        assertThatThrownBy(() -> HttpHeaders.builder().add("X", value)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsAnOddNumberOfArguments() {
        assertThatThrownBy(() -> HttpHeaders.of("X")).isInstanceOf(IllegalArgumentException.class);
    }
}
