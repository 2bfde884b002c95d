package io.loomsocket.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.broadcast.BroadcastRegistry;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.io.Eventually;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import io.loomsocket.redis.RedisOptions;
import io.loomsocket.redis.RedisServerProcess;
import io.loomsocket.server.WebSocketServer;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Resumable topics across nodes, their history in a Redis stream: the same offsets on every
 * node, so a client comes back to any node and gets what it missed, then live, with no gap and
 * no duplicate (also while messages are being published); beyond the history it is told they
 * were trimmed; after Redis lost its data, that the epoch changed.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterStreamResumeIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int HISTORY = 8;

    private static final class Node implements AutoCloseable {
        final BroadcastRegistry registry = new BroadcastRegistry();
        final WebSocketServer server;
        final RedisBridge bridge;
        final RedisResumableTopics topics;

        Node(RedisServerProcess redis, int history) throws IOException {
            bridge = RedisBridge.start(registry, redis.uri(), RedisOptions.defaults(), ClusterNode.fastOptions(), null);
            topics = new RedisResumableTopics(registry, bridge, history, (topic, offset, text) -> offset + "|" + text);
            server = WebSocketServer.builder().host("127.0.0.1").port(0).closeTimeout(Duration.ofSeconds(2))
                    .handler(ws -> {
                        String[] parts = ws.path().split("/"); // "", "r", topic, since
                        String since = parts[3].equals("-") ? null : URLDecoder.decode(parts[3], StandardCharsets.UTF_8);
                        ws.sendText("resume:" + topics.subscribe(parts[2], ws, since));
                        for (DataMessage m : ws) {
                            // clients only listen
                        }
                    }).start();
        }

        @Override
        public void close() throws InterruptedException {
            topics.close();
            bridge.close();
            server.stop(Duration.ofSeconds(2));
        }
    }

    private record Joined(WebSocket ws, List<String> replayed, String resume) {}

    private RedisServerProcess redis;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        redis = RedisServerProcess.launch();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables.reversed()) {
            c.close();
        }
        redis.close();
    }

    private Node node() throws IOException {
        return node(HISTORY);
    }

    private Node node(int history) throws IOException {
        Node n = new Node(redis, history);
        closeables.add(n);
        return n;
    }

    /** Connects; the replay comes before the Resume line, live messages after it. */
    private Joined join(Node n, String topic, String since) throws Exception {
        String s = since == null ? "-" : URLEncoder.encode(since, StandardCharsets.UTF_8);
        WebSocket ws = WebSocketClient.builder().closeTimeout(Duration.ofSeconds(2))
                .connect(URI.create(n.server.url() + "/r/" + topic + "/" + s));
        closeables.add(ws::abort);
        List<String> replayed = new ArrayList<>();
        while (true) {
            String t = next(ws);
            if (t.startsWith("resume:")) {
                return new Joined(ws, replayed, t);
            }
            replayed.add(t);
        }
    }

    private static String next(WebSocket ws) throws Exception {
        Optional<DataMessage> m = ws.receive(WAIT);
        assertThat(m).as("a message within %s", WAIT).isPresent();
        return ((Message.Text) m.get()).text();
    }

    private static String tokenOf(String m) {
        return m.substring(0, m.indexOf('|'));
    }

    private static String textOf(String m) {
        return m.substring(m.indexOf('|') + 1);
    }

    private static void publish(Node n, String topic, int from, int to) {
        for (int i = from; i <= to; i++) {
            assertThat(n.topics.publish(topic, "p" + i)).as("p%d queued", i).isTrue();
        }
    }

    @Test
    void aClientResumesOnAnotherNodeWithinAndBeyondTheHistoryAndAfterRedisLostItsData() throws Exception {
        Node a = node();
        Node b = node();
        Eventually.await("publishers up", WAIT, () -> a.bridge.stats().publisherUp() && b.bridge.stats().publisherUp());
        Joined onB = join(b, "prices", null);
        Joined onA = join(a, "prices", null);
        assertThat(onB.resume()).isEqualTo("resume:Live[]");
        assertThat(a.bridge.awaitSubscribed("prices", WAIT)).isTrue();
        assertThat(b.bridge.awaitSubscribed("prices", WAIT)).isTrue();

        publish(a, "prices", 1, 5);
        List<String> seenB = new ArrayList<>();
        List<String> seenA = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            seenB.add(next(onB.ws()));
            seenA.add(next(onA.ws())); // the publishing node delivers its own message when Redis hands it back
        }
        assertThat(seenB).extracting(ClusterStreamResumeIT::textOf).containsExactly("p1", "p2", "p3", "p4", "p5");
        assertThat(seenA).as("the same offsets on every node").isEqualTo(seenB);
        String last = tokenOf(seenB.get(4));
        onB.ws().abort();
        onA.ws().abort();

        // Missed 3; comes back to the other node.
        publish(b, "prices", 6, 8);
        Joined back = join(a, "prices", last);
        assertThat(back.resume()).isEqualTo("resume:Resumed[replayed=3]");
        assertThat(back.replayed()).extracting(ClusterStreamResumeIT::textOf).containsExactly("p6", "p7", "p8");
        publish(b, "prices", 9, 9);
        String live = next(back.ws());
        assertThat(textOf(live)).isEqualTo("p9");
        String lastSeen = tokenOf(live);
        back.ws().abort();

        // Beyond the history: p10..p21 published, 8 kept (p14..p21): told they were trimmed, the kept ones sent.
        publish(a, "prices", 10, 21);
        Joined late = join(b, "prices", lastSeen);
        assertThat(late.resume()).as("p10..p13 lost").isEqualTo("resume:Trimmed[lost=4, replayed=8]");
        assertThat(late.replayed()).extracting(ClusterStreamResumeIT::textOf)
                .containsExactly("p14", "p15", "p16", "p17", "p18", "p19", "p20", "p21");
        String lastKept = tokenOf(late.replayed().get(7));
        late.ws().abort();

        // Redis restarted without its data: the epoch is gone, the offset means nothing now.
        redis.kill();
        redis.restart();
        Eventually.await("bridges back", WAIT, () -> a.bridge.stats().publisherUp() && b.bridge.stats().subscriberUp());
        Joined afresh = join(b, "prices", lastKept);
        assertThat(afresh.resume()).startsWith("resume:EpochChanged[theirs=" + lastKept.substring(0, lastKept.indexOf('/')) + ", ours=null]");
        assertThat(afresh.replayed()).isEmpty();
    }

    @Test
    void noGapNorDuplicateWhileMessagesArePublishedDuringTheResume() throws Exception {
        Node a = node(1000);
        Node b = node(1000);
        Eventually.await("publishers up", WAIT, () -> a.bridge.stats().publisherUp() && b.bridge.stats().publisherUp());
        Joined first = join(b, "ticks", null);
        assertThat(b.bridge.awaitSubscribed("ticks", WAIT)).isTrue();
        publish(a, "ticks", 1, 3);
        String token = null;
        for (int i = 0; i < 3; i++) {
            token = tokenOf(next(first.ws()));
        }
        first.ws().abort();
        Eventually.await("b has no member", WAIT, () -> b.registry.size("ticks") == 0);

        int total = 200;
        Thread publisher = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 4; i <= total; i++) {
                    assertThat(a.topics.publish("ticks", "p" + i)).isTrue();
                    Thread.sleep(1); // a steady rate, so that the resume lands in the middle
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Eventually.await("publishing", WAIT, () -> b.bridge.stats().received() >= 23);
        // Resume while publishing: the replay and the live messages race.
        Joined back = join(b, "ticks", token);
        List<String> got = new ArrayList<>(back.replayed());
        publisher.join();
        while (got.isEmpty() || !textOf(got.getLast()).equals("p" + total)) {
            got.add(next(back.ws()));
        }
        // Strictly consecutive from the first message received to p200: nothing lost, nothing twice.
        int start = Integer.parseInt(textOf(got.getFirst()).substring(1));
        for (int i = 0; i < got.size(); i++) {
            assertThat(textOf(got.get(i))).as("message %d of %s (%s)", i, got.size(), back.resume()).isEqualTo("p" + (start + i));
        }
        assertThat(back.resume()).isEqualTo("resume:Resumed[replayed=" + back.replayed().size() + "]");
        assertThat(start).as("the first is the one after the client's offset").isEqualTo(4);
        System.out.println("ClusterStreamResumeIT: " + back.replayed().size() + " replayed, "
                + (got.size() - back.replayed().size()) + " live, while publishing");
    }
}
