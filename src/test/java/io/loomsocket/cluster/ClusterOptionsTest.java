package io.loomsocket.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.client.Backoff;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The defaults as documented, a random nonzero node id, and what is refused. */
class ClusterOptionsTest {

    @Test
    void theDefaultsAreValidAndAsDocumented() {
        ClusterOptions o = ClusterOptions.defaults();

        assertThat(o.nodeId()).isNotZero();
        assertThat(o.reconnect()).isEqualTo(new Backoff(Duration.ofMillis(100), 2.0, Duration.ofSeconds(2), 0.5));
        assertThat(o.linger()).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.pingInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(o.livenessTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(o.livenessTimeout()).isGreaterThanOrEqualTo(o.pingInterval().multipliedBy(2));
        assertThat(o.probeInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.probeTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(o.inboundMessages()).isEqualTo(10_000);
        assertThat(o.inboundBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(o.publishMessages()).isEqualTo(10_000);
        assertThat(o.publishBytes()).isEqualTo(64L * 1024 * 1024);
    }

    @Test
    void theDefaultNodeIdIsRandom() {
        Set<Long> ids = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            long id = ClusterOptions.defaults().nodeId();
            assertThat(id).isNotZero();
            ids.add(id);
        }
        assertThat(ids).as("50 draws of 64 random bits: no repeat").hasSize(50);
        assertThat(ClusterOptions.randomNodeId()).isNotZero();
    }

    @Test
    void theWithMethodsChangeOnlyTheirFields() {
        ClusterOptions d = ClusterOptions.defaults();
        Backoff b = new Backoff(Duration.ofMillis(5), 1.5, Duration.ofMillis(50), 0);
        ClusterOptions o = d.withNodeId(-7)
                .withReconnect(b)
                .withLinger(Duration.ZERO)
                .withLiveness(Duration.ofMillis(100), Duration.ofMillis(200))
                .withProbe(Duration.ofMillis(300), Duration.ofMillis(400))
                .withConnectTimeout(Duration.ofMillis(500))
                .withInbound(1, 2)
                .withPublishQueue(3, 4);

        assertThat(o).isEqualTo(new ClusterOptions(-7, b, Duration.ZERO, Duration.ofMillis(100), Duration.ofMillis(200),
                Duration.ofMillis(300), Duration.ofMillis(400), Duration.ofMillis(500), 1, 2, 3, 4));
        assertThat(d.withNodeId(5)).isEqualTo(new ClusterOptions(5, d.reconnect(), d.linger(), d.pingInterval(),
                d.livenessTimeout(), d.probeInterval(), d.probeTimeout(), d.connectTimeout(), d.inboundMessages(),
                d.inboundBytes(), d.publishMessages(), d.publishBytes()));
    }

    @Test
    void nodeIdZeroIsReserved() {
        assertThatThrownBy(() -> ClusterOptions.defaults().withNodeId(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nodeId 0 is reserved");
    }

    @Test
    void theLivenessTimeoutIsAtLeastTwiceThePingInterval() {
        ClusterOptions d = ClusterOptions.defaults();
        assertThat(d.withLiveness(Duration.ofSeconds(1), Duration.ofSeconds(2)).livenessTimeout())
                .isEqualTo(Duration.ofSeconds(2));

        assertThatThrownBy(() -> d.withLiveness(Duration.ofSeconds(1), Duration.ofMillis(1999)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("livenessTimeout PT1.999S is under twice the pingInterval PT1S");
        assertThatThrownBy(() -> d.withLiveness(Duration.ofSeconds(5), Duration.ofSeconds(3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("livenessTimeout PT3S is under twice the pingInterval PT5S");
    }

    @Test
    void durationsMustBePositive() {
        ClusterOptions d = ClusterOptions.defaults();
        assertThatThrownBy(() -> d.withLiveness(Duration.ZERO, Duration.ofSeconds(3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("pingInterval must be positive: PT0S");
        assertThatThrownBy(() -> d.withProbe(Duration.ofSeconds(-1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("probeInterval must be positive: PT-1S");
        assertThatThrownBy(() -> d.withProbe(Duration.ofSeconds(1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("probeTimeout must be positive: PT0S");
        assertThatThrownBy(() -> d.withConnectTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("connectTimeout must be positive: PT0S");
        assertThatThrownBy(() -> d.withConnectTimeout(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("connectTimeout must be positive: null");
    }

    @Test
    void lingerMayBeZeroButNotNegative() {
        ClusterOptions d = ClusterOptions.defaults();
        assertThat(d.withLinger(Duration.ZERO).linger()).isZero();

        assertThatThrownBy(() -> d.withLinger(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("linger must not be negative: PT-1S");
        assertThatThrownBy(() -> d.withLinger(Duration.ofNanos(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("linger must not be negative: PT-0.000000001S");
        assertThatThrownBy(() -> d.withLinger(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("linger must not be negative: null");
    }

    @Test
    void reconnectIsRequired() {
        assertThatThrownBy(() -> ClusterOptions.defaults().withReconnect(null))
                .isInstanceOf(NullPointerException.class).hasMessage("reconnect");
    }

    @Test
    void queueBoundsMustBePositive() {
        ClusterOptions d = ClusterOptions.defaults();
        assertThat(d.withInbound(1, 1).inboundMessages()).isEqualTo(1);
        assertThat(d.withPublishQueue(1, 1).publishBytes()).isEqualTo(1);

        for (Runnable r : new Runnable[] {
                () -> d.withInbound(0, 1), () -> d.withInbound(1, 0), () -> d.withInbound(-1, 1), () -> d.withInbound(1, -1),
                () -> d.withPublishQueue(0, 1), () -> d.withPublishQueue(1, 0), () -> d.withPublishQueue(-5, 1),
                () -> d.withPublishQueue(1, Long.MIN_VALUE)}) {
            assertThatThrownBy(r::run)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("queue bounds must be positive");
        }
    }
}
