package io.loomsocket.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.io.Eventually;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import io.loomsocket.redis.RedisConnection;
import io.loomsocket.redis.RedisServerProcess;
import io.loomsocket.redis.RespValue;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three nodes in this JVM on one real redis-server (Debian's, started here on a free loopback
 * port): fan-out across nodes exactly once and in per-origin order while Redis is healthy.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private RedisServerProcess redis;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void startRedis() throws IOException {
        redis = RedisServerProcess.launch();
    }

    @AfterEach
    void stop() throws Exception {
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

    private Subscriber subscribe(ClusterNode node, String topic) throws IOException, InterruptedException {
        Subscriber s = Subscriber.join(node, topic);
        closeables.add(s);
        return s;
    }

    /** Waits until Redis counts {@code n} subscribers of {@code topic}'s channel (one per node). */
    static void awaitSubscribers(RedisServerProcess redis, RedisBridge any, String topic, long n) throws Exception {
        try (RedisConnection admin = redis.connect()) {
            Eventually.await("PUBSUB NUMSUB " + topic + " = " + n, WAIT, () -> numsub(admin, any.channelOf(topic)),
                    v -> v == n);
        }
    }

    static long numsub(RedisConnection admin, String channel) {
        try {
            RespValue v = admin.callOrThrow("PUBSUB", "NUMSUB", channel);
            List<RespValue> items = switch (v) {
                case RespValue.Array a -> a.items();
                case RespValue.Map m -> m.keysAndValues();
                default -> List.of();
            };
            return items.size() >= 2 && items.get(1) instanceof RespValue.Int i ? i.value() : -1;
        } catch (IOException e) {
            return -2;
        }
    }

    @Test
    void everyNodePublishesAndEverySubscriberGetsEveryMessageOnceInOriginOrder() throws Exception {
        List<ClusterNode> nodes = List.of(node("a"), node("b"), node("c"));
        Map<ClusterNode, List<Subscriber>> subs = new HashMap<>();
        for (ClusterNode n : nodes) {
            subs.put(n, List.of(subscribe(n, "news"), subscribe(n, "news")));
        }
        awaitSubscribers(redis, nodes.get(0).bridge, "news", 3);

        int perNode = 500;
        List<Thread> publishers = new ArrayList<>();
        for (ClusterNode n : nodes) {
            publishers.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < perNode; i++) {
                    n.registry.broadcast("news", n.name + ":" + i);
                }
            }));
        }
        for (Thread t : publishers) {
            t.join();
        }
        int expected = perNode * nodes.size();
        for (ClusterNode n : nodes) {
            for (Subscriber s : subs.get(n)) {
                Eventually.await("subscriber on " + n.name + " got " + expected, WAIT, s::count, c -> c >= expected);
            }
        }
        for (ClusterNode n : nodes) {
            for (Subscriber s : subs.get(n)) {
                assertExactlyOnceInOrder(s.texts(), nodes, perNode);
            }
        }
        for (ClusterNode n : nodes) {
            BridgeStats st = n.bridge.stats();
            assertThat(st.published()).as("published by %s", n.name).isEqualTo(perNode);
            assertThat(st.publishFailures()).as(n.toString()).isZero();
            assertThat(st.received()).as(n.toString()).isEqualTo(perNode * (nodes.size() - 1L));
            assertThat(st.ownEchoDropped()).as(n.toString()).isEqualTo(perNode);
            assertThat(st.sequenceGaps()).as(n.toString()).isZero();
            assertThat(st.duplicates()).as(n.toString()).isZero();
            assertThat(st.inboundDropped()).as(n.toString()).isZero();
            assertThat(st.discontinuities()).as(n.toString()).isZero();
            assertThat(st.latencyCount()).as(n.toString()).isEqualTo(perNode * (nodes.size() - 1L));
            assertThat(n.events).isEmpty();
        }
    }

    /** Each origin's messages {@code name:0 .. name:perNode-1} exactly once and in order, none other. */
    static void assertExactlyOnceInOrder(List<String> texts, List<ClusterNode> nodes, int perNode) {
        Map<String, Integer> next = new HashMap<>();
        for (ClusterNode n : nodes) {
            next.put(n.name, 0);
        }
        for (String t : texts) {
            String[] p = t.split(":", 2);
            assertThat(next).as("origin of %s", t).containsKey(p[0]);
            int i = Integer.parseInt(p[1]);
            assertThat(i).as("next from %s", p[0]).isEqualTo(next.get(p[0]));
            next.put(p[0], i + 1);
        }
        for (ClusterNode n : nodes) {
            assertThat(next.get(n.name)).as("messages from %s", n.name).isEqualTo(perNode);
        }
    }

    @Test
    void aTopicIsSubscribedWhileItHasLocalMembersAndALingerAfter() throws Exception {
        ClusterNode a = node("a");
        try (RedisConnection admin = redis.connect()) {
            Subscriber s = subscribe(a, "room");
            Eventually.await("room subscribed", WAIT, () -> numsub(admin, a.bridge.channelOf("room")), v -> v == 1);
            assertThat(a.bridge.stats().subscribedChannels()).isEqualTo(1);
            s.close();
            // Not a pattern subscription, nor one global channel: only this topic's channel, and gone after the linger.
            Eventually.await("room unsubscribed after the linger", WAIT,
                    () -> numsub(admin, a.bridge.channelOf("room")), v -> v == 0);
            RespValue patterns = admin.callOrThrow("PUBSUB", "NUMPAT");
            assertThat(patterns).isEqualTo(new RespValue.Int(0));
            Eventually.await("wanted topics empty", WAIT, () -> a.bridge.wantedTopics().isEmpty());
        }
    }

    @Test
    void binaryPayloadsOfEverySizeCrossNodesByteForByte() throws Exception {
        ClusterNode a = node("a");
        ClusterNode b = node("b");
        Subscriber onB = subscribe(b, "blobs");
        awaitSubscribers(redis, a.bridge, "blobs", 1);
        int[] sizes = {0, 64 << 10, 1 << 20, 16 << 20};
        List<byte[]> sent = new ArrayList<>();
        for (int size : sizes) {
            byte[] p = new byte[size];
            for (int i = 0; i < size; i++) {
                p[i] = switch (i % 5) {
                    case 0 -> '\r';
                    case 1 -> '\n';
                    case 2 -> 0;
                    case 3 -> (byte) 0xFF;
                    default -> (byte) i;
                };
            }
            sent.add(p);
            a.registry.broadcast("blobs", p);
        }
        Eventually.await("4 payloads on b", WAIT, onB::count, c -> c >= sizes.length);
        for (int i = 0; i < sizes.length; i++) {
            DataMessage m = onB.received.get(i);
            assertThat(m).isInstanceOf(Message.Binary.class);
            assertThat(((Message.Binary) m).data()).as("payload of %d bytes", sizes[i]).isEqualTo(sent.get(i));
        }
        assertThat(b.bridge.stats().received()).isEqualTo(sizes.length);
    }
}
