package io.loomsocket;

import io.loomsocket.protocol.CloseCode;

/**
 * What a broadcast does to a receiver whose outbound queue is over its high watermark: a
 * broadcast never waits for a slow receiver, so it must either close it or skip it. Every drop
 * and close is counted and logged.
 */
public enum SlowConsumerPolicy {
    /** Close with 1013 (Try Again Later): the default; the client may reconnect and catch up. */
    CLOSE_TRY_AGAIN_LATER(CloseCode.TRY_AGAIN_LATER),
    /** Close with 1008 (Policy Violation). */
    CLOSE_POLICY_VIOLATION(CloseCode.POLICY_VIOLATION),
    /** Skip this message for this receiver; it stays connected and misses the message. */
    DROP(null);

    private final CloseCode closeCode;

    SlowConsumerPolicy(CloseCode closeCode) {
        this.closeCode = closeCode;
    }

    /** The close code, or null for {@link #DROP}. */
    public CloseCode closeCode() {
        return closeCode;
    }
}
