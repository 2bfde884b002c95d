package io.loomsocket.handshake;

import java.nio.charset.StandardCharsets;

/**
 * Writes an HTTP/1.1 message head: a start line, header fields, and the empty line that ends the
 * head, each terminated by CRLF.
 *
 * <p>Callers pass header fields that were already validated ({@link HttpHeaders.Field} checks
 * names and values), so the result is ISO-8859-1 without loss.
 */
final class HeadWriter {

    private final StringBuilder head = new StringBuilder(256);

    HeadWriter(String startLine) {
        head.append(startLine).append("\r\n");
    }

    HeadWriter field(String name, String value) {
        head.append(name).append(": ").append(value).append("\r\n");
        return this;
    }

    HeadWriter fields(HttpHeaders headers) {
        for (HttpHeaders.Field f : headers) {
            field(f.name(), f.value());
        }
        return this;
    }

    /** The whole head, ending with the empty line. */
    byte[] toBytes() {
        return (head + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }
}
