package io.loomsocket.io;

import io.loomsocket.protocol.Connection;
import io.loomsocket.protocol.ConnectionState;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The outbound queue of one connection and its writer: encoded frames in protocol order, bounded
 * by watermarks, written several per socket write.
 *
 * <p><b>Ownership.</b> {@link #lock} guards the queue, the deferred frames, the byte counts and
 * the flags. Frames from the protocol core enter only through {@link #enqueue}, which the core's
 * owner ({@link GuardedConnection}) calls while holding its own lock: the lock order is
 * <em>core lock, then queue lock</em>, never the reverse, and this class never calls out while
 * holding {@link #lock}. Broadcast frames enter through {@link #offer}, which never waits.
 *
 * <p><b>The writer.</b> At most one thread at a time is the writer: the first thread that finds
 * frames queued and nobody writing becomes it ({@link #write}) and writes everything queued,
 * its own frames and any queued by others meanwhile, until the queue is empty. Nobody waits to
 * become the writer: a thread that finds a writer active leaves its frames to it. So the reader
 * never blocks behind a sender stuck on a full socket, and two peers both sending large messages
 * cannot deadlock. The writer writes with no lock held. {@link #batch} and {@link #writtenTotal}
 * belong to the active writer; the {@code writing} flag hands them from one writer to the next
 * through {@link #lock}.
 *
 * <p><b>Fragmented messages.</b> "The fragments of one message MUST NOT be interleaved between
 * the fragments of another message" (RFC 6455 §5.4): while the core says a fragmented message is
 * going out, offered frames wait in {@link #deferred} and follow its last fragment. Control
 * frames may be injected in the middle of a fragmented message; they are queued at once.
 *
 * <p><b>Backpressure.</b> A sender that queued more than the high watermark waits in
 * {@link #awaitBelowHigh} until the writer has brought the queue under the low watermark.
 * {@link #offer} never waits: over the high watermark it refuses, and the caller applies its
 * slow-consumer policy.
 *
 * <p><b>Automatic pongs.</b> The reader answers every ping at once, and pongs are not held by
 * the watermarks: the reader must not wait for the writer (see above). Usually the reader becomes
 * the writer itself, and a peer that pings without reading stops it in its socket write. But when
 * another thread is the writer, stuck on a peer that does not read, a ping flood would queue pongs
 * without bound. So at most {@link #MAX_QUEUED_PONGS} pongs wait in the queue; past that, a new
 * pong replaces the pong at the tail of the queue, if that is where one is: "If an endpoint
 * receives a Ping frame and has not yet sent Pong frame(s) in response to previous Ping frame(s),
 * the endpoint MAY elect to send a Pong frame for only the most recently processed Ping frame"
 * (RFC 6455 §5.5.3). A pong that is not at the tail (data was queued after it) stays, so frames
 * already queued never move; the data between such pongs is bounded by the watermarks.
 */
final class Outbound {

    private static final int COALESCE_LIMIT = WriteBuffers.SIZE;
    /** Queued pongs over which a new one replaces the newest (§5.5.3); a peer pings 10 at once in Autobahn 2.10. */
    static final int MAX_QUEUED_PONGS = 32;

    /** What became of an offered frame. */
    enum Offer { QUEUED, CLOSED, FULL }

    private final Transport transport;
    private final Timers timers;
    private final long highWatermark;
    private final long lowWatermark;
    /** Called with no lock held whenever a writer stops: the closing sequence's FIN check. */
    private final Runnable afterWriting;
    private final SessionCounters counters; // bytes written, once per batch
    private final MemoryBudget budget; // the server's outbound budget: the queued bytes are drawn from it

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when the queue falls under the low watermark, the writer stops, or output ends. */
    private final Condition drained = lock.newCondition();

    // Guarded by lock. Small initial capacities: most connections use them lightly.
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>(2);
    private ArrayDeque<byte[]> deferred; // made by the first offer that must wait for a fragmented message
    private long queuedBytes; // queued and deferred, not yet written
    private long enqueuedTotal; // bytes ever put on the queue, in order
    private boolean writing;
    private boolean acceptingData = true; // false once the core has queued its close frame
    private boolean messageOpen; // a fragmented message is going out: offers are deferred
    private boolean ended; // a write failed or the connection was aborted: nothing more goes out
    private int queuedPongs; // pongs in the queue (not in the writer's batch)
    private long coalescedPongs; // pongs replaced by a newer one, ever

    // The active writer's.
    private final ArrayList<byte[]> batch = new ArrayList<>();
    private volatile long writtenTotal; // bytes ever written: a prefix of what was enqueued
    private volatile long lastWriteNanos;

    Outbound(Transport transport, Timers timers, long highWatermark, long lowWatermark, Runnable afterWriting,
             SessionCounters counters) {
        this(transport, timers, highWatermark, lowWatermark, afterWriting, counters, MemoryBudget.UNLIMITED);
    }

    Outbound(Transport transport, Timers timers, long highWatermark, long lowWatermark, Runnable afterWriting,
             SessionCounters counters, MemoryBudget budget) {
        this.budget = budget;
        this.transport = transport;
        this.counters = counters;
        this.timers = timers;
        this.highWatermark = highWatermark;
        this.lowWatermark = lowWatermark;
        this.afterWriting = afterWriting;
        this.lastWriteNanos = timers.nanoTime();
    }

    /**
     * Moves the core's encoded frames to the queue, in order. Called by the core's owner under
     * its lock, after every operation that may have produced frames.
     *
     * @param messageOpen whether a fragmented message is now in progress
     * @return the position just past these frames in the stream ({@link #writtenTotal()} reaches
     *     it once they are written)
     */
    long enqueue(Connection conn, boolean messageOpen) {
        lock.lock();
        try {
            for (byte[] b; (b = conn.nextOutgoing()) != null; ) {
                if (ended) {
                    continue;
                }
                if (isPong(b)) {
                    if (queuedPongs >= MAX_QUEUED_PONGS && isPong(queue.peekLast())) {
                        // §5.5.3: only the most recent ping need be answered. The replaced pong is
                        // the queue's last frame: no position handed out lies beyond it.
                        byte[] older = queue.pollLast();
                        queued(-older.length);
                        enqueuedTotal -= older.length;
                        queuedPongs--;
                        coalescedPongs++;
                    }
                    queuedPongs++;
                }
                queue.add(b);
                queued(b.length);
                enqueuedTotal += b.length;
            }
            long end = enqueuedTotal;
            if (conn.state() != ConnectionState.OPEN) {
                acceptingData = false; // a close frame is queued (or the connection is gone): no data after it
                dropDeferred();
            }
            this.messageOpen = messageOpen;
            if (!messageOpen && deferred != null && !deferred.isEmpty()) {
                for (byte[] b; (b = deferred.poll()) != null; ) { // broadcasts that waited for the message to end
                    queue.add(b);
                    enqueuedTotal += b.length;
                }
            }
            return end;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues an already encoded frame without waiting, and starts a writer if none is active.
     * Refuses when data may no longer be sent ({@link Offer#CLOSED}) or when the queue is over
     * the high watermark ({@link Offer#FULL}).
     */
    Offer offer(byte[] frame) {
        lock.lock();
        try {
            if (!acceptingData || ended) {
                return Offer.CLOSED;
            }
            if (queuedBytes > 0 && (queuedBytes + frame.length > highWatermark || budget.spent())) {
                return Offer.FULL; // over this receiver's high watermark, or the server's outbound budget is spent
            }
            queued(frame.length);
            if (messageOpen) {
                if (deferred == null) {
                    deferred = new ArrayDeque<>(2);
                }
                deferred.add(frame);
                return Offer.QUEUED;
            }
            queue.add(frame);
            enqueuedTotal += frame.length;
            if (writing) {
                return Offer.QUEUED;
            }
            writing = true;
        } finally {
            lock.unlock();
        }
        Thread.ofVirtual().name("loomsocket-write").start(this::writeAsStarted);
        return Offer.QUEUED;
    }

    /**
     * Becomes the writer if frames are queued and nobody is writing, and writes until the queue
     * is empty. Returns at once if another thread is the writer: it will write what was queued.
     */
    void write() throws IOException {
        lock.lock();
        try {
            if (writing || queue.isEmpty() || ended) {
                return;
            }
            writing = true;
        } finally {
            lock.unlock();
        }
        writeLoop();
    }

    /** {@link #write()} on a thread that has no one to report a failure to. */
    void writeQuietly() {
        try {
            write();
        } catch (IOException e) {
            logWriteFailure(e);
        }
    }

    /** The writer thread started by {@link #offer}, which made it the writer already. */
    private void writeAsStarted() {
        try {
            writeLoop();
        } catch (IOException e) {
            logWriteFailure(e);
        }
    }

    private static void logWriteFailure(IOException e) {
        System.getLogger(Outbound.class.getName()).log(System.Logger.Level.DEBUG, "write failed: {0}", e.toString());
    }

    /** The writer's loop; the caller has set {@code writing}. */
    private void writeLoop() throws IOException {
        boolean failed = true;
        try {
            while (true) {
                batch.clear();
                lock.lock();
                try {
                    if (queue.isEmpty() || ended) {
                        writing = false;
                        drained.signalAll();
                        failed = false;
                        return;
                    }
                    for (byte[] b; (b = queue.poll()) != null; ) {
                        batch.add(b);
                    }
                    queuedPongs = 0; // all taken
                } finally {
                    lock.unlock();
                }
                long bytes = writeBatch();
                writtenTotal += bytes;
                counters.bytesWritten(bytes);
                lastWriteNanos = timers.nanoTime();
                lock.lock();
                try {
                    queued(-bytes);
                    if (queuedBytes <= lowWatermark) {
                        drained.signalAll();
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            transport.close();
            throw e;
        } finally {
            batch.clear();
            if (failed) {
                end();
            }
            if (!acceptingDataPlain()) {
                afterWriting.run(); // the core can want the transport closed only once it has left OPEN
            }
        }
    }

    /** Writes the batch, copying runs of small frames into one buffer so they go in one write. */
    private long writeBatch() throws IOException {
        long bytes = 0;
        if (batch.size() == 1) {
            byte[] only = batch.get(0);
            transport.write(only, 0, only.length);
            return only.length;
        }
        int i = 0;
        while (i < batch.size()) {
            byte[] first = batch.get(i);
            if (first.length >= COALESCE_LIMIT / 2) {
                transport.write(first, 0, first.length);
                bytes += first.length;
                i++;
                continue;
            }
            byte[] buffer = WriteBuffers.take(); // shared pool: idle connections hold none
            try {
                int used = 0;
                while (i < batch.size() && used + batch.get(i).length <= COALESCE_LIMIT) {
                    byte[] b = batch.get(i++);
                    System.arraycopy(b, 0, buffer, used, b.length);
                    used += b.length;
                }
                transport.write(buffer, 0, used);
                bytes += used;
            } finally {
                WriteBuffers.give(buffer);
            }
        }
        return bytes;
    }

    // Under lock: every change of queuedBytes goes through here, and to the server's budget.
    private void queued(long delta) {
        queuedBytes += delta;
        budget.adjust(delta);
    }

    /**
     * Backpressure: if more than the high watermark is queued, waits until the writer has brought
     * it under the low one; while the server's outbound budget is spent, waits until this queue
     * is empty (the sum counts, not only this connection). Returns false if output ended while it
     * waited.
     */
    boolean awaitBelowHigh() throws InterruptedIOException {
        lock.lock();
        try {
            if (queuedBytes <= highWatermark && !(queuedBytes > 0 && budget.spent())) {
                return true;
            }
            while ((queuedBytes > lowWatermark || queuedBytes > 0 && budget.spent()) && !ended) {
                drained.await();
            }
            return !ended;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the peer to read");
        } finally {
            lock.unlock();
        }
    }

    /** Waits, at most {@code nanos}, until no thread is writing. */
    void awaitWriterIdle(long nanos) throws InterruptedException {
        lock.lock();
        try {
            while (writing && nanos > 0 && !ended) {
                nanos = drained.awaitNanos(nanos);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether a thread is the writer now. */
    boolean isWriting() {
        lock.lock();
        try {
            return writing;
        } finally {
            lock.unlock();
        }
    }

    /** Whether everything queued is written and nobody is writing. */
    boolean isIdle() {
        lock.lock();
        try {
            return !writing && queue.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Nothing more goes out: the queue is dropped and waiting senders wake. */
    void end() {
        lock.lock();
        try {
            ended = true;
            acceptingData = false;
            writing = false;
            queue.clear();
            queuedPongs = 0;
            dropDeferred();
            queued(-queuedBytes);
            drained.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // Under lock.
    private void dropDeferred() {
        if (deferred == null) {
            return;
        }
        for (byte[] b; (b = deferred.poll()) != null; ) {
            queued(-b.length);
        }
    }

    private boolean acceptingDataPlain() {
        lock.lock();
        try {
            return acceptingData;
        } finally {
            lock.unlock();
        }
    }

    long queuedBytes() {
        lock.lock();
        try {
            return queuedBytes;
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@code frame} is a pong: opcode 0xA in its first byte (every queued array starts a frame). */
    private static boolean isPong(byte[] frame) {
        return frame != null && frame.length >= 2 && (frame[0] & 0x0F) == 0x0A;
    }

    /** Pongs replaced by a newer one before they were written (§5.5.3), ever. */
    long coalescedPongs() {
        lock.lock();
        try {
            return coalescedPongs;
        } finally {
            lock.unlock();
        }
    }

    long writtenTotal() {
        return writtenTotal;
    }

    long lastWriteNanos() {
        return lastWriteNanos;
    }
}
