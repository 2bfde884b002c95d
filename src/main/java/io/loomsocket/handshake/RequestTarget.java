package io.loomsocket.handshake;

/**
 * The rules a request-target must follow before anything routes on it, looks at its path or reads
 * its query: every percent sign starts a well-formed escape, and no escape stands for a control
 * character.
 *
 * <p>"A percent-encoded octet is encoded as a character triplet, consisting of the percent
 * character "%" followed by the two hexadecimal digits representing that octet's numeric value"
 * ({@code pct-encoded = "%" HEXDIG HEXDIG}, RFC 3986 §2.1). A {@code %} not followed by two hex
 * digits ({@code /%zz}, {@code /100%}, {@code /%4}) is not a URI, and servers differ in what they
 * make of it, so it is refused rather than guessed at. An escape of a control character
 * ({@code %00}–{@code %1F}, {@code %7F}) is well-formed but hides a byte that RFC 9112 keeps out of
 * the request line for good reasons: NUL ends strings in C code and file names, CR/LF split log
 * lines and headers. No handler, route parameter or request hook ever sees one.
 *
 * <p>The raw target is already visible ASCII (checked by {@link HttpHeadParser}), so a control
 * character can only arrive escaped.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc3986#section-2.1">RFC 3986 §2.1</a>
 * @see <a href="https://www.rfc-editor.org/rfc/rfc9112#section-3.2">RFC 9112 §3.2</a>
 */
public final class RequestTarget {

    private RequestTarget() {}

    /**
     * Checks {@code target} (as sent on the request line, path and query).
     *
     * @throws HandshakeException with status 400 and a reason naming the escape and its position
     */
    public static void check(String target) {
        for (int i = target.indexOf('%'); i >= 0; i = target.indexOf('%', i + 1)) {
            if (i + 2 >= target.length() || HttpChars.hexValue(target.charAt(i + 1)) < 0 || HttpChars.hexValue(target.charAt(i + 2)) < 0) {
                String escape = target.substring(i, Math.min(target.length(), i + 3));
                throw new HandshakeException(400, "malformed percent escape \"" + escape + "\" at offset " + i
                        + " of the request-target: % must be followed by two hex digits (RFC 3986 §2.1)");
            }
            int octet = HttpChars.hexValue(target.charAt(i + 1)) << 4 | HttpChars.hexValue(target.charAt(i + 2));
            if (octet < 0x20 || octet == 0x7F) {
                throw new HandshakeException(400, "the request-target escapes a control character ("
                        + target.substring(i, i + 3) + " at offset " + i + "); it is not allowed");
            }
        }
    }
}
