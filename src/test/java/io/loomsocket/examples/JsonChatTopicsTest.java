package io.loomsocket.examples;

import static io.loomsocket.examples.Harness.nextText;
import static io.loomsocket.examples.JsonChatAppTest.assertNothingQueued;
import static io.loomsocket.examples.JsonChatAppTest.login;
import static io.loomsocket.examples.JsonChatAppTest.send;
import static io.loomsocket.examples.JsonChatAppTest.user;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.broadcast.BroadcastRegistry;
import io.loomsocket.broadcast.BroadcastRelay;
import io.loomsocket.protocol.Opcode;
import io.loomsocket.server.WebSocketServer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chat's events are broadcasts to its registry's two topics (what a cluster bridge carries),
 * and what arrives on them from elsewhere reaches the right local connections once: a recording
 * relay stands for the bridge, {@link BroadcastRegistry#deliverLocally} for the other nodes.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JsonChatTopicsTest {

    record Published(String topic, String text) {}

    private final Harness harness = new Harness();
    private final BroadcastRegistry registry = new BroadcastRegistry();
    private final List<Published> relayed = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.Semaphore relays = new java.util.concurrent.Semaphore(0);
    private WebSocketServer server;

    @AfterEach
    void cleanUp() throws Exception {
        harness.close();
    }

    private WebSocket connect() throws Exception {
        WebSocket ws = harness.connect(server, "/chat");
        assertThat(nextText(ws)).isEqualTo(JsonChatAppTest.HANDSHAKE);
        return ws;
    }

    private void start() throws Exception {
        registry.addRelay((BroadcastRelay) (topic, type, payload) ->
        {
            relayed.add(new Published(topic, new String(payload, StandardCharsets.UTF_8)));
            relays.release(); // the relay is told after local delivery: the test waits for it
        });
        server = harness.start(new JsonChatApp(JsonChatApp.Variant.SERVER_WS, registry, null).configure(WebSocketServer.builder()));
    }

    @Test
    void loginsGoToBothTopicsMessagesToTheRoomOnly() throws Exception {
        start();
        WebSocket ann = connect();
        send(ann, "type", "register", "uuid", "ann", "content", "ann joined");
        assertThat(nextText(ann)).isEqualTo(login("ann joined", "ann"));
        send(ann, "type", "send", "content", "hi");
        assertThat(nextText(ann)).isEqualTo(user("hi", "ann"));
        assertThat(relays.tryAcquire(3, Harness.WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(relayed).containsExactly(
                new Published(JsonChatRoom.ROOM_TOPIC, login("ann joined", "ann")),
                new Published(JsonChatRoom.WATCH_TOPIC, login("ann joined", "ann")),
                new Published(JsonChatRoom.ROOM_TOPIC, user("hi", "ann")));
        assertThat(registry.members(JsonChatRoom.ROOM_TOPIC)).hasSize(1);
        assertThat(registry.members(JsonChatRoom.WATCH_TOPIC)).isEmpty();
    }

    @Test
    void eventsFromAnotherNodeReachEachLocalConnectionOnce() throws Exception {
        start();
        WebSocket ann = connect();
        send(ann, "type", "register", "uuid", "ann", "content", "ann joined");
        nextText(ann);
        send(ann, "type", "presence"); // registered and watching: still one topic
        assertThat(nextText(ann)).isEqualTo("{\"type\": \"presence\", \"user_list\": [\"ann\"]}");
        WebSocket watcher = connect();
        send(watcher, "type", "presence");
        nextText(watcher);
        assertThat(registry.members(JsonChatRoom.WATCH_TOPIC)).hasSize(1);

        String remoteLogin = login("zoe joined", "zoe", "ann");
        for (String topic : List.of(JsonChatRoom.ROOM_TOPIC, JsonChatRoom.WATCH_TOPIC)) {
            registry.deliverLocally(topic, Opcode.TEXT, remoteLogin.getBytes(StandardCharsets.UTF_8));
        }
        registry.deliverLocally(JsonChatRoom.ROOM_TOPIC, Opcode.TEXT, user("from afar", "zoe").getBytes(StandardCharsets.UTF_8));
        assertThat(nextText(ann)).isEqualTo(remoteLogin);
        assertThat(nextText(ann)).isEqualTo(user("from afar", "zoe"));
        assertThat(nextText(watcher)).isEqualTo(remoteLogin);
        assertNothingQueued(ann);
        assertNothingQueued(watcher);

        // ann unregisters: she leaves the room's topic and, watching, joins the watchers'.
        send(ann, "type", "unregister", "uuid", "ann", "content", "ann left");
        assertThat(nextText(ann)).isEqualTo(JsonChatAppTest.logout("ann left"));
        assertThat(nextText(watcher)).isEqualTo(JsonChatAppTest.logout("ann left"));
        assertThat(registry.members(JsonChatRoom.ROOM_TOPIC)).isEmpty();
        assertThat(registry.members(JsonChatRoom.WATCH_TOPIC)).hasSize(2);
    }
}
