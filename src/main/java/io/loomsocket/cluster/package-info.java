/**
 * Fan-out across server processes: {@link io.loomsocket.cluster.RedisBridge} carries a
 * {@link io.loomsocket.broadcast.BroadcastRegistry}'s broadcasts over Redis pub/sub (one channel
 * per topic, at most once, per-origin order, every loss visible as a
 * {@link io.loomsocket.cluster.Discontinuity}). See {@code docs/cluster.md}.
 */
package io.loomsocket.cluster;
