package io.loomsocket.io;

import io.loomsocket.protocol.CloseBody;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.Connection;
import io.loomsocket.protocol.ConnectionState;
import io.loomsocket.protocol.Message;
import io.loomsocket.protocol.Opcode;
import io.loomsocket.protocol.Role;
import io.loomsocket.protocol.deflate.DeflateParams;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The sans-I/O {@link Connection} of one socket session and the lock that guards it. The core is
 * not thread-safe; the reader feeds it, senders, pings and closes drive it, and every call goes
 * through here, under {@link #lock}. After each call the frames the core produced move to the
 * {@link Outbound} queue while the lock is still held, so frames are queued in the order the
 * core made them (lock order: this lock, then the queue's).
 *
 * <p>No I/O and no application code runs under {@link #lock}; the only waits are a sender's wait
 * for another thread's fragmented message to end ({@link #messageEnded}) and the reader's wait,
 * at the peer's end of stream, for a deferred close to be applied ({@link #failureApplied});
 * both release it.
 *
 * <p>Fragmented sends: "The fragments of one message MUST NOT be interleaved between the
 * fragments of another message unless an extension has been negotiated" (RFC 6455 §5.4). The
 * thread that sends a non-final fragment owns the message until it sends the final one; other
 * senders wait for it, and stop waiting when the connection leaves OPEN.
 */
final class GuardedConnection {

    private final Connection conn;
    private final Outbound outbound;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition messageEnded = lock.newCondition();
    private final Condition failureApplied = lock.newCondition();

    // Guarded by lock.
    private Thread fragmentSender; // the thread in the middle of a fragmented message, else null
    private Opcode fragmenting; // that message's type
    private String localFailure; // why we failed the connection, for closeReason()
    private long heldAfterReceive; // the reader's: what the core held after its last receive

    GuardedConnection(Connection conn, Outbound outbound) {
        this.conn = conn;
        this.outbound = outbound;
        // Frames are acted on in the order they arrived: the messages before a bad frame or the
        // peer's close reach the application, and may be answered, before our close goes out
        // (Autobahn's "strict" behaviour, e.g. cases 3.2 and 5.15; Node's ws does the same).
        conn.deferCloses(true);
    }

    /** Under lock: moves the core's frames to the queue, and wakes waiting senders if it closed. */
    private long flush() {
        if (conn.state() != ConnectionState.OPEN) {
            fragmentSender = null;
            fragmenting = null;
            messageEnded.signalAll();
        }
        return outbound.enqueue(conn, fragmentSender != null);
    }

    /** Bits of {@link #receive}'s answer. */
    static final int NOT_OPEN = 1;
    static final int PENDING_CLOSE = 2;
    static final int CLOSE_TRANSPORT = 4;
    static final int RECEIVE_FAILED = 8;

    /**
     * Feeds received bytes; adds the events they completed to {@code events}, in order; with
     * {@code eager} false the core allocates only for bytes that arrived. Returns
     * the core's state after them, as {@link #NOT_OPEN}, {@link #PENDING_CLOSE},
     * {@link #CLOSE_TRANSPORT} and {@link #RECEIVE_FAILED} (the bytes failed the connection:
     * {@link #receiveFailure()}) bits: one lock per read.
     */
    int receive(byte[] buf, int n, List<Message> events, boolean eager) {
        lock.lock();
        try {
            conn.eagerAllocation(eager);
            conn.receiveData(buf, 0, n);
            heldAfterReceive = conn.bufferedBytes();
            flush(); // pongs and close replies
            for (Message m; (m = conn.nextEvent()) != null; ) {
                events.add(m);
            }
            return (conn.state() != ConnectionState.OPEN ? NOT_OPEN : 0)
                    | (conn.hasPendingClose() ? PENDING_CLOSE : 0)
                    | (conn.shouldCloseTransport() ? CLOSE_TRANSPORT : 0)
                    | (conn.receiveFailure() != null ? RECEIVE_FAILED : 0);
        } finally {
            lock.unlock();
        }
    }

    /** The reader's: the bytes the core held for a partial message after the last {@link #receive}. */
    long heldAfterReceive() {
        return heldAfterReceive;
    }

    /** The bytes the core holds for a partial message now (none once it failed or closed). */
    long bufferedBytes() {
        lock.lock();
        try {
            return conn.bufferedBytes();
        } finally {
            lock.unlock();
        }
    }

    /** Thrown by the sends below when the connection is no longer open. */
    static final class NotOpen extends Exception {
        private static final long serialVersionUID = 1L;

        NotOpen() {
            super(null, null, false, false);
        }
    }

    /**
     * Queues one data frame of a message. Waits while another thread is in the middle of a
     * fragmented message.
     *
     * @return the stream position just past this frame (see {@link Outbound#enqueue})
     * @throws IllegalStateException if this thread's own fragmented message has another type;
     *     nothing changed, and the fragmented message can go on
     */
    long sendData(Opcode type, byte[] data, boolean last) throws NotOpen, InterruptedIOException {
        Thread me = Thread.currentThread();
        lock.lock();
        try {
            while (fragmentSender != null && fragmentSender != me && conn.state() == ConnectionState.OPEN) {
                messageEnded.await();
            }
            if (conn.state() != ConnectionState.OPEN) {
                throw new NotOpen();
            }
            boolean continuing = fragmentSender == me;
            if (continuing && fragmenting != type) {
                throw new IllegalStateException("a fragmented " + fragmenting + " message is in progress");
            }
            conn.sendFrame(continuing ? Opcode.CONTINUATION : type, data, 0, data.length, last);
            if (last) {
                fragmentSender = null;
                fragmenting = null;
                messageEnded.signalAll();
            } else {
                fragmentSender = me;
                fragmenting = type;
            }
            return flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for another message to end");
        } finally {
            lock.unlock();
        }
    }

    /** The calling thread's fragmented message is gone with the connection: release it. */
    void abandonMessage() {
        lock.lock();
        try {
            if (fragmentSender == Thread.currentThread()) {
                fragmentSender = null;
                fragmenting = null;
                messageEnded.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Encodes a whole message for this connection and offers it to the queue without waiting
     * (a broadcast on a connection whose frames cannot be shared: a client's are masked).
     */
    Outbound.Offer offerMessage(Opcode type, byte[] payload) {
        lock.lock();
        try {
            if (conn.state() != ConnectionState.OPEN) {
                return Outbound.Offer.CLOSED;
            }
            return outbound.offer(conn.encodeMessage(type, payload)); // deferred behind a fragmented message
        } finally {
            lock.unlock();
        }
    }

    void sendPing(byte[] payload) throws NotOpen {
        lock.lock();
        try {
            if (conn.state() != ConnectionState.OPEN) {
                throw new NotOpen();
            }
            conn.sendPing(payload);
            flush();
        } finally {
            lock.unlock();
        }
    }

    /** Starts the closing handshake; returns false if it was already closing or closed. */
    boolean sendClose(CloseCode code, String reason) {
        lock.lock();
        try {
            if (conn.state() != ConnectionState.OPEN) {
                return false;
            }
            conn.sendClose(code, reason);
            flush();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Fails the connection (§7.1.7): a close frame with {@code code} if none was sent yet. */
    void fail(CloseCode code, String reason) {
        lock.lock();
        try {
            if (conn.state() == ConnectionState.OPEN) {
                localFailure = reason;
            }
            conn.fail(code, reason);
            flush();
        } finally {
            lock.unlock();
        }
    }

    /** What failed the received bytes, or null (see {@link Connection#receiveFailure()}). */
    RuntimeException receiveFailure() {
        lock.lock();
        try {
            return conn.receiveFailure();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues the close deferred behind earlier messages (a failure, or the reply to the peer's
     * close); returns whether there was one.
     */
    boolean applyPendingClose() {
        lock.lock();
        try {
            if (!conn.hasPendingClose()) {
                return false;
            }
            conn.applyPendingClose();
            flush();
            failureApplied.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits, at most {@code nanos}, until no close is deferred any more (it was applied by
     * {@link #applyPendingClose}); returns whether none is.
     */
    boolean awaitNoPendingClose(long nanos) throws InterruptedException {
        lock.lock();
        try {
            while (conn.hasPendingClose()) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = failureApplied.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    void receiveEof() {
        lock.lock();
        try {
            conn.receiveEof();
            flush();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the core wants the transport closed and everything queued is written. */
    boolean transportDue() {
        lock.lock();
        try {
            return conn.shouldCloseTransport() && outbound.isIdle();
        } finally {
            lock.unlock();
        }
    }

    boolean shouldCloseTransport() {
        lock.lock();
        try {
            return conn.shouldCloseTransport();
        } finally {
            lock.unlock();
        }
    }

    ConnectionState state() {
        lock.lock();
        try {
            return conn.state();
        } finally {
            lock.unlock();
        }
    }

    CloseCode closeCode() {
        lock.lock();
        try {
            return conn.closeCode();
        } finally {
            lock.unlock();
        }
    }

    /** The peer's reason; else the reason we failed the connection with; else empty. */
    String closeReason() {
        lock.lock();
        try {
            CloseBody received = conn.closeReceived();
            if (received != null) {
                return received.reason();
            }
            if (localFailure != null) {
                return localFailure;
            }
            return conn.isFailed() && conn.closeSent() != null ? conn.closeSent().reason() : "";
        } finally {
            lock.unlock();
        }
    }

    Role role() {
        return conn.role(); // final in the core
    }

    Optional<DeflateParams> deflate() {
        return conn.deflate(); // final in the core
    }
}
