package io.loomsocket.handshake;

import static io.loomsocket.handshake.Samples.BUSY_REQUEST;
import static io.loomsocket.handshake.Samples.RFC_REQUEST;
import static io.loomsocket.handshake.Samples.RFC_RESPONSE;
import static io.loomsocket.handshake.Samples.head;
import static io.loomsocket.handshake.Samples.parseRequest;
import static io.loomsocket.handshake.Samples.rfcRequestWithout;
import static io.loomsocket.handshake.Samples.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ServerHandshakeTest {

    // --- The RFC sample --------------------------------------------------------------------

    @Test
    void acceptsTheRfcSampleRequest() {
        ServerHandshake.Offer offer = ServerHandshake.validate(parseRequest(RFC_REQUEST));

        assertThat(offer.key()).isEqualTo("dGhlIHNhbXBsZSBub25jZQ==");
        assertThat(offer.subprotocols()).containsExactly("chat", "superchat");
        assertThat(offer.extensions()).isEmpty();
        assertThat(offer.origin()).contains("http://example.com");
        assertThat(offer.head().path()).isEqualTo("/chat");
    }

    @Test
    void answersTheRfcSampleWithTheRfcSampleResponse() {
        ServerHandshake.Offer offer = ServerHandshake.validate(parseRequest(RFC_REQUEST));

        assertThat(text(ServerHandshake.accept(offer))).isEqualTo(RFC_RESPONSE);
    }

    @Test
    void answersWithTheChosenSubprotocolExtensionsAndExtraHeadersInOrder() {
        ServerHandshake.Offer offer = ServerHandshake.validate(parseRequest(rfcRequestWithout(
                "Sec-WebSocket-Extensions", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits")));

        byte[] response = ServerHandshake.accept(
                offer,
                Optional.of("chat"),
                List.of(ExtensionOffer.of("permessage-deflate", ExtensionParam.of("server_no_context_takeover"))),
                HttpHeaders.of("Set-Cookie", "id=1"));

        assertThat(text(response)).isEqualTo(head(
                "HTTP/1.1 101 Switching Protocols",
                "Upgrade: websocket",
                "Connection: Upgrade",
                "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
                "Sec-WebSocket-Protocol: chat",
                "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover",
                "Set-Cookie: id=1"));
    }

    // --- Case and token lists --------------------------------------------------------------

    @Test
    void acceptsHeaderNamesAndTokensInAnyCase() {
        ServerHandshake.Offer offer = ServerHandshake.validate(parseRequest(BUSY_REQUEST));

        assertThat(offer.extensions()).extracting(ExtensionOffer::name)
                .containsExactly("permessage-deflate", "permessage-deflate");
        assertThat(offer.origin()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Upgrade", "upgrade", "UPGRADE", "keep-alive, Upgrade", "Upgrade,keep-alive", " , upgrade ,"})
    void acceptsConnectionHeadersThatIncludeTheUpgradeToken(String connection) {
        String request = rfcRequestWithout("Connection", "Connection: " + connection);

        assertThat(ServerHandshake.validate(parseRequest(request)).key()).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "WebSocket", "WEBSOCKET", "h2c, websocket"})
    void acceptsUpgradeHeadersThatIncludeWebsocketInAnyCase(String upgrade) {
        String request = rfcRequestWithout("Upgrade", "Upgrade: " + upgrade);

        assertThat(ServerHandshake.validate(parseRequest(request)).key()).isNotEmpty();
    }

    @Test
    void acceptsConnectionUpgradeSplitOverRepeatedHeaders() {
        String request = rfcRequestWithout("Connection", "Connection: keep-alive", "Connection: Upgrade");

        assertThat(ServerHandshake.validate(parseRequest(request)).key()).isNotEmpty();
    }

    @Test
    void lowerCasesTheOrigin() {
        String request = rfcRequestWithout("Origin", "Origin: HTTP://Example.COM");

        assertThat(ServerHandshake.validate(parseRequest(request)).origin()).contains("http://example.com");
    }

    @Test
    void acceptsAnAbsoluteHttpUriAsTarget() {
        String request = RFC_REQUEST.replace("GET /chat ", "GET http://server.example.com/chat?x=1 ");

        ServerHandshake.Offer offer = ServerHandshake.validate(parseRequest(request));

        assertThat(offer.head().path()).isEqualTo("/chat");
        assertThat(offer.head().query()).contains("x=1");
    }

    // --- 400 -------------------------------------------------------------------------------

    static Stream<Arguments> badRequests() {
        return Stream.of(
                Arguments.of("missing Host", rfcRequestWithout("Host"), "Host"),
                Arguments.of("two Hosts", rfcRequestWithout("Host", "Host: a", "Host: b"), "Host"),
                Arguments.of("empty Host", rfcRequestWithout("Host", "Host:"), "Host"),
                Arguments.of("missing Upgrade", rfcRequestWithout("Upgrade"), "Upgrade header must contain \"websocket\""),
                Arguments.of("Upgrade to h2c", rfcRequestWithout("Upgrade", "Upgrade: h2c"), "websocket"),
                Arguments.of("Upgrade websocket2", rfcRequestWithout("Upgrade", "Upgrade: websocket2"), "websocket"),
                Arguments.of("missing Connection", rfcRequestWithout("Connection"), "Connection"),
                Arguments.of("Connection keep-alive", rfcRequestWithout("Connection", "Connection: keep-alive"), "Connection"),
                Arguments.of("Connection Upgraded", rfcRequestWithout("Connection", "Connection: Upgraded"), "Connection"),
                Arguments.of("missing key", rfcRequestWithout("Sec-WebSocket-Key"), "needs a Sec-WebSocket-Key"),
                Arguments.of("two keys", rfcRequestWithout("Sec-WebSocket-Key",
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="), "more than once"),
                Arguments.of("key not base64", rfcRequestWithout("Sec-WebSocket-Key", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ!="), "16 bytes"),
                Arguments.of("key of 15 bytes", rfcRequestWithout("Sec-WebSocket-Key", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25j"), "16 bytes"),
                Arguments.of("key of 17 bytes", rfcRequestWithout("Sec-WebSocket-Key", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ9="), "16 bytes"),
                Arguments.of("key unpadded", rfcRequestWithout("Sec-WebSocket-Key", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ"), "16 bytes"),
                Arguments.of("empty key", rfcRequestWithout("Sec-WebSocket-Key", "Sec-WebSocket-Key:"), "16 bytes"),
                Arguments.of("two versions", rfcRequestWithout("Sec-WebSocket-Version",
                        "Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 13"), "more than once"),
                Arguments.of("subprotocol not a token", rfcRequestWithout("Sec-WebSocket-Protocol", "Sec-WebSocket-Protocol: chat, a/b"), "not a token"),
                Arguments.of("subprotocol repeated", rfcRequestWithout("Sec-WebSocket-Protocol", "Sec-WebSocket-Protocol: chat, chat"), "unique"),
                Arguments.of("empty subprotocol list", rfcRequestWithout("Sec-WebSocket-Protocol", "Sec-WebSocket-Protocol: ,"), "no subprotocol"),
                Arguments.of("malformed extension", rfcRequestWithout("Sec-WebSocket-Extensions", "Sec-WebSocket-Extensions: foo;"), "Sec-WebSocket-Extensions"),
                Arguments.of("two Origins", rfcRequestWithout("Origin", "Origin: http://a", "Origin: http://b"), "Origin"),
                Arguments.of("a body", rfcRequestWithout("Content-Length", "Content-Length: 5"), "body"),
                Arguments.of("a chunked body", rfcRequestWithout("Transfer-Encoding", "Transfer-Encoding: chunked"), "body"),
                Arguments.of("asterisk target", RFC_REQUEST.replace("GET /chat ", "GET * "), "request-target"),
                Arguments.of("authority target", RFC_REQUEST.replace("GET /chat ", "GET example.com:80 "), "request-target"),
                Arguments.of("ws scheme target", RFC_REQUEST.replace("GET /chat ", "GET ws://example.com/chat "), "request-target"),
                Arguments.of("fragment in target", RFC_REQUEST.replace("GET /chat ", "GET /chat#top "), "fragment"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void rejectsAnInvalidHandshakeWith400(String description, String request, String message) {
        HandshakeException e = rejection(request);

        assertThat(e.status()).isEqualTo(400);
        assertThat(e).hasMessageContaining(message);
    }

    @Test
    void serverRejectsMissingKeyWith400() {
        HandshakeException e = rejection(rfcRequestWithout("Sec-WebSocket-Key"));

        assertThat(e.status()).isEqualTo(400);
        assertThat(text(e.toHttpResponse())).startsWith("HTTP/1.1 400 Bad Request\r\n");
    }

    @Test
    void acceptsTheRfcKeyExampleWhoseLastCharacterHasNonZeroPaddingBits() {
        // RFC 6455 §4.1 gives "AQIDBAUGBwgJCgsMDQ4PEC==" for the bytes 0x01..0x10.
        String request = rfcRequestWithout("Sec-WebSocket-Key", "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEC==");

        assertThat(ServerHandshake.validate(parseRequest(request)).key()).isEqualTo("AQIDBAUGBwgJCgsMDQ4PEC==");
    }

    @Test
    void acceptsAnExplicitlyEmptyBody() {
        String request = rfcRequestWithout("Content-Length", "Content-Length: 0");

        assertThat(ServerHandshake.validate(parseRequest(request)).key()).isNotEmpty();
    }

    // --- 426 -------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"8", "12", "14", "13, 8", "013", "", "thirteen"})
    void rejectsAnotherVersionWith426AndAdvertises13(String version) {
        HandshakeException e = rejection(rfcRequestWithout("Sec-WebSocket-Version", "Sec-WebSocket-Version: " + version));

        assertThat(e.status()).isEqualTo(426);
        assertThat(e.responseHeaders().all("Sec-WebSocket-Version")).containsExactly("13");
        assertThat(text(e.toHttpResponse()))
                .startsWith("HTTP/1.1 426 Upgrade Required\r\n")
                .contains("\r\nSec-WebSocket-Version: 13\r\n");
    }

    @Test
    void rejectsAMissingVersionWith426() {
        HandshakeException e = rejection(rfcRequestWithout("Sec-WebSocket-Version"));

        assertThat(e.status()).isEqualTo(426);
        assertThat(text(e.toHttpResponse())).contains("\r\nSec-WebSocket-Version: 13\r\n");
    }

    @Test
    void checksTheVersionBeforeTheKeySoOldClientsLearnWhichVersionToUse() {
        String hybi00 = head(
                "GET /chat HTTP/1.1",
                "Host: server.example.com",
                "Upgrade: WebSocket",
                "Connection: Upgrade",
                "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5",
                "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00");

        assertThat(rejection(hybi00).status()).isEqualTo(426);
    }

    // --- 405, 505 on heads not built by the parser ------------------------------------------

    @Test
    void rejectsAHandBuiltPostWith405() {
        HttpRequestHead post = new HttpRequestHead("POST", "/chat", "HTTP/1.1", parseRequest(RFC_REQUEST).headers());

        HandshakeException e = catchThrowableOfType(HandshakeException.class, () -> ServerHandshake.validate(post));

        assertThat(e.status()).isEqualTo(405);
        assertThat(text(e.toHttpResponse())).contains("\r\nAllow: GET\r\n");
    }

    @Test
    void rejectsAHandBuiltHttp10RequestWith505() {
        HttpRequestHead old = new HttpRequestHead("GET", "/chat", "HTTP/1.0", parseRequest(RFC_REQUEST).headers());

        assertThat(catchThrowableOfType(HandshakeException.class, () -> ServerHandshake.validate(old)).status())
                .isEqualTo(505);
    }

    // --- accept() arguments ----------------------------------------------------------------

    @Test
    void refusesToChooseASubprotocolTheClientDidNotOffer() {
        ServerHandshake.Offer offer = ServerHandshake.validate(parseRequest(RFC_REQUEST));

        assertThatThrownBy(() -> ServerHandshake.accept(offer, Optional.of("mqtt"), List.of(), HttpHeaders.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not offered");
        assertThatThrownBy(() -> ServerHandshake.accept(offer, Optional.of("Chat"), List.of(), HttpHeaders.empty()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesToAcceptAnExtensionTheClientDidNotOffer() {
        ServerHandshake.Offer offer = ServerHandshake.validate(parseRequest(RFC_REQUEST));

        assertThatThrownBy(() -> ServerHandshake.accept(
                        offer, Optional.empty(), List.of(ExtensionOffer.of("permessage-deflate")), HttpHeaders.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not offered");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Upgrade", "connection", "Sec-WebSocket-Accept", "sec-websocket-protocol", "Sec-WebSocket-Anything", "Content-Length", "Transfer-Encoding"})
    void refusesExtraHeadersThatTheHandshakeWritesItself(String name) {
        ServerHandshake.Offer offer = ServerHandshake.validate(parseRequest(RFC_REQUEST));

        assertThatThrownBy(() -> ServerHandshake.accept(offer, Optional.empty(), List.of(), HttpHeaders.of(name, "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(name);
    }

    private static HandshakeException rejection(String request) {
        HttpRequestHead head = parseRequest(request);
        HandshakeException e = catchThrowableOfType(HandshakeException.class, () -> ServerHandshake.validate(head));
        assertThat(e).as("expected a rejection of%n%s", request).isNotNull();
        return e;
    }
}
