package io.loomsocket.examples;

import io.loomsocket.WebSocketHandler;
import io.loomsocket.server.HandshakeDecision;
import io.loomsocket.server.HandshakeRequest;
import io.loomsocket.server.RequestHook;
import io.loomsocket.server.WebSocketServer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code auth-echo} command: an echo server that lets in only clients that present the token,
 * checked during the opening handshake — as the query parameter {@code ?token=T} or as the header
 * {@code Authorization: Bearer T}. Anyone else gets {@code 401 Unauthorized} (with
 * {@code WWW-Authenticate: Bearer}) and never a WebSocket.
 */
public final class AuthEchoApp {

    /** The attribute an accepted connection carries: how its token came ("query" or "header"). */
    public static final String AUTHENTICATED_BY = "authenticatedBy";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] token;

    public AuthEchoApp(String token) {
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("the token must not be empty");
        }
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    /** A fresh random token: 128 bits, hex. */
    public static String randomToken() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** The request hook and echo on every path. */
    public WebSocketServer.Builder configure(WebSocketServer.Builder builder) {
        return builder.requestHook(requestHook()).handler(handler());
    }

    public WebSocketHandler handler() {
        return Echo.HANDLER;
    }

    public RequestHook requestHook() {
        return this::check;
    }

    private HandshakeDecision check(HandshakeRequest request) {
        Optional<String> query = request.queryParameter("token");
        Optional<String> bearer = bearer(request);
        if (query.isPresent() && matches(query.get())) {
            return HandshakeDecision.accept(Map.of(AUTHENTICATED_BY, "query"));
        }
        if (bearer.isPresent() && matches(bearer.get())) {
            return HandshakeDecision.accept(Map.of(AUTHENTICATED_BY, "header"));
        }
        String reason = query.isEmpty() && bearer.isEmpty()
                ? "missing token: pass ?token=... or Authorization: Bearer ..."
                : "invalid token";
        return new HandshakeDecision.Respond(401, "text/plain; charset=utf-8",
                (reason + "\n").getBytes(StandardCharsets.UTF_8), Map.of("WWW-Authenticate", "Bearer"));
    }

    /** The credentials of an {@code Authorization: Bearer T} header (the scheme is case-insensitive). */
    private static Optional<String> bearer(HandshakeRequest request) {
        return request.headers().first("Authorization")
                .map(String::strip)
                .filter(v -> v.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(v -> v.substring(7).strip());
    }

    /** Compares in constant time, so that the answer's timing does not reveal the token. */
    private boolean matches(String candidate) {
        return MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.UTF_8));
    }
}
