package io.loomsocket.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.broadcast.BroadcastRegistry;
import io.loomsocket.broadcast.ResumableTopics;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.io.Eventually;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import io.loomsocket.redis.RedisOptions;
import io.loomsocket.redis.RedisServerProcess;
import io.loomsocket.server.WebSocketServer;
import java.io.IOException;
import java.net.URI;
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
 * Resumable topics on two nodes over a real redis-server: each node keeps its own bounded
 * history with its own offsets; a client that comes back to the same node gets what it missed,
 * in order and then live, without a gap or a duplicate; beyond the history it is told how many
 * are lost; on another node, that the epoch changed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterResumeIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int HISTORY = 8;

    /** A node whose clients connect to /r/{topic}/{since or -}: the Resume result, then messages "token|text". */
    private static final class Node implements AutoCloseable {
        final BroadcastRegistry registry = new BroadcastRegistry();
        final ResumableTopics topics = new ResumableTopics(registry, HISTORY, 1 << 20,
                (topic, offset, text) -> offset.token() + "|" + text);
        final WebSocketServer server;
        final RedisBridge bridge;

        Node(RedisServerProcess redis) throws IOException {
            server = WebSocketServer.builder().host("127.0.0.1").port(0).closeTimeout(Duration.ofSeconds(2))
                    .handler(ws -> {
                        String[] parts = ws.path().split("/"); // "", "r", topic, since
                        String since = parts[3].equals("-") ? null : parts[3];
                        ResumableTopics.Resume r = topics.subscribe(parts[2], ws, since);
                        ws.sendText("resume:" + r);
                        for (DataMessage m : ws) {
                            // clients only listen
                        }
                    }).start();
            bridge = RedisBridge.start(registry, redis.uri(), RedisOptions.defaults(), ClusterNode.fastOptions(),
                    topics::deliverRemote);
        }

        @Override
        public void close() throws InterruptedException {
            bridge.close();
            server.stop(Duration.ofSeconds(2));
        }
    }

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
        Node n = new Node(redis);
        closeables.add(n);
        return n;
    }

    /** Connects, and reads up to and including the Resume line: the replayed messages, then the result. */
    private record Joined(WebSocket ws, List<String> replayed, String resume) {}

    private Joined join(Node n, String topic, String since) throws Exception {
        WebSocket ws = WebSocketClient.builder().closeTimeout(Duration.ofSeconds(2))
                .connect(URI.create(n.server.url() + "/r/" + topic + "/" + (since == null ? "-" : since)));
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

    private static long offsetOf(String message) {
        return Long.parseLong(message.substring(message.indexOf(':') + 1, message.indexOf('|')));
    }

    private static String tokenOf(String message) {
        return message.substring(0, message.indexOf('|'));
    }

    @Test
    void aClientComingBackToItsNodeGetsWhatItMissedThenLiveWithinAndBeyondTheHistory() throws Exception {
        Node a = node();
        Node b = node();
        Joined first = join(b, "prices", null);
        assertThat(first.resume()).startsWith("resume:Live[");
        ClusterIT.awaitSubscribers(redis, a.bridge, "prices", 1);

        for (int i = 1; i <= 5; i++) {
            a.topics.publish("prices", "p" + i);
        }
        List<String> seen = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            seen.add(next(first.ws()));
        }
        assertThat(seen).extracting(ClusterResumeIT::offsetOf).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(seen.get(4)).endsWith("|p5");
        String last = tokenOf(seen.get(4));
        assertThat(last).startsWith(Long.toHexString(b.topics.epoch()) + ":"); // b's own offsets
        first.ws().abort();
        Eventually.await("b has no member", WAIT, () -> b.registry.size("prices") == 0);

        // Within the history: 3 missed, replayed in order, then live.
        for (int i = 6; i <= 8; i++) {
            a.topics.publish("prices", "p" + i);
        }
        Eventually.await("b kept p8", WAIT, () -> b.topics.next("prices").value() == 9);
        Joined back = join(b, "prices", last);
        assertThat(back.resume()).isEqualTo("resume:Resumed[replayed=3]");
        assertThat(back.replayed()).extracting(ClusterResumeIT::offsetOf).containsExactly(6L, 7L, 8L);
        a.topics.publish("prices", "p9");
        String live = next(back.ws());
        assertThat(offsetOf(live)).isEqualTo(9);
        assertThat(live).endsWith("|p9");
        String lastSeen = tokenOf(live);
        back.ws().abort();
        Eventually.await("b has no member", WAIT, () -> b.registry.size("prices") == 0);

        // Beyond the history (8 kept): 12 more published, the client missed 10..21 and only 14..21 are kept.
        for (int i = 10; i <= 21; i++) {
            a.topics.publish("prices", "p" + i);
        }
        Eventually.await("b kept p21", WAIT, () -> b.topics.next("prices").value() == 22);
        Joined late = join(b, "prices", lastSeen);
        assertThat(late.resume()).startsWith("resume:Trimmed[oldest=Offset[epoch=" + b.topics.epoch() + ", value=14], lost=4, replayed=8]");
        assertThat(late.replayed()).extracting(ClusterResumeIT::offsetOf).containsExactly(14L, 15L, 16L, 17L, 18L, 19L, 20L, 21L);

        // On another node the offset means nothing: told so, nothing replayed, live from there.
        Joined elsewhere = join(a, "prices", lastSeen);
        assertThat(elsewhere.resume()).isEqualTo("resume:EpochChanged[theirs=" + b.topics.epoch() + ", ours=" + a.topics.epoch() + "]");
        assertThat(elsewhere.replayed()).isEmpty();
    }
}
