package io.loomsocket.io;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pings a connection has sent and not yet seen answered, and their futures.
 *
 * <p>Each ping carries an 8-byte id. "If an endpoint receives a Ping frame and has not yet sent
 * Pong frame(s) in response to previous Ping frame(s), the endpoint MAY elect to send a Pong
 * frame for only the most recently processed Ping frame" (RFC 6455 §5.5.3), so a pong answers its
 * own ping and every earlier one. A pong that matches none is unsolicited and ignored.
 *
 * <p>{@link #lock} guards the pending queue and the counter. Futures are completed on a virtual
 * thread of their own, never on the reader or under the lock: a future's dependent actions run
 * in the completing thread, and application code there (say, {@code ping().thenRun(ws::close)})
 * must not stop the reader.
 */
final class Pings {

    private record Pending(long id, long sentNanos, CompletableFuture<Duration> future) {}

    private final ReentrantLock lock = new ReentrantLock();
    private final SessionCounters counters;
    private ArrayDeque<Pending> pending; // oldest first; made by the first ping (idle connections hold none)
    private long counter;
    private volatile Duration lastRoundTrip;

    Pings(SessionCounters counters) {
        this.counters = counters;
    }

    /** Registers a ping sent at {@code now}; returns its payload. */
    byte[] register(long now, CompletableFuture<Duration> future) {
        lock.lock();
        try {
            long id = ++counter;
            if (pending == null) {
                pending = new ArrayDeque<>(2);
            }
            pending.add(new Pending(id, now, future));
            byte[] payload = new byte[8];
            for (int i = 0; i < 8; i++) {
                payload[i] = (byte) (id >>> (56 - 8 * i));
            }
            return payload;
        } finally {
            lock.unlock();
        }
    }

    /** Forgets the ping with this payload (it could not be sent). */
    void unregister(byte[] payload) {
        long id = idOf(payload);
        lock.lock();
        try {
            if (pending != null) {
                pending.removeIf(p -> p.id == id);
            }
        } finally {
            lock.unlock();
        }
    }

    /** A pong arrived at {@code now}: completes the pings it answers. */
    void pong(byte[] data, long now) {
        if (data.length != 8) {
            return; // unsolicited, or not ours
        }
        long id = idOf(data);
        List<Pending> answered = null;
        lock.lock();
        try {
            if (pending == null) {
                return; // no ping sent yet
            }
            boolean ours = false;
            for (Pending p : pending) {
                if (p.id == id) {
                    ours = true;
                    break;
                }
            }
            if (!ours) {
                return;
            }
            answered = new ArrayList<>(2);
            while (!pending.isEmpty() && pending.peek().id <= id) {
                answered.add(pending.poll());
            }
        } finally {
            lock.unlock();
        }
        List<Pending> done = answered;
        for (Pending p : done) {
            counters.pingRoundTrip(now - p.sentNanos);
        }
        lastRoundTrip = Duration.ofNanos(now - done.get(done.size() - 1).sentNanos);
        Thread.ofVirtual().name("loomsocket-pong").start(() -> {
            for (Pending p : done) {
                p.future.complete(Duration.ofNanos(now - p.sentNanos));
            }
        });
    }

    /** Whether a ping sent before {@code nanos} is still unanswered (for the keepalive). */
    boolean hasPingOlderThan(long nanos) {
        lock.lock();
        try {
            Pending oldest = pending == null ? null : pending.peek();
            return oldest != null && oldest.sentNanos - nanos <= 0;
        } finally {
            lock.unlock();
        }
    }

    /** The connection is closed: every pending ping fails with {@code reason}, on its own thread. */
    void failAll(Exception reason) {
        List<Pending> orphaned;
        lock.lock();
        try {
            if (pending == null || pending.isEmpty()) {
                return;
            }
            orphaned = new ArrayList<>(pending);
            pending.clear();
        } finally {
            lock.unlock();
        }
        Thread.ofVirtual().name("loomsocket-ping-failed").start(() -> {
            for (Pending p : orphaned) {
                p.future.completeExceptionally(reason);
            }
        });
    }

    Duration lastRoundTrip() {
        return lastRoundTrip;
    }

    private static long idOf(byte[] payload) {
        long id = 0;
        for (byte b : payload) {
            id = id << 8 | (b & 0xFF);
        }
        return id;
    }
}
