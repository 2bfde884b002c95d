package io.loomsocket.handshake;

import static io.loomsocket.handshake.HandshakeHeaders.CONNECTION;
import static io.loomsocket.handshake.HandshakeHeaders.CONTENT_LENGTH;
import static io.loomsocket.handshake.HandshakeHeaders.HOST;
import static io.loomsocket.handshake.HandshakeHeaders.ORIGIN;
import static io.loomsocket.handshake.HandshakeHeaders.SEC_WEBSOCKET_ACCEPT;
import static io.loomsocket.handshake.HandshakeHeaders.SEC_WEBSOCKET_EXTENSIONS;
import static io.loomsocket.handshake.HandshakeHeaders.SEC_WEBSOCKET_KEY;
import static io.loomsocket.handshake.HandshakeHeaders.SEC_WEBSOCKET_PROTOCOL;
import static io.loomsocket.handshake.HandshakeHeaders.SEC_WEBSOCKET_VERSION;
import static io.loomsocket.handshake.HandshakeHeaders.TRANSFER_ENCODING;
import static io.loomsocket.handshake.HandshakeHeaders.UPGRADE;

import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The server's half of the opening handshake: {@link #validate} reads the client's request into
 * an {@link Offer} or rejects it with the HTTP status to answer, and {@link #accept} writes the 101
 * response. Between the two, the application chooses a subprotocol and extensions, and may still
 * refuse with its own status (403 for an unwanted origin, 404 for an unknown resource).
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.2">RFC 6455 §4.2</a>
 */
public final class ServerHandshake {

    /** The only version this server speaks, and what a 426 answer advertises. */
    static final String VERSION = "13";

    private ServerHandshake() {}

    /**
     * A valid opening handshake, as the client sent it.
     *
     * @param head the request head
     * @param key the {@code Sec-WebSocket-Key}, as sent (not decoded)
     * @param subprotocols the offered subprotocols, most preferred first
     * @param extensions the offered extensions, most preferred first
     * @param origin the {@code Origin}, lower-cased ("The origin is serialized to ASCII and converted
     *     to lowercase", RFC 6455 §4.2.2), if sent
     */
    public record Offer(
            HttpRequestHead head, String key, List<String> subprotocols, List<ExtensionOffer> extensions, Optional<String> origin) {

        public Offer {
            Objects.requireNonNull(head, "head");
            Objects.requireNonNull(key, "key");
            subprotocols = List.copyOf(subprotocols);
            extensions = List.copyOf(extensions);
            Objects.requireNonNull(origin, "origin");
        }
    }

    /**
     * Checks the client's opening handshake. "If the server, while reading the handshake, finds
     * that the client did not send a handshake that matches the description below [...] the
     * server MUST stop processing the client's handshake and return an HTTP response with an
     * appropriate error code (such as 400 Bad Request)."
     *
     * <p>Checks run in this order, and the first failure is thrown: version (505), method (405),
     * request-target (400), {@code Host} (400), {@code Upgrade} (400), {@code Connection} (400), no
     * body (400), {@code Sec-WebSocket-Version} (426, or 400 if repeated), {@code Sec-WebSocket-Key}
     * (400), {@code Sec-WebSocket-Protocol} (400), {@code Sec-WebSocket-Extensions} (400), {@code
     * Origin} (400 if repeated). The version comes before the key so that a client of another
     * protocol version learns which version to use.
     *
     * @throws HandshakeException carrying the status to answer with
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.2.1">RFC 6455 §4.2.1</a>
     */
    public static Offer validate(HttpRequestHead head) {
        HttpHeaders headers = head.headers();
        requireHttp11(head.version());
        requireGet(head.method());
        requireResourceName(head.target());
        requireOneHost(headers);
        requireUpgradeWebSocket(headers);
        requireConnectionUpgrade(headers);
        requireNoBody(headers);
        requireVersion13(headers);
        String key = requireKey(headers);
        List<String> subprotocols = Subprotocols.parse(headers.all(SEC_WEBSOCKET_PROTOCOL));
        List<ExtensionOffer> extensions = ExtensionOffer.parseAll(headers.all(SEC_WEBSOCKET_EXTENSIONS));
        return new Offer(head, key, subprotocols, extensions, origin(headers));
    }

    /** The 101 response with no subprotocol, no extension and no extra header field. */
    public static byte[] accept(Offer offer) {
        return accept(offer, Optional.empty(), List.of(), HttpHeaders.empty());
    }

    /**
     * The 101 response that accepts {@code offer}:
     *
     * <pre>
     *   HTTP/1.1 101 Switching Protocols
     *   Upgrade: websocket
     *   Connection: Upgrade
     *   Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
     *   Sec-WebSocket-Protocol: chat                       (if one was chosen)
     *   Sec-WebSocket-Extensions: permessage-deflate       (if any was accepted)
     *   ...extraHeaders
     * </pre>
     *
     * <p>"The value chosen MUST be derived from the client's handshake, specifically by selecting
     * one of the values from the |Sec-WebSocket-Protocol| field"; "if the server does not wish to
     * agree to one of the suggested subprotocols, it MUST NOT send back a |Sec-WebSocket-Protocol|
     * header field". For extensions, "Extensions not listed by the client MUST NOT be listed."
     *
     * @param subprotocol one of {@link Offer#subprotocols()}, or empty
     * @param extensions the accepted extensions with the parameters of the response, in the order
     *     in which they apply; each name must be one the client offered
     * @param extraHeaders further fields such as {@code Set-Cookie}; none that the handshake writes
     * @throws IllegalArgumentException if the subprotocol or an extension was not offered, or an
     *     extra field is one the handshake writes
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.2.2">RFC 6455 §4.2.2</a>
     */
    public static byte[] accept(
            Offer offer, Optional<String> subprotocol, List<ExtensionOffer> extensions, HttpHeaders extraHeaders) {
        subprotocol.ifPresent(chosen -> {
            if (!offer.subprotocols().contains(chosen)) {
                throw new IllegalArgumentException("subprotocol " + chosen + " was not offered: " + offer.subprotocols());
            }
        });
        for (ExtensionOffer accepted : extensions) {
            if (offer.extensions().stream().noneMatch(offered -> offered.name().equals(accepted.name()))) {
                throw new IllegalArgumentException("extension " + accepted.name() + " was not offered");
            }
        }
        HandshakeHeaders.requireNoneReserved(extraHeaders);

        HeadWriter response = new HeadWriter("HTTP/1.1 101 Switching Protocols")
                .field(UPGRADE, "websocket")
                .field(CONNECTION, "Upgrade")
                .field(SEC_WEBSOCKET_ACCEPT, AcceptKey.of(offer.key()));
        subprotocol.ifPresent(chosen -> response.field(SEC_WEBSOCKET_PROTOCOL, chosen));
        if (!extensions.isEmpty()) {
            response.field(SEC_WEBSOCKET_EXTENSIONS, ExtensionOffer.toHeaderValue(extensions));
        }
        return response.fields(extraHeaders).toBytes();
    }

    /**
     * "An HTTP/1.1 or higher GET request". HTTP/1.0 lacks the Upgrade mechanism, and HTTP/2 and
     * later do not send this text head at all, so only HTTP/1.1 is accepted here.
     *
     * @throws HandshakeException 505 HTTP Version Not Supported
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.2.1">RFC 6455 §4.2.1</a>
     */
    static void requireHttp11(String version) {
        if (!version.equals("HTTP/1.1")) {
            throw new HandshakeException(505, "a WebSocket handshake needs HTTP/1.1, not " + version);
        }
    }

    /**
     * "An HTTP/1.1 or higher GET request". A 405 answer "MUST generate an Allow header field"
     * (RFC 9110 §15.5.6).
     *
     * @throws HandshakeException 405 Method Not Allowed, with {@code Allow: GET}
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.2.1">RFC 6455 §4.2.1</a>
     */
    static void requireGet(String method) {
        if (!method.equals("GET")) {
            throw new HandshakeException(405, "a WebSocket handshake is a GET request, not " + method, HttpHeaders.of("Allow", "GET"));
        }
    }

    /**
     * "including a "Request-URI" [RFC2616] that should be interpreted as a /resource name/ [...]
     * (or an absolute HTTP/HTTPS URI containing the /resource name/)". And of the resource name:
     * "Fragment identifiers are meaningless in the context of WebSocket URIs and MUST NOT be used
     * on these URIs" (§3). Its escapes must be well-formed and must not stand for control
     * characters ({@link RequestTarget}).
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.2.1">RFC 6455 §4.2.1</a>
     */
    private static void requireResourceName(String target) {
        String lower = HttpChars.toAsciiLowerCase(target);
        if (!target.startsWith("/") && !lower.startsWith("http://") && !lower.startsWith("https://")) {
            throw new HandshakeException(400, "the request-target must be a path such as /chat, or an http or https URI");
        }
        if (target.indexOf('#') >= 0) {
            throw new HandshakeException(400, "the request-target must not have a fragment (#)");
        }
        RequestTarget.check(target);
    }

    /**
     * "A |Host| header field containing the server's authority." And: "A server MUST respond with
     * a 400 (Bad Request) status code to any HTTP/1.1 request message that lacks a Host header
     * field and to any request message that contains more than one Host header field line"
     * (RFC 9112 §3.2).
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.2.1">RFC 6455 §4.2.1</a>
     */
    private static void requireOneHost(HttpHeaders headers) {
        List<String> hosts = headers.all(HOST);
        if (hosts.size() != 1 || hosts.get(0).isEmpty()) {
            throw new HandshakeException(400, "the request needs exactly one non-empty Host header");
        }
    }

    /**
     * "An |Upgrade| header field containing the value "websocket", treated as an ASCII
     * case-insensitive value."
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.2.1">RFC 6455 §4.2.1</a>
     */
    private static void requireUpgradeWebSocket(HttpHeaders headers) {
        if (!headers.containsToken(UPGRADE, "websocket")) {
            throw new HandshakeException(400, "the Upgrade header must contain \"websocket\"");
        }
    }

    /**
     * "A |Connection| header field that includes the token "Upgrade", treated as an ASCII
     * case-insensitive value."
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.2.1">RFC 6455 §4.2.1</a>
     */
    private static void requireConnectionUpgrade(HttpHeaders headers) {
        if (!headers.containsToken(CONNECTION, "Upgrade")) {
            throw new HandshakeException(400, "the Connection header must contain \"Upgrade\"");
        }
    }

    /**
     * Once the server answers 101, the bytes after the request head are WebSocket frames, so the
     * request must not announce a body: a body would be read as frames. (A GET body "has no
     * generally defined semantics", RFC 9110 §9.3.1.)
     */
    private static void requireNoBody(HttpHeaders headers) {
        if (headers.contains(TRANSFER_ENCODING) || headers.all(CONTENT_LENGTH).stream().anyMatch(v -> !v.equals("0"))) {
            throw new HandshakeException(400, "a WebSocket handshake request must not have a body");
        }
    }

    /**
     * "A |Sec-WebSocket-Version| header field, with a value of 13." And from §4.2.2: "If this
     * version does not match a version understood by the server, the server MUST abort the
     * WebSocket handshake described in this section and instead send an appropriate HTTP error
     * code (such as 426 Upgrade Required) and a |Sec-WebSocket-Version| header field indicating
     * the version(s) the server is capable of understanding."
     *
     * <p>A missing version gets the same 426, which tells the client what to send. A repeated
     * one is a 400: "the |Sec-WebSocket-Version| header field MUST NOT appear more than once in an
     * HTTP request" (§11.3.5).
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.2.1">RFC 6455 §4.2.1</a>
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.2.2">RFC 6455 §4.2.2</a>
     */
    private static void requireVersion13(HttpHeaders headers) {
        List<String> versions = headers.all(SEC_WEBSOCKET_VERSION);
        if (versions.size() > 1) {
            throw new HandshakeException(400, "Sec-WebSocket-Version must not appear more than once");
        }
        if (versions.isEmpty() || !versions.get(0).equals(VERSION)) {
            throw new HandshakeException(
                    426,
                    "this server speaks WebSocket version " + VERSION + "; send Sec-WebSocket-Version: " + VERSION,
                    HttpHeaders.of(SEC_WEBSOCKET_VERSION, VERSION));
        }
    }

    /**
     * "A |Sec-WebSocket-Key| header field with a base64-encoded [...] value that, when decoded, is
     * 16 bytes in length." And: "The |Sec-WebSocket-Key| header field MUST NOT appear more than
     * once in an HTTP request" (§11.3.1). The base64 must be padded ({@code base64-value-non-empty},
     * §4.3), so the value is exactly 24 characters.
     *
     * @return the key, as sent
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.2.1">RFC 6455 §4.2.1</a>
     */
    private static String requireKey(HttpHeaders headers) {
        List<String> keys = headers.all(SEC_WEBSOCKET_KEY);
        if (keys.size() != 1) {
            throw new HandshakeException(400, keys.isEmpty()
                    ? "the request needs a Sec-WebSocket-Key header"
                    : "Sec-WebSocket-Key must not appear more than once");
        }
        String key = keys.get(0);
        if (key.length() != 24 || decodedLength(key) != 16) {
            throw new HandshakeException(400, "Sec-WebSocket-Key must be 16 bytes in base64 (24 characters)");
        }
        return key;
    }

    private static int decodedLength(String base64) {
        try {
            return Base64.getDecoder().decode(base64).length;
        } catch (IllegalArgumentException notBase64) {
            return -1;
        }
    }

    /**
     * "Optionally, an |Origin| header field." Sent by browsers, at most once ("The user agent MUST
     * NOT include more than one Origin header field in any HTTP request", RFC 6454 §7.3).
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.2.1">RFC 6455 §4.2.1</a>
     */
    private static Optional<String> origin(HttpHeaders headers) {
        List<String> origins = headers.all(ORIGIN);
        if (origins.size() > 1) {
            throw new HandshakeException(400, "Origin must not appear more than once");
        }
        return origins.stream().findFirst().map(HttpChars::toAsciiLowerCase);
    }
}
