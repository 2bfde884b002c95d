package io.loomsocket.server;

import io.loomsocket.handshake.HttpHeaders;
import io.loomsocket.handshake.HttpRequestHead;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@link RequestHook} sees before the upgrade: the request head, the remote address and
 * the route it matched (with its {@code {param}} values), if any.
 *
 * @param head the HTTP request head as received
 * @param remoteAddress the peer's address
 * @param route the matched route's pattern, such as {@code /rooms/{room}}, if one matched
 * @param pathParameters values of the route's {@code {param}} segments
 */
public record HandshakeRequest(HttpRequestHead head, SocketAddress remoteAddress, Optional<String> route,
                               Map<String, String> pathParameters) {

    public String path() {
        return head.path();
    }

    public HttpHeaders headers() {
        return head.headers();
    }

    /** Query parameters, percent-decoded. */
    public Map<String, List<String>> queryParameters() {
        return head.queryParameters();
    }

    /** The first value of query parameter {@code name}. */
    public Optional<String> queryParameter(String name) {
        List<String> values = head.queryParameters().get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** Whether this asks for a WebSocket upgrade at all (rather than being a plain HTTP GET). */
    public boolean isUpgrade() {
        return head.headers().containsToken("Upgrade", "websocket");
    }
}
