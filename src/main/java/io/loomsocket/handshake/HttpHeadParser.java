package io.loomsocket.handshake;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An incremental parser for one HTTP/1.1 message head: a request head on the server side, a
 * response head on the client side.
 *
 * <p>Feed it bytes as they arrive. {@code feed} consumes bytes up to and including the CRLF CRLF
 * that ends the head and <em>not one byte more</em>, and returns how many it consumed: whatever
 * follows the head already belongs to the WebSocket frame stream. Once {@link #isComplete()},
 * {@link #request()} or {@link #response()} gives the head.
 *
 * <pre>
 *   HTTP-message = start-line CRLF *( field-line CRLF ) CRLF     (RFC 9112 §2.1)
 *   request-line = method SP request-target SP HTTP-version      (RFC 9112 §3)
 *   status-line  = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4)
 *   field-line   = field-name ":" OWS field-value OWS             (RFC 9112 §5)
 * </pre>
 *
 * <p>The parser is strict: lines end with CRLF, never a bare LF or CR; obsolete line folding,
 * whitespace before the colon, and control characters are rejected. Bytes are read as ISO-8859-1,
 * so a high byte in a value is kept, never an error. It buffers at most one line, bounded by
 * {@link HttpLimits}.
 *
 * <p>Errors are {@link HandshakeException}s. In request mode their status is the one to answer
 * with: 400 for malformed input, 414 for a long request line, 431 for too many or too large header
 * fields, 505 for a version other than HTTP/1.1 and 405 for a method other than GET. In response
 * mode their status is 0. After an error the parser is unusable.
 */
public final class HttpHeadParser {

    private enum Kind { REQUEST, RESPONSE }

    private enum State { START_LINE, FIELD_LINES, COMPLETE, FAILED }

    private static final int INITIAL_LINE_BUFFER = 256;

    private final Kind kind;
    private final HttpLimits limits;
    private final HttpHeaders.Builder fields = HttpHeaders.builder();

    private State state = State.START_LINE;
    /** The current line without its CRLF; grows up to the line limit, and is dropped at the end. */
    private byte[] line;
    private int lineLength;
    private boolean afterCr;
    private int headBytes;
    /** The start line, parsed, with no header fields yet; then the whole head. */
    private HttpHead head;

    private HttpHeadParser(Kind kind, HttpLimits limits) {
        this.kind = kind;
        this.limits = Objects.requireNonNull(limits, "limits");
        int longestLine = Math.max(limits.maxStartLineBytes(), limits.maxHeaderLineBytes());
        this.line = new byte[Math.min(INITIAL_LINE_BUFFER, longestLine)];
    }

    /** A parser for the client's request head, as a server reads it, with default limits. */
    public static HttpHeadParser forRequest() {
        return forRequest(HttpLimits.DEFAULT);
    }

    public static HttpHeadParser forRequest(HttpLimits limits) {
        return new HttpHeadParser(Kind.REQUEST, limits);
    }

    /** A parser for the server's response head, as a client reads it, with default limits. */
    public static HttpHeadParser forResponse() {
        return forResponse(HttpLimits.DEFAULT);
    }

    public static HttpHeadParser forResponse(HttpLimits limits) {
        return new HttpHeadParser(Kind.RESPONSE, limits);
    }

    /**
     * Consumes bytes from {@code b[off, off + len)} up to the end of the head.
     *
     * @return how many bytes were consumed: all {@code len} while the head is incomplete, fewer
     *     when the head ended inside the range, 0 once the head is complete
     * @throws HandshakeException if the bytes are not a valid head or exceed a limit
     * @throws IllegalStateException if an earlier call failed
     */
    public int feed(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        requireNotFailed();
        int i = off;
        try {
            while (i < off + len && state != State.COMPLETE) {
                accept(b[i++]);
            }
        } catch (HandshakeException e) {
            state = State.FAILED;
            throw e;
        }
        return i - off;
    }

    /**
     * Consumes bytes from {@code src} up to the end of the head, advancing its position by the
     * bytes consumed: afterwards {@code src} holds only what follows the head.
     *
     * @return how many bytes were consumed
     * @throws HandshakeException if the bytes are not a valid head or exceed a limit
     * @throws IllegalStateException if an earlier call failed
     */
    public int feed(ByteBuffer src) {
        requireNotFailed();
        int start = src.position();
        try {
            while (src.hasRemaining() && state != State.COMPLETE) {
                accept(src.get());
            }
        } catch (HandshakeException e) {
            state = State.FAILED;
            throw e;
        }
        return src.position() - start;
    }

    /** Whether the empty line that ends the head has been consumed. */
    public boolean isComplete() {
        return state == State.COMPLETE;
    }

    /**
     * The request head.
     *
     * @throws IllegalStateException if the head is incomplete or this parser reads responses
     */
    public HttpRequestHead request() {
        if (state == State.COMPLETE && head instanceof HttpRequestHead request) {
            return request;
        }
        throw new IllegalStateException("no complete request head (kind " + kind + ", state " + state + ")");
    }

    /**
     * The response head.
     *
     * @throws IllegalStateException if the head is incomplete or this parser reads requests
     */
    public HttpResponseHead response() {
        if (state == State.COMPLETE && head instanceof HttpResponseHead response) {
            return response;
        }
        throw new IllegalStateException("no complete response head (kind " + kind + ", state " + state + ")");
    }

    /** The size of the line buffer, for tests: it never exceeds the longest line limit. */
    int bufferCapacity() {
        return line == null ? 0 : line.length;
    }

    /**
     * One byte of the head. "Although the line terminator for the start-line and fields is the
     * sequence CRLF, a recipient MAY recognize a single LF as a line terminator": we do not.
     * "A recipient of such a bare CR MUST consider that element to be invalid or replace each bare
     * CR with SP": we consider it invalid.
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc9112#section-2.2">RFC 9112 §2.2</a>
     */
    private void accept(byte b) {
        if (++headBytes > limits.maxHeadBytes()) {
            throw fail(431, "head larger than " + limits.maxHeadBytes() + " bytes");
        }
        if (afterCr) {
            if (b != '\n') {
                throw fail(400, "bare CR: a CR must be followed by LF");
            }
            afterCr = false;
            String text = new String(line, 0, lineLength, StandardCharsets.ISO_8859_1);
            lineLength = 0;
            endOfLine(text);
        } else if (b == '\r') {
            afterCr = true;
        } else if (b == '\n') {
            throw fail(400, "bare LF: lines must end with CRLF");
        } else {
            append(b);
        }
    }

    /**
     * Adds a byte to the current line, within the line limits. "A server that receives a
     * request-target longer than any URI it wishes to parse MUST respond with a 414 (URI Too Long)
     * status code"; the whole request line is what we bound.
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc9112#section-3">RFC 9112 §3</a>
     */
    private void append(byte b) {
        boolean startLine = state == State.START_LINE;
        int max = startLine ? limits.maxStartLineBytes() : limits.maxHeaderLineBytes();
        if (lineLength == max) {
            throw startLine
                    ? fail(414, startLineName() + " longer than " + max + " bytes")
                    : fail(431, "header line longer than " + max + " bytes");
        }
        if (lineLength == line.length) {
            line = Arrays.copyOf(line, Math.min(max, 2 * line.length));
        }
        line[lineLength++] = b;
    }

    private void endOfLine(String text) {
        switch (state) {
            case START_LINE -> {
                head = kind == Kind.REQUEST ? requestLine(text) : statusLine(text);
                state = State.FIELD_LINES;
            }
            case FIELD_LINES -> {
                if (text.isEmpty()) {
                    complete();
                } else {
                    fieldLine(text);
                }
            }
            case COMPLETE, FAILED -> throw new IllegalStateException("line after the head: " + state);
        }
    }

    /**
     * {@code request-line = method SP request-target SP HTTP-version}, single spaces. Syntax is
     * checked first (400); then the version (505) and the method (405), the two rules of RFC 6455
     * §4.2.1 that a request line alone can break.
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc9112#section-3">RFC 9112 §3</a>
     */
    private HttpRequestHead requestLine(String text) {
        int sp1 = text.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : text.indexOf(' ', sp1 + 1);
        if (sp2 < 0 || text.indexOf(' ', sp2 + 1) >= 0) {
            throw fail(400, "malformed request line: expected method SP request-target SP HTTP-version");
        }
        String method = CommonStrings.share(text.substring(0, sp1));
        String target = CommonStrings.share(text.substring(sp1 + 1, sp2));
        String version = CommonStrings.share(text.substring(sp2 + 1));
        if (!HttpChars.isToken(method)) {
            throw fail(400, "malformed request line: the method is not a token");
        }
        if (target.isEmpty() || !HttpChars.isVisibleAscii(target)) {
            throw fail(400, "malformed request line: the request-target is empty or not visible ASCII");
        }
        if (!isHttpVersion(version)) {
            throw fail(400, "malformed request line: the version is not HTTP/x.y");
        }
        ServerHandshake.requireHttp11(version);
        ServerHandshake.requireGet(method);
        return new HttpRequestHead(method, target, version, HttpHeaders.empty());
    }

    /**
     * {@code status-line = HTTP-version SP status-code SP [ reason-phrase ]}. A status line that
     * ends right after the code, without the second SP, is accepted too: the reason phrase
     * carries no meaning. "All valid status codes are within the range of 100 to 599, inclusive"
     * (RFC 9110 §15).
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc9112#section-4">RFC 9112 §4</a>
     */
    private HttpResponseHead statusLine(String text) {
        boolean wellFormed = text.length() >= 12
                && isHttpVersion(text.substring(0, 8))
                && text.charAt(8) == ' '
                && isDigit(text.charAt(9)) && isDigit(text.charAt(10)) && isDigit(text.charAt(11))
                && (text.length() == 12 || text.charAt(12) == ' ');
        if (!wellFormed) {
            throw fail(0, "malformed status line: expected HTTP-version SP status-code SP reason-phrase");
        }
        int status = Integer.parseInt(text.substring(9, 12));
        if (status < 100 || status > 599) {
            throw fail(0, "status code outside 100-599");
        }
        String reason = text.length() > 13 ? text.substring(13) : "";
        if (!HttpChars.isFieldValue(reason)) {
            throw fail(0, "control character in the reason phrase");
        }
        return new HttpResponseHead(text.substring(0, 8), status, reason, HttpHeaders.empty());
    }

    /**
     * {@code field-line = field-name ":" OWS field-value OWS}.
     *
     * <p>"A server MUST reject, with a response status code of 400 (Bad Request), any received
     * request message that contains whitespace between a header field name and colon."
     *
     * <p>"A server that receives an obs-fold in a request message [...] MUST either reject the
     * message by sending a 400 (Bad Request) [...] or replace each received obs-fold with one or
     * more SP octets": we reject it, and a whitespace-led line after the start line as well.
     *
     * <p>"Field values containing CR, LF, or NUL characters are invalid and dangerous"; we reject
     * every control character except HTAB.
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc9112#section-5.1">RFC 9112 §5.1</a>
     * @see <a href="https://www.rfc-editor.org/rfc/rfc9112#section-5.2">RFC 9112 §5.2</a>
     * @see <a href="https://www.rfc-editor.org/rfc/rfc9110#section-5.5">RFC 9110 §5.5</a>
     */
    private void fieldLine(String text) {
        if (HttpChars.isOws(text.charAt(0))) {
            throw fail(400, "obsolete line folding: a header line starts with whitespace");
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw fail(400, "malformed header line: no colon");
        }
        String name = text.substring(0, colon);
        if (!name.isEmpty() && HttpChars.isOws(name.charAt(name.length() - 1))) {
            throw fail(400, "whitespace between a header name and the colon");
        }
        if (!HttpChars.isToken(name)) {
            throw fail(400, "malformed header line: the name is not a token");
        }
        String value = HttpChars.trimOws(text.substring(colon + 1));
        if (!HttpChars.isFieldValue(value)) {
            throw fail(400, "control character in the value of header " + name);
        }
        if (fields.size() == limits.maxHeaderCount()) {
            throw fail(431, "more than " + limits.maxHeaderCount() + " header fields");
        }
        fields.add(CommonStrings.share(name), CommonStrings.share(value)); // kept for the connection's life
    }

    private void complete() {
        HttpHeaders headers = fields.build();
        head = switch (head) {
            case HttpRequestHead(String method, String target, String version, HttpHeaders none) ->
                    new HttpRequestHead(method, target, version, headers);
            case HttpResponseHead(String version, int status, String reason, HttpHeaders none) ->
                    new HttpResponseHead(version, status, reason, headers);
        };
        state = State.COMPLETE;
        line = null;
    }

    /** {@code HTTP-version = HTTP-name "/" DIGIT "." DIGIT}, with {@code HTTP-name = %s"HTTP"}. */
    private static boolean isHttpVersion(String s) {
        return s.length() == 8
                && s.startsWith("HTTP/")
                && isDigit(s.charAt(5))
                && s.charAt(6) == '.'
                && isDigit(s.charAt(7));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private String startLineName() {
        return kind == Kind.REQUEST ? "request line" : "status line";
    }

    private void requireNotFailed() {
        if (state == State.FAILED) {
            throw new IllegalStateException("the head was invalid; this parser cannot continue");
        }
    }

    /** The error to throw: in response mode the status is 0, as no HTTP answer follows. */
    private HandshakeException fail(int requestStatus, String message) {
        return kind == Kind.REQUEST
                ? new HandshakeException(requestStatus, message)
                : new HandshakeException(0, "invalid response head: " + message);
    }
}
