package io.loomsocket.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.io.Eventually;
import io.loomsocket.redis.RedisConnection;
import io.loomsocket.redis.RedisServerProcess;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Nodes on a Redis that asks for a password ({@code requirepass}), and as an ACL user limited to the prefix. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterAuthIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void requirepassAndAnAclUserLimitedToThePrefix() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.launch("--requirepass", "s3cr:t@pw")) {
            try (RedisConnection admin = redis.connect()) {
                // Only our prefix's keys and channels: what a shared Redis would grant the bridge.
                admin.callOrThrow("ACL", "SETUSER", "bridge", "on", ">bridge-pw", "resetkeys", "~loomsocket:*",
                        "resetchannels", "&loomsocket:*", "+@all");
            }
            try (ClusterNode a = new ClusterNode("a", redis.uri(null, "s3cr:t@pw"), ClusterNode.fastOptions());
                 ClusterNode b = new ClusterNode("b", redis.uri("bridge", "bridge-pw"), ClusterNode.fastOptions());
                 ClusterNode wrong = new ClusterNode("wrong", redis.uri("bridge", "not-it"), ClusterNode.fastOptions());
                 Subscriber onA = Subscriber.join(a, "news");
                 Subscriber onB = Subscriber.join(b, "news");
                 Subscriber onWrong = Subscriber.join(wrong, "news")) {
                ClusterIT.awaitSubscribers(redis, a.bridge, "news", 2);
                a.registry.broadcast("news", "a:0");
                b.registry.broadcast("news", "b:0");
                wrong.registry.broadcast("news", "wrong:0");
                Eventually.await("b's message on a", WAIT, () -> onA.texts().contains("b:0"));
                Eventually.await("a's message on b", WAIT, () -> onB.texts().contains("a:0"));
                // The node with the wrong password keeps trying, delivers locally, and fails its publishes fast.
                assertThat(onWrong.texts()).containsExactly("wrong:0");
                BridgeStats w = wrong.bridge.stats();
                assertThat(w.subscriberUp()).isFalse();
                assertThat(w.publisherUp()).isFalse();
                assertThat(w.publishFailures()).isEqualTo(1);
                assertThat(onA.texts()).doesNotContain("wrong:0");
                assertThat(a.bridge.stats().publishFailures()).isZero();
                assertThat(b.bridge.stats().publishFailures()).isZero();
            }
        }
    }
}
