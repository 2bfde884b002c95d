package io.loomsocket.handshake;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A request's request line and header fields: {@code GET /chat?room=1 HTTP/1.1}.
 *
 * @param method such as {@code GET}
 * @param target the request-target as sent: origin-form {@code /chat?room=1}, or absolute-form
 *     {@code http://example.com/chat?room=1}
 * @param version such as {@code HTTP/1.1}
 * @param headers the header fields in order
 * @see <a href="https://www.rfc-editor.org/rfc/rfc9112#section-3">RFC 9112 §3</a>
 */
public record HttpRequestHead(String method, String target, String version, HttpHeaders headers) implements HttpHead {

    public HttpRequestHead {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(headers, "headers");
    }

    /**
     * The path of the target, still percent-encoded: {@code /chat} for {@code /chat?room=1}. For
     * an absolute-form target the scheme and authority are dropped, and an empty path is {@code /}
     * (RFC 6455 §3: the resource name is "/" if the path component is empty).
     */
    public String path() {
        int q = queryStart();
        String beforeQuery = q < 0 ? target : target.substring(0, q);
        int scheme = beforeQuery.startsWith("/") ? -1 : beforeQuery.indexOf("://");
        if (scheme < 0) {
            return beforeQuery;
        }
        int pathStart = beforeQuery.indexOf('/', scheme + 3);
        return pathStart < 0 ? "/" : beforeQuery.substring(pathStart);
    }

    /** The query of the target, still percent-encoded and without the {@code ?}, if it has one. */
    public Optional<String> query() {
        int q = queryStart();
        return q < 0 ? Optional.empty() : Optional.of(target.substring(q + 1));
    }

    /**
     * The query as {@code application/x-www-form-urlencoded} parameters, in order of first
     * appearance: {@code a=1&b=x%20y&a=2&flag} gives {@code a=[1, 2], b=[x y], flag=[""]}. Names
     * and values are percent-decoded as UTF-8 and {@code +} reads as a space; a malformed escape is
     * kept literally and invalid UTF-8 becomes U+FFFD.
     */
    public Map<String, List<String>> queryParameters() {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        for (String pair : query().orElse("").split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = PercentDecoder.decodeFormComponent(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : PercentDecoder.decodeFormComponent(pair.substring(eq + 1));
            parameters.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        parameters.replaceAll((name, values) -> List.copyOf(values));
        return Collections.unmodifiableMap(parameters);
    }

    private int queryStart() {
        return target.indexOf('?');
    }
}
