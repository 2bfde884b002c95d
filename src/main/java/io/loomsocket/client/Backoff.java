package io.loomsocket.client;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Bounded exponential backoff with jitter: how long a {@link Reconnecting} waits before each
 * reconnection attempt.
 *
 * <p>The {@code retry}-th wait of an outage (counting from 0) is
 *
 * <pre>
 * nominal(retry) = min(maxDelay, initialDelay × factor^retry)
 * delay(retry)   = nominal(retry) × (1 − jitter × u),   u uniform in [0, 1)
 * </pre>
 *
 * <p>so every delay lies in {@code [nominal × (1 − jitter), nominal]} (to the nanosecond) and never exceeds {@code
 * maxDelay}. With {@code jitter} 0 the sequence is deterministic; with 1 it is "full jitter"
 * (anywhere between 0 and the nominal delay). The jitter spreads clients that lost the same
 * server at the same moment, so they do not all come back at once (RFC 6455 §7.2.3). A {@link
 * Reconnecting} restarts the sequence at {@code retry} 0 once a connection is established.
 *
 * <p>{@link #delay(int, RandomGenerator)} is a pure function of its arguments, so the sequence can
 * be checked without waiting:
 *
 * <pre>{@code
 * Backoff b = new Backoff(Duration.ofMillis(100), 2.0, Duration.ofSeconds(1), 0.0);
 * b.delay(0, random);   // 100 ms
 * b.delay(3, random);   // 800 ms
 * b.delay(4, random);   // 1 s (the maximum)
 * }</pre>
 *
 * <p>The {@linkplain #defaults() defaults} follow python-websockets' (3.1 s, ×1.618, at most
 * 90 s), with a jitter of 0.5 on every delay where python-websockets draws only its first delay
 * at random (between 0 and 5 s).
 *
 * @param initialDelay the nominal delay before the first retry; positive
 * @param factor how much each nominal delay grows over the previous one; at least 1
 * @param maxDelay the bound on every delay; at least {@code initialDelay}
 * @param jitter the fraction of each nominal delay that is drawn at random, in [0, 1]
 */
public record Backoff(Duration initialDelay, double factor, Duration maxDelay, double jitter) {

    /** python-websockets' {@code BACKOFF_MIN_DELAY}: 3.1 s. */
    public static final Duration DEFAULT_INITIAL_DELAY = Duration.ofMillis(3100);
    /** python-websockets' {@code BACKOFF_FACTOR}: 1.618 (the golden ratio). */
    public static final double DEFAULT_FACTOR = 1.618;
    /** python-websockets' {@code BACKOFF_MAX_DELAY}: 90 s. */
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(90);
    /** Half of every delay is drawn at random. */
    public static final double DEFAULT_JITTER = 0.5;

    private static final Backoff DEFAULTS = new Backoff(DEFAULT_INITIAL_DELAY, DEFAULT_FACTOR, DEFAULT_MAX_DELAY, DEFAULT_JITTER);

    /**
     * Checks the parameters.
     *
     * @throws IllegalArgumentException if {@code initialDelay} is not positive, {@code factor} is
     *     below 1 or not finite, {@code maxDelay} is below {@code initialDelay}, or {@code jitter}
     *     is outside [0, 1]
     */
    public Backoff {
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (initialDelay.isNegative() || initialDelay.isZero()) {
            throw new IllegalArgumentException("initialDelay must be positive: " + initialDelay);
        }
        if (!(factor >= 1.0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("factor must be a finite number >= 1: " + factor);
        }
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("maxDelay " + maxDelay + " is below initialDelay " + initialDelay);
        }
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            throw new IllegalArgumentException("jitter must be in [0, 1]: " + jitter);
        }
    }

    /** 3.1 s, ×1.618, at most 90 s, jitter 0.5: 1.55–3.1 s, 2.5–5.0 s, 4.1–8.1 s, … up to 45–90 s. */
    public static Backoff defaults() {
        return DEFAULTS;
    }

    /** A fixed delay: {@code delay} every time, no growth and no jitter (for tests and demos). */
    public static Backoff fixed(Duration delay) {
        return new Backoff(delay, 1.0, delay, 0.0);
    }

    /** This backoff with another initial delay (and the maximum raised to it if below). */
    public Backoff withInitialDelay(Duration delay) {
        return new Backoff(delay, factor, maxDelay.compareTo(delay) < 0 ? delay : maxDelay, jitter);
    }

    /** This backoff with another growth factor. */
    public Backoff withFactor(double factor) {
        return new Backoff(initialDelay, factor, maxDelay, jitter);
    }

    /** This backoff with another maximum delay. */
    public Backoff withMaxDelay(Duration max) {
        return new Backoff(initialDelay, factor, max, jitter);
    }

    /** This backoff with another jitter fraction. */
    public Backoff withJitter(double jitter) {
        return new Backoff(initialDelay, factor, maxDelay, jitter);
    }

    /**
     * The delay before the {@code retry}-th retry without jitter: {@code min(maxDelay,
     * initialDelay × factor^retry)}.
     *
     * @throws IllegalArgumentException if {@code retry} is negative
     */
    public Duration nominalDelay(int retry) {
        if (retry < 0) {
            throw new IllegalArgumentException("retry must be >= 0: " + retry);
        }
        double nanos = initialDelay.toNanos() * Math.pow(factor, retry);
        long max = maxDelay.toNanos();
        return Duration.ofNanos(nanos >= max ? max : (long) nanos);
    }

    /**
     * The delay before the {@code retry}-th retry: {@link #nominalDelay(int)} less a random part
     * of at most {@code jitter} of it, drawn from {@code random}. Pure: the same arguments (and
     * the same state of {@code random}) give the same delay.
     *
     * @throws IllegalArgumentException if {@code retry} is negative
     */
    public Duration delay(int retry, RandomGenerator random) {
        long nominal = nominalDelay(retry).toNanos();
        if (jitter == 0.0) {
            return Duration.ofNanos(nominal);
        }
        double cut = jitter * random.nextDouble();
        return Duration.ofNanos((long) (nominal * (1.0 - cut)));
    }
}
