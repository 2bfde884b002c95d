package io.loomsocket.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.handshake.HandshakeException;
import io.loomsocket.protocol.CloseCode;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The backoff sequence and the default retry policy, as pure functions: no sockets, no waiting. */
class BackoffTest {

    /** A "random" source that always answers {@code value}: the two ends of the jitter range. */
    private static RandomGenerator constant(double value) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public double nextDouble() {
                return value;
            }
        };
    }

    private static List<Duration> nominal(Backoff b, int n) {
        List<Duration> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(b.nominalDelay(i));
        }
        return out;
    }

    @Test
    void withoutJitterTheDelaysGrowByTheFactorUpToTheMaximumAndStayThere() {
        Backoff b = new Backoff(Duration.ofMillis(100), 2.0, Duration.ofSeconds(1), 0.0);
        RandomGenerator any = new SplittableRandom(1);

        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            delays.add(b.delay(i, any));
        }

        assertThat(delays).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400),
                Duration.ofMillis(800), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));
    }

    @Test
    void theDefaultsAreThoseOfPythonWebsocketsWithHalfOfEachDelayRandom() {
        Backoff d = Backoff.defaults();

        assertThat(d).isEqualTo(new Backoff(Duration.ofMillis(3100), 1.618, Duration.ofSeconds(90), 0.5));
        // python-websockets after its first random delay: 3.1, 5.0, 8.1, 13.1, 21.2, 34.4, 55.6, 90.0 (capped), then 90 s.
        assertThat(nominal(d, 10)).extracting(Duration::toMillis)
                .containsExactly(3100L, 5015L, 8115L, 13130L, 21245L, 34375L, 55620L, 89993L, 90000L, 90000L);
    }

    @Test
    void everyDelayIsWithinTheJitterRangeOfItsNominalDelayAndNeverAboveTheMaximum() {
        Backoff b = new Backoff(Duration.ofMillis(50), 1.5, Duration.ofMillis(2000), 0.3);
        RandomGenerator random = new SplittableRandom(42);

        for (int retry = 0; retry < 40; retry++) {
            long nominal = b.nominalDelay(retry).toNanos();
            for (int k = 0; k < 50; k++) {
                long d = b.delay(retry, random).toNanos();
                assertThat(d).isLessThanOrEqualTo(nominal).isGreaterThanOrEqualTo((long) (nominal * 0.7) - 1);
                assertThat(d).isLessThanOrEqualTo(Duration.ofMillis(2000).toNanos());
            }
        }
    }

    @Test
    void theJitterRangesEndsAreTheNominalDelayAndItsShareNotDrawn() {
        Backoff b = new Backoff(Duration.ofMillis(1000), 2.0, Duration.ofSeconds(10), 0.25);

        assertThat(b.delay(1, constant(0.0))).isEqualTo(Duration.ofMillis(2000));
        assertThat(b.delay(1, constant(0.5))).isEqualTo(Duration.ofMillis(1750));
        assertThat(b.delay(1, constant(Math.nextDown(1.0)))).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        assertThat(new Backoff(Duration.ofSeconds(1), 2.0, Duration.ofSeconds(10), 1.0).delay(0, constant(0.75)))
                .as("full jitter").isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void theSameRandomStateGivesTheSameDelays() {
        Backoff b = Backoff.defaults();
        RandomGenerator r1 = new SplittableRandom(7);
        RandomGenerator r2 = new SplittableRandom(7);

        for (int i = 0; i < 20; i++) {
            assertThat(b.delay(i, r1)).isEqualTo(b.delay(i, r2));
        }
    }

    @Test
    void hugeRetryCountsStayAtTheMaximumWithoutOverflow() {
        Backoff b = Backoff.defaults().withJitter(0.0);

        assertThat(b.nominalDelay(10_000)).isEqualTo(Duration.ofSeconds(90));
        assertThat(b.nominalDelay(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(90));
        assertThat(Backoff.fixed(Duration.ofMillis(20)).delay(1000, new SplittableRandom())).isEqualTo(Duration.ofMillis(20));
    }

    @Test
    void withersChangeOneParameter() {
        Backoff b = Backoff.defaults().withInitialDelay(Duration.ofMillis(10)).withFactor(3.0)
                .withMaxDelay(Duration.ofMillis(100)).withJitter(0.1);

        assertThat(b).isEqualTo(new Backoff(Duration.ofMillis(10), 3.0, Duration.ofMillis(100), 0.1));
        assertThat(Backoff.fixed(Duration.ofSeconds(1)).withInitialDelay(Duration.ofSeconds(5)).maxDelay())
                .as("the maximum follows an initial delay raised above it").isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void badParametersAreRefused() {
        Duration s = Duration.ofSeconds(1);
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, 2.0, s, 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(s.negated(), 2.0, s, 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(s, 0.9, s, 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(s, Double.NaN, s, 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(s, Double.POSITIVE_INFINITY, s, 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(s, 2.0, Duration.ofMillis(999), 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(s, 2.0, s, -0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(s, 2.0, s, 1.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Backoff.defaults().nominalDelay(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theDefaultPolicyRetriesNetworkErrorsAndServerErrorsButNotOtherHandshakeFailures() {
        RetryPolicy p = RetryPolicy.defaults();

        assertThat(p.retries(new ConnectException("Connection refused"))).isTrue();
        assertThat(p.retries(new SocketException("Connection reset"))).isTrue();
        assertThat(p.retries(new SocketTimeoutException("connect timed out"))).isTrue();
        assertThat(p.retries(new EOFException("connection closed during the handshake"))).isTrue();
        assertThat(p.retries(new UnknownHostException("nowhere"))).isTrue();
        assertThat(p.retries((Exception) new IOException("other"))).isTrue();
        for (int status : new int[] {500, 502, 503, 504}) {
            assertThat(p.retries(new HandshakeException(status, "x"))).as("%d", status).isTrue();
        }
        for (int status : new int[] {0, 200, 301, 400, 401, 403, 404, 426, 429, 501, 505}) {
            assertThat(p.retries(new HandshakeException(status, "x"))).as("%d", status).isFalse();
        }
        assertThat(p.retries(new IllegalArgumentException("bad uri"))).isFalse();
        assertThat(p.retries(new IllegalStateException("bug"))).isFalse();
    }

    @Test
    void theDefaultPolicyRetriesTransientCloseCodesAndStopsOnADeliberateEndOrAnError() {
        RetryPolicy p = RetryPolicy.defaults();

        for (int code : new int[] {1001, 1006, 1011, 1012, 1013, 1014}) {
            assertThat(p.retries(new CloseCode(code))).as("%d", code).isTrue();
        }
        for (int code : new int[] {1000, 1002, 1003, 1005, 1007, 1008, 1009, 1010, 1015, 3000, 4000, 4999}) {
            assertThat(p.retries(new CloseCode(code))).as("%d", code).isFalse();
        }
    }

    @Test
    void aPolicysPredicatesCanBeReplacedOneAtATime() {
        RetryPolicy p = RetryPolicy.defaults()
                .withRetryClose(code -> code.code() == 4000 || RetryPolicy.isTransientClose(code))
                .withRetryFailure(e -> e instanceof HandshakeException h && h.status() == 429);

        assertThat(p.retries(new CloseCode(4000))).isTrue();
        assertThat(p.retries(CloseCode.ABNORMAL_CLOSURE)).isTrue();
        assertThat(p.retries(CloseCode.NORMAL_CLOSURE)).isFalse();
        assertThat(p.retries(new HandshakeException(429, "slow down"))).isTrue();
        assertThat(p.retries(new ConnectException("refused"))).isFalse();
    }
}
