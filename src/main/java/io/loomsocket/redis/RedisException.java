package io.loomsocket.redis;

import java.io.IOException;

/**
 * Redis refused something: authentication in the handshake, or a command of
 * {@link RedisConnection#callOrThrow}. The message carries the server's error (e.g. {@code
 * WRONGPASS invalid username-password pair}) and never a password. The connection itself is
 * still usable after a refused command; after a failed handshake it is closed.
 */
public final class RedisException extends IOException {

    private final RespValue.Error error;

    public RedisException(String message) {
        this(message, null);
    }

    public RedisException(String message, RespValue.Error error) {
        super(message);
        this.error = error;
    }

    /** The server's error reply, or null if there was none (the failure was ours). */
    public RespValue.Error error() {
        return error;
    }
}
