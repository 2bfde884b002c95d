package io.loomsocket.handshake;

import static io.loomsocket.handshake.Samples.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HandshakeExceptionTest {

    @Test
    void writesACompletePlainTextErrorResponseThatClosesTheConnection() {
        HandshakeException e = new HandshakeException(405, "use GET", HttpHeaders.of("Allow", "GET"));

        assertThat(text(e.toHttpResponse())).isEqualTo(
                "HTTP/1.1 405 Method Not Allowed\r\n"
                        + "Content-Type: text/plain; charset=utf-8\r\n"
                        + "Content-Length: 8\r\n"
                        + "Connection: close\r\n"
                        + "Allow: GET\r\n"
                        + "\r\n"
                        + "use GET\n");
    }

    @Test
    void countsTheBodyInUtf8Bytes() {
        byte[] response = new HandshakeException(400, "caf\u00e9 \u2615").toHttpResponse();
        String whole = new String(response, StandardCharsets.UTF_8);

        assertThat(whole).contains("Content-Length: 10\r\n").endsWith("\r\n\r\ncaf\u00e9 \u2615\n");
    }

    @ParameterizedTest
    @CsvSource({
        "400, HTTP/1.1 400 Bad Request",
        "404, HTTP/1.1 404 Not Found",
        "414, HTTP/1.1 414 URI Too Long",
        "426, HTTP/1.1 426 Upgrade Required",
        "431, HTTP/1.1 431 Request Header Fields Too Large",
        "505, HTTP/1.1 505 HTTP Version Not Supported",
        "499, 'HTTP/1.1 499 '",
    })
    void startsWithTheStatusLineAndItsReasonPhrase(int status, String statusLine) {
        assertThat(text(new HandshakeException(status, "x").toHttpResponse())).startsWith(statusLine + "\r\n");
    }

    @Test
    void hasNoResponseForAClientSideFailure() {
        assertThatThrownBy(() -> new HandshakeException(0, "bad accept").toHttpResponse())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void refusesAStatusThatIsNotHttp() {
        assertThatThrownBy(() -> new HandshakeException(42, "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HandshakeException(600, "x")).isInstanceOf(IllegalArgumentException.class);
    }
}
