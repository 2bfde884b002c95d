package io.loomsocket.io;

import io.loomsocket.protocol.Violation;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The traffic counters that the socket layer updates for an owner (a server) and the owner
 * reads: messages and bytes each way, slow-consumer closes and drops, protocol violations by
 * rule, and ping round trips. One instance is shared by all the owner's connections.
 *
 * <p>Cheap on the hot path: one {@link LongAdder} add per socket read, per batch written, per
 * data message delivered or queued; nothing allocated. Which thread counts what:
 * <ul>
 *   <li>the reader ({@code ReadLoop}): bytes read, messages delivered, violations, pong round trips;
 *   <li>the writer ({@code Outbound}): bytes written;
 *   <li>the sender ({@code SocketSession.send}, a broadcast's offer): messages queued, drops and
 *       slow-consumer closes.
 * </ul>
 * Sums are read with no lock, so a snapshot taken while traffic flows is not one instant: each
 * counter is exact and never goes back, but two of them may be a message apart.
 *
 * <p>{@link #NONE} counts nothing (a client's connections): every method returns at once.
 */
public final class SessionCounters {

    /** Counts nothing. */
    public static final SessionCounters NONE = new SessionCounters(false);

    private static final Violation[] VIOLATIONS = Violation.values();

    private final boolean on;
    private final LongAdder messagesIn;
    private final LongAdder messagesOut;
    private final LongAdder bytesIn;
    private final LongAdder bytesOut;
    private final LongAdder slowConsumerCloses;
    private final LongAdder slowConsumerDrops;
    private final LongAdder[] violations;
    private final LongAdder pings;
    private final LongAdder pingNanos;
    private final AtomicLong maxPingNanos;
    private volatile long lastPingNanos;

    /** Counters for a new owner. */
    public SessionCounters() {
        this(true);
    }

    private SessionCounters(boolean on) {
        this.on = on;
        this.messagesIn = on ? new LongAdder() : null;
        this.messagesOut = on ? new LongAdder() : null;
        this.bytesIn = on ? new LongAdder() : null;
        this.bytesOut = on ? new LongAdder() : null;
        this.slowConsumerCloses = on ? new LongAdder() : null;
        this.slowConsumerDrops = on ? new LongAdder() : null;
        this.pings = on ? new LongAdder() : null;
        this.pingNanos = on ? new LongAdder() : null;
        this.maxPingNanos = on ? new AtomicLong() : null;
        this.violations = new LongAdder[on ? VIOLATIONS.length : 0];
        for (int i = 0; i < violations.length; i++) {
            violations[i] = new LongAdder();
        }
    }

    // ---------------------------------------------------------------- counting (package-private)

    void bytesRead(int n) {
        if (on) {
            bytesIn.add(n);
        }
    }

    void messageDelivered() {
        if (on) {
            messagesIn.increment();
        }
    }

    void bytesWritten(long n) {
        if (on) {
            bytesOut.add(n);
        }
    }

    /** A whole data message queued (a final fragment, or a broadcast offer that was queued). */
    void messageQueued() {
        if (on) {
            messagesOut.increment();
        }
    }

    void slowConsumerDropped() {
        if (on) {
            slowConsumerDrops.increment();
        }
    }

    void slowConsumerClosed() {
        if (on) {
            slowConsumerCloses.increment();
        }
    }

    void violation(Violation v) {
        if (on) {
            violations[v.ordinal()].increment();
        }
    }

    void pingRoundTrip(long nanos) {
        if (on) {
            pings.increment();
            pingNanos.add(nanos);
            lastPingNanos = nanos;
            if (nanos > maxPingNanos.get()) {
                maxPingNanos.accumulateAndGet(nanos, Math::max);
            }
        }
    }

    // ---------------------------------------------------------------- reading

    public long messagesReceived() {
        return on ? messagesIn.sum() : 0;
    }

    public long messagesSent() {
        return on ? messagesOut.sum() : 0;
    }

    public long bytesReceived() {
        return on ? bytesIn.sum() : 0;
    }

    public long bytesSent() {
        return on ? bytesOut.sum() : 0;
    }

    public long slowConsumerCloses() {
        return on ? slowConsumerCloses.sum() : 0;
    }

    public long slowConsumerDrops() {
        return on ? slowConsumerDrops.sum() : 0;
    }

    /** How many times the peers broke {@code v}. */
    public long violations(Violation v) {
        return on ? violations[v.ordinal()].sum() : 0;
    }

    public long pingRoundTrips() {
        return on ? pings.sum() : 0;
    }

    public long pingRoundTripNanosTotal() {
        return on ? pingNanos.sum() : 0;
    }

    public long pingRoundTripNanosMax() {
        return on ? maxPingNanos.get() : 0;
    }

    /** The latest round trip measured on any connection; 0 before the first. */
    public long pingRoundTripNanosLast() {
        return lastPingNanos;
    }
}
