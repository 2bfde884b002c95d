package io.loomsocket.handshake;

import java.util.List;

/** The names of the header fields the opening handshake owns, and the guard for extra fields. */
final class HandshakeHeaders {

    static final String HOST = "Host";
    static final String UPGRADE = "Upgrade";
    static final String CONNECTION = "Connection";
    static final String ORIGIN = "Origin";
    static final String CONTENT_LENGTH = "Content-Length";
    static final String TRANSFER_ENCODING = "Transfer-Encoding";
    static final String SEC_WEBSOCKET_KEY = "Sec-WebSocket-Key";
    static final String SEC_WEBSOCKET_VERSION = "Sec-WebSocket-Version";
    static final String SEC_WEBSOCKET_ACCEPT = "Sec-WebSocket-Accept";
    static final String SEC_WEBSOCKET_PROTOCOL = "Sec-WebSocket-Protocol";
    static final String SEC_WEBSOCKET_EXTENSIONS = "Sec-WebSocket-Extensions";

    /** The handshake writes these itself (or, for a body's framing, must not write them at all). */
    private static final List<String> RESERVED = List.of(HOST, UPGRADE, CONNECTION, CONTENT_LENGTH, TRANSFER_ENCODING);
    private static final String SEC_WEBSOCKET_PREFIX = "sec-websocket-";

    private HandshakeHeaders() {}

    /**
     * Rejects extra header fields that would override or contradict the handshake's own: {@code
     * Host}, {@code Upgrade}, {@code Connection}, every {@code Sec-WebSocket-*}, and {@code
     * Content-Length} and {@code Transfer-Encoding}, as no body may sit between the head and the
     * first frame (and "a server MUST NOT send a Content-Length header field in any response with a
     * status code of 1xx", RFC 9110 §8.6).
     *
     * @throws IllegalArgumentException naming the first such field
     */
    static void requireNoneReserved(HttpHeaders extraHeaders) {
        for (HttpHeaders.Field f : extraHeaders) {
            boolean reserved = RESERVED.stream().anyMatch(r -> HttpChars.equalsIgnoreAsciiCase(r, f.name()))
                    || HttpChars.toAsciiLowerCase(f.name()).startsWith(SEC_WEBSOCKET_PREFIX);
            if (reserved) {
                throw new IllegalArgumentException("extra header " + f.name() + " is set by the handshake itself");
            }
        }
    }
}
