package io.loomsocket.handshake;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Decodes one component of an {@code application/x-www-form-urlencoded} query: {@code %XX} is the
 * byte XX, {@code +} is a space, and the bytes are read as UTF-8. Written here because {@code
 * java.net.URLDecoder} is outside what this package may use, and because it throws where we want to
 * be lenient: a malformed escape is kept as it is, and invalid UTF-8 becomes U+FFFD.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc3986#section-2.1">RFC 3986 §2.1</a>
 */
final class PercentDecoder {

    private PercentDecoder() {}

    static String decodeFormComponent(String s) {
        // Each char gives at most three bytes: one per escape character, or its UTF-8 encoding.
        ByteBuffer bytes = ByteBuffer.allocate(3 * s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && HttpChars.hexValue(s.charAt(i + 1)) >= 0 && HttpChars.hexValue(s.charAt(i + 2)) >= 0) {
                bytes.put((byte) (HttpChars.hexValue(s.charAt(i + 1)) << 4 | HttpChars.hexValue(s.charAt(i + 2))));
                i += 3;
            } else if (c == '+') {
                bytes.put((byte) ' ');
                i++;
            } else {
                int end = i + 1;
                while (end < s.length() && s.charAt(end) != '%' && s.charAt(end) != '+') {
                    end++;
                }
                bytes.put(s.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end;
            }
        }
        return new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8);
    }
}
