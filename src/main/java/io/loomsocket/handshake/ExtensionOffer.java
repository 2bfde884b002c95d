package io.loomsocket.handshake;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One extension named in {@code Sec-WebSocket-Extensions}, with its parameters in order: what a
 * client offers, or what a server accepts.
 *
 * <pre>
 *   extension = extension-token *( ";" extension-param )
 * </pre>
 *
 * Parameters are kept as a list, duplicates included: "the parameters supplied with any given
 * extension MUST be defined for that extension", and what is valid (a repeated parameter, say) is
 * for each extension to decide.
 *
 * @param name a token, such as {@code permessage-deflate}
 * @param params the parameters in order
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-9.1">RFC 6455 §9.1</a>
 */
public record ExtensionOffer(String name, List<ExtensionParam> params) {

    /** @throws IllegalArgumentException if the name is not a token */
    public ExtensionOffer {
        Objects.requireNonNull(name, "name");
        params = List.copyOf(params);
        if (!HttpChars.isToken(name)) {
            throw new IllegalArgumentException("extension name is not a token: \"" + name + "\"");
        }
    }

    public static ExtensionOffer of(String name, ExtensionParam... params) {
        return new ExtensionOffer(name, List.of(params));
    }

    /**
     * Every extension in the values of all {@code Sec-WebSocket-Extensions} fields, in order;
     * repeated fields are "logically the same as a single [...] header field that contains all
     * values" (RFC 6455 §11.3.2).
     *
     * <p>"If a value is received by either the client or the server during negotiation that does
     * not conform to the ABNF below, the recipient of such malformed data MUST immediately _Fail
     * the WebSocket Connection_."
     *
     * @throws HandshakeException with status 400 if a value does not follow the grammar
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-9.1">RFC 6455 §9.1</a>
     */
    public static List<ExtensionOffer> parseAll(List<String> headerValues) {
        return ExtensionListParser.parse(headerValues);
    }

    /** {@code name; param; param=value}, as written in the header. */
    public String toHeaderValue() {
        StringBuilder sb = new StringBuilder(name);
        for (ExtensionParam p : params) {
            sb.append("; ").append(p.toHeaderValue());
        }
        return sb.toString();
    }

    /** The extensions as one header value, comma-separated in order. */
    public static String toHeaderValue(List<ExtensionOffer> extensions) {
        return extensions.stream().map(ExtensionOffer::toHeaderValue).collect(Collectors.joining(", "));
    }
}
