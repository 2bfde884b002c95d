package io.loomsocket.handshake;

import java.util.Objects;

/**
 * A response's status line and header fields: {@code HTTP/1.1 101 Switching Protocols}.
 *
 * @param version such as {@code HTTP/1.1}
 * @param status the three-digit status code
 * @param reason the reason phrase, possibly empty; it carries no meaning
 * @param headers the header fields in order
 * @see <a href="https://www.rfc-editor.org/rfc/rfc9112#section-4">RFC 9112 §4</a>
 */
public record HttpResponseHead(String version, int status, String reason, HttpHeaders headers) implements HttpHead {

    public HttpResponseHead {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(headers, "headers");
    }
}
