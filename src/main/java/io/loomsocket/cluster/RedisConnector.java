package io.loomsocket.cluster;

import io.loomsocket.client.Backoff;
import io.loomsocket.io.SocketTransport;
import io.loomsocket.redis.RedisConnection;
import io.loomsocket.redis.RedisOptions;
import io.loomsocket.redis.RedisUri;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

/**
 * Opens connections to one Redis, authenticated and named, and retries forever with
 * exponential backoff and jitter until one is open or the caller gives up. The TCP connect and
 * the HELLO/AUTH exchange are both bounded by the connect timeout, so a paused or wedged Redis
 * ({@code CLIENT PAUSE}) costs a retry, not a hang.
 *
 * <p>Threads: stateless but for its settings; each caller (the publisher's thread, the
 * subscriber's) connects on its own thread.
 */
final class RedisConnector {

    private static final System.Logger LOG = System.getLogger(RedisConnector.class.getName());

    private final RedisUri uri;
    private final RedisOptions options;
    private final Backoff backoff;
    private final Duration connectTimeout;

    RedisConnector(RedisUri uri, RedisOptions options, Backoff backoff, Duration connectTimeout) {
        this.uri = uri;
        this.options = options;
        this.backoff = backoff;
        this.connectTimeout = connectTimeout;
    }

    RedisUri uri() {
        return uri;
    }

    /** One attempt. */
    RedisConnection open(String role) throws IOException {
        Socket socket = new Socket();
        try {
            int timeout = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
            socket.connect(new InetSocketAddress(uri.host(), uri.port()), timeout);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(timeout); // the handshake's bound; the caller sets its own after
            RedisConnection c = RedisConnection.over(new SocketTransport(socket), uri,
                    options.withClientName(options.clientName() + "-" + role));
            c.setReadTimeout(0);
            return c;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Attempts until one succeeds, waiting {@link Backoff#delay} between attempts; returns null
     * once {@code stop} is true (checked before each attempt). Whoever sets {@code stop} interrupts
     * the thread, which ends a wait with InterruptedException.
     */
    RedisConnection openForever(String role, BooleanSupplier stop) throws InterruptedException {
        int retry = 0;
        while (!stop.getAsBoolean()) {
            try {
                RedisConnection c = open(role);
                if (retry > 0) {
                    LOG.log(System.Logger.Level.INFO, "redis {0} connection to {1} restored after {2} attempts",
                            role, uri, retry + 1);
                }
                return c;
            } catch (IOException e) {
                if (retry == 0) {
                    LOG.log(System.Logger.Level.WARNING, "redis {0} connection to {1} failed: {2}; retrying with backoff",
                            role, uri, e.getMessage());
                }
            }
            // Whoever sets stop also interrupts this thread: the wait ends at once.
            Thread.sleep(backoff.delay(retry++, ThreadLocalRandom.current()));
        }
        return null;
    }
}
