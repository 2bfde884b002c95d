package io.loomsocket.handshake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 3986 §2.1 escapes in the request-target: well-formed, and never a control character. */
class RequestTargetTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "/", "/chat", "/chat?room=1", "/%20", "/a%2Fb", "/%41%42", "/%7e", "/%7E", "/%C3%A9", "/%FF", "/%21",
            "/%80", "/ws?token=a%20b", "/?q=%25", "/%20?%20", "http://example.com/%41?b=%42", "/100%25"})
    void wellFormedEscapesOfPrintableOctetsPass(String target) {
        assertThatCode(() -> RequestTarget.check(target)).doesNotThrowAnyException();
    }

    /** In each of these the first % is the bad one. */
    @ParameterizedTest
    @ValueSource(strings = {"/%zz", "/%", "/%4", "/100%", "/%g0", "/%0g", "/a%%41", "/?token=%", "/?t=%x1", "/%-1",
            "/%+1", "/ok%20then%"})
    void aMalformedEscapeIs400NamingItsOffset(String target) {
        int offset = target.equals("/ok%20then%") ? target.lastIndexOf('%') : target.indexOf('%');
        assertThatThrownBy(() -> RequestTarget.check(target))
                .isInstanceOfSatisfying(HandshakeException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("malformed percent escape").contains("at offset " + offset + " ");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"/%00", "/%01", "/%0a", "/%0A", "/%0d%0a", "/%1f", "/%1F", "/%7f", "/%7F", "/chat?x=%00",
            "/a%09b", "http://example.com/%00"})
    void anEscapedControlCharacterIs400(String target) {
        String escape = target.substring(target.indexOf('%'), target.indexOf('%') + 3);
        assertThatThrownBy(() -> RequestTarget.check(target))
                .isInstanceOfSatisfying(HandshakeException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("control character").contains(escape);
                });
    }

    @Test
    void theNeighboursOfTheControlRangePass() {
        // 0x1F and 0x7F are refused (above); 0x20 and 0x7E on either side are printable.
        assertThatCode(() -> RequestTarget.check("/%20%7E")).doesNotThrowAnyException();
    }

    @Test
    void serverHandshakeValidationAppliesTheRules() {
        for (String target : new String[] {"/%00", "/%zz"}) {
            HttpRequestHead head = Samples.parseRequest(Samples.RFC_REQUEST.replace("GET /chat ", "GET " + target + " "));
            assertThatThrownBy(() -> ServerHandshake.validate(head))
                    .isInstanceOfSatisfying(HandshakeException.class, e -> assertThat(e.status()).isEqualTo(400));
        }
    }
}
