package io.loomsocket.cluster;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Microsecond latencies in log-linear buckets (16 per power of two, so a quantile is within
 * about 6 % of the true value), lock-free: any thread records, any thread reads.
 */
final class LatencyHistogram {

    private static final int SUB = 16;
    private static final int SUB_BITS = 4;
    private static final int BUCKETS = 64 * SUB;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final LongAdder count = new LongAdder();
    private final LongAdder sum = new LongAdder();
    private volatile long max;

    void record(long micros) {
        long v = Math.max(0, micros);
        counts.incrementAndGet(index(v));
        count.increment();
        sum.add(v);
        if (v > max) {
            max = v; // a racy maximum: two concurrent larger values may keep the smaller one
        }
    }

    long count() {
        return count.sum();
    }

    long sumMicros() {
        return sum.sum();
    }

    long maxMicros() {
        return max;
    }

    /** The {@code q}-quantile (0 < q <= 1) in microseconds, the upper edge of its bucket; 0 if empty. */
    long quantile(double q) {
        long total = 0;
        long[] snapshot = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            snapshot[i] = counts.get(i);
            total += snapshot[i];
        }
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += snapshot[i];
            if (seen >= rank) {
                return Math.min(upperEdge(i), Math.max(max, 0));
            }
        }
        return max;
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int exp = 63 - Long.numberOfLeadingZeros(v); // >= SUB_BITS
        int sub = (int) ((v >>> (exp - SUB_BITS)) & (SUB - 1));
        return (exp - SUB_BITS + 1) * SUB + sub;
    }

    static long upperEdge(int index) {
        if (index < SUB) {
            return index;
        }
        int exp = index / SUB + SUB_BITS - 1;
        long sub = index % SUB;
        long base = (SUB + sub) << (exp - SUB_BITS);
        return base + (1L << (exp - SUB_BITS)) - 1;
    }
}
