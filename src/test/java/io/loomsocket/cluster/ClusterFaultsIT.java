package io.loomsocket.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.io.Eventually;
import io.loomsocket.redis.RedisConnection;
import io.loomsocket.redis.RedisServerProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Faults on a real redis-server under nodes that keep publishing: SIGKILL and restart, {@code
 * CLIENT KILL TYPE pubsub}, {@code CLIENT PAUSE}, a subscriber cut by Redis's pubsub output
 * buffer limit. Each time: local delivery never stops, delivery across nodes resumes, every
 * topic is subscribed again, exactly one discontinuity per topic per node, no duplicate.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterFaultsIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final List<String> TOPICS = List.of("t0", "t1", "t2");

    private RedisServerProcess redis;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final AtomicBoolean publishing = new AtomicBoolean(true);
    private final List<Thread> publishers = new ArrayList<>();

    @BeforeEach
    void startRedis() throws IOException {
        redis = RedisServerProcess.launch();
    }

    @AfterEach
    void stop() throws Exception {
        stopPublishing();
        for (AutoCloseable c : closeables.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
        redis.close();
    }

    private ClusterNode node(String name) throws IOException {
        ClusterNode n = new ClusterNode(name, redis.uri(), ClusterNode.fastOptions());
        closeables.add(n);
        return n;
    }

    /** Nodes, each with one subscriber per topic, all subscribed at Redis. */
    private Map<ClusterNode, Map<String, Subscriber>> cluster(String... names) throws Exception {
        Map<ClusterNode, Map<String, Subscriber>> all = new HashMap<>();
        List<ClusterNode> nodes = new ArrayList<>();
        for (String name : names) {
            ClusterNode n = node(name);
            nodes.add(n);
            Map<String, Subscriber> subs = new HashMap<>();
            for (String topic : TOPICS) {
                Subscriber s = Subscriber.join(n, topic);
                closeables.add(s);
                subs.put(topic, s);
            }
            all.put(n, subs);
        }
        for (String topic : TOPICS) {
            ClusterIT.awaitSubscribers(redis, nodes.get(0).bridge, topic, names.length);
        }
        return all;
    }

    /** Every node publishes "name:i" to every topic, one round every 2 ms, until stopped. */
    private void startPublishing(Iterable<ClusterNode> nodes) {
        for (ClusterNode n : nodes) {
            publishers.add(Thread.ofVirtual().start(() -> {
                int i = 0;
                while (publishing.get()) {
                    for (String topic : TOPICS) {
                        n.registry.broadcast(topic, n.name + ":" + i);
                    }
                    i++;
                    try {
                        Thread.sleep(2); // a steady rate, not a synchronisation
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
        }
    }

    private void stopPublishing() throws InterruptedException {
        publishing.set(false);
        for (Thread t : publishers) {
            t.join(5000);
        }
    }

    private static long fromOthers(Subscriber s, String self) {
        return s.texts().stream().filter(t -> !t.startsWith(self + ":")).count();
    }

    private static long fromSelf(Subscriber s, String self) {
        return s.texts().stream().filter(t -> t.startsWith(self + ":")).count();
    }

    /** Waits until every subscriber has received {@code more} messages from other nodes than now. */
    private static void awaitCrossNodeDelivery(Map<ClusterNode, Map<String, Subscriber>> cluster, int more,
                                               Duration within) throws InterruptedException {
        Map<Subscriber, Long> base = new HashMap<>();
        cluster.forEach((n, subs) -> subs.values().forEach(s -> base.put(s, fromOthers(s, n.name))));
        for (Map.Entry<ClusterNode, Map<String, Subscriber>> e : cluster.entrySet()) {
            for (Map.Entry<String, Subscriber> s : e.getValue().entrySet()) {
                Eventually.await("cross-node delivery to " + e.getKey().name + "/" + s.getKey() + " ("
                        + e.getKey() + ")", within, () -> fromOthers(s.getValue(), e.getKey().name),
                        c -> c >= base.get(s.getValue()) + more);
            }
        }
    }

    /** No subscriber saw an origin's message twice or out of order (gaps are allowed: at most once). */
    private static void assertNoDuplicateNorReorder(Map<ClusterNode, Map<String, Subscriber>> cluster) {
        cluster.forEach((n, subs) -> subs.forEach((topic, s) -> {
            Map<String, Integer> last = new HashMap<>();
            for (String t : s.texts()) {
                String[] p = t.split(":", 2);
                int i = Integer.parseInt(p[1]);
                Integer before = last.put(p[0], i);
                if (before != null) {
                    assertThat(i).as("%s after %s:%d on %s/%s", t, p[0], before, n.name, topic).isGreaterThan(before);
                }
            }
        }));
        cluster.keySet().forEach(n -> assertThat(n.bridge.stats().duplicates()).as(n.toString()).isZero());
    }

    /** Exactly one SUBSCRIPTION_LOST per topic on every node, and no other discontinuity. */
    private static void assertOneDiscontinuityPerTopic(Map<ClusterNode, Map<String, Subscriber>> cluster) {
        for (ClusterNode n : cluster.keySet()) {
            for (String topic : TOPICS) {
                assertThat(n.eventsOn(topic, Discontinuity.Reason.SUBSCRIPTION_LOST)).as("lost on %s/%s: %s", n.name, topic, n.events)
                        .isEqualTo(1);
                assertThat(n.eventsOn(topic, Discontinuity.Reason.SEQUENCE_GAP)).as("gap events on %s/%s: %s", n.name, topic, n.events)
                        .isZero();
            }
        }
    }

    private static long usedHeapAfterGc() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void redisKilledAndRestartedMidStream() throws Exception {
        Map<ClusterNode, Map<String, Subscriber>> cluster = cluster("a", "b", "c");
        startPublishing(cluster.keySet());
        awaitCrossNodeDelivery(cluster, 50, WAIT);

        redis.kill();
        Eventually.await("every bridge sees Redis down", WAIT,
                () -> cluster.keySet().stream().noneMatch(n -> n.bridge.stats().subscriberUp() || n.bridge.stats().publisherUp()));
        long heapDown = usedHeapAfterGc();
        Map<ClusterNode, Long> failuresDown = new HashMap<>();
        cluster.keySet().forEach(n -> failuresDown.put(n, n.bridge.stats().publishFailures()));
        // Local delivery goes on while Redis is down: each node's subscribers get its own messages.
        for (Map.Entry<ClusterNode, Map<String, Subscriber>> e : cluster.entrySet()) {
            for (Subscriber s : e.getValue().values()) {
                long before = fromSelf(s, e.getKey().name);
                Eventually.await("local delivery on " + e.getKey().name + " while Redis is down", WAIT,
                        () -> fromSelf(s, e.getKey().name), c -> c >= before + 300);
            }
        }
        long heapStillDown = usedHeapAfterGc();
        for (ClusterNode n : cluster.keySet()) {
            assertThat(n.bridge.stats().publishFailures()).as("publishes fail fast while down: %s", n)
                    .isGreaterThan(failuresDown.get(n) + 300);
        }
        assertThat(heapStillDown - heapDown).as("heap growth while Redis is down and publishers publish")
                .isLessThan(16L << 20);

        redis.restart();
        long restarted = System.nanoTime();
        awaitCrossNodeDelivery(cluster, 1, WAIT);
        Duration resumed = Duration.ofNanos(System.nanoTime() - restarted);
        Eventually.await("every publisher and subscriber connected again", WAIT, () -> cluster.keySet().stream()
                .allMatch(n -> n.bridge.stats().subscriberUp() && n.bridge.stats().publisherUp()));
        Duration allUp = Duration.ofNanos(System.nanoTime() - restarted);
        Duration cap = ClusterNode.fastOptions().reconnect().maxDelay();
        System.out.println("ClusterFaultsIT: cross-node delivery resumed " + resumed.toMillis() + " ms, every connection up "
                + allUp.toMillis() + " ms after redis-server answered again (backoff cap " + cap.toMillis() + " ms)");
        assertThat(allUp).as("every node back within the backoff cap plus a second").isLessThanOrEqualTo(cap.plusSeconds(1));

        try (RedisConnection admin = redis.connect()) {
            for (String topic : TOPICS) {
                assertThat(ClusterIT.numsub(admin, cluster.keySet().iterator().next().bridge.channelOf(topic)))
                        .as("PUBSUB NUMSUB of %s after the restart", topic).isEqualTo(3);
            }
        }
        awaitCrossNodeDelivery(cluster, 100, WAIT);
        stopPublishing();
        assertNoDuplicateNorReorder(cluster);
        assertOneDiscontinuityPerTopic(cluster);
        for (ClusterNode n : cluster.keySet()) {
            BridgeStats s = n.bridge.stats();
            assertThat(s.reconnects()).as(n.toString()).isGreaterThanOrEqualTo(2); // publisher and subscriber
            assertThat(s.sequenceGaps()).as("the outage's losses are counted: %s", n).isPositive();
        }
    }

    @Test
    void clientKillTypePubsub() throws Exception {
        Map<ClusterNode, Map<String, Subscriber>> cluster = cluster("a", "b");
        startPublishing(cluster.keySet());
        awaitCrossNodeDelivery(cluster, 20, WAIT);
        try (RedisConnection admin = redis.connect()) {
            admin.callOrThrow("CLIENT", "KILL", "TYPE", "pubsub");
            Eventually.await("both subscribers reconnected", WAIT,
                    () -> cluster.keySet().stream().allMatch(n -> n.bridge.stats().reconnects() >= 1));
            for (String topic : TOPICS) {
                ClusterIT.awaitSubscribers(redis, cluster.keySet().iterator().next().bridge, topic, 2);
            }
        }
        awaitCrossNodeDelivery(cluster, 50, WAIT);
        stopPublishing();
        assertNoDuplicateNorReorder(cluster);
        assertOneDiscontinuityPerTopic(cluster);
    }

    @Test
    void clientPauseLongerThanTheLivenessTimeout() throws Exception {
        Map<ClusterNode, Map<String, Subscriber>> cluster = cluster("a", "b");
        startPublishing(cluster.keySet());
        awaitCrossNodeDelivery(cluster, 20, WAIT);
        try (RedisConnection admin = redis.connect()) {
            admin.callOrThrow("CLIENT", "PAUSE", "4000", "ALL");
        }
        Eventually.await("the silent subscribers are given up", WAIT,
                () -> cluster.keySet().stream().noneMatch(n -> n.bridge.stats().subscriberUp()));
        awaitCrossNodeDelivery(cluster, 50, WAIT); // after the pause
        stopPublishing();
        assertNoDuplicateNorReorder(cluster);
        assertOneDiscontinuityPerTopic(cluster);
    }

    @Test
    void aSubscriberCutByThePubsubOutputBufferLimitRecovers() throws Exception {
        ClusterNode a = node("a");
        ClusterNode b = node("b");
        Subscriber onB = Subscriber.join(b, "big");
        closeables.add(onB);
        ClusterIT.awaitSubscribers(redis, a.bridge, "big", 1);
        try (RedisConnection admin = redis.connect()) {
            admin.callOrThrow("CONFIG", "SET", "client-output-buffer-limit", "pubsub 262144 131072 1");
            byte[] mib = new byte[1 << 20];
            for (int i = 0; i < 16; i++) {
                a.registry.broadcast("big", mib);
            }
            Eventually.await("a's 16 messages published", WAIT, () -> a.bridge.stats().published() == 16);
            Eventually.await("b's subscriber cut and back", WAIT, () -> b.bridge.stats().reconnects() >= 1);
            admin.callOrThrow("CONFIG", "SET", "client-output-buffer-limit", "pubsub 33554432 8388608 60");
            ClusterIT.awaitSubscribers(redis, a.bridge, "big", 1);
            a.registry.broadcast("big", "after the cut");
            Eventually.await("delivery after the cut", WAIT, () -> onB.texts().contains("after the cut"));
        }
        // Each cut is an outage of its own (the rest of the burst may cut the new connection
        // again): one discontinuity per cut that Redis logged, none else.
        long cuts = redis.logText().lines()
                .filter(l -> l.contains("scheduled to be closed ASAP for overcoming of output buffer limits")).count();
        assertThat(cuts).as("cuts in the redis log").isPositive();
        assertThat(b.eventsOn("big", Discontinuity.Reason.SUBSCRIPTION_LOST)).as("%s", b.events).isEqualTo(cuts);
        assertThat(b.eventsOn("big", Discontinuity.Reason.SEQUENCE_GAP)).isZero();
    }
}
