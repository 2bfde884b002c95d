package io.loomsocket.handshake;

import java.util.ArrayList;
import java.util.List;

/**
 * The character classes of HTTP/1.1 that the handshake needs: tokens, field values and optional
 * whitespace, plus the ASCII case-insensitive comparison that RFC 6455 uses for keywords.
 *
 * <p>Strings here are always the ISO-8859-1 decoding of the bytes on the wire, so one {@code char}
 * is one byte.
 */
final class HttpChars {

    private HttpChars() {}

    /**
     * {@code tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" /
     * "|" / "~" / DIGIT / ALPHA}
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2">RFC 9110 §5.6.2</a>
     */
    static boolean isTchar(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    /** {@code token = 1*tchar}: non-empty, and every character a {@link #isTchar tchar}. */
    static boolean isToken(CharSequence s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isTchar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** {@code OWS = *( SP / HTAB )}. */
    static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }

    /**
     * A character allowed inside a field value: {@code VCHAR / obs-text / SP / HTAB}. Everything
     * else is a control character (0x00-0x1F except HTAB, and DEL) or lies outside ISO-8859-1.
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc9110#section-5.5">RFC 9110 §5.5</a>
     */
    static boolean isFieldValueChar(char c) {
        return c == '\t' || (c >= 0x20 && c != 0x7F && c <= 0xFF);
    }

    /** Every character of {@code s} is a {@link #isFieldValueChar field-value character}. */
    static boolean isFieldValue(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            if (!isFieldValueChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Visible US-ASCII, {@code VCHAR = %x21-7E}: what a request target or Host is made of. */
    static boolean isVisibleAscii(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }

    /** {@code s} without leading and trailing {@link #isOws optional whitespace}. */
    static String trimOws(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isOws(s.charAt(start))) {
            start++;
        }
        while (end > start && isOws(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    /**
     * The elements of one comma-separated list value ({@code #rule}), without surrounding
     * whitespace, skipping empty ones: "a recipient MUST parse and ignore a reasonable number of
     * empty list elements".
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc9110#section-5.6.1">RFC 9110 §5.6.1</a>
     */
    static List<String> listElements(String value) {
        List<String> elements = new ArrayList<>();
        for (String element : value.split(",", -1)) {
            String trimmed = trimOws(element);
            if (!trimmed.isEmpty()) {
                elements.add(trimmed);
            }
        }
        return elements;
    }

    /**
     * "Comparing two strings in an _ASCII case-insensitive_ manner means comparing them exactly,
     * code point for code point, except that the characters in the range U+0041 to U+005A [...]
     * and the corresponding characters in the range U+0061 to U+007A [...] are considered to also
     * match."
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-2.1">RFC 6455 §2.1</a>
     */
    static boolean equalsIgnoreAsciiCase(String a, String b) {
        if (a.length() != b.length()) {
            return false;
        }
        for (int i = 0; i < a.length(); i++) {
            if (toAsciiLower(a.charAt(i)) != toAsciiLower(b.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** {@code s} with A-Z mapped to a-z and every other character unchanged. */
    /** The value of a hex digit ({@code HEXDIG}, either case), or -1 if {@code c} is not one. */
    static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    static String toAsciiLowerCase(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            sb.append(toAsciiLower(s.charAt(i)));
        }
        return sb.toString();
    }

    private static char toAsciiLower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }
}
