package io.loomsocket.protocol.deflate;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Where every {@link Deflater} and {@link Inflater} of permessage-deflate comes from and goes
 * back to, and the count of their native zlib contexts.
 *
 * <p>A side with context takeover keeps its own context for the life of the connection. A side
 * without it needs a context only while one message is compressed or inflated, so it borrows one
 * from a small pool and returns it, reset, at the message's end: memory follows the messages in
 * flight, not the connections open. The pool keeps at most {@link #IDLE_LIMIT} idle contexts of
 * each kind (per level for deflaters) and ends the rest.
 *
 * <p>{@link #LOCK} is a leaf: nothing is taken under it, and it may be taken under a connection's
 * core lock.
 */
final class ZlibContexts {

    /** Idle contexts kept per kind: a deflater holds about 256 KiB of native memory, an inflater 40. */
    static final int IDLE_LIMIT = 8;

    private static final ReentrantLock LOCK = new ReentrantLock();
    @SuppressWarnings("unchecked")
    private static final ArrayDeque<Deflater>[] IDLE_DEFLATERS = new ArrayDeque[10];
    private static final ArrayDeque<Inflater> IDLE_INFLATERS = new ArrayDeque<>();
    private static final AtomicLong LIVE = new AtomicLong(); // created and not ended, pooled included
    private static final AtomicLong IDLE = new AtomicLong(); // in the pool
    private static final AtomicLong CREATED = new AtomicLong(); // ever

    static {
        for (int i = 0; i < IDLE_DEFLATERS.length; i++) {
            IDLE_DEFLATERS[i] = new ArrayDeque<>();
        }
    }

    private ZlibContexts() {}

    /** A raw-deflate compressor of its own, for a connection with context takeover. */
    static Deflater newDeflater(int level) {
        Deflater d = new Deflater(level, true);
        LIVE.incrementAndGet();
        CREATED.incrementAndGet();
        return d;
    }

    static Inflater newInflater() {
        Inflater i = new Inflater(true);
        LIVE.incrementAndGet();
        CREATED.incrementAndGet();
        return i;
    }

    static void end(Deflater d) {
        d.end();
        LIVE.decrementAndGet();
    }

    static void end(Inflater i) {
        i.end();
        LIVE.decrementAndGet();
    }

    /** A compressor in its initial state, from the pool if one is idle. */
    static Deflater borrowDeflater(int level) {
        LOCK.lock();
        try {
            Deflater d = IDLE_DEFLATERS[level].poll();
            if (d != null) {
                IDLE.decrementAndGet();
                return d;
            }
        } finally {
            LOCK.unlock();
        }
        return newDeflater(level);
    }

    /** Gives back a borrowed compressor: reset and kept if the pool has room, else ended. */
    static void giveBack(Deflater d, int level) {
        d.reset();
        LOCK.lock();
        try {
            if (IDLE_DEFLATERS[level].size() < IDLE_LIMIT) {
                IDLE_DEFLATERS[level].push(d);
                IDLE.incrementAndGet();
                return;
            }
        } finally {
            LOCK.unlock();
        }
        end(d);
    }

    static Inflater borrowInflater() {
        LOCK.lock();
        try {
            Inflater i = IDLE_INFLATERS.poll();
            if (i != null) {
                IDLE.decrementAndGet();
                return i;
            }
        } finally {
            LOCK.unlock();
        }
        return newInflater();
    }

    static void giveBack(Inflater i) {
        i.reset();
        LOCK.lock();
        try {
            if (IDLE_INFLATERS.size() < IDLE_LIMIT) {
                IDLE_INFLATERS.push(i);
                IDLE.incrementAndGet();
                return;
            }
        } finally {
            LOCK.unlock();
        }
        end(i);
    }

    /** Native contexts held by connections (or borrowed for a message): 0 once all are released. */
    static long inUse() {
        return LIVE.get() - IDLE.get();
    }

    /** Native contexts not yet ended, the idle ones in the pool included. */
    static long live() {
        return LIVE.get();
    }

    /** Contexts ever created. */
    static long created() {
        return CREATED.get();
    }

    /** Idle contexts in the pool. */
    static long idle() {
        return IDLE.get();
    }
}
