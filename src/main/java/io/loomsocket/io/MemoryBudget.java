package io.loomsocket.io;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A ceiling on the bytes that all of one server's connections hold together in one direction:
 * received message bytes (partial messages being reassembled, messages waiting in inboxes), or
 * queued outbound frames. The per-connection limits (message size, inbox, watermarks) cannot
 * bound the sum: many partial messages that each look honest add up, and without a ceiling a
 * crowd of peers exhausts the heap.
 *
 * <p>Bytes are {@linkplain #take taken} as they are held and {@linkplain #give given back} when
 * they are released; the sum may go past the limit by what the connections took in their
 * current step (each such step is small: see {@code MessageAssembler}). What to do when it is
 * {@linkplain #spent spent} is the holder's: a reader stops reading ({@link #awaitRoom}) and,
 * after a grace period, closes its connection with 1013; an outbound queue refuses broadcast
 * offers and makes blocking senders wait for their own queue to drain.
 *
 * <p>Thread-safe and cheap on the hot path: one atomic add per change; the lock is taken only
 * by readers that wait for room and by a release that finds someone waiting.
 */
public final class MemoryBudget {

    /** No ceiling: a client's connections, and a server built without budgets. */
    public static final MemoryBudget UNLIMITED = new MemoryBudget(Long.MAX_VALUE);

    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final LongAdder paused = new LongAdder();
    private final LongAdder closed = new LongAdder();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    private volatile int waiting; // readers in awaitRoom

    /** A budget of {@code limit} bytes. */
    public MemoryBudget(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("a memory budget must be positive: " + limit);
        }
        this.limit = limit;
    }

    /** {@code fraction} of the JVM's maximum heap ({@code -Xmx}), at least 1 MiB. */
    public static long fractionOfMaxHeap(double fraction) {
        return Math.max(1L << 20, (long) (Runtime.getRuntime().maxMemory() * fraction));
    }

    public long limit() {
        return limit;
    }

    /** Bytes held now. */
    public long used() {
        return used.get();
    }

    /** Whether the bytes held reached the limit. */
    public boolean spent() {
        return used.get() >= limit;
    }

    /** Readers that stopped reading because this budget was spent, ever. */
    public long pauses() {
        return paused.sum();
    }

    /** Connections closed because this budget stayed spent for the grace period (1013), ever. */
    public long closes() {
        return closed.sum();
    }

    void take(long bytes) {
        if (bytes != 0 && this != UNLIMITED) {
            used.addAndGet(bytes);
        }
    }

    void give(long bytes) {
        if (bytes == 0 || this == UNLIMITED) {
            return;
        }
        long now = used.addAndGet(-bytes);
        if (waiting > 0 && now < limit) {
            lock.lock();
            try {
                freed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Adds {@code delta} (positive: taken, negative: given back). */
    void adjust(long delta) {
        if (delta > 0) {
            take(delta);
        } else if (delta < 0) {
            give(-delta);
        }
    }

    /**
     * A reader waits, at most {@code nanos}, until the budget is no longer spent (counted once
     * per call as a pause). Returns whether there is room.
     */
    boolean awaitRoom(long nanos) throws InterruptedException {
        paused.increment();
        lock.lock();
        try {
            waiting++;
            long deadline = System.nanoTime() + nanos;
            try {
                while (spent()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    // Woken by a release that sees a waiter; the short bound covers a release
                    // that read the waiter count just before this reader raised it.
                    freed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
                }
                return true;
            } finally {
                waiting--;
            }
        } finally {
            lock.unlock();
        }
    }

    /** A connection was closed because this budget stayed spent. */
    void countClose() {
        closed.increment();
    }
}
