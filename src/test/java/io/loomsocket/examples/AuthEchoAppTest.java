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

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class AuthEchoAppTest {

    private static final String TOKEN = "s3cret token/+";

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

    @Test
    void theTokenInTheQueryLetsTheClientInAndItGetsAnEcho() throws Exception {
        WebSocket ws = harness.connect(server, "/?token=s3cret%20token%2F%2B");

        ws.sendText("hello");

        assertThat(nextText(ws)).isEqualTo("hello");
    }

    @Test
    void theTokenAsABearerHeaderLetsTheClientIn() throws Exception {
        WebSocket ws = harness.connect(server, "/echo", WebSocketClient.builder().header("Authorization", "Bearer " + TOKEN));

        ws.sendText("hello");

        assertThat(nextText(ws)).isEqualTo("hello");
    }

    @Test
    void theBearerSchemeIsCaseInsensitive() throws Exception {
        WebSocket ws = harness.connect(server, "/", WebSocketClient.builder().header("Authorization", "bearer " + TOKEN));

        assertThat(ws.isOpen()).isTrue();
    }

    @Test
    void aClientWithoutATokenGets401AndNoWebSocket() {
        HandshakeException e = refusal("/", WebSocketClient.builder());

        assertThat(e).isNotNull();
        assertThat(e.status()).isEqualTo(401);
        assertThat(server.connectionCount()).isZero();
    }

    @Test
    void aWrongTokenInTheQueryGets401() {
        assertThat(refusal("/?token=guess", WebSocketClient.builder()).status()).isEqualTo(401);
    }

    @Test
    void aWrongBearerTokenGets401() {
        HandshakeException e = refusal("/", WebSocketClient.builder().header("Authorization", "Bearer guess"));

        assertThat(e.status()).isEqualTo(401);
    }

    @Test
    void aTokenUnderAnotherSchemeIsNotAccepted() {
        HandshakeException e = refusal("/", WebSocketClient.builder().header("Authorization", "Basic " + TOKEN));

        assertThat(e.status()).isEqualTo(401);
    }

    @Test
    void theRefusalIsAPlainHttp401WithWwwAuthenticate() throws Exception {
        RawPeer.HttpResponse r;
        try (RawPeer p = new RawPeer(server.port())) {
            String head = p.upgrade("/?token=guess");
            r = new RawPeer.HttpResponse(Integer.parseInt(head.substring(9, 12)), head, "");
        }

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.hasHeader("WWW-Authenticate", "Bearer")).isTrue();
    }

    @Test
    void randomTokensAreLongAndDifferent() {
        assertThat(AuthEchoApp.randomToken()).hasSize(32).isNotEqualTo(AuthEchoApp.randomToken());
    }
}
