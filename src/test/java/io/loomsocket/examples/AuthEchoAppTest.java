package io.loomsocket.examples;

import static io.loomsocket.examples.Harness.nextText;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.handshake.HandshakeException;
import io.loomsocket.server.WebSocketServer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class AuthEchoAppTest {

    private static final String TOKEN = "s3cret token/+";
    /** TOKEN percent-encoded for a path segment or a query value. */
    private static final String ENCODED = "s3cret%20token%2F%2B";

    private final Harness harness = new Harness();
    private WebSocketServer server;

    @BeforeEach
    void start() throws Exception {
        server = harness.start(new AuthEchoApp(TOKEN).configure(WebSocketServer.builder()));
    }

    @AfterEach
    void cleanUp() throws Exception {
        harness.close();
    }

    private HandshakeException refusal(String pathAndQuery, WebSocketClient.Builder options) {
        return catchThrowableOfType(HandshakeException.class, () -> harness.connect(server, pathAndQuery, options));
    }

    /** The raw response to an upgrade request for {@code target}: status line and headers, then the body. */
    private String[] rawAnswer(String target) throws Exception {
        try (RawPeer p = new RawPeer(server.port())) {
            String head = p.upgrade(target);
            return new String[] {head, p.rest()};
        }
    }

    @Test
    void theTokenInTheQueryLetsTheClientInAndItGetsAnEcho() throws Exception {
        WebSocket ws = harness.connect(server, "/ws?token=" + ENCODED);

        ws.sendText("hello");

        assertThat(nextText(ws)).isEqualTo("hello");
    }

    @Test
    void theTokenAsTheLastPathSegmentLetsTheClientIn() throws Exception {
        WebSocket ws = harness.connect(server, "/ws/" + ENCODED);

        ws.sendText("hello");

        assertThat(nextText(ws)).isEqualTo("hello");
    }

    @Test
    void aPlusInThePathIsAPlusNotASpace() throws Exception {
        assertThat(harness.connect(server, "/ws/s3cret%20token%2F+").isOpen()).isTrue();
        assertThat(refusal("/ws/s3cret+token%2F+", WebSocketClient.builder()).status()).isEqualTo(401);
        assertThat(AuthEchoApp.decodePathSegment("a+b%20c%2Fd")).contains("a+b c/d");
        assertThat(AuthEchoApp.decodePathSegment("a%2")).isEmpty();
    }

    @Test
    void theTokenAsABearerHeaderLetsTheClientIn() throws Exception {
        WebSocket ws = harness.connect(server, "/ws", WebSocketClient.builder().header("Authorization", "Bearer " + TOKEN));

        ws.sendText("hello");

        assertThat(nextText(ws)).isEqualTo("hello");
    }

    @Test
    void theBearerSchemeIsCaseInsensitive() throws Exception {
        WebSocket ws = harness.connect(server, "/ws", WebSocketClient.builder().header("Authorization", "bearer " + TOKEN));

        assertThat(ws.isOpen()).isTrue();
    }

    @Test
    void oneRightTokenIsEnoughAmongWrongOnes() throws Exception {
        WebSocket ws = harness.connect(server, "/ws?token=guess", WebSocketClient.builder().header("Authorization", "Bearer " + TOKEN));

        assertThat(ws.isOpen()).isTrue();
    }

    @Test
    void aClientWithoutATokenGets401AndNoWebSocket() {
        HandshakeException e = refusal("/ws", WebSocketClient.builder());

        assertThat(e).isNotNull();
        assertThat(e.status()).isEqualTo(401);
        assertThat(server.connectionCount()).isZero();
    }

    @ParameterizedTest
    @CsvSource({"/ws?token=guess", "/ws/guess", "/ws/" + "s3cret%20token", "/ws?token="})
    void aWrongTokenGets401(String target) {
        assertThat(refusal(target, WebSocketClient.builder()).status()).isEqualTo(401);
    }

    @Test
    void aWrongBearerTokenGets401() {
        HandshakeException e = refusal("/ws", WebSocketClient.builder().header("Authorization", "Bearer guess"));

        assertThat(e.status()).isEqualTo(401);
    }

    @Test
    void aTokenUnderAnotherSchemeIsNotAccepted() {
        HandshakeException e = refusal("/ws", WebSocketClient.builder().header("Authorization", "Basic " + TOKEN));

        assertThat(e.status()).isEqualTo(401);
    }

    @ParameterizedTest
    @CsvSource({"/", "/echo", "/ws/a/b", "/wss?token=" + ENCODED, "/ws/"})
    void anyOtherPathGets404EvenWithTheToken(String target) throws Exception {
        String[] answer = rawAnswer(target.contains("?") ? target : target + "?token=" + ENCODED);

        assertThat(answer[0]).startsWith("HTTP/1.1 404 ");
        assertThat(answer[1]).startsWith("no WebSocket endpoint at " + target.replaceAll("\\?.*", ""))
                .contains("connect to /ws (pass the token as /ws?token=T, as /ws/T or as the header Authorization: Bearer T)");
    }

    @Test
    void theRefusalIsAPlainHttp401WithWwwAuthenticateAndABodyThatSaysWhatWasWrong() throws Exception {
        String[] missing = rawAnswer("/ws");
        String[] wrong = rawAnswer("/ws/guess?token=guess");
        String[] malformed = rawAnswer("/ws/%zz");

        RawPeer.HttpResponse r = new RawPeer.HttpResponse(Integer.parseInt(missing[0].substring(9, 12)), missing[0], missing[1]);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.hasHeader("WWW-Authenticate", "Bearer")).isTrue();
        assertThat(missing[1]).isEqualTo("missing token: pass the token as /ws?token=T, as /ws/T or as the header"
                + " Authorization: Bearer T\n");
        assertThat(wrong[0]).startsWith("HTTP/1.1 401 ");
        assertThat(wrong[1]).isEqualTo("invalid token (given as ?token=, /ws/T)\n");
        // A malformed escape never reaches the hook: the server refuses the target itself (RFC 3986 §2.1).
        assertThat(malformed[0]).startsWith("HTTP/1.1 400 ");
        assertThat(malformed[1]).contains("malformed percent escape \"%zz\" at offset 4");
    }

    @Test
    void randomTokensAreLongAndDifferent() {
        assertThat(AuthEchoApp.randomToken()).hasSize(32).isNotEqualTo(AuthEchoApp.randomToken());
    }
}
