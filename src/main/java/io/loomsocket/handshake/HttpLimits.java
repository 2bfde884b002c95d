package io.loomsocket.handshake;

/**
 * Bounds on an HTTP head, so that {@link HttpHeadParser} never buffers without limit. Line lengths
 * count the bytes before the CRLF; the head size counts every byte up to and including the final
 * CRLF CRLF.
 *
 * <p>"A server that receives a request-target longer than any URI it wishes to parse MUST respond
 * with a 414 (URI Too Long) status code" (RFC 9112 §3), and a server may answer 431 (Request Header
 * Fields Too Large) when the header fields are too large (RFC 6585 §5).
 *
 * @param maxStartLineBytes the request line (414 when exceeded) or status line
 * @param maxHeaderLineBytes one header field line (431)
 * @param maxHeadBytes the whole head (431)
 * @param maxHeaderCount the number of header field lines (431)
 * @see <a href="https://www.rfc-editor.org/rfc/rfc9112#section-3">RFC 9112 §3</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6585#section-5">RFC 6585 §5</a>
 */
public record HttpLimits(int maxStartLineBytes, int maxHeaderLineBytes, int maxHeadBytes, int maxHeaderCount) {

    /** 8 KiB per line, 16 KiB per head, 100 header fields. */
    public static final HttpLimits DEFAULT = new HttpLimits(8192, 8192, 16384, 100);

    public HttpLimits {
        if (maxStartLineBytes < 1 || maxHeaderLineBytes < 1 || maxHeadBytes < 1 || maxHeaderCount < 0) {
            throw new IllegalArgumentException("HTTP limits must be positive");
        }
    }
}
