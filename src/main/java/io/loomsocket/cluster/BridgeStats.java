package io.loomsocket.cluster;

/**
 * What a {@link RedisBridge} has done since it started ({@link RedisBridge#stats()}). Counters
 * only grow; {@code subscribedChannels}, {@code subscriberUp} and {@code publisherUp} are read
 * when the snapshot is taken.
 *
 * @param published messages published to Redis (PUBLISH answered)
 * @param publishFailures local broadcasts that did not reach Redis: Redis down (failed at once),
 *     the publish queue full, a connection lost with the message in flight, or an error reply
 * @param received messages from other nodes delivered to local subscribers
 * @param ownEchoDropped this node's own messages handed back by Redis, dropped
 * @param inboundDropped messages from Redis dropped because the hand-off to local delivery was
 *     full (the subscriber's read loop never waits for local delivery)
 * @param malformed messages on our channels that were not envelopes we can read, dropped
 * @param duplicates messages whose sequence number was not above the last one seen, dropped
 * @param reconnects connections to Redis established after a loss (subscriber and publisher)
 * @param discontinuities {@link Discontinuity} events emitted
 * @param sequenceGaps messages known to be missing from sequence gaps, added up
 * @param subscribedChannels topic channels subscribed on the current connection, as Redis last
 *     confirmed
 * @param subscriberUp the subscriber connection is established
 * @param publisherUp the publisher connection is established
 * @param latencyCount cross-node deliveries timed (publish on the origin to delivery here)
 * @param latencyP50Micros their median, microseconds
 * @param latencyP99Micros their 99th percentile, microseconds
 * @param latencyMaxMicros their maximum, microseconds
 */
public record BridgeStats(long published, long publishFailures, long received, long ownEchoDropped,
                          long inboundDropped, long malformed, long duplicates, long reconnects,
                          long discontinuities, long sequenceGaps, int subscribedChannels,
                          boolean subscriberUp, boolean publisherUp,
                          long latencyCount, long latencyP50Micros, long latencyP99Micros, long latencyMaxMicros) {
}
