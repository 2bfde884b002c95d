package io.loomsocket.handshake;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * The subprotocols a client offers in {@code Sec-WebSocket-Protocol}: "one or more
 * comma-separated subprotocol[s] the client wishes to speak, ordered by preference. The elements
 * that comprise this value MUST be non-empty strings with characters in the range U+0021 to U+007E
 * not including separator characters as defined in [RFC2616] and MUST all be unique strings. The
 * ABNF for the value of this header field is 1#token".
 *
 * <p>Subprotocol names are compared exactly, case included.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.1">RFC 6455 §4.1</a>
 */
public final class Subprotocols {

    private Subprotocols() {}

    /**
     * The subprotocols in the values of all {@code Sec-WebSocket-Protocol} fields, in order of
     * preference. Repeated fields are "logically the same as a single [...] header field that
     * contains all values" (RFC 6455 §11.3.4); empty list elements are skipped, but each value
     * needs at least one element.
     *
     * @throws HandshakeException with status 400 if an element is not a token, an element is
     *     repeated, or a value is empty
     */
    public static List<String> parse(List<String> headerValues) {
        List<String> subprotocols = new ArrayList<>();
        for (String value : headerValues) {
            List<String> elements = HttpChars.listElements(value);
            if (elements.isEmpty()) {
                throw new HandshakeException(400, "Sec-WebSocket-Protocol: a value with no subprotocol");
            }
            for (String element : elements) {
                if (!HttpChars.isToken(element)) {
                    throw new HandshakeException(400, "Sec-WebSocket-Protocol: an element is not a token");
                }
                subprotocols.add(element);
            }
        }
        if (new HashSet<>(subprotocols).size() != subprotocols.size()) {
            throw new HandshakeException(400, "Sec-WebSocket-Protocol: subprotocols MUST all be unique strings");
        }
        return List.copyOf(subprotocols);
    }

    /**
     * Checks subprotocols that are about to be offered: tokens, all unique.
     *
     * @return an immutable copy
     * @throws IllegalArgumentException otherwise
     */
    static List<String> requireValid(List<String> subprotocols) {
        List<String> copy = List.copyOf(subprotocols);
        for (String s : copy) {
            if (!HttpChars.isToken(s)) {
                throw new IllegalArgumentException("subprotocol is not a token: \"" + s + "\"");
            }
        }
        if (new HashSet<>(copy).size() != copy.size()) {
            throw new IllegalArgumentException("subprotocols must be unique: " + copy);
        }
        return copy;
    }
}
