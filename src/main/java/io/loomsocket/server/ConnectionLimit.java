package io.loomsocket.server;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's maximum of concurrent connections, counted from accept to close: connections in
 * their opening handshake and open ones alike, since both hold a socket, a thread and buffers.
 *
 * <p>{@link #admit()} decides for each accepted socket, before a byte is read from it:
 * <ul>
 *   <li>under the maximum: an {@linkplain Permit#admitted() admitted} permit, held until the
 *       connection ends;
 *   <li>at the maximum: a permit to answer {@code 503 Service Unavailable} ({@link BusyResponse});
 *       at most {@link #MAX_REFUSING} such answers are in progress at once;
 *   <li>at the maximum with that many answers in progress: null, and the socket is closed
 *       without an answer, so that a flood of connections cannot pile up refusals either.
 * </ul>
 *
 * <p>Every permit must be {@linkplain Permit#release() released} exactly once when its socket is
 * closed; releasing again does nothing.
 */
final class ConnectionLimit {

    /** 503 answers that may be in progress at once; over it, sockets are closed at once. */
    static final int MAX_REFUSING = 64;

    private final int max;
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicInteger refusing = new AtomicInteger();

    ConnectionLimit(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1: " + max);
        }
        this.max = max;
    }

    /** The permit for a socket just accepted; null if it should be closed at once (see above). */
    Permit admit() {
        if (take(admitted, max)) {
            return new Permit(true, admitted);
        }
        if (take(refusing, MAX_REFUSING)) {
            return new Permit(false, refusing);
        }
        return null;
    }

    private static boolean take(AtomicInteger count, int limit) {
        while (true) {
            int n = count.get();
            if (n >= limit) {
                return false;
            }
            if (count.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Connections admitted and not yet released: in the handshake or open. */
    int admitted() {
        return admitted.get();
    }

    int max() {
        return max;
    }

    /** One socket's place: admitted, or refused with a 503. */
    static final class Permit {
        private final boolean admitted;
        private final AtomicInteger count;
        private final AtomicBoolean released = new AtomicBoolean();

        private Permit(boolean admitted, AtomicInteger count) {
            this.admitted = admitted;
            this.count = count;
        }

        /** Whether the connection may go on to its handshake; if not, it gets a 503. */
        boolean admitted() {
            return admitted;
        }

        /** The socket is closed: its place is free again. Only the first call counts. */
        void release() {
            if (released.compareAndSet(false, true)) {
                count.decrementAndGet();
            }
        }
    }
}
