package io.loomsocket.cluster;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hand-off between the subscriber's read loop and local delivery: bounded in messages and
 * in bytes, and never waiting: a message over either bound is dropped and counted, so a slow
 * local delivery never stalls the read loop (which would let Redis' output buffer grow until it
 * cut the subscriber) and never grows memory without bound.
 *
 * <p>Markers (a lost subscription, a topic forgotten) are not bounded and never dropped: they are
 * rare, and their place among the messages is what gives them their meaning.
 *
 * <p>Threads: the subscriber's threads {@code offer}; the delivery thread alone {@link #take}s.
 */
final class InboundQueue {

    sealed interface Event permits Message, Lost, Forget {}

    /** A message on a topic channel, read on subscriber connection number {@code generation}. */
    record Message(String topic, byte[] body, long generation) implements Event {}

    /** The subscription was lost: {@code topics} were wanted; what follows is of {@code generation}. */
    record Lost(List<String> topics, long generation) implements Event {}

    /** {@code topic} was unsubscribed. */
    record Forget(String topic) implements Event {}

    private final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>();
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final int maxMessages;
    private final long maxBytes;

    InboundQueue(int maxMessages, long maxBytes) {
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
    }

    /** False if over a bound: the message was dropped (the caller counts it). */
    boolean offer(Message m) {
        if (messages.incrementAndGet() > maxMessages) {
            messages.decrementAndGet();
            return false;
        }
        if (bytes.addAndGet(m.body().length) > maxBytes) {
            bytes.addAndGet(-m.body().length);
            messages.decrementAndGet();
            return false;
        }
        queue.add(m);
        return true;
    }

    void mark(Event marker) {
        if (marker instanceof Message) {
            throw new IllegalArgumentException("a message is offered, not marked");
        }
        queue.add(marker);
    }

    /** The next event, or null after {@code timeoutMillis}. */
    Event take(long timeoutMillis) throws InterruptedException {
        Event e = queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        if (e instanceof Message m) {
            messages.decrementAndGet();
            bytes.addAndGet(-m.body().length);
        }
        return e;
    }

    long queuedBytes() {
        return bytes.get();
    }
}
