package io.loomsocket.redis;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link RedisConnection} connects: immutable, built from {@link #defaults()} with the withers.
 *
 * @param protocol       3 (the default: {@code HELLO 3}, falling back to RESP2 on a server older
 *                       than Redis 6) or 2 (RESP2 forced: {@code AUTH}, {@code CLIENT SETNAME})
 * @param clientName     the name {@code CLIENT LIST} shows, or null to set none; no spaces
 * @param connectTimeout bound of the TCP connect, and of each handshake reply
 * @param maxBulkBytes   the largest bulk string accepted from the server ({@link RespParser})
 */
public record RedisOptions(int protocol, String clientName, Duration connectTimeout, int maxBulkBytes) {

    public RedisOptions {
        if (protocol != 2 && protocol != 3) {
            throw new IllegalArgumentException("protocol must be 2 or 3, not " + protocol);
        }
        if (clientName != null && (clientName.isEmpty() || clientName.chars().anyMatch(c -> c <= ' ' || c > '~'))) {
            throw new IllegalArgumentException("a client name must be printable ASCII without spaces: '" + clientName + "'");
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive: " + connectTimeout);
        }
        if (maxBulkBytes < 0) {
            throw new IllegalArgumentException("maxBulkBytes must be >= 0: " + maxBulkBytes);
        }
    }

    /** RESP3, client name {@code loomsocket}, 5 s to connect, 512 MiB bulk strings. */
    public static RedisOptions defaults() {
        return new RedisOptions(3, "loomsocket", Duration.ofSeconds(5), RespParser.DEFAULT_MAX_BULK_BYTES);
    }

    public RedisOptions withProtocol(int protocol) {
        return new RedisOptions(protocol, clientName, connectTimeout, maxBulkBytes);
    }

    public RedisOptions withClientName(String clientName) {
        return new RedisOptions(protocol, clientName, connectTimeout, maxBulkBytes);
    }

    public RedisOptions withConnectTimeout(Duration connectTimeout) {
        return new RedisOptions(protocol, clientName, connectTimeout, maxBulkBytes);
    }

    public RedisOptions withMaxBulkBytes(int maxBulkBytes) {
        return new RedisOptions(protocol, clientName, connectTimeout, maxBulkBytes);
    }
}
