package io.loomsocket.server;

import io.loomsocket.handshake.HandshakeException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Writes the plain HTTP/1.1 responses that request hooks ask for. */
final class HttpResponses {

    private HttpResponses() {}

    static byte[] of(HandshakeDecision.Respond r) {
        StringBuilder head = new StringBuilder()
                .append("HTTP/1.1 ").append(r.status()).append(' ').append(HandshakeException.reasonPhrase(r.status())).append("\r\n")
                .append("Content-Type: ").append(r.contentType()).append("\r\n")
                .append("Content-Length: ").append(r.body().length).append("\r\n")
                .append("Connection: close\r\n");
        for (Map.Entry<String, String> h : r.headers().entrySet()) {
            if (h.getKey().indexOf('\r') >= 0 || h.getKey().indexOf('\n') >= 0
                    || h.getValue().indexOf('\r') >= 0 || h.getValue().indexOf('\n') >= 0) {
                throw new IllegalArgumentException("CR or LF in a response header");
            }
            head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        head.append("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(r.body());
        return out.toByteArray();
    }
}
