package io.loomsocket.handshake;

import static io.loomsocket.handshake.Samples.parseRequest;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The strings every handshake repeats are shared between connections, and nothing changes for the application. */
class CommonStringsTest {

    private static final String REQUEST = "GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            + "X-Custom: Upgrade\r\nupgrade-ish: websocket \r\n\r\n";

    @Test
    void twoParsedHeadsShareTheCommonStringsAndKeepTheRest() {
        HttpRequestHead a = parseRequest(REQUEST);
        HttpRequestHead b = parseRequest(REQUEST);
        assertThat(a).isEqualTo(b);
        assertThat(a.method()).isSameAs(b.method()).isEqualTo("GET");
        assertThat(a.version()).isSameAs(b.version()).isEqualTo("HTTP/1.1");
        List<HttpHeaders.Field> fieldsA = fields(a);
        List<HttpHeaders.Field> fieldsB = fields(b);
        for (int i = 0; i < 5; i++) { // Host, Upgrade, Connection, Sec-WebSocket-Key, Sec-WebSocket-Version
            HttpHeaders.Field fa = fieldsA.get(i);
            HttpHeaders.Field fb = fieldsB.get(i);
            assertThat(fa.name()).isSameAs(fb.name());
            assertThat(fa).isEqualTo(fb);
        }
        // Values: the common ones shared, the key (unique per connection) its own.
        assertThat(a.headers().first("Upgrade").orElseThrow()).isSameAs(b.headers().first("Upgrade").orElseThrow());
        assertThat(a.headers().first("Sec-WebSocket-Version").orElseThrow())
                .isSameAs(b.headers().first("Sec-WebSocket-Version").orElseThrow());
        assertThat(a.headers().first("Sec-WebSocket-Key").orElseThrow())
                .isEqualTo("dGhlIHNhbXBsZSBub25jZQ==")
                .isNotSameAs(b.headers().first("Sec-WebSocket-Key").orElseThrow());
        // Names and values exactly as sent (an uncommon name is not shared, a trimmed value is).
        assertThat(a.headers().first("upgrade-ish").orElseThrow()).isEqualTo("websocket");
        assertThat(fieldsA.get(6).name()).isEqualTo("upgrade-ish");
        assertThat(fieldsA.get(5).name()).isEqualTo("X-Custom").isNotSameAs(fieldsB.get(5).name());
        assertThat(fieldsA.get(5).value()).isSameAs(fieldsB.get(5).value()); // "Upgrade", a common value under any name
        assertThat(a.target()).isEqualTo("/chat");
    }

    private static List<HttpHeaders.Field> fields(HttpRequestHead head) {
        List<HttpHeaders.Field> out = new ArrayList<>();
        head.headers().forEach(out::add);
        return out;
    }

    @Test
    void sharingIsExact() {
        assertThat(CommonStrings.share(new String("Host"))).isSameAs(CommonStrings.share("Host"));
        String odd = new String("HOST");
        assertThat(CommonStrings.share(odd)).isSameAs(odd);
    }
}
