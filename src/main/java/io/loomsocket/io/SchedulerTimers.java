package io.loomsocket.io;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@link Timers} on one {@link ScheduledThreadPoolExecutor} thread: an idle connection costs a
 * few scheduled tasks, not a sleeping thread. Cancelled tasks are removed at once, so closed
 * connections leave nothing behind in the queue.
 */
final class SchedulerTimers implements Timers {

    /** Lazily started: a JVM that opens no client connection has no client timer thread. */
    static final Supplier<Timers> SHARED = new Supplier<>() {
        private volatile Timers timers;

        @Override
        public Timers get() {
            Timers t = timers;
            if (t == null) {
                LOCK.lock();
                try {
                    t = timers;
                    if (t == null) {
                        timers = t = new SchedulerTimers("loomsocket-client-timers");
                    }
                } finally {
                    LOCK.unlock();
                }
            }
            return t;
        }
    };
    private static final java.util.concurrent.locks.ReentrantLock LOCK = new java.util.concurrent.locks.ReentrantLock();

    private final ScheduledThreadPoolExecutor executor;

    SchedulerTimers(String name) {
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Task schedule(Duration delay, Runnable task) {
        ScheduledFuture<?> f = executor.schedule(guarded(task), delay.toNanos(), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public Task every(Duration period, Runnable task) {
        long p = period.toNanos();
        ScheduledFuture<?> f = executor.scheduleAtFixedRate(guarded(task), p, p, TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void shutdown() {
        executor.shutdownNow();
    }

    /**
     * A task that fails with a {@link RuntimeException} is logged and, if periodic, keeps running:
     * one connection's bug must not cancel its keepalive silently or kill the thread.
     *
     * <p>An {@link Error} is not swallowed: it goes to the thread's uncaught exception handler (the
     * default one: the CLI's halts the process on an {@code OutOfMemoryError}) and is rethrown.
     * Rethrowing alone would not be enough: the executor's {@code FutureTask} keeps what a task
     * throws in a future nobody reads. A periodic task that throws is not run again
     * (ScheduledThreadPoolExecutor cancels it); that is acceptable, an Error is fatal anyway.
     */
    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                System.getLogger(SchedulerTimers.class.getName()).log(System.Logger.Level.WARNING, "timer task failed", e);
            } catch (Error e) {
                Thread t = Thread.currentThread();
                t.getUncaughtExceptionHandler().uncaughtException(t, e);
                throw e;
            }
        };
    }
}
