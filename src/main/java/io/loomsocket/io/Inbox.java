package io.loomsocket.io;

import io.loomsocket.protocol.DataMessage;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Received data messages waiting for the application's {@code receive()}: the hand-off from the
 * reader thread to the handler thread. (In inline-listener mode there is no inbox: the reader
 * calls the listener itself.)
 *
 * <p>Bounded: at most {@code limit} messages, and at most {@link #SIZE_LIMIT} in size (text
 * counted in chars, binary in bytes; at least one message is always taken). While it is full the
 * reader waits in {@link #put}, and so stops reading: TCP flow control then slows the peer.
 *
 * <p>The messages waiting are drawn from the server's inbound {@link MemoryBudget} (sizes as
 * above) from {@link #put} to {@link #take}, or to the connection's end ({@link #uncharge}).
 *
 * <p>{@link #lock} guards everything here and is held only to move a message in or out; no
 * other lock is taken under it and no application code runs under it.
 */
final class Inbox {

    /** Received bytes (chars of text) that may wait for the application. */
    static final long SIZE_LIMIT = 8L * 1024 * 1024;

    /**
     * How long after taking a message the application counts as still handling it (and maybe
     * about to answer it) when a close arrives: the close then waits for it to come back. A
     * message taken longer ago was handled: an application that took a message and went on to
     * other things does not hold the close reply for the whole close timeout.
     */
    static final long ANSWER_WINDOW_NANOS = 500_000_000L;

    private final int limit;
    private final MemoryBudget budget; // the server's inbound budget: messages here are held bytes
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();

    // Guarded by lock.
    private final ArrayDeque<DataMessage> queue = new ArrayDeque<>(2);
    private long size;
    private boolean ended; // no more messages will arrive
    private boolean released; // the reader must not wait for space any more
    private boolean inHand; // a message was taken and the application has not come back for the next
    private long takenAtNanos; // when it was taken
    private int awaitingEnd; // application threads in awaitClosed(): they answer nothing more
    private boolean failureBehind; // the reader has delivered every message before a deferred failure

    private boolean charging = true; // false once the connection ended: what is left was given back

    Inbox(int limit) {
        this(limit, MemoryBudget.UNLIMITED);
    }

    Inbox(int limit, MemoryBudget budget) {
        this.limit = limit;
        this.budget = budget;
    }

    /**
     * The reader adds a message, waiting while the inbox is full — unless it has been
     * {@linkplain #release released}: then it adds at once.
     */
    void put(DataMessage m) throws InterruptedException {
        lock.lock();
        try {
            while (!queue.isEmpty() && (queue.size() >= limit || size >= SIZE_LIMIT) && !released && !ended) {
                notFull.await();
            }
            queue.add(m);
            size += m.size();
            if (charging) {
                budget.take(m.size());
            }
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next message; waits for one, at most {@code timeoutNanos} if {@code timed}. Returns
     * null on timeout, and when the inbox has {@linkplain #end ended} and is empty.
     */
    DataMessage take(boolean timed, long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            inHand = false;
            long left = timeoutNanos;
            while (queue.isEmpty() && !ended) {
                if (!timed) {
                    notEmpty.await();
                } else {
                    if (left <= 0) {
                        return null;
                    }
                    left = notEmpty.awaitNanos(left);
                }
            }
            DataMessage m = queue.poll();
            if (m != null) {
                size -= m.size();
                if (charging) {
                    budget.give(m.size());
                }
                inHand = true;
                takenAtNanos = System.nanoTime();
                notFull.signal();
            }
            return m;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The application is back for the next message: the one it took last has been handled (it
     * may have answered it). Called by {@code receive()} before it looks for a deferred failure.
     */
    void back() {
        lock.lock();
        try {
            inHand = false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The reader, after delivering every message that came before a deferred close (a failure,
     * or the reply to the peer's close): whether the application has handled them all — none
     * waits, and it came back for the next after the last it took, or took that one more than
     * {@link #ANSWER_WINDOW_NANOS} ago. Only then may the close go out: a reply the application
     * sends to the last message must go out before our close frame. If not, the close is left to
     * the application's return ({@link #failureDue}); both in one step under the lock, so that a
     * return in between is not missed.
     */
    boolean handledElseFailureBehind() {
        lock.lock();
        try {
            if (handled()) {
                return true;
            }
            failureBehind = true;
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Under lock: see {@link #handledElseFailureBehind}; an application waiting for the end answers nothing more. */
    private boolean handled() {
        return awaitingEnd > 0
                || queue.isEmpty() && (!inHand || System.nanoTime() - takenAtNanos > ANSWER_WINDOW_NANOS);
    }

    /** Whether the messages before a deferred close were handled, as {@link #handledElseFailureBehind} says, now. */
    boolean handledNow() {
        lock.lock();
        try {
            return handled();
        } finally {
            lock.unlock();
        }
    }

    /** An application thread starts ({@code true}) or stops waiting for the connection's end. */
    void awaitingEnd(boolean waiting) {
        lock.lock();
        try {
            awaitingEnd += waiting ? 1 : -1;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether a deferred failure is due now that the application is back ({@link #back}): the
     * reader has delivered every message before it, and none of them waits. Not merely whether
     * the inbox is empty: the core knows of the failure as soon as the bad frame is decoded,
     * before the reader has delivered the messages that preceded it.
     */
    boolean failureDue() {
        lock.lock();
        try {
            return failureBehind && queue.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Messages waiting. */
    int count() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** The size of the messages waiting: bytes of binary, chars of text. */
    long size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /** Whether it has ended and every message has been taken. */
    boolean isDone() {
        lock.lock();
        try {
            return ended && queue.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The connection has ended: the messages still waiting are given back to the budget now
     * (the application may still take them, or they go with the session).
     */
    void uncharge() {
        lock.lock();
        try {
            if (charging) {
                charging = false;
                budget.give(size);
            }
        } finally {
            lock.unlock();
        }
    }

    /** No more messages will arrive: waiting takers get what is left, then null. */
    void end() {
        lock.lock();
        try {
            ended = true;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The reader must go on reading whatever the application does (our close frame is out: the
     * peer's reply must be read), so {@link #put} no longer waits for space.
     */
    void release() {
        lock.lock();
        try {
            released = true;
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
