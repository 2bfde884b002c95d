package io.loomsocket.handshake;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A recursive-descent parser for one {@code Sec-WebSocket-Extensions} value:
 *
 * <pre>
 *   extension-list  = 1#extension
 *   extension       = extension-token *( ";" extension-param )
 *   extension-param = token [ "=" (token | quoted-string) ]
 * </pre>
 *
 * "this section is using ABNF syntax/rules from [RFC2616], including the "implied *LWS rule"":
 * optional whitespace may stand around {@code ,}, {@code ;} and {@code =}. As with every list
 * ({@code #rule}, RFC 9110 §5.6.1), empty elements are skipped, but a value needs at least one
 * extension. A comma cannot be split on blindly: it may sit inside a quoted-string.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-9.1">RFC 6455 §9.1</a>
 */
final class ExtensionListParser {

    private final String value;
    private int pos;

    private ExtensionListParser(String value) {
        this.value = value;
    }

    /** The extensions of all the values, in order; a 400 {@link HandshakeException} if malformed. */
    static List<ExtensionOffer> parse(List<String> headerValues) {
        List<ExtensionOffer> extensions = new ArrayList<>();
        for (String v : headerValues) {
            new ExtensionListParser(v).extensionList(extensions);
        }
        return List.copyOf(extensions);
    }

    private void extensionList(List<ExtensionOffer> out) {
        int before = out.size();
        while (true) {
            skipOws();
            if (atEnd()) {
                break;
            }
            if (peek() == ',') {
                pos++; // an empty list element
                continue;
            }
            out.add(extension());
            skipOws();
            if (atEnd()) {
                break;
            }
            if (peek() != ',') {
                throw malformed("expected ',' or ';'");
            }
            pos++;
        }
        if (out.size() == before) {
            throw malformed("no extension in the value");
        }
    }

    private ExtensionOffer extension() {
        String name = token("an extension name");
        List<ExtensionParam> params = new ArrayList<>();
        skipOws();
        while (!atEnd() && peek() == ';') {
            pos++;
            skipOws();
            params.add(param());
            skipOws();
        }
        return new ExtensionOffer(name, params);
    }

    private ExtensionParam param() {
        String name = token("a parameter name");
        skipOws();
        if (atEnd() || peek() != '=') {
            return ExtensionParam.of(name);
        }
        pos++;
        skipOws();
        String v = !atEnd() && peek() == '"' ? quotedString() : token("a parameter value");
        return ExtensionParam.of(name, v);
    }

    private String token(String what) {
        int start = pos;
        while (!atEnd() && HttpChars.isTchar(peek())) {
            pos++;
        }
        if (pos == start) {
            throw malformed("expected " + what);
        }
        return value.substring(start, pos);
    }

    /**
     * {@code quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE}, {@code quoted-pair = "\"
     * ( HTAB / SP / VCHAR / obs-text )} (RFC 9110 §5.6.4), unescaped; "the value after
     * quoted-string unescaping MUST conform to the 'token' ABNF."
     */
    private String quotedString() {
        pos++; // the opening DQUOTE
        StringBuilder unescaped = new StringBuilder();
        while (true) {
            if (atEnd()) {
                throw malformed("unterminated quoted-string");
            }
            char c = value.charAt(pos++);
            if (c == '"') {
                break;
            }
            if (c == '\\') {
                if (atEnd()) {
                    throw malformed("unterminated quoted-pair");
                }
                c = value.charAt(pos++);
            }
            if (!HttpChars.isFieldValueChar(c)) {
                throw malformed("control character in a quoted-string");
            }
            unescaped.append(c);
        }
        if (!HttpChars.isToken(unescaped)) {
            throw malformed("a quoted parameter value must be a token after unescaping");
        }
        return unescaped.toString();
    }

    private void skipOws() {
        while (!atEnd() && HttpChars.isOws(peek())) {
            pos++;
        }
    }

    private boolean atEnd() {
        return pos >= value.length();
    }

    private char peek() {
        return value.charAt(pos);
    }

    private HandshakeException malformed(String what) {
        return new HandshakeException(400, "malformed Sec-WebSocket-Extensions: " + what + " at offset " + pos);
    }
}
