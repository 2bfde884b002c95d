package io.loomsocket.handshake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExtensionOfferTest {

    @Test
    void parsesTwoPermessageDeflateOffersWithTheirParameters() {
        List<ExtensionOffer> offers = ExtensionOffer.parseAll(List.of(
                "permessage-deflate; client_max_window_bits, permessage-deflate; server_no_context_takeover; server_max_window_bits=10"));

        assertThat(offers).containsExactly(
                ExtensionOffer.of("permessage-deflate", ExtensionParam.of("client_max_window_bits")),
                ExtensionOffer.of("permessage-deflate",
                        ExtensionParam.of("server_no_context_takeover"), ExtensionParam.of("server_max_window_bits", "10")));
    }

    @Test
    void treatsRepeatedHeadersAsOneCommaSeparatedList() {
        // RFC 6455 §9.1: "Sec-WebSocket-Extensions: foo" + "Sec-WebSocket-Extensions: bar; baz=2"
        // "is exactly equivalent to" "Sec-WebSocket-Extensions: foo, bar; baz=2".
        assertThat(ExtensionOffer.parseAll(List.of("foo", "bar; baz=2")))
                .isEqualTo(ExtensionOffer.parseAll(List.of("foo, bar; baz=2")));
    }

    @Test
    void parsesTheNonNormativeExamplesOfTheRfc() {
        assertThat(ExtensionOffer.parseAll(List.of("deflate-stream"))).containsExactly(ExtensionOffer.of("deflate-stream"));
        assertThat(ExtensionOffer.parseAll(List.of("mux; max-channels=4; flow-control, deflate-stream")))
                .containsExactly(
                        ExtensionOffer.of("mux", ExtensionParam.of("max-channels", "4"), ExtensionParam.of("flow-control")),
                        ExtensionOffer.of("deflate-stream"));
    }

    @Test
    void unquotesQuotedStringValues() {
        assertThat(ExtensionOffer.parseAll(List.of("x; a=\"10\"; b=\"t\\oken\"; c = \"v\" ")))
                .containsExactly(ExtensionOffer.of("x",
                        ExtensionParam.of("a", "10"), ExtensionParam.of("b", "token"), ExtensionParam.of("c", "v")));
    }

    @Test
    void allowsWhitespaceAroundSeparatorsAndSkipsEmptyElements() {
        assertThat(ExtensionOffer.parseAll(List.of(" , foo ;\tbar = 1 ,, baz ,")))
                .containsExactly(ExtensionOffer.of("foo", ExtensionParam.of("bar", "1")), ExtensionOffer.of("baz"));
    }

    @Test
    void keepsRepeatedParametersForTheExtensionToJudge() {
        assertThat(ExtensionOffer.parseAll(List.of("x; a=1; a=2")).get(0).params())
                .containsExactly(ExtensionParam.of("a", "1"), ExtensionParam.of("a", "2"));
    }

    @Test
    void parsesNoHeaderAsNoExtension() {
        assertThat(ExtensionOffer.parseAll(List.of())).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        " , ",
        "foo;",
        "foo; ",
        ";foo",
        "foo bar",
        "foo; a b",
        "foo; a=",
        "foo; a==1",
        "foo; =1",
        "foo; a=\"1",
        "foo; a=\"1\\",
        "foo; a=\"two words\"",
        "foo; a=\"\"",
        "foo; a=\"x,y\"",
        "foo; a=1 2",
        "f(o)o",
        "foo, bar; a=\"1\"x",
        "foo\u0000",
    })
    void rejectsValuesOutsideTheGrammarWith400(String value) {
        HandshakeException e = catchThrowableOfType(HandshakeException.class, () -> ExtensionOffer.parseAll(List.of(value)));

        assertThat(e).as("value [%s]", value).isNotNull();
        assertThat(e.status()).isEqualTo(400);
        assertThat(e).hasMessageStartingWith("malformed Sec-WebSocket-Extensions");
    }

    @Test
    void writesTheHeaderValueThatParsesBack() {
        List<ExtensionOffer> offers = List.of(
                ExtensionOffer.of("permessage-deflate", ExtensionParam.of("client_max_window_bits")),
                ExtensionOffer.of("permessage-deflate", ExtensionParam.of("server_max_window_bits", "10")));

        String value = ExtensionOffer.toHeaderValue(offers);

        assertThat(value).isEqualTo("permessage-deflate; client_max_window_bits, permessage-deflate; server_max_window_bits=10");
        assertThat(ExtensionOffer.parseAll(List.of(value))).isEqualTo(offers);
    }

    @Test
    void refusesToBuildNamesOrValuesThatAreNotTokens() {
        assertThatThrownBy(() -> ExtensionOffer.of("a b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ExtensionParam.of("a;b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ExtensionParam.of("a", "x y")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ExtensionParam.of("a", "")).isInstanceOf(IllegalArgumentException.class);
    }
}
