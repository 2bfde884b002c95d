package io.loomsocket.server;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The metrics path ({@link WebSocketServer.Builder#metricsPath}): a plain HTTP {@code GET} of it,
 * without an upgrade, is answered 200 with the server's {@link MetricsSnapshot} in the
 * Prometheus text format; every other request goes on to the application's request hook, if
 * any, or to the upgrade. It is a {@link RequestHook} in front of the application's, so it
 * answers through the same plain-HTTP path ({@link HandshakeDecision.Respond}).
 */
final class MetricsEndpoint implements RequestHook {

    private final String path;
    private final RequestHook next; // the application's hook; may be null
    private final Supplier<String> metrics; // the Prometheus text

    MetricsEndpoint(String path, RequestHook next, Supplier<String> metrics) {
        this.path = path;
        this.next = next;
        this.metrics = metrics;
    }

    @Override
    public HandshakeDecision check(HandshakeRequest request) throws Exception {
        if (request.head().method().equals("GET") && !request.isUpgrade() && request.path().equals(path)) {
            byte[] body = metrics.get().getBytes(StandardCharsets.UTF_8);
            return HandshakeDecision.respond(200, MetricsSnapshot.PROMETHEUS_CONTENT_TYPE, body);
        }
        return next == null ? HandshakeDecision.accept() : next.check(request);
    }

    /** A path to serve the metrics at: starts with {@code /}, no query, no spaces or control characters. */
    static String checkPath(String path) {
        if (path == null || !path.startsWith("/") || path.indexOf('?') >= 0 || path.indexOf('#') >= 0
                || path.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw new IllegalArgumentException("metricsPath must be a path such as /metrics: " + path);
        }
        return path;
    }
}
