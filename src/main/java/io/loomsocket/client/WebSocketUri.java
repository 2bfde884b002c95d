package io.loomsocket.client;

import java.net.URI;

/**
 * A {@code ws://} or {@code wss://} URI taken apart for connecting (RFC 6455 §3): whether it is
 * secure, the host and port to connect to (80 or 443 by default), the {@code Host} header, and
 * the request target.
 */
record WebSocketUri(boolean secure, String host, int port, String hostHeader, String path, String resource) {

    /**
     * @throws IllegalArgumentException for a URI that is not {@code ws[s]://host[:port][/path][?query]}
     */
    static WebSocketUri parse(URI uri) {
        boolean secure = "wss".equalsIgnoreCase(uri.getScheme());
        if (!secure && !"ws".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("only ws:// and wss:// URIs are supported: " + uri);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("no host in " + uri);
        }
        if (uri.getFragment() != null) {
            // RFC 6455 §3: "Fragment identifiers are meaningless in the context of WebSocket URIs".
            throw new IllegalArgumentException("a WebSocket URI has no fragment: " + uri);
        }
        // RFC 6455 §3: "If /port/ is absent, use 80 if /secure/ is false, or 443 if it is true."
        int port = uri.getPort() == -1 ? (secure ? 443 : 80) : uri.getPort();
        String hostHeader = (uri.getHost().contains(":") && !uri.getHost().startsWith("[") ? "[" + uri.getHost() + "]" : uri.getHost())
                + (uri.getPort() == -1 ? "" : ":" + port);
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String resource = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        return new WebSocketUri(secure, uri.getHost(), port, hostHeader, path, resource);
    }
}
