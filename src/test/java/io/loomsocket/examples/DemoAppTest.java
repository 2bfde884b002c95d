package io.loomsocket.examples;

import static io.loomsocket.examples.Harness.nextJson;
import static io.loomsocket.examples.Harness.nextText;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.loomsocket.WebSocket;
import io.loomsocket.handshake.HandshakeException;
import io.loomsocket.server.WebSocketServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class DemoAppTest {

    private final Harness harness = new Harness();
    private DemoApp app;
    private WebSocketServer server;

    @BeforeEach
    void start() throws Exception {
        app = harness.closeLater(new DemoApp(Duration.ofMillis(20), 1));
        server = harness.track(app.start(app.configure(Harness.builder())));
    }

    @AfterEach
    void cleanUp() throws Exception {
        harness.close();
    }

    private static void send(WebSocket ws, Object... keysAndValues) throws Exception {
        ws.sendText(Json.write(Json.object(keysAndValues)));
    }

    @Test
    void theRootServesTheHtmlPageWithTheElementsTheBrowserTestUses() throws Exception {
        RawPeer.HttpResponse r = RawPeer.http(server.port(), "GET", "/");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.hasHeader("Content-Type", "text/html")).isTrue();
        assertThat(r.body()).startsWith("<!DOCTYPE html>")
                .contains("<input id=\"name\"", "<button id=\"join\"", "<ul id=\"users\"", "<input id=\"message\"",
                        "<button id=\"send\"", "<ul id=\"messages\"", "<span id=\"price\"", "<canvas id=\"chart\"",
                        "<span id=\"status\"", "<button id=\"leave\"", "<p id=\"notice\"")
                .contains("location.host", "'/chat'", "'/channels'", "ticker_btc", "type: 'presence'")
                .doesNotContain("http://", "https://"); // no external resources
    }

    @Test
    void healthAnswersOkAndOtherPlainRequestsAreRefused() throws Exception {
        RawPeer.HttpResponse health = RawPeer.http(server.port(), "GET", "/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("ok\n");

        assertThat(RawPeer.http(server.port(), "GET", "/nope").status()).isEqualTo(404);
        assertThat(RawPeer.http(server.port(), "POST", "/").status()).isEqualTo(405);
        assertThat(RawPeer.http(server.port(), "GET", "/chat").status()).isEqualTo(426);
    }

    @Test
    void aWebSocketOnAnUnknownPathIs404() {
        HandshakeException e = catchThrowableOfType(HandshakeException.class, () -> harness.connect(server, "/elsewhere"));

        assertThat(e.status()).isEqualTo(404);
    }

    @Test
    void twoChatClientsExchangeAMessageInTheSeedsProtocol() throws Exception {
        WebSocket ann = harness.connect(server, "/chat");
        WebSocket bob = harness.connect(server, "/chat");
        assertThat(nextText(ann)).isEqualTo("{\"type\": \"handshake\"}");
        assertThat(nextText(bob)).isEqualTo("{\"type\": \"handshake\"}");
        send(ann, "type", "register", "uuid", "u-ann", "content", "Ann joined");
        assertThat(nextText(ann)).isEqualTo("{\"type\": \"login\", \"content\": \"Ann joined\", \"user_list\": [\"u-ann\"]}");
        send(bob, "type", "register", "uuid", "u-bob", "content", "Bob joined");
        String bobsLogin = "{\"type\": \"login\", \"content\": \"Bob joined\", \"user_list\": [\"u-ann\", \"u-bob\"]}";
        assertThat(nextText(bob)).isEqualTo(bobsLogin);
        assertThat(nextText(ann)).isEqualTo(bobsLogin);

        send(bob, "type", "send", "content", "hi Ann");

        String message = "{\"type\": \"user\", \"content\": \"hi Ann\", \"from\": \"u-bob\"}";
        assertThat(nextText(ann)).isEqualTo(message);
        assertThat(nextText(bob)).isEqualTo(message);
        assertThat(app.chat().userList()).containsExactly("u-ann", "u-bob");
    }

    @Test
    void theChatAnswersPresenceForThePage() throws Exception {
        WebSocket page = harness.connect(server, "/chat");
        nextText(page); // the handshake

        send(page, "type", "presence");

        assertThat(nextText(page)).isEqualTo("{\"type\": \"presence\", \"user_list\": []}");
    }

    @Test
    void aChannelsClientReceivesTickerUpdates() throws Exception {
        WebSocket ws = harness.connect(server, "/channels");
        send(ws, "type", "auth", "data", Json.object("token", "demo"));
        assertThat(nextJson(ws)).isEqualTo(Map.of("type", "auth_ok"));

        send(ws, "type", "subscribe", "data", Json.object("channel", "ticker_btc"));

        assertThat(nextJson(ws)).containsEntry("type", "subscribed");
        for (int i = 0; i < 3; i++) {
            Map<String, Object> tick = nextJson(ws, "ticker");
            assertThat(tick).containsEntry("channel", "ticker_btc").containsKeys("price", "time", "book");
        }
    }

    @Test
    void theChatAndTheChannelsAreSeparate() throws Exception {
        WebSocket chat = harness.connect(server, "/chat");
        assertThat(nextJson(chat)).containsEntry("type", "handshake");

        send(chat, "type", "subscribe", "data", Json.object("channel", "ticker_btc"));

        assertThat(nextJson(chat)).containsEntry("type", "error");
        assertThat(app.channels().registry().size("ticker_btc")).isZero();
    }

    @Test
    void theTickerStopsWithTheServer() throws Exception {
        server.stop(Duration.ofSeconds(2));

        assertThat(app.channels().ticker().awaitStopped(Duration.ofSeconds(5))).isTrue();
    }
}
