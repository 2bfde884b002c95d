package io.loomsocket.server;

import io.loomsocket.handshake.HandshakeException;
import io.loomsocket.handshake.HttpHeaders;
import io.loomsocket.io.Transport;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * The answer to a connection over the server's maximum ({@link ConnectionLimit}): {@code HTTP/1.1
 * 503 Service Unavailable} with {@code Retry-After}, {@code Connection: close} and a short text
 * body, written as soon as the connection is accepted, <em>before</em> its request is read: a
 * server at its limit spends nothing on parsing.
 *
 * <p>The request is then read and discarded, for at most {@link #DRAIN_TIME} and at most as
 * many bytes as a request head may have, after our FIN: a socket closed with unread bytes in its
 * receive buffer is reset (RST), and a reset can destroy the answer before the client reads it.
 * A client that sends nothing, or too much, is closed when the bound is reached.
 */
final class BusyResponse {

    /** How long a refused client may take to send its request (which is read and dropped). */
    static final Duration DRAIN_TIME = Duration.ofSeconds(1);

    private final byte[] response;
    private final int drainBytes;

    /**
     * @param retryAfter the {@code Retry-After} delay, rounded up to whole seconds
     * @param drainBytes the most bytes of the request read (and dropped) before closing
     */
    BusyResponse(Duration retryAfter, int drainBytes) {
        long seconds = retryAfterSeconds(retryAfter);
        this.response = new HandshakeException(503, "server busy: too many connections; retry after " + seconds + " s",
                HttpHeaders.of("Retry-After", Long.toString(seconds))).toHttpResponse();
        this.drainBytes = drainBytes;
    }

    static long retryAfterSeconds(Duration retryAfter) {
        long millis = retryAfter.toMillis();
        return millis / 1000 + (millis % 1000 == 0 ? 0 : 1);
    }

    /** The whole answer, as written. */
    byte[] bytes() {
        return response.clone();
    }

    /** Writes the answer, ends our side, and reads what the client sends within the bounds. */
    void send(Transport transport) throws IOException {
        transport.write(response, 0, response.length);
        transport.shutdownOutput();
        long deadline = System.nanoTime() + DRAIN_TIME.toNanos();
        byte[] buf = new byte[512];
        long read = 0;
        while (read < drainBytes) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return;
            }
            transport.setReadTimeout(left);
            int n;
            try {
                n = transport.read(buf);
            } catch (SocketTimeoutException e) {
                return;
            }
            if (n < 0) {
                return;
            }
            read += n;
        }
    }
}
