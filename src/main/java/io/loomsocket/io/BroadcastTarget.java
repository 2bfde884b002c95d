package io.loomsocket.io;

import io.loomsocket.SlowConsumerPolicy;
import io.loomsocket.protocol.Opcode;

/**
 * The seam between broadcasts and a connection's outbound queue: what
 * {@link io.loomsocket.broadcast.BroadcastRegistry} needs of a connection, and nothing more.
 * Every Loomsocket connection is one; the registry never sees the session class.
 *
 * <p>Both offers never wait: a receiver over its high watermark gets the slow-consumer
 * {@code policy} instead of slowing the broadcaster down.
 */
public interface BroadcastTarget {

    /** What became of one offered message for this receiver. */
    enum Offer {
        /** Queued; a writer will send it. */
        QUEUED,
        /** Not queued: the connection is closing or closed. */
        CLOSED,
        /** Not queued: the receiver is over its high watermark and the policy dropped it. */
        DROPPED,
        /** Not queued: the receiver is over its high watermark, and this offer started its close. */
        SLOW_CLOSED
    }

    /**
     * Whether this connection's frames are unmasked (the server side), so that one encoding of a
     * broadcast can be shared by every receiver through {@link #offerFrame}.
     */
    boolean sharesFrames();

    /**
     * Which receivers may get the same encoding of a broadcast as this one (see {@link
     * FrameSharing}). By default {@link FrameSharing#PLAIN} where {@link #sharesFrames()}, else
     * {@link FrameSharing#PER_CONNECTION}.
     */
    default FrameSharing sharing() {
        return sharesFrames() ? FrameSharing.PLAIN : FrameSharing.PER_CONNECTION;
    }

    /**
     * Queues an already encoded, unmasked data frame. Only where {@link #sharesFrames()}, and
     * only a frame encoded for this target's {@link #sharing()} key.
     */
    Offer offerFrame(byte[] encodedFrame, SlowConsumerPolicy policy);

    /** Queues a whole message, encoded for this connection alone (masked on a client). */
    Offer offerMessage(Opcode type, byte[] payload, SlowConsumerPolicy policy);

    /** Runs {@code listener} once the connection is closed (at once if it already is). */
    void onClosed(Runnable listener);

    boolean isOpen();

    /** Whether the connection is closed: its close listeners have run or are about to. */
    boolean isClosed();
}
