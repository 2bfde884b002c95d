package io.loomsocket.server;

/**
 * Sees every request before the upgrade — path, query and headers — and decides: accept it,
 * reject it with any HTTP status, or answer it as a plain HTTP request. Like python-websockets'
 * {@code process_request}. It runs on the connection's virtual thread, so it may block (to
 * look up a token, say).
 *
 * <pre>{@code
 * .requestHook(req -> req.queryParameter("token").filter(tokens::isValid).isPresent()
 *         ? HandshakeDecision.accept(Map.of("user", tokens.user(req)))
 *         : HandshakeDecision.reject(401, "missing or invalid token"))
 * }</pre>
 */
@FunctionalInterface
public interface RequestHook {

    HandshakeDecision check(HandshakeRequest request) throws Exception;
}
