package io.loomsocket.handshake;

import static io.loomsocket.handshake.Samples.head;
import static io.loomsocket.handshake.Samples.parseRequest;
import static io.loomsocket.handshake.Samples.parseResponse;
import static io.loomsocket.handshake.Samples.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClientHandshakeTest {

    /** Always draws the bytes 0x01..0x10, as in the example of RFC 6455 §4.1. */
    private static final RandomGenerator ONE_TO_SIXTEEN = new RandomGenerator() {
        @Override
        public long nextLong() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (i + 1);
            }
        }
    };

    private static final String KEY = "AQIDBAUGBwgJCgsMDQ4PEA==";
    private static final String ACCEPT = AcceptKey.of(KEY);

    private static ClientHandshake chatHandshake() {
        return new ClientHandshake(
                "server.example.com",
                "/chat",
                List.of("chat", "superchat"),
                List.of(ExtensionOffer.of("permessage-deflate", ExtensionParam.of("client_max_window_bits"))),
                HttpHeaders.of("Origin", "http://example.com"),
                ONE_TO_SIXTEEN);
    }

    // --- The request -----------------------------------------------------------------------

    @Test
    void writesTheRequiredHeadersThenTheOffersThenTheExtraHeaders() {
        assertThat(text(chatHandshake().requestBytes())).isEqualTo(head(
                "GET /chat HTTP/1.1",
                "Host: server.example.com",
                "Upgrade: websocket",
                "Connection: Upgrade",
                "Sec-WebSocket-Key: " + KEY,
                "Sec-WebSocket-Version: 13",
                "Sec-WebSocket-Protocol: chat, superchat",
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
                "Origin: http://example.com"));
    }

    @Test
    void omitsTheProtocolAndExtensionsHeadersWhenNothingIsOffered() {
        String request = text(new ClientHandshake("example.com:8080", "/?a=1", ONE_TO_SIXTEEN).requestBytes());

        assertThat(request).startsWith("GET /?a=1 HTTP/1.1\r\nHost: example.com:8080\r\n")
                .doesNotContain("Sec-WebSocket-Protocol")
                .doesNotContain("Sec-WebSocket-Extensions");
    }

    @Test
    void drawsARandomSixteenByteKeyForEachHandshake() {
        SecureRandom random = new SecureRandom();
        ClientHandshake first = new ClientHandshake("a", "/", random);
        ClientHandshake second = new ClientHandshake("a", "/", random);

        assertThat(Base64.getDecoder().decode(first.key())).hasSize(16);
        assertThat(Base64.getDecoder().decode(second.key())).hasSize(16);
        assertThat(first.key()).isNotEqualTo(second.key());
    }

    @Test
    void sendsARequestTheServerAcceptsAndAcceptsTheServersAnswer() {
        ClientHandshake client = chatHandshake();
        ServerHandshake.Offer offer = ServerHandshake.validate(parseRequest(text(client.requestBytes())));

        byte[] answer = ServerHandshake.accept(
                offer, Optional.of("superchat"), List.of(ExtensionOffer.of("permessage-deflate")), HttpHeaders.empty());
        ClientHandshake.Result result = client.validate(parseResponse(text(answer)));

        assertThat(offer.key()).isEqualTo(client.key());
        assertThat(offer.origin()).contains("http://example.com");
        assertThat(result.subprotocol()).contains("superchat");
        assertThat(result.extensions()).containsExactly(ExtensionOffer.of("permessage-deflate"));
        assertThat(result.response().status()).isEqualTo(101);
    }

    // --- Rejecting bad arguments ----------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"", "exa mple.com", "example.com\r\nX: y", "caf\u00e9.example"})
    void rejectsAnInvalidHost(String host) {
        assertThatThrownBy(() -> new ClientHandshake(host, "/", ONE_TO_SIXTEEN))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "chat", "/a b", "/chat#top", "/chat\r\nX: y", "http://example.com/chat"})
    void rejectsAResourceNameThatIsNotAPathAndQuery(String resourceName) {
        assertThatThrownBy(() -> new ClientHandshake("example.com", resourceName, ONE_TO_SIXTEEN))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsSubprotocolsThatAreNotUniqueTokens() {
        assertThatThrownBy(() -> new ClientHandshake("a", "/", List.of("a b"), List.of(), HttpHeaders.empty(), ONE_TO_SIXTEEN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClientHandshake("a", "/", List.of("x", "x"), List.of(), HttpHeaders.empty(), ONE_TO_SIXTEEN))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Host", "upgrade", "Connection", "Sec-WebSocket-Key", "sec-websocket-version", "Sec-WebSocket-Protocol", "Content-Length"})
    void rejectsExtraHeadersThatWouldOverrideTheHandshake(String name) {
        HttpHeaders extra = HttpHeaders.of(name, "x");

        assertThatThrownBy(() -> new ClientHandshake("a", "/", List.of(), List.of(), extra, ONE_TO_SIXTEEN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(name);
    }

    @Test
    void rejectsCrLfInExtraHeaderValuesBeforeTheyReachTheRequest() {
        assertThatThrownBy(() -> HttpHeaders.of("Cookie", "a=1\r\nHost: evil"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // --- Validating the response ------------------------------------------------------------

    @Test
    void acceptsUpgradeAndConnectionTokensInAnyCase() {
        ClientHandshake.Result result = chatHandshake().validate(parseResponse(head(
                "HTTP/1.1 101 Switching Protocols",
                "upgrade: WebSocket",
                "CONNECTION: keep-alive, upgrade",
                "sec-websocket-accept: " + ACCEPT)));

        assertThat(result.subprotocol()).isEmpty();
        assertThat(result.extensions()).isEmpty();
    }

    @Test
    void acceptsExtensionsSplitOverRepeatedHeaders() {
        ClientHandshake client = new ClientHandshake(
                "a", "/", List.of(), List.of(ExtensionOffer.of("foo"), ExtensionOffer.of("bar")), HttpHeaders.empty(), ONE_TO_SIXTEEN);

        ClientHandshake.Result result = client.validate(parseResponse(head(
                "HTTP/1.1 101 Switching Protocols",
                "Upgrade: websocket",
                "Connection: Upgrade",
                "Sec-WebSocket-Accept: " + ACCEPT,
                "Sec-WebSocket-Extensions: foo",
                "Sec-WebSocket-Extensions: bar; baz=2")));

        assertThat(result.extensions()).containsExactly(ExtensionOffer.of("foo"), ExtensionOffer.of("bar", ExtensionParam.of("baz", "2")));
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 301, 400, 401, 403, 404, 426, 503})
    void rejectsAStatusOtherThan101WithTheServersStatus(int status) {
        HttpResponseHead response = parseResponse(head("HTTP/1.1 " + status + " Nope", "Content-Length: 0"));

        HandshakeException e = catchThrowableOfType(HandshakeException.class, () -> chatHandshake().validate(response));

        assertThat(e.status()).isEqualTo(status);
        assertThat(e).hasMessageContaining(status + " Nope");
    }

    static Stream<Arguments> invalidResponses() {
        String ok = "HTTP/1.1 101 Switching Protocols";
        String upgrade = "Upgrade: websocket";
        String connection = "Connection: Upgrade";
        String accept = "Sec-WebSocket-Accept: " + ACCEPT;
        return Stream.of(
                Arguments.of("HTTP/1.0", head("HTTP/1.0 101 Switching Protocols", upgrade, connection, accept), "HTTP/1.1"),
                Arguments.of("missing Upgrade", head(ok, connection, accept), "Upgrade"),
                Arguments.of("Upgrade h2c", head(ok, "Upgrade: h2c", connection, accept), "Upgrade"),
                Arguments.of("Upgrade websocket, h2c", head(ok, "Upgrade: websocket, h2c", connection, accept), "Upgrade"),
                Arguments.of("missing Connection", head(ok, upgrade, accept), "Connection"),
                Arguments.of("Connection keep-alive", head(ok, upgrade, "Connection: keep-alive", accept), "Connection"),
                Arguments.of("missing accept", head(ok, upgrade, connection), "Sec-WebSocket-Accept"),
                Arguments.of("wrong accept", head(ok, upgrade, connection, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "does not match"),
                Arguments.of("two accepts", head(ok, upgrade, connection, accept, accept), "exactly one"),
                Arguments.of("unoffered subprotocol", head(ok, upgrade, connection, accept, "Sec-WebSocket-Protocol: mqtt"), "not offered"),
                Arguments.of("subprotocol in another case", head(ok, upgrade, connection, accept, "Sec-WebSocket-Protocol: Chat"), "not offered"),
                Arguments.of("two subprotocols", head(ok, upgrade, connection, accept, "Sec-WebSocket-Protocol: chat, superchat"), "not offered"),
                Arguments.of("two subprotocol headers", head(ok, upgrade, connection, accept,
                        "Sec-WebSocket-Protocol: chat", "Sec-WebSocket-Protocol: chat"), "more than once"),
                Arguments.of("unoffered extension", head(ok, upgrade, connection, accept, "Sec-WebSocket-Extensions: x-webkit-deflate-frame"), "not offered"),
                Arguments.of("malformed extension", head(ok, upgrade, connection, accept, "Sec-WebSocket-Extensions: permessage-deflate;"), "Sec-WebSocket-Extensions"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidResponses")
    void failsTheConnectionOnAnInvalid101Response(String description, String response, String message) {
        HttpResponseHead head = parseResponse(response);

        HandshakeException e = catchThrowableOfType(HandshakeException.class, () -> chatHandshake().validate(head));

        assertThat(e).as(description).isNotNull().hasMessageContaining(message);
        assertThat(e.status()).isZero();
    }

    @Test
    void failsWhenTheServerChoosesASubprotocolAlthoughNoneWasOffered() {
        HttpResponseHead response = parseResponse(head(
                "HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
                "Sec-WebSocket-Accept: " + ACCEPT, "Sec-WebSocket-Protocol: chat"));

        assertThatThrownBy(() -> new ClientHandshake("a", "/", ONE_TO_SIXTEEN).validate(response))
                .isInstanceOf(HandshakeException.class)
                .hasMessageContaining("not offered");
    }
}
