package io.loomsocket.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The buckets' edges and precision, quantiles of known distributions, and concurrent recording. */
class LatencyHistogramTest {

    /** Values to probe: every value up to 70,000, then powers of two and their neighbours. */
    private static List<Long> probes() {
        List<Long> vs = new ArrayList<>();
        for (long v = 0; v <= 70_000; v++) {
            vs.add(v);
        }
        for (int e = 17; e <= 62; e++) {
            long p = 1L << e;
            vs.add(p - 1);
            vs.add(p);
            vs.add(p + 1);
            vs.add(p + p / 3);
        }
        vs.add(Long.MAX_VALUE - 1);
        vs.add(Long.MAX_VALUE);
        return vs;
    }

    @Test
    void indexIsMonotonicAndEachValueIsWithinItsBucket() {
        int previous = -1;
        for (long v : probes()) {
            int i = LatencyHistogram.index(v);
            assertThat(i).as("index(%d)", v).isGreaterThanOrEqualTo(previous).isLessThan(64 * 16);
            previous = i;
            long upper = LatencyHistogram.upperEdge(i);
            assertThat(v).as("v <= upperEdge(index(v)) for %d", v).isLessThanOrEqualTo(upper);
            if (i > 0) {
                assertThat(LatencyHistogram.upperEdge(i - 1)).as("the bucket below ends under %d", v).isLessThan(v);
            }
            if (v < 16) {
                assertThat(upper).as("small values are exact").isEqualTo(v);
            } else {
                assertThat((double) (upper - v) / v).as("relative error at %d", v).isLessThanOrEqualTo(1.0 / 16);
            }
        }
    }

    @Test
    void upperEdgesStrictlyIncrease() {
        int last = LatencyHistogram.index(Long.MAX_VALUE);
        assertThat(LatencyHistogram.upperEdge(last)).isEqualTo(Long.MAX_VALUE);
        for (int i = 1; i <= last; i++) {
            assertThat(LatencyHistogram.upperEdge(i)).as("upperEdge(%d)", i).isGreaterThan(LatencyHistogram.upperEdge(i - 1));
            assertThat(LatencyHistogram.index(LatencyHistogram.upperEdge(i))).as("index(upperEdge(%d))", i).isEqualTo(i);
        }
    }

    @Test
    void anEmptyHistogramSaysZero() {
        LatencyHistogram h = new LatencyHistogram();
        assertThat(h.quantile(0.5)).isZero();
        assertThat(h.quantile(0.99)).isZero();
        assertThat(h.quantile(1.0)).isZero();
        assertThat(h.count()).isZero();
        assertThat(h.sumMicros()).isZero();
        assertThat(h.maxMicros()).isZero();
    }

    @Test
    void quantilesOfAUniformDistributionAreWithinSevenPercent() {
        LatencyHistogram h = new LatencyHistogram();
        for (long v = 1; v <= 10_000; v++) {
            h.record(v);
        }

        assertThat((double) h.quantile(0.50)).isCloseTo(5000, within(0.07 * 5000));
        assertThat((double) h.quantile(0.99)).isCloseTo(9900, within(0.07 * 9900));
        assertThat((double) h.quantile(0.90)).isCloseTo(9000, within(0.07 * 9000));
        assertThat(h.quantile(0.50)).as("the upper edge of the bucket: never under the true value").isGreaterThanOrEqualTo(5000);
        assertThat(h.quantile(1.0)).as("capped at the maximum").isEqualTo(10_000);
        assertThat(h.count()).isEqualTo(10_000);
        assertThat(h.sumMicros()).isEqualTo(10_000L * 10_001 / 2);
        assertThat(h.maxMicros()).isEqualTo(10_000);
    }

    @Test
    void quantilesOfATwoPointDistribution() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < 90; i++) {
            h.record(100);
        }
        for (int i = 0; i < 10; i++) {
            h.record(1_000_000);
        }

        assertThat((double) h.quantile(0.5)).isCloseTo(100, within(100.0 / 16));
        assertThat((double) h.quantile(0.9)).isCloseTo(100, within(100.0 / 16));
        assertThat(h.quantile(0.91)).isEqualTo(1_000_000); // its bucket's edge is above the maximum
        assertThat(h.quantile(1.0)).isEqualTo(1_000_000);
    }

    @Test
    void aSingleSmallValueIsExact() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(7);
        assertThat(h.quantile(0.01)).isEqualTo(7);
        assertThat(h.quantile(1.0)).isEqualTo(7);
    }

    @Test
    void aNegativeLatencyCountsAsZero() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(-5);
        assertThat(h.count()).isEqualTo(1);
        assertThat(h.sumMicros()).isZero();
        assertThat(h.quantile(1.0)).isZero();
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void anyThreadRecords() throws InterruptedException {
        LatencyHistogram h = new LatencyHistogram();
        int threads = 4;
        int each = 25_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int v = 1; v <= each; v++) {
                    h.record(v);
                }
            });
            thread.start();
            ts.add(thread);
        }
        start.countDown();
        for (Thread t : ts) {
            t.join();
        }

        assertThat(h.count()).isEqualTo((long) threads * each);
        assertThat(h.sumMicros()).isEqualTo(threads * ((long) each * (each + 1) / 2));
        assertThat(h.maxMicros()).isLessThanOrEqualTo(each).isPositive(); // racy by design, never above the true one
        assertThat((double) h.quantile(0.5)).isCloseTo(each / 2.0, within(0.07 * each / 2));
    }
}
