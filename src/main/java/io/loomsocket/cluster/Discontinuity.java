package io.loomsocket.cluster;

import java.time.Instant;

/**
 * This node may have missed messages published elsewhere to {@code topic}: pub/sub is at most
 * once, and this is how a loss is made visible. One event per topic per outage: a lost
 * subscription gives one per wanted topic when it is lost, and the gaps seen in the first
 * messages after it are counted ({@link BridgeStats#sequenceGaps()}) without another event;
 * a gap seen at any other time (an inbound overflow here, a failed publish on the origin) gives
 * one of its own.
 *
 * @param topic the topic
 * @param reason why
 * @param missed how many messages are known to be missing (the size of a sequence gap); -1 when
 *     it cannot be known (a lost subscription)
 * @param origin the node whose messages are missing (a gap), or 0 (a lost subscription)
 * @param at when it was noticed
 */
public record Discontinuity(String topic, Reason reason, long missed, long origin, Instant at) {

    public enum Reason {
        /** The subscription to Redis was lost (connection closed, liveness or probe timeout). */
        SUBSCRIPTION_LOST,
        /** A message from {@code origin} came after a gap in its sequence numbers. */
        SEQUENCE_GAP
    }
}
