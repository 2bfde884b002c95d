package io.loomsocket.client;

/**
 * A {@link Reconnecting} stopped because a connection attempt failed in a way its {@link
 * RetryPolicy} does not retry (a 401 or 404 answer to the handshake, say). Thrown by the
 * iterator's {@code hasNext()} — or by {@code next()} when it is called without {@code
 * hasNext()}; the iteration is over afterwards. {@link #getCause()} is the failure itself: a
 * {@link io.loomsocket.handshake.HandshakeException} (its {@code status()} is the server's), an
 * {@link java.io.IOException}, or another exception.
 */
public final class ReconnectFailedException extends RuntimeException {

    private final int attempts;

    /**
     * @param cause the failure of the last connection attempt
     * @param attempts how many attempts in a row failed, that one included
     */
    public ReconnectFailedException(Throwable cause, int attempts) {
        super("connection attempt failed, not retried: " + cause, cause);
        this.attempts = attempts;
    }

    /** How many connection attempts in a row failed, the fatal one included. */
    public int attempts() {
        return attempts;
    }
}
