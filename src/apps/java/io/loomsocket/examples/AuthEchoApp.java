package io.loomsocket.examples;

import io.loomsocket.WebSocketHandler;
import io.loomsocket.server.HandshakeDecision;
import io.loomsocket.server.HandshakeRequest;
import io.loomsocket.server.RequestHook;
import io.loomsocket.server.WebSocketServer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code auth-echo} command (the asyncio tutorial's {@code authenticated_echo}): an echo
 * server at {@link #PATH /ws} that lets in only clients that present the token in the request,
 * checked before the upgrade — as {@code /ws?token=T}, as the last path segment {@code /ws/T}
 * (percent-decoded), or as the header {@code Authorization: Bearer T}. A missing or wrong token
 * gets {@code 401 Unauthorized} (with {@code WWW-Authenticate: Bearer} and a body that says what
 * was wrong) and never a WebSocket; any other path gets 404.
 */
public final class AuthEchoApp {

    public static final int DEFAULT_PORT = 8765;
    public static final String PATH = "/ws";
    /** The attribute an accepted connection carries: how its token came ("query", "path" or "header"). */
    public static final String AUTHENTICATED_BY = "authenticatedBy";

    private static final String HOW = "pass the token as " + PATH + "?token=T, as " + PATH
            + "/T or as the header Authorization: Bearer T";
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

    /** The request hook, and echo at {@code /ws} and {@code /ws/{token}}; no other path. */
    public WebSocketServer.Builder configure(WebSocketServer.Builder builder) {
        return builder.requestHook(requestHook())
                .route(PATH, handler())
                .route(PATH + "/{token}", handler());
    }

    public WebSocketHandler handler() {
        return Echo.HANDLER;
    }

    public RequestHook requestHook() {
        return this::check;
    }

    private HandshakeDecision check(HandshakeRequest request) {
        if (request.route().isEmpty()) {
            return HandshakeDecision.reject(404, "no WebSocket endpoint at " + request.path() + "; connect to " + PATH + " (" + HOW + ")");
        }
        Map<String, String> given = new LinkedHashMap<>(); // how → candidate, in the order checked
        request.queryParameter("token").ifPresent(t -> given.put("query", t));
        String inPath = request.pathParameters().get("token");
        if (inPath != null) {
            Optional<String> decoded = decodePathSegment(inPath);
            if (decoded.isEmpty()) { // only when the hook is called directly: the server answers such a target 400 first
                return unauthorized("invalid token: the path segment after " + PATH + "/ has a malformed %-escape");
            }
            given.put("path", decoded.get());
        }
        bearer(request).ifPresent(t -> given.put("header", t));
        if (given.isEmpty()) {
            return unauthorized("missing token: " + HOW);
        }
        for (Map.Entry<String, String> e : given.entrySet()) {
            if (matches(e.getValue())) {
                return HandshakeDecision.accept(Map.of(AUTHENTICATED_BY, e.getKey()));
            }
        }
        List<String> where = new ArrayList<>();
        given.keySet().forEach(how -> where.add(switch (how) {
            case "query" -> "?token=";
            case "path" -> PATH + "/T";
            default -> "Authorization: Bearer";
        }));
        return unauthorized("invalid token (given as " + String.join(", ", where) + ")");
    }

    private static HandshakeDecision unauthorized(String reason) {
        return new HandshakeDecision.Respond(401, "text/plain; charset=utf-8",
                (reason + "\n").getBytes(StandardCharsets.UTF_8), Map.of("WWW-Authenticate", "Bearer"));
    }

    /** A path segment percent-decoded as UTF-8 ({@code +} stays a plus); empty if an escape is malformed. */
    static Optional<String> decodePathSegment(String segment) {
        try {
            return Optional.of(URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
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
