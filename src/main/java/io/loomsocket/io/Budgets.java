package io.loomsocket.io;

import java.time.Duration;

/**
 * The server-wide memory budgets its connections share (see {@link MemoryBudget}): received
 * message bytes, queued outbound bytes, and how long a reader may wait for room in the inbound
 * budget before its connection is closed with 1013 (try again later).
 *
 * @param inbound partial messages being reassembled and messages waiting in inboxes
 * @param outbound frames queued and not yet written
 * @param grace how long a reader holding part of a message waits for the inbound budget
 */
public record Budgets(MemoryBudget inbound, MemoryBudget outbound, Duration grace) {

    /** No ceilings: a client's connections. */
    public static final Budgets NONE = new Budgets(MemoryBudget.UNLIMITED, MemoryBudget.UNLIMITED, Duration.ofSeconds(5));

    /** The default share of the maximum heap for each of the two budgets: a quarter. */
    public static final double DEFAULT_HEAP_FRACTION = 0.25;

    /** The default grace period. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);

    public Budgets {
        if (inbound == null || outbound == null || grace == null) {
            throw new NullPointerException("budgets and grace are required");
        }
        if (grace.isNegative() || grace.isZero()) {
            throw new IllegalArgumentException("the grace period must be positive: " + grace);
        }
    }
}
