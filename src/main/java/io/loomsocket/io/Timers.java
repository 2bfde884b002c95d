package io.loomsocket.io;

import java.time.Duration;

/**
 * The clock and the timers of the socket layer: keepalive pings, pong deadlines, idle timeouts,
 * close deadlines and deferred failures. A server owns one for all its connections
 * ({@link #newScheduler}) and shuts it down when it stops; clients share {@link #shared()}.
 * Tests drive a manual one instead, without sleeping.
 *
 * <p>Tasks run on the timer's own thread and must not block: they queue frames, or start a
 * virtual thread for anything that may wait (a socket write, a closing handshake).
 */
public interface Timers {

    /** A scheduled task; {@link #cancel} is idempotent and never blocks. */
    interface Task {
        void cancel();
    }

    /** Monotonic time in nanoseconds, for deadlines and activity stamps. */
    long nanoTime();

    /** Runs {@code task} once after {@code delay}. */
    Task schedule(Duration delay, Runnable task);

    /** Runs {@code task} every {@code period}, the first time one period from now. */
    Task every(Duration period, Runnable task);

    /** Stops the timers: pending tasks never run. */
    void shutdown();

    /** A timer thread of its own (a daemon platform thread named {@code name}). */
    static Timers newScheduler(String name) {
        return new SchedulerTimers(name);
    }

    /** The one scheduler of this JVM's client connections, started on first use, never shut down. */
    static Timers shared() {
        return SchedulerTimers.SHARED.get();
    }
}
