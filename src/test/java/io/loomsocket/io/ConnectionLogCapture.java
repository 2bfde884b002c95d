package io.loomsocket.io;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures the connection log ({@link ConnectionLog}) from the {@code java.util.logging} logger
 * behind {@link System.Logger} (the default backend), for tests: from {@link #start} until
 * {@link #close}, which puts the logger's level and parent handlers back. Records can be searched
 * ({@link #await}) or taken one after the other ({@link #nextMessage}).
 */
public final class ConnectionLogCapture extends Handler implements AutoCloseable {

    private static final Logger JUL = Logger.getLogger(ConnectionLog.NAME); // held: JUL keeps loggers weakly

    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<String> untaken = new LinkedBlockingQueue<>();
    private final Level previousLevel;
    private final boolean previousUseParent;

    private ConnectionLogCapture(Level level) {
        previousLevel = JUL.getLevel();
        previousUseParent = JUL.getUseParentHandlers();
        JUL.setLevel(level);
        JUL.setUseParentHandlers(false);
        JUL.addHandler(this);
    }

    /** Captures what is logged at {@code level} and above. */
    public static ConnectionLogCapture start(Level level) {
        return new ConnectionLogCapture(level);
    }

    /** Every record so far, in order. */
    public List<LogRecord> records() {
        return records;
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
        untaken.add(record.getMessage());
        synchronized (this) {
            notifyAll();
        }
    }

    /** The first record so far or to come that matches, waiting for it up to 10 s. */
    public LogRecord await(Predicate<LogRecord> match) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        synchronized (this) {
            while (true) {
                for (LogRecord r : records) {
                    if (match.test(r)) {
                        return r;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no such log record; got " + records.stream().map(LogRecord::getMessage).toList());
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }

    /**
     * Takes messages in the order they were logged, skipping those that do not match, until one
     * matches; waits up to {@code wait} for each.
     */
    public String nextMessage(Predicate<String> match, Duration wait) throws InterruptedException {
        for (String m; (m = untaken.poll(wait.toMillis(), TimeUnit.MILLISECONDS)) != null; ) {
            if (match.test(m)) {
                return m;
            }
        }
        throw new AssertionError("no such line in the connection log within " + wait);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        JUL.removeHandler(this);
        JUL.setLevel(previousLevel);
        JUL.setUseParentHandlers(previousUseParent);
    }
}
