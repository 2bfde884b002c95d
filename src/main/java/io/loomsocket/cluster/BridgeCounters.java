package io.loomsocket.cluster;

import java.util.concurrent.atomic.LongAdder;

/** The bridge's counters, updated by its threads and the publishing threads; read by {@link RedisBridge#stats()}. */
final class BridgeCounters {
    final LongAdder published = new LongAdder();
    final LongAdder publishFailures = new LongAdder();
    final LongAdder received = new LongAdder();
    final LongAdder ownEchoDropped = new LongAdder();
    final LongAdder inboundDropped = new LongAdder();
    final LongAdder malformed = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder reconnects = new LongAdder();
    final LongAdder discontinuities = new LongAdder();
    final LongAdder sequenceGaps = new LongAdder();
    final LatencyHistogram latency = new LatencyHistogram();
}
