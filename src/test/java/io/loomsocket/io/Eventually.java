package io.loomsocket.io;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits, within a deadline, for a condition that has no event to wait on (state that a close
 * listener updates on another thread, a queue that a writer drains). Polls every few
 * milliseconds; the deadline fails the test instead of hanging it.
 */
public final class Eventually {

    private Eventually() {}

    public static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            Thread.sleep(2);
        }
    }

    public static <T> void await(String what, Duration timeout, Supplier<T> value, Predicate<T> test)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last;
        while (!test.test(last = value.get())) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout + ": " + what + " (last value: " + last + ")");
            }
            Thread.sleep(2);
        }
    }
}
