package io.loomsocket.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class HistogramTest {

    @Test
    void smallValuesAreExact() {
        Histogram h = new Histogram();
        for (int v = 1; v <= 100; v++) {
            h.record(v);
        }
        assertThat(h.count()).isEqualTo(100);
        assertThat(h.percentile(50)).isEqualTo(50);
        assertThat(h.percentile(99)).isEqualTo(99);
        assertThat(h.percentile(100)).isEqualTo(100);
        assertThat(h.percentile(0)).isEqualTo(1);
        assertThat(h.min()).isEqualTo(1);
        assertThat(h.max()).isEqualTo(100);
        assertThat(h.mean()).isCloseTo(50.5, within(1e-9));
    }

    @Test
    void largeValuesWithinOnePercent() {
        Histogram h = new Histogram();
        for (long v = 1; v <= 1_000_000; v++) {
            h.record(v * 1000); // 1 µs .. 1 s in ns
        }
        assertThat((double) h.percentile(50)).isCloseTo(500_000_000, within(500_000_000 * 0.01));
        assertThat((double) h.percentile(99)).isCloseTo(990_000_000, within(990_000_000 * 0.01));
        assertThat((double) h.percentile(99.9)).isCloseTo(999_000_000, within(999_000_000 * 0.01));
        assertThat(h.percentile(100)).isEqualTo(1_000_000_000L);
    }

    @Test
    void bucketsAreContiguousAndBoundsContainTheirValues() {
        int previous = -1;
        for (long v = 0; v < 1 << 20; v++) {
            int i = Histogram.index(v);
            assertThat(i).isBetween(previous, previous + 1);
            assertThat(Histogram.highestIn(i)).isGreaterThanOrEqualTo(v);
            previous = i;
        }
        for (int shift = 0; shift < 40; shift++) {
            long v = 3L << shift;
            long hi = Histogram.highestIn(Histogram.index(v));
            assertThat((double) hi - v).isLessThanOrEqualTo(v / 128.0);
        }
    }

    @Test
    void skewedDistributionAndReset() {
        Histogram h = new Histogram();
        for (int i = 0; i < 990; i++) {
            h.record(10_000);
        }
        for (int i = 0; i < 10; i++) {
            h.record(5_000_000);
        }
        assertThat(h.percentile(50)).isBetween(10_000L, 10_100L);
        assertThat(h.percentile(99)).isBetween(10_000L, 10_100L);
        assertThat(h.percentile(99.9)).isBetween(5_000_000L, 5_050_000L);
        Histogram other = new Histogram();
        other.record(7);
        h.add(other);
        assertThat(h.count()).isEqualTo(1001);
        assertThat(h.min()).isEqualTo(7);
        h.reset();
        assertThat(h.count()).isZero();
        assertThat(h.percentile(99)).isZero();
    }

    @Test
    void outOfRangeValuesAreClamped() {
        Histogram h = new Histogram();
        h.record(-5);
        h.record(Long.MAX_VALUE);
        assertThat(h.percentile(1)).isZero();
        assertThat(h.percentile(100)).isEqualTo((1L << 40) - 1);
    }
}
