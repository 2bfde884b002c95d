package io.loomsocket.handshake;

import java.util.Objects;
import java.util.Optional;

/**
 * One parameter of an extension in {@code Sec-WebSocket-Extensions}: {@code
 * server_no_context_takeover} (no value) or {@code server_max_window_bits=10}.
 *
 * <p>{@code extension-param = token [ "=" (token | quoted-string) ]}; "When using the
 * quoted-string syntax variant, the value after quoted-string unescaping MUST conform to the
 * 'token' ABNF." So a value is always a token here, and is written without quotes.
 *
 * @param name a token
 * @param value a token, after unescaping if it was received as a quoted-string
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-9.1">RFC 6455 §9.1</a>
 */
public record ExtensionParam(String name, Optional<String> value) {

    /** @throws IllegalArgumentException if the name or the value is not a token */
    public ExtensionParam {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (!HttpChars.isToken(name)) {
            throw new IllegalArgumentException("extension parameter name is not a token: \"" + name + "\"");
        }
        if (value.isPresent() && !HttpChars.isToken(value.get())) {
            throw new IllegalArgumentException("extension parameter value is not a token: \"" + value.get() + "\"");
        }
    }

    /** A parameter without a value. */
    public static ExtensionParam of(String name) {
        return new ExtensionParam(name, Optional.empty());
    }

    public static ExtensionParam of(String name, String value) {
        return new ExtensionParam(name, Optional.of(value));
    }

    /** {@code name} or {@code name=value}, as written in the header. */
    public String toHeaderValue() {
        return value.map(v -> name + "=" + v).orElse(name);
    }
}
