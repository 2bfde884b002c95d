package io.loomsocket.handshake;

import static io.loomsocket.handshake.HandshakeHeaders.CONNECTION;
import static io.loomsocket.handshake.HandshakeHeaders.HOST;
import static io.loomsocket.handshake.HandshakeHeaders.SEC_WEBSOCKET_ACCEPT;
import static io.loomsocket.handshake.HandshakeHeaders.SEC_WEBSOCKET_EXTENSIONS;
import static io.loomsocket.handshake.HandshakeHeaders.SEC_WEBSOCKET_KEY;
import static io.loomsocket.handshake.HandshakeHeaders.SEC_WEBSOCKET_PROTOCOL;
import static io.loomsocket.handshake.HandshakeHeaders.SEC_WEBSOCKET_VERSION;
import static io.loomsocket.handshake.HandshakeHeaders.UPGRADE;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The client's half of the opening handshake: {@link #requestBytes()} is the request to send, and
 * {@link #validate} checks the server's response head. One instance serves one connection attempt,
 * as its key is random per connection.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.1">RFC 6455 §4.1</a>
 */
public final class ClientHandshake {

    private final String host;
    private final String resourceName;
    private final List<String> subprotocols;
    private final List<ExtensionOffer> extensions;
    private final HttpHeaders extraHeaders;
    private final String key;

    /**
     * The outcome of a valid response.
     *
     * @param subprotocol the "Subprotocol In Use", if the server chose one
     * @param extensions the "Extensions In Use", in the order in which they apply
     * @param response the server's response head, for cookies and other fields
     */
    public record Result(Optional<String> subprotocol, List<ExtensionOffer> extensions, HttpResponseHead response) {

        public Result {
            Objects.requireNonNull(subprotocol, "subprotocol");
            extensions = List.copyOf(extensions);
            Objects.requireNonNull(response, "response");
        }
    }

    /** A handshake with no subprotocol, no extension and no extra header field. */
    public ClientHandshake(String host, String resourceName, RandomGenerator random) {
        this(host, resourceName, List.of(), List.of(), HttpHeaders.empty(), random);
    }

    /**
     * @param host the {@code Host} value: "/host/ plus optionally ":" followed by /port/ (when not
     *     using the default port)", such as {@code example.com} or {@code example.com:8080}
     * @param resourceName the path and query, such as {@code /chat?room=1}
     * @param subprotocols the subprotocols to offer, most preferred first: tokens, all unique
     * @param extensions the extensions to offer, most preferred first
     * @param extraHeaders further fields such as {@code Origin} or {@code Authorization}; none that
     *     the handshake writes itself
     * @param random the source of the {@code Sec-WebSocket-Key} nonce; a {@link
     *     java.security.SecureRandom} outside tests
     * @throws IllegalArgumentException for an invalid host, resource name or subprotocol, or a
     *     reserved extra field (CR and LF never reach here: {@link HttpHeaders} rejects them)
     */
    public ClientHandshake(
            String host,
            String resourceName,
            List<String> subprotocols,
            List<ExtensionOffer> extensions,
            HttpHeaders extraHeaders,
            RandomGenerator random) {
        this.host = requireHost(host);
        this.resourceName = requireResourceName(resourceName);
        this.subprotocols = Subprotocols.requireValid(subprotocols);
        this.extensions = List.copyOf(extensions);
        HandshakeHeaders.requireNoneReserved(extraHeaders);
        this.extraHeaders = extraHeaders;
        this.key = AcceptKey.newKey(random);
    }

    /** The {@code Sec-WebSocket-Key} sent with this handshake. */
    public String key() {
        return key;
    }

    /**
     * The opening handshake to send, then the extra fields:
     *
     * <ul>
     *   <li>"The method of the request MUST be GET, and the HTTP version MUST be at least 1.1."
     *   <li>"The request MUST contain a |Host| header field".
     *   <li>"The request MUST contain an |Upgrade| header field whose value MUST include the
     *       "websocket" keyword."
     *   <li>"The request MUST contain a |Connection| header field whose value MUST include the
     *       "Upgrade" token."
     *   <li>"The request MUST include a header field with the name |Sec-WebSocket-Key|."
     *   <li>"The request MUST include a header field with the name |Sec-WebSocket-Version|. The
     *       value of this header field MUST be 13."
     *   <li>{@code Sec-WebSocket-Protocol} and {@code Sec-WebSocket-Extensions} when something is
     *       offered.
     * </ul>
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.1">RFC 6455 §4.1</a>
     */
    public byte[] requestBytes() {
        HeadWriter request = new HeadWriter("GET " + resourceName + " HTTP/1.1")
                .field(HOST, host)
                .field(UPGRADE, "websocket")
                .field(CONNECTION, "Upgrade")
                .field(SEC_WEBSOCKET_KEY, key)
                .field(SEC_WEBSOCKET_VERSION, ServerHandshake.VERSION);
        if (!subprotocols.isEmpty()) {
            request.field(SEC_WEBSOCKET_PROTOCOL, String.join(", ", subprotocols));
        }
        if (!extensions.isEmpty()) {
            request.field(SEC_WEBSOCKET_EXTENSIONS, ExtensionOffer.toHeaderValue(extensions));
        }
        return request.fields(extraHeaders).toBytes();
    }

    /**
     * Checks the server's response, in the order of RFC 6455 §4.1. Any failure means the client
     * "MUST _Fail the WebSocket Connection_".
     *
     * <p>A status other than 101 is thrown with that status: "the client handles the response per
     * HTTP [RFC2616] procedures", so a caller that follows redirects or authenticates looks at the
     * head before calling this. Every other failure has status 0.
     *
     * @throws HandshakeException if the response does not accept this handshake
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.1">RFC 6455 §4.1</a>
     */
    public Result validate(HttpResponseHead response) {
        if (response.status() != 101) {
            throw new HandshakeException(response.status(),
                    "the server answered " + response.status() + " " + response.reason() + ", not 101 Switching Protocols");
        }
        if (!response.version().equals("HTTP/1.1")) {
            throw fail("the 101 response must be HTTP/1.1, not " + response.version());
        }
        HttpHeaders headers = response.headers();
        requireUpgradeWebSocket(headers);
        requireConnectionUpgrade(headers);
        requireAccept(headers);
        List<ExtensionOffer> accepted = requireOfferedExtensions(headers);
        Optional<String> subprotocol = requireOfferedSubprotocol(headers);
        return new Result(subprotocol, accepted, response);
    }

    /**
     * "If the response lacks an |Upgrade| header field or the |Upgrade| header field contains a
     * value that is not an ASCII case-insensitive match for the value "websocket", the client MUST
     * _Fail the WebSocket Connection_."
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.1">RFC 6455 §4.1</a>
     */
    private static void requireUpgradeWebSocket(HttpHeaders headers) {
        List<String> upgrade = headers.tokens(UPGRADE);
        if (upgrade.size() != 1 || !HttpChars.equalsIgnoreAsciiCase(upgrade.get(0), "websocket")) {
            throw fail("the response must have Upgrade: websocket");
        }
    }

    /**
     * "If the response lacks a |Connection| header field or the |Connection| header field doesn't
     * contain a token that is an ASCII case-insensitive match for the value "Upgrade", the client
     * MUST _Fail the WebSocket Connection_."
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.1">RFC 6455 §4.1</a>
     */
    private static void requireConnectionUpgrade(HttpHeaders headers) {
        if (!headers.containsToken(CONNECTION, "Upgrade")) {
            throw fail("the response must have a Connection header containing Upgrade");
        }
    }

    /**
     * "If the response lacks a |Sec-WebSocket-Accept| header field or the |Sec-WebSocket-Accept|
     * contains a value other than the base64-encoded SHA-1 of the concatenation of the
     * |Sec-WebSocket-Key| (as a string, not base64-decoded) with the string
     * "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" but ignoring any leading and trailing whitespace, the
     * client MUST _Fail the WebSocket Connection_." The parser has already trimmed the value. And:
     * "The |Sec-WebSocket-Accept| header MUST NOT appear more than once in an HTTP response"
     * (§11.3.3).
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.1">RFC 6455 §4.1</a>
     */
    private void requireAccept(HttpHeaders headers) {
        List<String> accept = headers.all(SEC_WEBSOCKET_ACCEPT);
        if (accept.size() != 1) {
            throw fail("the response must have exactly one Sec-WebSocket-Accept header");
        }
        if (!accept.get(0).equals(AcceptKey.of(key))) {
            throw fail("Sec-WebSocket-Accept does not match the key sent");
        }
    }

    /**
     * "If the response includes a |Sec-WebSocket-Extensions| header field and this header field
     * indicates the use of an extension that was not present in the client's handshake [...], the
     * client MUST _Fail the WebSocket Connection_."
     *
     * <p>Several {@code Sec-WebSocket-Extensions} fields are accepted: §4.2.2 lets the server
     * split its list "between multiple instances of the |Sec-WebSocket-Extensions| header field",
     * although §11.3.2 says the field "MUST NOT appear more than once in an HTTP response".
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.1">RFC 6455 §4.1</a>
     */
    private List<ExtensionOffer> requireOfferedExtensions(HttpHeaders headers) {
        List<ExtensionOffer> accepted;
        try {
            accepted = ExtensionOffer.parseAll(headers.all(SEC_WEBSOCKET_EXTENSIONS));
        } catch (HandshakeException malformed) {
            throw fail(malformed.getMessage());
        }
        for (ExtensionOffer e : accepted) {
            if (extensions.stream().noneMatch(offered -> offered.name().equals(e.name()))) {
                throw fail("the server accepted extension " + e.name() + ", which was not offered");
            }
        }
        return accepted;
    }

    /**
     * "If the response includes a |Sec-WebSocket-Protocol| header field and this header field
     * indicates the use of a subprotocol that was not present in the client's handshake [...], the
     * client MUST _Fail the WebSocket Connection_." The field holds one token ({@code
     * Sec-WebSocket-Protocol-Server = token}, §4.3) and "MUST NOT appear more than once in an HTTP
     * response" (§11.3.4).
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.1">RFC 6455 §4.1</a>
     */
    private Optional<String> requireOfferedSubprotocol(HttpHeaders headers) {
        List<String> chosen = headers.all(SEC_WEBSOCKET_PROTOCOL);
        if (chosen.isEmpty()) {
            return Optional.empty();
        }
        if (chosen.size() > 1) {
            throw fail("Sec-WebSocket-Protocol must not appear more than once in the response");
        }
        if (!subprotocols.contains(chosen.get(0))) {
            throw fail("the server chose a subprotocol that was not offered");
        }
        return Optional.of(chosen.get(0));
    }

    /**
     * The Host value: not empty, visible ASCII.
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.1">RFC 6455 §4.1</a>
     */
    private static String requireHost(String host) {
        if (host.isEmpty() || !HttpChars.isVisibleAscii(host)) {
            throw new IllegalArgumentException("host must be non-empty visible ASCII: \"" + host + "\"");
        }
        return host;
    }

    /**
     * "The "Request-URI" part of the request MUST match the /resource name/ defined in Section 3
     * (a relative URI)": a path starting with {@code /}, with an optional query. "Fragment
     * identifiers [...] MUST NOT be used on these URIs" (§3).
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.1">RFC 6455 §4.1</a>
     */
    private static String requireResourceName(String resourceName) {
        if (!resourceName.startsWith("/") || !HttpChars.isVisibleAscii(resourceName) || resourceName.indexOf('#') >= 0) {
            throw new IllegalArgumentException(
                    "resource name must be /path[?query] in visible ASCII, without a fragment: \"" + resourceName + "\"");
        }
        return resourceName;
    }

    private static HandshakeException fail(String message) {
        return new HandshakeException(0, message);
    }
}
