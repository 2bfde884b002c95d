package io.loomsocket.examples;

import static io.loomsocket.examples.Harness.nextText;
import static io.loomsocket.examples.JsonChatAppTest.assertNothingQueued;
import static io.loomsocket.examples.JsonChatAppTest.login;
import static io.loomsocket.examples.JsonChatAppTest.logout;
import static io.loomsocket.examples.JsonChatAppTest.send;
import static io.loomsocket.examples.JsonChatAppTest.user;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.broadcast.BroadcastRegistry;
import io.loomsocket.client.Backoff;
import io.loomsocket.cluster.ClusterOptions;
import io.loomsocket.cluster.RedisPresence;
import io.loomsocket.redis.RedisServerProcess;
import io.loomsocket.redis.RedisUri;
import io.loomsocket.server.WebSocketServer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The apps of {@code json-chat --redis} and {@code broadcast --redis}: two nodes in this JVM,
 * each a server of its own with its own bridge (and presence), on one real redis-server; clients
 * on each node.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusteredAppsIT {

    static final Duration HEARTBEAT = Duration.ofMillis(500);
    static final Duration WAIT = Duration.ofSeconds(15);
    static final String HANDSHAKE = JsonChatAppTest.HANDSHAKE;

    static RedisServerProcess redis;
    static int prefixes;

    private final Harness harness = new Harness();
    private RedisUri uri;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServerProcess.launch();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        harness.close();
    }

    private RedisUri uri() {
        if (uri == null) {
            uri = redis.uri().withPrefix("apps" + (++prefixes)); // each test its own channels and keys
        }
        return uri;
    }

    /** One json-chat node: as JsonChatCommand with --redis, with a shorter heartbeat. */
    final class ChatNode {
        final ClusterNode cluster;
        final JsonChatApp app;
        final WebSocketServer server;

        ChatNode() throws Exception {
            BroadcastRegistry registry = new BroadcastRegistry();
            cluster = ClusterNode.withPresence(registry, uri(), ClusterOptions.defaults()
                            .withReconnect(Backoff.fixed(Duration.ofMillis(100))),
                    RedisPresence.Options.defaults().withHeartbeat(HEARTBEAT));
            harness.closeLater(cluster);
            app = new JsonChatApp(JsonChatApp.Variant.SERVER_WS, registry, cluster.presence());
            server = cluster.addMetricsTo(harness.start(app.configure(WebSocketServer.builder())));
        }

        WebSocket connect() throws Exception {
            WebSocket ws = harness.connect(server, "/chat");
            assertThat(nextText(ws)).isEqualTo(HANDSHAKE);
            return ws;
        }

        /** Waits until this node's presence lists what {@code p} wants (told by its listener: no polling). */
        void awaitPresence(String what, Predicate<Set<String>> p) throws InterruptedException {
            CountDownLatch seen = new CountDownLatch(1);
            cluster.presence().onChange(c -> {
                if (p.test(c.online())) {
                    seen.countDown();
                }
            });
            if (!p.test(cluster.presence().online())) {
                assertThat(seen.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as(what + " within " + WAIT).isTrue();
            }
        }
    }

    /**
     * Waits for a state of a bridge that no event reports (Redis confirmed the subscriptions, the
     * publisher is connected): a bounded check every 20 ms, failing with {@code what}.
     */
    static void awaitState(String what, BooleanSupplier state) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!state.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + " within " + WAIT).isLessThan(deadline);
            new CountDownLatch(1).await(20, TimeUnit.MILLISECONDS);
        }
    }

    static void awaitRoute(ChatNode from, ChatNode to, int channels) throws InterruptedException {
        awaitState("the publisher up on one node, " + channels + " channel(s) subscribed on the other",
                () -> from.cluster.bridge().stats().publisherUp()
                        && to.cluster.bridge().stats().subscribedChannels() >= channels);
    }

    @Test
    void chatAcrossTwoNodes() throws Exception {
        ChatNode a = new ChatNode();
        ChatNode b = new ChatNode();

        WebSocket bob = b.connect();
        send(bob, "type", "register", "uuid", "bob", "content", "bob joined");
        assertThat(nextText(bob)).isEqualTo(login("bob joined", "bob"));
        a.awaitPresence("bob listed on A", online -> online.contains("bob"));
        awaitRoute(a, b, 1); // B subscribed the room's topic (bob is in it); A can publish

        WebSocket alice = a.connect();
        send(alice, "type", "register", "uuid", "alice", "content", "alice joined");
        String aliceLogin = login("alice joined", "alice", "bob"); // A's users first, then the others'
        assertThat(nextText(alice)).isEqualTo(aliceLogin);
        assertThat(nextText(bob)).as("A's login reaches B, as A wrote it").isEqualTo(aliceLogin);

        // B's user list includes the user on A: in B's room, and in what B's connections are told.
        b.awaitPresence("alice listed on B", online -> online.contains("alice"));
        assertThat(b.app.userList()).containsExactly("bob", "alice");
        assertThat(a.app.userList()).containsExactly("alice", "bob");
        WebSocket watcher = b.connect();
        send(watcher, "type", "presence");
        assertThat(nextText(watcher)).isEqualTo("{\"type\": \"presence\", \"user_list\": [\"bob\", \"alice\"]}");

        // A message sent on A reaches B exactly once: the next one behind it comes next, then nothing.
        awaitRoute(b, a, 1);
        send(alice, "type", "send", "content", "hello from A");
        send(alice, "type", "send", "content", "second from A");
        assertThat(nextText(alice)).isEqualTo(user("hello from A", "alice"));
        assertThat(nextText(alice)).isEqualTo(user("second from A", "alice"));
        assertThat(nextText(bob)).isEqualTo(user("hello from A", "alice"));
        assertThat(nextText(bob)).isEqualTo(user("second from A", "alice"));
        assertNothingQueued(bob);
        assertNothingQueued(watcher); // not registered: no chat messages, here or from A

        // And back.
        send(bob, "type", "send", "content", "hi from B");
        assertThat(nextText(bob)).isEqualTo(user("hi from B", "bob"));
        assertThat(nextText(alice)).isEqualTo(user("hi from B", "bob"));
        assertNothingQueued(alice);

        // A logout on A reaches B's room and its watcher, with A's list.
        send(alice, "type", "unregister", "uuid", "alice", "content", "alice left");
        String aliceLogout = logout("alice left", "bob");
        assertThat(nextText(bob)).isEqualTo(aliceLogout);
        assertThat(nextText(watcher)).isEqualTo(aliceLogout);
        b.awaitPresence("alice gone on B", online -> !online.contains("alice"));
        assertThat(b.app.userList()).containsExactly("bob");
        assertNothingQueued(bob);
        assertNothingQueued(alice); // no longer registered: she heard nothing of it
    }

    @Test
    void theUsersOfANodeThatDiesAreDroppedWithinAboutThreeHeartbeats() throws Exception {
        ChatNode a = new ChatNode();
        ChatNode b = new ChatNode();
        WebSocket bob = b.connect();
        send(bob, "type", "register", "uuid", "bob", "content", "bob joined");
        assertThat(nextText(bob)).isEqualTo(login("bob joined", "bob"));
        awaitRoute(a, b, 1);
        WebSocket alice = a.connect();
        send(alice, "type", "register", "uuid", "alice", "content", "alice joined");
        assertThat(nextText(alice)).startsWith("{\"type\": \"login\", \"content\": \"alice joined\"");
        assertThat(nextText(bob)).startsWith("{\"type\": \"login\", \"content\": \"alice joined\"");
        b.awaitPresence("alice listed on B", online -> online.contains("alice"));

        // A dies without leaving: its bridge and presence stop without a word to Redis, then its
        // server goes (alice's logout there goes nowhere: no bridge any more).
        a.cluster.abandon();
        long t0 = System.nanoTime();
        a.server.stop(Duration.ofSeconds(2));

        assertThat(nextText(bob)).as("B announces what A no longer can").isEqualTo(logout("alice left", "bob"));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(took).as("within 3 heartbeats, B's own heartbeat, and slack for a busy machine")
                .isLessThan(HEARTBEAT.multipliedBy(3 + 1 + 2));
        assertThat(b.app.userList()).containsExactly("bob");
        assertNothingQueued(bob);
    }

    @Test
    void broadcastTriggerAcrossTwoNodes() throws Exception {
        CountDownLatch joinedB = new CountDownLatch(1);
        BroadcastApp appA = BroadcastApp.trigger();
        BroadcastApp appB = BroadcastApp.trigger(ws -> joinedB.countDown());
        ClusterNode clusterA = harness.closeLater(ClusterNode.bridge(appA.registry(), uri(), ClusterOptions.defaults()));
        ClusterNode clusterB = harness.closeLater(ClusterNode.bridge(appB.registry(), uri(), ClusterOptions.defaults()));
        WebSocketServer serverA = clusterA.addMetricsTo(harness.start(appA.configure(WebSocketServer.builder())));
        WebSocketServer serverB = clusterB.addMetricsTo(harness.start(appB.configure(WebSocketServer.builder())));

        WebSocket subscriberB = harness.connect(serverB, "/");
        assertThat(joinedB.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        WebSocket senderA = harness.connect(serverA, "/");
        awaitState("A can publish, B subscribed", () -> clusterA.bridge().stats().publisherUp()
                && clusterB.bridge().stats().subscribedChannels() >= 1);

        senderA.sendText(BroadcastApp.TRIGGER);
        assertThat(nextText(subscriberB)).isEqualTo(BroadcastApp.ANNOUNCEMENT);
        assertThat(Harness.nothingArrives(senderA, Duration.ofMillis(300))).as("not back to the sender").isTrue();
        assertThat(clusterA.bridge().stats().published()).isEqualTo(1);
        awaitState("B counted it", () -> clusterB.bridge().stats().received() == 1);
    }

    @Test
    void broadcastRelayAcrossTwoNodesPerPath() throws Exception {
        CountDownLatch joined = new CountDownLatch(3);
        BroadcastApp appA = BroadcastApp.relay(true, ws -> joined.countDown());
        BroadcastApp appB = BroadcastApp.relay(true, ws -> joined.countDown());
        ClusterNode clusterA = harness.closeLater(ClusterNode.bridge(appA.registry(), uri(), ClusterOptions.defaults()));
        ClusterNode clusterB = harness.closeLater(ClusterNode.bridge(appB.registry(), uri(), ClusterOptions.defaults()));
        WebSocketServer serverA = harness.start(appA.configure(WebSocketServer.builder()));
        WebSocketServer serverB = harness.start(appB.configure(WebSocketServer.builder()));

        WebSocket roomOnB = harness.connect(serverB, "/room1");
        WebSocket otherRoomOnB = harness.connect(serverB, "/room2");
        WebSocket senderA = harness.connect(serverA, "/room1");
        assertThat(joined.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        awaitState("A can publish, B subscribed both rooms", () -> clusterA.bridge().stats().publisherUp()
                && clusterB.bridge().stats().subscribedChannels() >= 2);

        senderA.sendText("hello room1");
        senderA.sendBinary(new byte[] {1, 2, 3});
        assertThat(nextText(roomOnB)).isEqualTo("hello room1");
        assertThat(Harness.next(roomOnB)).isEqualTo(new io.loomsocket.protocol.Message.Binary(new byte[] {1, 2, 3}));
        assertThat(Harness.nothingArrives(otherRoomOnB, Duration.ofMillis(300))).as("another path, another topic").isTrue();
        assertThat(Harness.nothingArrives(senderA, Duration.ofMillis(100))).as("--exclude-sender").isTrue();
        assertThat(List.of(clusterA.bridge().stats().published())).containsExactly(2L);
    }
}
