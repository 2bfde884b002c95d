package io.loomsocket.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Handshake heads used across the tests, and helpers to build and parse them. */
final class Samples {

    private Samples() {}

    /** The client's handshake of RFC 6455 §1.3. */
    static final String RFC_REQUEST = head(
            "GET /chat HTTP/1.1",
            "Host: server.example.com",
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            "Origin: http://example.com",
            "Sec-WebSocket-Protocol: chat, superchat",
            "Sec-WebSocket-Version: 13");

    /** The server's handshake of RFC 6455 §1.3. */
    static final String RFC_RESPONSE = head(
            "HTTP/1.1 101 Switching Protocols",
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");

    /** A busier request: odd casing, OWS, tabs, a token list, extensions, a high byte. */
    static final String BUSY_REQUEST = head(
            "GET /chat?room=42&nick=J%C3%BCrgen HTTP/1.1",
            "host:\texample.com:8080 ",
            "UPGRADE: WebSocket",
            "connection: keep-alive, Upgrade",
            "sec-websocket-key:   dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, permessage-deflate",
            "Cookie: name=caf\u00e9",
            "X-Empty:");

    /** The lines joined with CRLF, plus the empty line that ends a head. */
    static String head(String... lines) {
        return String.join("\r\n", lines) + "\r\n\r\n";
    }

    /** {@link #RFC_REQUEST} without any field called {@code name}, and with {@code extraLines} added. */
    static String rfcRequestWithout(String name, String... extraLines) {
        List<String> lines = new ArrayList<>(Arrays.asList(RFC_REQUEST.split("\r\n")));
        lines.removeIf(l -> l.toLowerCase().startsWith(name.toLowerCase() + ":"));
        lines.addAll(Arrays.asList(extraLines));
        return head(lines.toArray(String[]::new));
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static HttpRequestHead parseRequest(String head) {
        HttpHeadParser parser = HttpHeadParser.forRequest();
        byte[] b = bytes(head);
        assertThat(parser.feed(b, 0, b.length)).isEqualTo(b.length);
        return parser.request();
    }

    static HttpResponseHead parseResponse(String head) {
        HttpHeadParser parser = HttpHeadParser.forResponse();
        byte[] b = bytes(head);
        assertThat(parser.feed(b, 0, b.length)).isEqualTo(b.length);
        return parser.response();
    }
}
