package io.loomsocket.redis;

import java.io.IOException;

/**
 * The bytes from the server are not RESP, or exceed a {@link RespParser} limit. The stream cannot
 * be resynchronised after it: the connection that gets it must be closed
 * ({@link RedisConnection} does so itself).
 */
public final class RespProtocolException extends IOException {

    public RespProtocolException(String message) {
        super(message);
    }
}
