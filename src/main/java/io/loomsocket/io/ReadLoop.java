package io.loomsocket.io;

import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The reader: the one virtual thread per connection that reads the transport in large chunks,
 * feeds the protocol core and acts on what it says, in order. It is the only thread that reads,
 * that touches the read buffer and {@link #events}, and that delivers data messages.
 *
 * <p>For each read: the core's automatic replies (pong, close) are written at once (or left to
 * the active writer), so pings are answered while the application is busy; then each data
 * message goes to the {@link Delivery}: the {@link Inbox} (which may make the reader wait: TCP
 * backpressure) or, in inline mode, the application's listener itself, called on this thread
 * with no lock held.
 *
 * <p>Frames are acted on in the order they arrived. The close frame owed for a violation found
 * after some messages, or in reply to the peer's close, is deferred (see
 * {@link GuardedConnection}): those messages reach the application first, and what it sends in
 * answer goes out before the close. Inline, the close is queued once they were handled; with an
 * inbox, once the application has taken them and come back for more
 * ({@link SocketSession#receive}), or at the latest after the close timeout (a timer). The peer's
 * end of stream does not cancel it: the reader waits for it to be applied and the close frame
 * written before the connection closes.
 */
final class ReadLoop {

    private static final System.Logger LOG = System.getLogger(ReadLoop.class.getName());
    // An idle connection's reader is parked in read() holding its buffer, so the buffer starts
    // small; it grows (x4) while reads fill it and shrinks back after a run of small reads.
    private static final int MIN_READ_BUFFER = 512;
    private static final int MAX_READ_BUFFER = 64 * 1024;
    private static final int SMALL_READS_BEFORE_SHRINK = 64;
    // While the inbound budget is spent, a reader holding at least this much stops reading.
    private static final long BUDGET_PAUSE_THRESHOLD = 4 * 1024;
    static final String BUDGET_SPENT_REASON = "server memory budget for incoming messages is spent; try again later";

    /** Where data messages go. Called on the reader thread, in order, with no lock held. */
    interface Delivery {
        void deliver(DataMessage message) throws InterruptedException;
    }

    private final SocketSession session;
    private final Transport transport;
    private final GuardedConnection core;
    private final Outbound outbound;
    private final Pings pings;
    private final Closing closing;
    private final Timers timers;
    private final Duration closeTimeout;
    private final Inbox inbox; // null in inline mode
    private final Delivery delivery;
    private final ArrayList<Message> events = new ArrayList<>(4);
    private byte[] leftover;
    private volatile long lastReadNanos;
    private long bytesRead; // this connection's; the reader's own (read elsewhere only once it ended)
    private boolean closeScheduled;
    private volatile Timers.Task closeCheck; // the deferred close's next check, on the timers
    private boolean failureReported;
    private final SessionCounters counters;
    private final MemoryBudget budget; // the inbound budget, shared by the owner's connections
    private final long graceNanos;
    private long charged; // what this reader took from budget for the core's partial message

    ReadLoop(SocketSession session, Transport transport, GuardedConnection core, Outbound outbound, Pings pings,
             Closing closing, Timers timers, Duration closeTimeout, Inbox inbox, Delivery delivery, byte[] leftover,
             Budgets budgets) {
        this.budget = budgets.inbound();
        this.graceNanos = budgets.grace().toNanos();
        this.session = session;
        this.transport = transport;
        this.core = core;
        this.outbound = outbound;
        this.pings = pings;
        this.closing = closing;
        this.timers = timers;
        this.closeTimeout = closeTimeout;
        this.inbox = inbox;
        this.delivery = delivery;
        this.leftover = leftover;
        this.counters = session.counters();
        this.lastReadNanos = timers.nanoTime();
    }

    /** Reads until the end of the stream, an error or the close timeout; then the connection is closed. */
    void run() {
        try {
            if (leftover.length > 0) {
                byte[] first = leftover;
                leftover = null;
                bytesRead += first.length;
                counters.bytesRead(first.length);
                process(first, first.length);
            }
            leftover = null;
            byte[] buf = new byte[MIN_READ_BUFFER];
            int smallReads = 0;
            while (true) {
                if (budget.spent() && waitForBudget()) {
                    buf = new byte[MIN_READ_BUFFER];
                    smallReads = 0;
                }
                int n = transport.read(buf);
                if (n < 0) {
                    closeFrameOwedAtEof();
                    break;
                }
                lastReadNanos = timers.nanoTime();
                bytesRead += n;
                counters.bytesRead(n);
                long writtenBefore = outbound.writtenTotal();
                process(buf, n);
                if (n < buf.length && outbound.writtenTotal() != writtenBefore) {
                    // We read all there was and answered on this connection: request/response
                    // traffic. Reading again at once would nearly always find nothing, and cost a
                    // read (EAGAIN), an epoll_ctl and a park. Letting the other connections'
                    // threads run first often gives the peer time to answer, so the next read
                    // finds data: 1.06 reads per echoed message instead of 1.41 (strace), and less
                    // server CPU per message (docs/benchmarks.md).
                    Thread.yield();
                }
                if (n == buf.length && buf.length < MAX_READ_BUFFER) {
                    buf = new byte[Math.min(buf.length * 4, MAX_READ_BUFFER)]; // busy: read in larger chunks
                    smallReads = 0;
                } else if (buf.length > MIN_READ_BUFFER && n <= MIN_READ_BUFFER
                        && ++smallReads >= SMALL_READS_BEFORE_SHRINK) {
                    buf = new byte[MIN_READ_BUFFER]; // quiet again: don't hold a large buffer while parked
                    smallReads = 0;
                }
            }
        } catch (SocketTimeoutException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing handshake timed out; aborting");
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "connection ended: {0}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "unexpected error in the reader", e);
        } finally {
            budget.give(charged);
            charged = 0;
            closing.finish();
        }
    }

    /**
     * The inbound budget is spent: a reader that holds part of a message, or messages in its
     * inbox ({@link #BUDGET_PAUSE_THRESHOLD} or more), stops reading, so that the peer's bytes
     * wait in the kernel and TCP flow control slows it; the others read on (small messages and
     * control frames keep flowing). If there is still no room after the grace period, the
     * connection is failed with 1013 and what it held is given back. Returns whether it waited.
     */
    private boolean waitForBudget() throws InterruptedException {
        long held = charged + (inbox == null ? 0 : inbox.size());
        if (held < BUDGET_PAUSE_THRESHOLD || closing.isClosed()) {
            return false;
        }
        if (!budget.awaitRoom(graceNanos)) {
            budget.countClose();
            LOG.log(System.Logger.Level.DEBUG, "inbound memory budget spent for {0} ms; closing with 1013",
                    TimeUnit.NANOSECONDS.toMillis(graceNanos));
            session.fail(CloseCode.TRY_AGAIN_LATER, BUDGET_SPENT_REASON);
            recharge(core.bufferedBytes()); // the failure dropped the partial message
        }
        return true;
    }

    /** Brings what this reader took from the budget to {@code held}, the core's bytes now. */
    private void recharge(long held) {
        budget.adjust(held - charged);
        charged = held;
    }

    /** Feeds one read to the core and acts on the result. */
    private void process(byte[] buf, int n) throws IOException, InterruptedException {
        int status = core.receive(buf, n, events, !budget.spent());
        recharge(core.heldAfterReceive());
        if ((status & GuardedConnection.RECEIVE_FAILED) != 0 && !failureReported) {
            failureReported = true; // once: input stops at the failure
            session.receiveFailed(core.receiveFailure());
        }
        boolean open = (status & GuardedConnection.NOT_OPEN) == 0;
        if (!open && inbox != null) {
            inbox.release(); // our close is out: we must read the peer's reply whatever the application does
        }
        // Pongs and close replies: written now, or by the writer already at work. Never waits to become it.
        outbound.write();
        for (int i = 0; i < events.size(); i++) {
            switch (events.get(i)) {
                case DataMessage d -> {
                    counters.messageDelivered();
                    delivery.deliver(d);
                }
                case Message.Pong p -> pings.pong(p.data(), timers.nanoTime());
                case Message.Ping p -> {} // the core has queued the pong
                case Message.Close c -> {
                    if (inbox != null) {
                        inbox.end();
                    }
                }
            }
        }
        events.clear();
        boolean closeTransport = (status & GuardedConnection.CLOSE_TRANSPORT) != 0;
        if ((status & GuardedConnection.PENDING_CLOSE) != 0) {
            if (inbox == null || inbox.handledElseFailureBehind()) {
                session.applyPendingClose(); // every message before the bad frame or the close was handled
                closeTransport = core.shouldCloseTransport();
                open = false;
            } else if (!closeScheduled) {
                // The application handles the earlier messages first (it may answer the last one it
                // took): receive() applies the close when it comes back and finds the inbox
                // empty; a timer checks again once the answer window has passed, and applies it at
                // the latest after the close timeout.
                closeScheduled = true;
                long deadline = timers.nanoTime() + closeTimeout.toNanos();
                checkDeferredCloseLater(deadline);
                closing.onClosed(() -> {
                    Timers.Task t = closeCheck;
                    if (t != null) {
                        t.cancel();
                    }
                });
            }
        }
        // (A close the application starts meanwhile is acted on at the next read: its reply is read.)
        if (closeTransport) {
            closing.linger();
        } else if (!open) {
            // Waiting for the peer's close frame or its EOF: bounded by the close timeout.
            transport.setReadTimeout(Math.max(1, closeTimeout.toMillis()));
        }
    }

    /**
     * On the timers: applies the deferred close once the application has handled the messages
     * before it ({@link Inbox#handledNow}), or at {@code deadline}; until then checks again every
     * answer window.
     */
    private void checkDeferredCloseLater(long deadline) {
        long delay = Math.min(Math.max(1, deadline - timers.nanoTime()), Inbox.ANSWER_WINDOW_NANOS);
        closeCheck = timers.schedule(Duration.ofNanos(delay), () -> {
            if (timers.nanoTime() - deadline >= 0 || inbox.handledNow()) {
                Thread.ofVirtual().name("loomsocket-close").start(session::applyPendingClose);
            } else if (!closing.isClosed()) {
                checkDeferredCloseLater(deadline);
            }
        });
    }

    /**
     * The peer's end of stream while a close waits behind messages the application has not
     * handled yet (a peer that sends a bad frame, or a close, and then FIN): our close frame is
     * still owed to the peer (§7.1.7, §5.5.1), after the answers to those messages, as it would
     * be without the end of stream. Waits until {@code receive()} or the deferred-close timer has
     * applied it (at most the close timeout, and a little more for the timer), and until the
     * close frame is written; then the reader ends and the connection closes.
     */
    private void closeFrameOwedAtEof() throws IOException, InterruptedException {
        if (!closeScheduled) {
            return; // no close was deferred (one applied at once has been written already)
        }
        long wait = closeTimeout.toNanos() + TimeUnit.MILLISECONDS.toNanos(500);
        if (core.awaitNoPendingClose(wait)) {
            outbound.write(); // the close frame, unless the thread that applied it is writing it already
            outbound.awaitWriterIdle(closeTimeout.toNanos());
        }
    }

    long lastReadNanos() {
        return lastReadNanos;
    }

    /** Bytes read from the transport (the leftover of the handshake included); exact on the reader, or once it ended. */
    long bytesRead() {
        return bytesRead;
    }
}
