package io.loomsocket.io;

import io.loomsocket.WebSocketClosedException;
import io.loomsocket.protocol.CloseCode;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * The end of a connection: the closing handshake (RFC 6455 §7), failing the connection, aborting
 * it, the FIN after the last frame, and what happens once the TCP connection is closed.
 *
 * <p>Who calls what: {@link #close} and {@link #fail} from any thread; {@link #linger} and
 * {@link #finish} from the reader only ({@link ReadLoop}); {@link #closeIfDue} from whichever
 * thread stops writing. The state here is a latch and two atomic flags; no lock is held while
 * close listeners run, and they run once, on the reader thread as it ends (or at once, for a
 * listener added after the end).
 *
 * <p>The lingering close: once the core says the TCP connection should close (after a failure,
 * or on a server once close frames went both ways: "the server MUST close the underlying TCP
 * connection immediately", §7.1.1), our last frame goes out, then FIN, and the reader reads on
 * (the core discards the bytes) until the peer's end of stream or the close timeout. Closing
 * with unread input would make the kernel send RST, which can destroy our close frame before the
 * peer reads it.
 */
final class Closing {

    private static final System.Logger LOG = System.getLogger(Closing.class.getName());

    private final GuardedConnection core;
    private final Outbound outbound;
    private volatile Inbox inbox; // set by a pull-mode session before its reader starts; null inline
    private final Pings pings;
    private final Transport transport;
    private final Timers timers;
    private final Duration closeTimeout;

    private final CountDownLatch closed = new CountDownLatch(1);
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    // 0 until the output is shut; a field updater, not an AtomicBoolean: one object less per connection.
    private static final AtomicIntegerFieldUpdater<Closing> OUTPUT_SHUT =
            AtomicIntegerFieldUpdater.newUpdater(Closing.class, "outputShut");
    private volatile int outputShut;

    Closing(GuardedConnection core, Outbound outbound, Pings pings, Transport transport, Timers timers,
            Duration closeTimeout) {
        this.core = core;
        this.outbound = outbound;
        this.pings = pings;
        this.transport = transport;
        this.timers = timers;
        this.closeTimeout = closeTimeout;
    }

    /** Pull mode: the inbox that a closing reader must not wait for. */
    void attach(Inbox inbox) {
        this.inbox = inbox;
    }

    /**
     * Starts the closing handshake and writes the close frame (or leaves it to the active
     * writer). With {@code wait}, then waits for the peer's close and the end of the TCP
     * connection, at most the close timeout, and aborts if they do not come; an interrupted wait
     * aborts too, and keeps the thread's interrupt status.
     */
    void close(CloseCode code, String reason, boolean wait) {
        if (core.sendClose(code, reason)) {
            releaseReader();
        }
        try {
            outbound.write();
        } catch (IOException e) {
            abort();
        }
        if (!wait) {
            abortAfterCloseTimeout(); // the reader waits for the reply; a peer that never sends one is cut off
            return;
        }
        try {
            if (!closed.await(closeTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                LOG.log(System.Logger.Level.DEBUG, "peer did not complete the closing handshake; aborting");
                abort();
            }
        } catch (InterruptedException e) {
            abort();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Fails the connection (§7.1.7): sends a close frame with {@code code} if it can within the
     * close timeout, then closes the TCP connection. Does not wait.
     */
    void fail(CloseCode code, String reason) {
        if (isClosed()) {
            return;
        }
        core.fail(code, reason);
        releaseReader();
        Thread.ofVirtual().name("loomsocket-fail").start(() -> {
            outbound.writeQuietly();
            closeIfDue();
        });
        abortAfterCloseTimeout();
    }

    /** A deadline: if the TCP connection is still open after the close timeout, abort it. */
    void abortAfterCloseTimeout() {
        Timers.Task deadline = timers.schedule(closeTimeout, () -> {
            if (!isClosed()) {
                abort();
            }
        });
        onClosed(deadline::cancel);
    }

    /** Closes the TCP connection at once; senders, the reader and waiters wake. */
    void abort() {
        transport.close();
        outbound.end();
        releaseReader();
    }

    private void releaseReader() {
        Inbox inbox = this.inbox;
        if (inbox != null) {
            inbox.release(); // a reader waiting for inbox space must read the peer's reply
        }
    }

    /** After a write: sends FIN once everything is written, if the core says the TCP connection should close. */
    void closeIfDue() {
        if (core.transportDue()) {
            halfClose();
        }
    }

    /** The reader's lingering close: the last frames out, FIN, then read until EOF or the close timeout. */
    void linger() throws IOException, InterruptedException {
        outbound.awaitWriterIdle(closeTimeout.toNanos());
        halfClose();
        transport.setReadTimeout(Math.max(1, closeTimeout.toMillis()));
    }

    /** Sends FIN after everything written; the reader closes the transport at the peer's EOF. */
    private void halfClose() {
        if (!OUTPUT_SHUT.compareAndSet(this, 0, 1)) {
            return;
        }
        try {
            transport.shutdownOutput();
        } catch (IOException e) {
            transport.close();
        }
    }

    /** The reader has ended: the connection is closed. Runs the close listeners. */
    void finish() {
        transport.close();
        core.receiveEof();
        outbound.end();
        Inbox inbox = this.inbox;
        if (inbox != null) {
            inbox.end();
            inbox.uncharge();
        }
        closed.countDown();
        pings.failAll(closedException());
        for (Runnable listener : listeners) {
            if (listeners.remove(listener)) {
                try {
                    listener.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "close listener failed", e);
                }
            }
        }
    }

    /** Runs {@code listener} once the connection is closed (at once if it already is). */
    void onClosed(Runnable listener) {
        listeners.add(listener);
        if (isClosed() && listeners.remove(listener)) {
            listener.run();
        }
    }

    boolean isClosed() {
        return closed.getCount() == 0;
    }

    boolean awaitClosed(Duration timeout) throws InterruptedException {
        return closed.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    WebSocketClosedException closedException() {
        return new WebSocketClosedException(core.closeCode(), core.closeReason());
    }
}
