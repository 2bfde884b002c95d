package io.loomsocket.server;

import io.loomsocket.handshake.HttpHeaders;
import io.loomsocket.handshake.HttpRequestHead;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@link RequestHook} sees before the upgrade: the request head, the remote address, the
 * route it matched (with its {@code {param}} values), if any, and the client's address as a
 * trusted proxy forwarded it ({@link WebSocketServer.Builder#trustedProxies}).
 *
 * @param head the HTTP request head as received
 * @param remoteAddress the peer's address: behind a reverse proxy, the proxy's
 * @param route the matched route's pattern, such as {@code /rooms/{room}}, if one matched
 * @param pathParameters values of the route's {@code {param}} segments
 * @param forwardedFor the client's address from {@code X-Forwarded-For}, when the peer is a
 *     trusted proxy ({@link ForwardedFor}); empty otherwise
 */
public record HandshakeRequest(HttpRequestHead head, SocketAddress remoteAddress, Optional<String> route,
                               Map<String, String> pathParameters, Optional<InetAddress> forwardedFor) {

    /** A request with no forwarded client. */
    public HandshakeRequest(HttpRequestHead head, SocketAddress remoteAddress, Optional<String> route,
                            Map<String, String> pathParameters) {
        this(head, remoteAddress, route, pathParameters, Optional.empty());
    }

    /**
     * The client's address: the {@linkplain #forwardedFor() forwarded} one behind a trusted
     * proxy, else the peer's; null if the peer's address is not an IP socket address.
     */
    public InetAddress clientAddress() {
        return forwardedFor.orElseGet(() -> remoteAddress instanceof InetSocketAddress a ? a.getAddress() : null);
    }

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
