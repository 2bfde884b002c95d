package io.loomsocket.server;

import io.loomsocket.handshake.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** What a {@link RequestHook} decides about a request, before the upgrade. */
public sealed interface HandshakeDecision {

    /**
     * Go on with the upgrade. {@code attributes} are copied into the connection's
     * {@link io.loomsocket.WebSocket#attributes()} — for example the authenticated user.
     * {@code responseHeaders} are added to the {@code 101 Switching Protocols} response (a
     * session cookie, say), like python-websockets' {@code process_response}; the headers of the
     * handshake itself ({@code Upgrade}, {@code Connection}, {@code Sec-WebSocket-*}, ...) are
     * the server's, and a hook that sets one is answered 500.
     */
    record Accept(Map<String, Object> attributes, HttpHeaders responseHeaders) implements HandshakeDecision {
        public Accept {
            attributes = Map.copyOf(attributes);
            java.util.Objects.requireNonNull(responseHeaders, "responseHeaders");
        }
    }

    /**
     * Answer with a plain HTTP response instead of upgrading: a refusal (401, 403, ...) or a page
     * of its own (a health check, a static page). The connection is closed after it.
     */
    record Respond(int status, String contentType, byte[] body, Map<String, String> headers) implements HandshakeDecision {
        public Respond {
            if (status < 200 || status > 599 || status == 101) {
                throw new IllegalArgumentException("status must be 200-599: " + status);
            }
            headers = Map.copyOf(headers);
        }
    }

    /** Go on with the upgrade. */
    static HandshakeDecision accept() {
        return new Accept(Map.of(), HttpHeaders.empty());
    }

    /** Go on with the upgrade, with these attributes on the connection. */
    static HandshakeDecision accept(Map<String, Object> attributes) {
        return new Accept(attributes, HttpHeaders.empty());
    }

    /** Go on with the upgrade, with attributes, and extra headers in the 101 response. */
    static HandshakeDecision accept(Map<String, Object> attributes, HttpHeaders responseHeaders) {
        return new Accept(attributes, responseHeaders);
    }

    /** A refusal with a plain-text reason, e.g. {@code reject(401, "missing token")}. */
    static HandshakeDecision reject(int status, String reason) {
        return new Respond(status, "text/plain; charset=utf-8", (reason + "\n").getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** A plain HTTP answer. */
    static HandshakeDecision respond(int status, String contentType, byte[] body) {
        return new Respond(status, contentType, body, Map.of());
    }
}
