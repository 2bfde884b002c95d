package io.loomsocket.bench;

/**
 * Open-loop pacing at a fixed rate: how many sends are due by now, counted from the start, so a
 * late tick catches up instead of drifting. Shared by echo and broadcast {@code --rate}.
 */
final class RatePacer {

    private final double perSecond;
    private long start;
    private long sent;

    RatePacer(double perSecond) {
        this.perSecond = perSecond;
    }

    void start(long now) {
        start = now;
    }

    /** When the next send is due (nanoTime). */
    long nextDeadline() {
        return start + (long) ((sent + 1) * 1e9 / perSecond);
    }

    /** How many sends are due at {@code now}; they count as sent. */
    long takeDue(long now) {
        long due = (long) ((now - start) * perSecond / 1e9) - sent;
        if (due <= 0) {
            return 0;
        }
        sent += due;
        return due;
    }
}
