package io.loomsocket.cluster;

import io.loomsocket.broadcast.BroadcastRegistry;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import io.loomsocket.redis.RedisOptions;
import io.loomsocket.redis.RedisUri;
import io.loomsocket.server.WebSocketServer;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One node of a test cluster in this JVM: a server whose connections at {@code /t/{topic}} are
 * members of that topic (each text or binary message a client sends is broadcast to it), a
 * registry, and a {@link RedisBridge}. Discontinuity events are kept, per topic.
 */
final class ClusterNode implements AutoCloseable {

    final String name;
    final BroadcastRegistry registry = new BroadcastRegistry();
    final WebSocketServer server;
    final RedisBridge bridge;
    final List<Discontinuity> events = new CopyOnWriteArrayList<>();
    final Map<String, List<Discontinuity>> eventsByTopic = new ConcurrentHashMap<>();

    ClusterNode(String name, RedisUri uri, ClusterOptions options) throws IOException {
        this(name, uri, RedisOptions.defaults(), options);
    }

    ClusterNode(String name, RedisUri uri, RedisOptions redisOptions, ClusterOptions options) throws IOException {
        this.name = name;
        this.server = WebSocketServer.builder().host("127.0.0.1").port(0)
                .maxMessageSize(32 << 20).maxFrameSize(32 << 20)
                .watermarks(64L << 20, 32L << 20)
                .closeTimeout(Duration.ofSeconds(2))
                .handler(ws -> {
                    // "/t/{topic}", or any other path as the topic itself (as the broadcast command's relay mode)
                    String topic = ws.path().startsWith("/t/") ? ws.path().substring("/t/".length()) : ws.path();
                    registry.subscribe(topic, ws);
                    ws.sendText("ready");
                    for (DataMessage m : ws) {
                        if (m instanceof Message.Text t) {
                            registry.broadcast(topic, t.text(), ws);
                        } else if (m instanceof Message.Binary b) {
                            registry.broadcast(topic, b.data(), ws);
                        }
                    }
                }).start();
        this.bridge = RedisBridge.start(registry, uri, redisOptions, options, null);
        bridge.onDiscontinuity(d -> {
            events.add(d);
            eventsByTopic.computeIfAbsent(d.topic(), t -> new CopyOnWriteArrayList<>()).add(d);
        });
    }

    /** Quick settings for tests: fast pings, probes and backoff (cap 1 s). */
    static ClusterOptions fastOptions() {
        return ClusterOptions.defaults()
                .withReconnect(new io.loomsocket.client.Backoff(Duration.ofMillis(50), 2.0, Duration.ofSeconds(1), 0.5))
                .withLiveness(Duration.ofMillis(250), Duration.ofMillis(1500))
                .withProbe(Duration.ofMillis(500), Duration.ofSeconds(2))
                .withConnectTimeout(Duration.ofSeconds(1))
                .withLinger(Duration.ofMillis(300));
    }

    String url(String topic) {
        return topic.startsWith("/") ? server.url() + topic : server.url() + "/t/" + topic;
    }

    long eventsOn(String topic, Discontinuity.Reason reason) {
        return eventsByTopic.getOrDefault(topic, List.of()).stream().filter(d -> d.reason() == reason).count();
    }

    @Override
    public void close() throws InterruptedException {
        bridge.close();
        server.stop(Duration.ofSeconds(2));
    }

    @Override
    public String toString() {
        return name + " " + bridge.stats();
    }
}
