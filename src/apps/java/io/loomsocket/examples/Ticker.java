package io.loomsocket.examples;

import io.loomsocket.broadcast.BroadcastRegistry;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A simulated BTC/USD market: a random walk of the price (seeded, so a run can be repeated) and
 * an order book around it, published as one JSON message to a channel of a
 * {@link BroadcastRegistry} at a fixed rate, by one virtual thread:
 *
 * <pre>{@code
 * {"type":"ticker","channel":"ticker_btc","price":42001.17,"time":1718000000000,
 *  "book":{"bids":[[42000.96,0.5127],...],"asks":[[42001.38,1.9034],...]}}
 * }</pre>
 *
 * Prices have two decimals, quantities four; bids descend from the best, asks ascend. The last
 * {@link #HISTORY} points are kept for new subscribers.
 */
public final class Ticker implements AutoCloseable {

    public static final String CHANNEL = "ticker_btc";
    public static final int HISTORY = 60;
    public static final int BOOK_DEPTH = 5;
    static final double START_PRICE = 42_000.00;
    private static final double VOLATILITY = 0.0008; // per tick, relative
    private static final System.Logger LOG = System.getLogger(Ticker.class.getName());

    private final BroadcastRegistry registry;
    private final Duration interval;
    private final ReentrantLock lock = new ReentrantLock();
    private final Random random;           // guarded by lock
    private double price = START_PRICE;    // guarded by lock
    private final ArrayDeque<List<Object>> history = new ArrayDeque<>(); // [time, price]; guarded by lock
    private long ticks;                    // guarded by lock
    private Thread thread;                 // guarded by lock
    private boolean closed;                // guarded by lock

    public Ticker(BroadcastRegistry registry, Duration interval, long seed) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the ticker interval must be positive: " + interval);
        }
        this.registry = registry;
        this.interval = interval;
        this.random = new Random(seed);
    }

    public Duration interval() {
        return interval;
    }

    /** Starts publishing every {@link #interval()}. Does nothing if started or closed. */
    public void start() {
        lock.lock();
        try {
            if (thread == null && !closed) {
                thread = Thread.ofVirtual().name("loomsocket-ticker").start(this::run);
            }
        } finally {
            lock.unlock();
        }
    }

    public boolean isRunning() {
        lock.lock();
        try {
            return thread != null && thread.isAlive();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the publishing thread has ended (true at once if it never started). */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        Thread t;
        lock.lock();
        try {
            t = thread;
        } finally {
            lock.unlock();
        }
        return t == null || t.join(timeout);
    }

    private void run() {
        long period = interval.toNanos();
        long next = System.nanoTime() + period;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(Duration.ofNanos(wait));
                }
                try {
                    tick();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "ticker: a tick failed", e);
                }
                next += period;
                if (System.nanoTime() - next > 10 * period) {
                    next = System.nanoTime() + period; // far behind (a suspended machine): no burst to catch up
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    /**
     * Moves the market one step and publishes it to {@link #CHANNEL}. Returns the message. The
     * background thread calls this; tests may too.
     */
    public String tick() {
        lock.lock();
        try {
            price = Math.max(1.0, price * Math.exp(VOLATILITY * random.nextGaussian()));
            BigDecimal p = cents(price);
            long time = System.currentTimeMillis();
            ticks++;
            history.addLast(List.of(time, p));
            if (history.size() > HISTORY) {
                history.removeFirst();
            }
            String message = Json.write(Json.object("type", "ticker", "channel", CHANNEL, "price", p, "time", time,
                    "book", book(p)));
            registry.broadcast(CHANNEL, message, null); // queues only: never blocks on a slow receiver
            return message;
        } finally {
            lock.unlock();
        }
    }

    /** Under lock: a few levels on each side, around a one-or-two-cent spread. */
    private Object book(BigDecimal p) {
        BigDecimal step = cents(Math.max(0.01, p.doubleValue() * 0.00002));
        BigDecimal halfSpread = cents(0.01 + random.nextInt(2) * 0.01);
        List<Object> bids = new ArrayList<>(BOOK_DEPTH);
        List<Object> asks = new ArrayList<>(BOOK_DEPTH);
        for (int i = 0; i < BOOK_DEPTH; i++) {
            BigDecimal offset = halfSpread.add(step.multiply(BigDecimal.valueOf(i)));
            bids.add(List.of(p.subtract(offset), quantity()));
            asks.add(List.of(p.add(offset), quantity()));
        }
        return Json.object("bids", bids, "asks", asks);
    }

    private BigDecimal quantity() {
        return BigDecimal.valueOf(0.001 + random.nextDouble() * 2.5).setScale(4, RoundingMode.HALF_UP);
    }

    private static BigDecimal cents(double value) {
        return BigDecimal.valueOf(value).setScale(2, RoundingMode.HALF_UP);
    }

    /** The last {@link #HISTORY} points, oldest first: {@code [time, price]}. */
    public List<List<Object>> history() {
        lock.lock();
        try {
            return List.copyOf(history);
        } finally {
            lock.unlock();
        }
    }

    /** How many ticks have been published. */
    public long ticks() {
        lock.lock();
        try {
            return ticks;
        } finally {
            lock.unlock();
        }
    }

    /** Stops publishing and waits for the thread to end. */
    @Override
    public void close() throws InterruptedException {
        Thread t;
        lock.lock();
        try {
            closed = true;
            t = thread;
        } finally {
            lock.unlock();
        }
        if (t != null) {
            t.interrupt();
            t.join();
        }
    }
}
