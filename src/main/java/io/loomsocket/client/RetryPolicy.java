package io.loomsocket.client;

import io.loomsocket.handshake.HandshakeException;
import io.loomsocket.protocol.CloseCode;
import java.io.IOException;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which endings a {@link Reconnecting} retries: a predicate for the close code of a connection
 * that ended, and one for a failed connection attempt. True means "transient: reconnect with
 * backoff"; false means "fatal: stop".
 *
 * <p>The {@linkplain #defaults() defaults}:
 *
 * <table>
 * <caption>Default retry policy</caption>
 * <tr><th>Ending</th><th>Default</th></tr>
 * <tr><td>connect failure: {@link IOException} — connection refused or reset, no route, unknown
 *     host, connect or handshake timeout, connection closed during the handshake</td>
 *     <td>retry</td></tr>
 * <tr><td>handshake refused with 500, 502, 503 or 504</td><td>retry</td></tr>
 * <tr><td>any other handshake failure: 3xx, 4xx (401, 403, 404, …), other 5xx, an invalid 101
 *     answer, a malformed response</td><td>stop</td></tr>
 * <tr><td>any other exception (a bad URI, a bug)</td><td>stop</td></tr>
 * <tr><td>close 1001 going away, 1006 abnormal closure, 1011 internal error (also our keepalive
 *     timeout), 1012 service restart, 1013 try again later, 1014 bad gateway</td><td>retry</td></tr>
 * <tr><td>close 1000 normal closure, 1005 no status, 1002, 1003, 1007, 1008, 1009, 1010, 1015,
 *     and application codes 3000–4999</td><td>stop</td></tr>
 * </table>
 *
 * <p>The connect-failure default is python-websockets' {@code process_exception}. The close
 * codes have no python-websockets counterpart (its loop reconnects whenever the body asks for
 * the next connection): retried are the codes that announce a transient condition, stopped are
 * a deliberate end (1000, 1005) and errors that the same client would cause again.
 *
 * <pre>{@code
 * // also reconnect after a normal close, and after the application code 4000
 * RetryPolicy policy = RetryPolicy.defaults().withRetryClose(code ->
 *         code.code() == 1000 || code.code() == 4000 || RetryPolicy.isTransientClose(code));
 * }</pre>
 *
 * @param retryClose whether to reconnect after a connection that closed with this code
 * @param retryFailure whether to retry after a connection attempt that failed with this
 *     exception (an {@link IOException}, a {@link HandshakeException}, or another runtime exception)
 */
public record RetryPolicy(Predicate<? super CloseCode> retryClose, Predicate<? super Exception> retryFailure) {

    /** The close codes retried by default. */
    public static final Set<Integer> TRANSIENT_CLOSE_CODES = Set.of(1001, 1006, 1011, 1012, 1013, 1014);

    /** The handshake statuses retried by default (python-websockets' list). */
    public static final Set<Integer> TRANSIENT_STATUSES = Set.of(500, 502, 503, 504);

    private static final RetryPolicy DEFAULTS = new RetryPolicy(RetryPolicy::isTransientClose, RetryPolicy::isTransientFailure);

    /** Checks that neither predicate is null. */
    public RetryPolicy {
        Objects.requireNonNull(retryClose, "retryClose");
        Objects.requireNonNull(retryFailure, "retryFailure");
    }

    /** {@link #isTransientClose(CloseCode)} and {@link #isTransientFailure(Exception)}. */
    public static RetryPolicy defaults() {
        return DEFAULTS;
    }

    /** The default close predicate: true for 1001, 1006, 1011, 1012, 1013 and 1014. */
    public static boolean isTransientClose(CloseCode code) {
        return code != null && TRANSIENT_CLOSE_CODES.contains(code.code());
    }

    /**
     * The default connect-failure predicate: true for an {@link IOException} and for a {@link
     * HandshakeException} whose status is 500, 502, 503 or 504; false for everything else.
     */
    public static boolean isTransientFailure(Exception failure) {
        if (failure instanceof HandshakeException h) {
            return TRANSIENT_STATUSES.contains(h.status());
        }
        return failure instanceof IOException;
    }

    /** This policy with another close predicate. */
    public RetryPolicy withRetryClose(Predicate<? super CloseCode> retryClose) {
        return new RetryPolicy(retryClose, retryFailure);
    }

    /** This policy with another connect-failure predicate. */
    public RetryPolicy withRetryFailure(Predicate<? super Exception> retryFailure) {
        return new RetryPolicy(retryClose, retryFailure);
    }

    /** Whether a connection that closed with {@code code} is followed by a reconnection. */
    public boolean retries(CloseCode code) {
        return retryClose.test(code);
    }

    /** Whether a connection attempt that failed with {@code failure} is retried. */
    public boolean retries(Exception failure) {
        return retryFailure.test(failure);
    }
}
