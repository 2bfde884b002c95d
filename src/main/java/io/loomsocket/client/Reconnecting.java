package io.loomsocket.client;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketClosedException;
import io.loomsocket.protocol.CloseCode;
import java.net.URI;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;

/**
 * Connections to one URI, re-established with backoff when they end: python-websockets' {@code
 * async for websocket in connect(uri)} for Java.
 *
 * <pre>{@code
 * try (Reconnecting connections = WebSocketClient.reconnecting(URI.create("ws://127.0.0.1:9001/feed"))) {
 *     for (WebSocket ws : connections) {        // blocks through the backoff; a freshly opened connection each time
 *         ws.sendText("subscribe ticker");      // per-connection setup runs again after every reconnect
 *         for (Message m : ws) {                // ends when this connection closes
 *             System.out.println(m);
 *         }
 *     }                                         // ends: closed, budget spent, or a close code not retried
 * }
 * }</pre>
 *
 * <p>Configure before iterating, on the result of {@link WebSocketClient.Builder#reconnecting(URI)}
 * (whose options — headers, timeouts, limits — every attempt uses):
 *
 * <pre>{@code
 * Reconnecting connections = WebSocketClient.builder().header("Authorization", "Bearer " + token)
 *         .reconnecting(uri)
 *         .backoff(new Backoff(Duration.ofMillis(200), 2.0, Duration.ofSeconds(30), 0.5))
 *         .maxAttempts(10)
 *         .listener((retry, delay, cause) -> log.info("reconnecting in " + delay + ": " + cause));
 * }</pre>
 *
 * <h2>When the iterator asks for the next connection</h2>
 *
 * <p>Each {@code hasNext()} after the first looks at how the previous connection ended:
 *
 * <table>
 * <caption>What follows a connection (defaults of {@link RetryPolicy#defaults()})</caption>
 * <tr><th>The previous connection</th><th>Then</th></tr>
 * <tr><td>is still open (the loop body moved on)</td>
 *     <td>it is closed with 1000, and the next connection is opened at once (as python-websockets
 *     closes each connection after its iteration)</td></tr>
 * <tr><td>closed with a code the policy retries: 1001, 1006, 1011, 1012, 1013, 1014</td>
 *     <td>wait {@code backoff.delay(0)}, then reconnect (RFC 6455 §7.2.3: a random delay before
 *     the first reconnection after an abnormal closure)</td></tr>
 * <tr><td>closed with another code: 1000 (the server's or the application's {@code close()}),
 *     1005, 1002, 1003, 1007–1010, 3000–4999</td>
 *     <td>the iteration ends ({@code hasNext()} false); {@link #lastFailure()} holds a
 *     {@link WebSocketClosedException} with the code</td></tr>
 * </table>
 *
 * <p>and how each connection attempt went:
 *
 * <table>
 * <caption>After a connection attempt</caption>
 * <tr><th>Attempt</th><th>Then</th></tr>
 * <tr><td>succeeded</td><td>{@code next()} returns the new connection; the backoff and the
 *     attempt count start over</td></tr>
 * <tr><td>failed, and the policy retries it: an {@link java.io.IOException} (refused, reset,
 *     timeout, unknown host), a handshake answered with 500, 502, 503 or 504</td>
 *     <td>wait {@code backoff.delay(retry)} for the {@code retry}-th wait of this outage, then try
 *     again; if {@link #maxAttempts(int)} attempts in a row failed, the iteration ends instead
 *     ({@code hasNext()} false, {@link #lastFailure()} the last failure)</td></tr>
 * <tr><td>failed, and the policy does not retry it: a handshake answered with 401, 403, 404 or
 *     another status, an invalid answer</td>
 *     <td>{@code hasNext()} throws a {@link ReconnectFailedException} whose cause is the failure
 *     (a {@link io.loomsocket.handshake.HandshakeException} with the server's status); the
 *     iteration is over</td></tr>
 * </table>
 *
 * <p>Defaults: {@link Backoff#defaults()} (3.1 s, ×1.618, at most 90 s, jitter 0.5), {@link
 * RetryPolicy#defaults()}, no limit on attempts. To end the loop from its body, {@code break}
 * (then close the {@code Reconnecting}, as try-with-resources does) or close the connection
 * with 1000.
 *
 * <h2>Threads</h2>
 *
 * <p>Iterate on one thread. {@link #close()} may be called from any thread: it wakes a thread
 * waiting in backoff or in a connection attempt at once, closes the current connection, and
 * ends the iteration. If the iterating thread is interrupted while it waits, the iteration ends
 * and the thread's interrupt status is kept. Each attempt connects on a virtual thread of its
 * own, so that {@code close()} never waits for a connect or handshake timeout.
 *
 * <p>A {@code Reconnecting} is iterated once: a second {@link #iterator()} throws {@link
 * IllegalStateException}, as does configuring it after {@code iterator()}.
 */
public final class Reconnecting implements Iterable<WebSocket>, AutoCloseable {

    /**
     * Told about each wait before a reconnection attempt, on the iterating thread, before the
     * wait. For logging or metrics; what it throws is logged and ignored.
     */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param retry the number of this wait in the current outage, from 0 (the argument given
         *     to {@link Backoff#delay})
         * @param delay how long the iterator will wait before the attempt
         * @param cause why: the failure of the last attempt, or a {@link WebSocketClosedException}
         *     carrying the close code of the connection that ended
         */
        void reconnecting(int retry, Duration delay, Exception cause);
    }

    private static final System.Logger LOG = System.getLogger(Reconnecting.class.getName());
    private static final AtomicLong IDS = new AtomicLong();
    /** How long to wait for a connection that is closing to be closed; the session's close timeout bounds it first. */
    private static final Duration CLOSING_WAIT = Duration.ofMinutes(1);

    private final WebSocketClient.Builder options;
    private final URI uri;
    private final long id = IDS.incrementAndGet();

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when {@link #closed} is set or an attempt completes. */
    private final Condition changed = lock.newCondition();

    // Configuration, guarded by lock; fixed once iterating.
    private Backoff backoff = Backoff.defaults();
    private RetryPolicy policy = RetryPolicy.defaults();
    private int maxAttempts; // 0: unlimited
    private RandomGenerator random = RandomGenerator.getDefault();
    private Listener listener = (retry, delay, cause) -> {};

    // State, guarded by lock.
    private boolean iterating;
    private boolean closed;
    private boolean finished;
    /** The last connection handed out (or about to be), until the iterator looks for the next. */
    private WebSocket current;
    /** An established connection that next() has not returned yet. */
    private WebSocket ready;
    private Exception lastFailure;
    /** Failed attempts since the last established connection. */
    private int failures;
    /** Waits since the last established connection: the next argument to Backoff.delay. */
    private int retries;

    /** Use {@link WebSocketClient#reconnecting(URI)} or {@link WebSocketClient.Builder#reconnecting(URI)}. */
    Reconnecting(WebSocketClient.Builder options, URI uri) {
        this.options = Objects.requireNonNull(options, "options");
        this.uri = Objects.requireNonNull(uri, "uri");
        WebSocketUri.parse(uri); // a ws:// or wss:// URI, or IllegalArgumentException now
    }

    /** The URI every attempt connects to. */
    public URI uri() {
        return uri;
    }

    /** The delays between attempts; default {@link Backoff#defaults()}. */
    public Reconnecting backoff(Backoff backoff) {
        Objects.requireNonNull(backoff, "backoff");
        configure(() -> this.backoff = backoff);
        return this;
    }

    /** Which close codes and connect failures are retried; default {@link RetryPolicy#defaults()}. */
    public Reconnecting retryPolicy(RetryPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        configure(() -> this.policy = policy);
        return this;
    }

    /**
     * The retry budget: the iteration ends once {@code attempts} connection attempts in a row
     * have failed (the count starts over after each established connection). {@code 1} never
     * retries a failed attempt. Default: unlimited.
     *
     * @throws IllegalArgumentException if {@code attempts} is below 1
     */
    public Reconnecting maxAttempts(int attempts) {
        if (attempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1: " + attempts);
        }
        configure(() -> this.maxAttempts = attempts);
        return this;
    }

    /** No limit on attempts (the default). */
    public Reconnecting unlimitedAttempts() {
        configure(() -> this.maxAttempts = 0);
        return this;
    }

    /** The source of the backoff's jitter; used only by the iterating thread. For tests: a seeded one. */
    public Reconnecting random(RandomGenerator random) {
        Objects.requireNonNull(random, "random");
        configure(() -> this.random = random);
        return this;
    }

    /** Told about every wait before a reconnection attempt. */
    public Reconnecting listener(Listener listener) {
        Objects.requireNonNull(listener, "listener");
        configure(() -> this.listener = listener);
        return this;
    }

    /**
     * The most recent failure: the exception of the last failed connection attempt, or a {@link
     * WebSocketClosedException} carrying the code of the last connection that closed (other than
     * one the loop body gave back open, or one {@link #close()} closed). Once the iteration has
     * ended, this says why, unless {@code close()} ended it.
     */
    public Optional<Exception> lastFailure() {
        lock.lock();
        try {
            return Optional.ofNullable(lastFailure);
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The connections, each one established (opening handshake done) just before {@code
     * hasNext()} returns true — a server that closes at once may have closed it by the time the
     * body uses it, which the body sees as the end of that connection's messages. {@code hasNext()} blocks while
     * it closes the previous connection (if still open), waits out the backoff and connects;
     * it returns false once the iteration has ended, and throws {@link ReconnectFailedException}
     * for a connect failure that is not retried. {@code next()} does the same when called
     * without {@code hasNext()}.
     *
     * @throws IllegalStateException if called a second time
     */
    @Override
    public Iterator<WebSocket> iterator() {
        lock.lock();
        try {
            if (iterating) {
                throw new IllegalStateException("a Reconnecting is iterated once");
            }
            iterating = true;
        } finally {
            lock.unlock();
        }
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                lock.lock();
                try {
                    if (ready != null) {
                        return true;
                    }
                    if (finished || closed) {
                        return false;
                    }
                } finally {
                    lock.unlock();
                }
                advance();
                lock.lock();
                try {
                    return ready != null;
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public WebSocket next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("no more connections");
                }
                lock.lock();
                try {
                    WebSocket ws = ready;
                    ready = null;
                    return ws;
                } finally {
                    lock.unlock();
                }
            }
        };
    }

    /**
     * Ends the iteration and closes the current connection with 1000 (waiting for the closing
     * handshake, bounded by the close timeout). A thread waiting in backoff or in a connection
     * attempt wakes at once; its {@code hasNext()} returns false. Idempotent; any thread.
     */
    @Override
    public void close() {
        WebSocket ws;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            finished = true;
            ws = current;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (ws != null) {
            closeGracefully(ws);
        }
    }

    @Override
    public String toString() {
        return "Reconnecting[" + uri + (isClosed() ? ", closed" : "") + "]";
    }

    private void configure(Runnable change) {
        lock.lock();
        try {
            if (iterating) {
                throw new IllegalStateException("configure a Reconnecting before iterating it");
            }
            change.run();
        } finally {
            lock.unlock();
        }
    }

    // ---- the iterating thread ----

    /** Finds the next connection: sets {@link #ready}, or {@link #finished}, or throws. */
    private void advance() {
        Exception waitCause = null; // non-null: wait out a backoff delay before the next attempt
        WebSocket previous;
        lock.lock();
        try {
            previous = current;
        } finally {
            lock.unlock();
        }
        if (previous != null) {
            if (previous.isOpen()) {
                // The body moved on: close it, as python-websockets does after each iteration, and reconnect at once.
                if (!closeGracefully(previous)) {
                    finish();
                    return;
                }
            } else {
                try {
                    if (!previous.awaitClosed(CLOSING_WAIT)) {
                        previous.abort();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    finish();
                    return;
                }
                CloseCode code = previous.closeCode();
                WebSocketClosedException ended = new WebSocketClosedException(code, String.valueOf(previous.closeReason()));
                boolean retry;
                lock.lock();
                try {
                    if (closed) {
                        return; // close() closed it: not a failure
                    }
                    lastFailure = ended;
                } finally {
                    lock.unlock();
                }
                try {
                    retry = policy.retries(code);
                } catch (RuntimeException | Error e) {
                    finish();
                    throw e;
                }
                if (!retry) {
                    finish();
                    return;
                }
                waitCause = ended;
            }
        }
        lock.lock();
        try {
            current = null;
        } finally {
            lock.unlock();
        }

        while (true) {
            if (waitCause != null && !waitBeforeAttempt(waitCause)) {
                return;
            }
            Attempt attempt = connectOnce();
            if (attempt == null) {
                return;
            }
            if (attempt.ws != null) {
                lock.lock();
                try {
                    if (!closed) {
                        current = attempt.ws;
                        ready = attempt.ws;
                        failures = 0;
                        retries = 0;
                        return;
                    }
                } finally {
                    lock.unlock();
                }
                attempt.ws.abort(); // closed between the attempt's end and here
                return;
            }
            if (attempt.error instanceof Error e) {
                finish();
                throw e;
            }
            Exception failure = (Exception) attempt.error;
            int failed;
            lock.lock();
            try {
                failed = ++failures;
                lastFailure = failure;
            } finally {
                lock.unlock();
            }
            boolean retry;
            try {
                retry = policy.retries(failure);
            } catch (RuntimeException | Error e) {
                finish();
                throw e;
            }
            if (!retry) {
                finish();
                throw new ReconnectFailedException(failure, failed);
            }
            if (maxAttempts > 0 && failed >= maxAttempts) {
                LOG.log(System.Logger.Level.DEBUG, () -> "giving up on " + uri + " after " + failed + " attempts: " + failure);
                finish();
                return;
            }
            waitCause = failure;
        }
    }

    /** Waits the next backoff delay; false (and finished) if closed or interrupted meanwhile. */
    private boolean waitBeforeAttempt(Exception cause) {
        int retry;
        Duration delay;
        lock.lock();
        try {
            if (closed) {
                finished = true;
                return false;
            }
            retry = retries++;
            delay = backoff.delay(retry, random);
        } finally {
            lock.unlock();
        }
        LOG.log(System.Logger.Level.DEBUG, () -> "reconnecting to " + uri + " in " + delay.toMillis() + " ms: " + cause);
        try {
            listener.reconnecting(retry, delay, cause);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Reconnecting listener failed", e);
        }
        long deadline = System.nanoTime() + delay.toNanos();
        lock.lock();
        try {
            while (!closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                changed.awaitNanos(left);
            }
            finished = true;
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finished = true;
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** One connection attempt, on a virtual thread of its own; null (and finished) if closed or interrupted first. */
    private Attempt connectOnce() {
        Attempt attempt = new Attempt();
        lock.lock();
        try {
            if (closed) {
                finished = true;
                return null;
            }
        } finally {
            lock.unlock();
        }
        Thread connector = Thread.ofVirtual().name("loomsocket-reconnect-" + id).start(() -> run(attempt));
        boolean abandon = false;
        lock.lock();
        try {
            while (!attempt.done && !closed) {
                changed.await();
            }
            if (attempt.done) {
                return attempt;
            }
            abandon = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon = true;
        } finally {
            if (abandon) {
                attempt.abandoned = true;
                finished = true;
            }
            lock.unlock();
        }
        // A virtual thread blocked in socket I/O that is interrupted closes the socket (JEP 444):
        // the attempt ends now rather than at its connect or handshake timeout.
        connector.interrupt();
        return null;
    }

    /** The attempt's own thread: connects, then hands the result over, or aborts it if nobody wants it any more. */
    private void run(Attempt attempt) {
        WebSocket ws = null;
        Throwable error = null;
        try {
            ws = options.connect(uri);
        } catch (Throwable t) {
            error = t;
        }
        boolean unwanted;
        lock.lock();
        try {
            unwanted = attempt.abandoned || closed;
            attempt.ws = unwanted ? null : ws;
            attempt.error = error;
            attempt.done = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (unwanted && ws != null) {
            ws.abort();
        }
        if (unwanted && error instanceof Error e) {
            throw e; // nobody will read it: it reaches this thread's uncaught exception handler
        }
    }

    private void finish() {
        lock.lock();
        try {
            finished = true;
        } finally {
            lock.unlock();
        }
    }

    /** close(1000); false if interrupted (the connection is aborted then, and the interrupt status kept). */
    private static boolean closeGracefully(WebSocket ws) {
        try {
            ws.close(); // an interrupt aborts it and keeps the interrupt status
            return !Thread.currentThread().isInterrupted();
        } catch (RuntimeException e) {
            ws.abort();
            return true;
        }
    }

    /** One connection attempt's result; its fields are guarded by {@link #lock}. */
    private static final class Attempt {
        WebSocket ws;
        Throwable error;
        boolean done;
        boolean abandoned;
    }
}
