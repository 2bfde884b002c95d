package io.loomsocket.cluster;

import io.loomsocket.cluster.InboundQueue.Event;
import io.loomsocket.cluster.InboundQueue.Forget;
import io.loomsocket.cluster.InboundQueue.Lost;
import io.loomsocket.cluster.InboundQueue.Message;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The delivery thread: takes what the subscriber read, drops this node's own messages and
 * duplicates, notices sequence gaps, emits {@link Discontinuity} events, times the cross-node
 * latency and hands each message to local delivery (the registry encodes it once for all of this
 * node's subscribers; it never waits on any of them).
 *
 * <p>Threads: its own virtual thread owns the {@link SequenceTracker}; listeners are called on
 * it, with no lock held.
 */
final class RemoteDelivery implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RemoteDelivery.class.getName());

    private final InboundQueue queue;
    private final long nodeId;
    private final RedisBridge.LocalSink sink;
    private final BridgeCounters counters;
    private final List<DiscontinuityListener> listeners = new CopyOnWriteArrayList<>();
    private final SequenceTracker tracker = new SequenceTracker();
    private final Thread thread;
    private volatile boolean closed;

    RemoteDelivery(InboundQueue queue, long nodeId, RedisBridge.LocalSink sink, BridgeCounters counters) {
        this.queue = queue;
        this.nodeId = nodeId;
        this.sink = sink;
        this.counters = counters;
        this.thread = Thread.ofVirtual().name("loomsocket-redis-delivery").start(this::run);
    }

    /** Where a resumable topic's messages go, with their offsets. */
    interface StreamSink {
        void deliver(String topic, String epoch, StreamId id, long n, io.loomsocket.protocol.Opcode type, byte[] payload);
    }

    private volatile StreamSink streamSink;

    void streamSink(StreamSink s) {
        this.streamSink = s;
    }

    void addListener(DiscontinuityListener l) {
        listeners.add(l);
    }

    private void run() {
        try {
            while (!closed) {
                Event e = queue.take(200);
                if (e != null) {
                    handle(e);
                }
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    private void handle(Event event) {
        switch (event) {
            case Message m -> message(m);
            case Lost lost -> {
                for (String topic : lost.topics()) {
                    tracker.lost(topic, lost.generation());
                    emit(new Discontinuity(topic, Discontinuity.Reason.SUBSCRIPTION_LOST, -1, 0, Instant.now()));
                }
            }
            case Forget f -> tracker.forget(f.topic());
        }
    }

    private void message(Message m) {
        Envelope env;
        StreamMessage stream = null;
        try {
            if (m.body().length > 0 && m.body()[0] == StreamMessage.MARK) {
                stream = StreamMessage.decode(m.body());
                env = Envelope.decode(m.body(), stream.envelopeAt());
            } else {
                env = Envelope.decode(m.body());
            }
        } catch (IllegalArgumentException e) {
            counters.malformed.increment();
            LOG.log(System.Logger.Level.WARNING, "dropped a message on topic {0}: {1}", m.topic(), e.getMessage());
            return;
        }
        // A resumable topic's message is delivered here too when it comes back, with the offset
        // Redis gave it: its origin did not deliver it at once.
        if (env.origin() == nodeId && stream == null) {
            counters.ownEchoDropped.increment();
            return;
        }
        if (env.kind() == Envelope.PROBE) {
            counters.malformed.increment(); // a probe belongs on a probe channel
            return;
        }
        SequenceTracker.Seen seen = tracker.observe(m.topic(), env.origin(), env.sequence(), m.generation());
        if (seen.duplicate()) {
            counters.duplicates.increment();
            return;
        }
        if (seen.gap() > 0) {
            counters.sequenceGaps.add(seen.gap());
            if (seen.newEvent()) {
                emit(new Discontinuity(m.topic(), Discontinuity.Reason.SEQUENCE_GAP, seen.gap(), env.origin(), Instant.now()));
            }
        }
        if (env.origin() != nodeId) {
            counters.latency.record(nowMicros() - env.publishedAtMicros());
        }
        try {
            StreamSink ss = streamSink;
            if (stream != null && ss != null) {
                ss.deliver(m.topic(), stream.epoch(), stream.id(), stream.n(), env.type(), env.payload());
            } else {
                sink.deliver(m.topic(), env.type(), env.payload());
            }
            counters.received.increment();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "local delivery on topic " + m.topic() + " failed", e);
        }
    }

    private void emit(Discontinuity d) {
        counters.discontinuities.increment();
        for (DiscontinuityListener l : listeners) {
            try {
                l.discontinuity(d);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "discontinuity listener failed", e);
            }
        }
    }

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
