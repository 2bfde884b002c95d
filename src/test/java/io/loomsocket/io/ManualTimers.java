package io.loomsocket.io;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link Timers} driven by the test: time stands still until {@link #advance}, which runs every
 * task that falls due, in order, on the calling thread. No sleeping, no scheduling jitter.
 */
final class ManualTimers implements Timers {

    private final ReentrantLock lock = new ReentrantLock();
    private final List<Scheduled> tasks = new ArrayList<>();
    private long now = 1_000_000_000L;

    private final class Scheduled implements Task {
        long due;
        final long period; // 0: once
        final Runnable task;
        boolean cancelled;

        Scheduled(long due, long period, Runnable task) {
            this.due = due;
            this.period = period;
            this.task = task;
        }

        @Override
        public void cancel() {
            lock.lock();
            try {
                cancelled = true;
                tasks.remove(this);
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public long nanoTime() {
        lock.lock();
        try {
            return now;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Task schedule(Duration delay, Runnable task) {
        return add(new Scheduled(nanoTime() + delay.toNanos(), 0, task));
    }

    @Override
    public Task every(Duration period, Runnable task) {
        return add(new Scheduled(nanoTime() + period.toNanos(), period.toNanos(), task));
    }

    private Task add(Scheduled s) {
        lock.lock();
        try {
            tasks.add(s);
        } finally {
            lock.unlock();
        }
        return s;
    }

    /** How many tasks are scheduled (periodic ones count once). */
    int pending() {
        lock.lock();
        try {
            return tasks.size();
        } finally {
            lock.unlock();
        }
    }

    /** Moves time on by {@code d}, running each task as its time comes. */
    void advance(Duration d) {
        long target;
        lock.lock();
        try {
            target = now + d.toNanos();
        } finally {
            lock.unlock();
        }
        while (true) {
            Scheduled next = null;
            lock.lock();
            try {
                for (Scheduled s : tasks) {
                    if (s.due <= target && (next == null || s.due < next.due)) {
                        next = s;
                    }
                }
                if (next == null) {
                    now = target;
                    return;
                }
                now = next.due;
                if (next.period > 0) {
                    next.due += next.period;
                } else {
                    tasks.remove(next);
                }
            } finally {
                lock.unlock();
            }
            next.task.run(); // no lock held: a task may schedule another
        }
    }

    @Override
    public void shutdown() {
        lock.lock();
        try {
            tasks.clear();
        } finally {
            lock.unlock();
        }
    }
}
