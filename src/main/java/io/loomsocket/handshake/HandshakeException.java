package io.loomsocket.handshake;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The opening handshake failed.
 *
 * <p><b>Server side</b> (a bad request): {@link #status()} is the HTTP status to answer with (400,
 * 404, 405, 414, 426, 431, 505...), {@link #responseHeaders()} the fields that answer must carry
 * (426 carries {@code Sec-WebSocket-Version: 13}, 405 carries {@code Allow: GET}), and {@link
 * #toHttpResponse()} the whole answer. "If the server, while reading the handshake, finds that the
 * client did not send a handshake that matches the description below [...] the server MUST stop
 * processing the client's handshake and return an HTTP response with an appropriate error code
 * (such as 400 Bad Request)."
 *
 * <p><b>Client side</b> (a bad response, after which the client must <i>Fail the WebSocket
 * Connection</i>): {@link #status()} is the status the server sent when it answered something
 * other than 101, and 0 when the response was malformed or was a 101 that failed validation.
 * {@link #toHttpResponse()} does not apply.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.2.1">RFC 6455 §4.2.1</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.1">RFC 6455 §4.1</a>
 */
public final class HandshakeException extends RuntimeException {

    private final int status;
    private final HttpHeaders responseHeaders;

    /** A failure with no extra response header fields. */
    public HandshakeException(int status, String message) {
        this(status, message, HttpHeaders.empty());
    }

    /**
     * @param status the HTTP status to answer with (server side), or the server's status or 0
     *     (client side)
     * @param message a human-readable reason; it becomes the body of {@link #toHttpResponse()}
     * @param responseHeaders fields the error response must carry
     */
    public HandshakeException(int status, String message, HttpHeaders responseHeaders) {
        super(Objects.requireNonNull(message, "message"));
        if (status != 0 && (status < 100 || status > 599)) {
            throw new IllegalArgumentException("not an HTTP status: " + status);
        }
        this.status = status;
        this.responseHeaders = Objects.requireNonNull(responseHeaders, "responseHeaders");
    }

    /** The HTTP status: what to answer (server side), or what the server sent or 0 (client side). */
    public int status() {
        return status;
    }

    /** Header fields the error response must carry, beyond the ones {@link #toHttpResponse()} adds. */
    public HttpHeaders responseHeaders() {
        return responseHeaders;
    }

    /**
     * A complete HTTP/1.1 error response: status line, {@code Content-Type: text/plain;
     * charset=utf-8}, {@code Content-Length}, {@code Connection: close}, the {@link
     * #responseHeaders()}, and the message plus a newline as the body. The caller writes it and
     * closes the connection.
     *
     * @throws IllegalStateException unless {@link #status()} is a 4xx or 5xx status
     */
    public byte[] toHttpResponse() {
        if (status < 400) {
            throw new IllegalStateException("no error response for status " + status + ": " + getMessage());
        }
        byte[] body = (getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] head = new HeadWriter("HTTP/1.1 " + status + " " + reasonPhrase(status))
                .field("Content-Type", "text/plain; charset=utf-8")
                .field("Content-Length", Integer.toString(body.length))
                .field("Connection", "close")
                .fields(responseHeaders)
                .toBytes();
        byte[] response = new byte[head.length + body.length];
        System.arraycopy(head, 0, response, 0, head.length);
        System.arraycopy(body, 0, response, head.length, body.length);
        return response;
    }

    /**
     * The reason phrase for the statuses a handshake (or a request hook's answer) uses; empty
     * for others, which the status-line grammar allows ({@code status-line = HTTP-version SP
     * status-code SP [ reason-phrase ]}, RFC 9112 §4).
     */
    public static String reasonPhrase(int status) {
        return switch (status) {
            case 101 -> "Switching Protocols";
            case 200 -> "OK";
            case 204 -> "No Content";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 414 -> "URI Too Long";
            case 426 -> "Upgrade Required";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "";
        };
    }
}
