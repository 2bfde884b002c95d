package io.loomsocket.broadcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.SlowConsumerPolicy;
import io.loomsocket.WebSocket;
import io.loomsocket.broadcast.LocalSessions.Pair;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.io.RawPeer;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import io.loomsocket.protocol.Opcode;
import io.loomsocket.server.WebSocketServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The registry's seams: broadcasts without an exclusion, the static broadcast over any
 * connections (server and client side), relays that observe local publishes and a remote
 * publisher's way in, and counters kept per registry.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class BroadcastSeamsTest {

    private LocalSessions local;
    private final BroadcastRegistry registry = new BroadcastRegistry(16, SlowConsumerPolicy.DROP);

    private record Published(String topic, Opcode type, String payload) {}

    @BeforeEach
    void setUp() throws IOException {
        local = new LocalSessions();
    }

    @AfterEach
    void tearDown() throws IOException {
        local.close();
    }

    private static RawPeer.Frame next(Pair p) throws IOException {
        return p.peer().readFrame();
    }

    @Test
    void aBroadcastWithoutExclusionReachesEveryMemberTextAndBinaryAlike() throws IOException {
        List<Pair> members = local.open(3);
        for (Pair p : members) {
            registry.subscribe("room", p.session());
        }

        assertThat(registry.broadcast("room", "hi all")).isEqualTo(3);
        assertThat(registry.broadcast("room", new byte[] {1, 2, 3})).isEqualTo(3);

        for (Pair p : members) {
            RawPeer.Frame text = next(p);
            assertThat(text.opcode()).isEqualTo(0x1);
            assertThat(text.text()).isEqualTo("hi all");
            RawPeer.Frame binary = next(p);
            assertThat(binary.opcode()).isEqualTo(0x2);
            assertThat(binary.payload()).containsExactly(1, 2, 3);
        }
        assertThat(registry.queuedCount()).isEqualTo(6);
    }

    @Test
    void aRelaySeesEveryLocalPublishAndARemotePublishReachesOnlyLocalMembers() throws IOException {
        List<Published> relayed = new CopyOnWriteArrayList<>();
        BroadcastRelay relay = (topic, type, payload) ->
                relayed.add(new Published(topic, type, new String(payload, StandardCharsets.UTF_8)));
        registry.addRelay(relay);
        Pair sender = local.open();
        Pair other = local.open();
        registry.subscribe("chat", sender.session());
        registry.subscribe("chat", other.session());

        registry.broadcast("chat", "local one", sender.session()); // excluded locally, relayed whole
        registry.broadcast("nobody-here", "still relayed");
        assertThat(next(other).text()).isEqualTo("local one");
        assertThat(relayed).containsExactly(
                new Published("chat", Opcode.TEXT, "local one"), new Published("nobody-here", Opcode.TEXT, "still relayed"));

        int delivered = registry.deliverLocally("chat", Opcode.TEXT, "from node b".getBytes(StandardCharsets.UTF_8));
        assertThat(delivered).isEqualTo(2);
        assertThat(next(sender).text()).isEqualTo("from node b");
        assertThat(next(other).text()).isEqualTo("from node b");
        assertThat(relayed).as("a remote message is not relayed again").hasSize(2);

        registry.removeRelay(relay);
        registry.broadcast("chat", "after removal");
        assertThat(relayed).hasSize(2);
        assertThatThrownBy(() -> registry.deliverLocally("chat", Opcode.PING, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFailingRelayDoesNotStopTheBroadcast() throws IOException {
        registry.addRelay((topic, type, payload) -> {
            throw new IllegalStateException("relay down (on purpose)");
        });
        Pair p = local.open();
        registry.subscribe("t", p.session());
        assertThat(registry.broadcast("t", "delivered anyway")).isEqualTo(1);
        assertThat(next(p).text()).isEqualTo("delivered anyway");
    }

    @Test
    void theStaticBroadcastReachesServerAndClientConnectionsAlike() throws Exception {
        CompletableFuture<DataMessage> atServer = new CompletableFuture<>();
        try (WebSocketServer server = WebSocketServer.builder().noKeepalive().handler(ws -> {
                    for (DataMessage m : ws) {
                        atServer.complete(m);
                    }
                }).start();
             WebSocket client = WebSocketClient.builder().noKeepalive().connect(URI.create(server.url() + "/"))) {
            List<Pair> serverSide = local.open(2);
            List<WebSocket> everyone = new ArrayList<>();
            serverSide.forEach(p -> everyone.add(p.session()));
            everyone.add(client); // a client-side connection: its frames are masked, one encoding of its own

            assertThat(BroadcastRegistry.broadcast(everyone, "to all", SlowConsumerPolicy.DROP)).isEqualTo(3);

            for (Pair p : serverSide) {
                assertThat(next(p).text()).isEqualTo("to all");
            }
            assertThat(atServer.get(5, TimeUnit.SECONDS)).isEqualTo(new Message.Text("to all"));
        }
        assertThatThrownBy(() -> BroadcastRegistry.broadcast(List.of(new NotOurs()), "x", SlowConsumerPolicy.DROP))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a Loomsocket connection");
    }

    @Test
    void countersBelongToTheirRegistry() throws IOException {
        BroadcastRegistry other = new BroadcastRegistry(4, SlowConsumerPolicy.DROP);
        Pair p = local.open();
        registry.subscribe("a", p.session());
        other.subscribe("b", p.session());
        registry.broadcast("a", "one");
        registry.broadcast("a", "two");
        other.broadcast("b", "three");

        assertThat(registry.queuedCount()).isEqualTo(2);
        assertThat(other.queuedCount()).isEqualTo(1);
        assertThat(registry.droppedCount()).isZero();
        assertThat(other.slowConsumerClosedCount()).isZero();
    }

    /** A WebSocket that is not a Loomsocket connection. */
    private static final class NotOurs implements WebSocket {
        @Override public DataMessage receive() { throw new UnsupportedOperationException(); }
        @Override public java.util.Optional<DataMessage> receive(Duration timeout) { throw new UnsupportedOperationException(); }
        @Override public java.util.Iterator<DataMessage> iterator() { throw new UnsupportedOperationException(); }
        @Override public void sendText(CharSequence text, boolean last) {}
        @Override public void sendBinary(byte[] data, boolean last) {}
        @Override public CompletableFuture<Duration> ping() { throw new UnsupportedOperationException(); }
        @Override public java.util.Optional<Duration> lastRoundTrip() { return java.util.Optional.empty(); }
        @Override public void close(io.loomsocket.protocol.CloseCode code, String reason) {}
        @Override public void abort() {}
        @Override public boolean awaitClosed(Duration timeout) { return true; }
        @Override public io.loomsocket.protocol.ConnectionState state() { return io.loomsocket.protocol.ConnectionState.OPEN; }
        @Override public io.loomsocket.protocol.CloseCode closeCode() { return null; }
        @Override public String closeReason() { return ""; }
        @Override public String path() { return "/"; }
        @Override public java.util.Optional<io.loomsocket.handshake.HttpRequestHead> request() { return java.util.Optional.empty(); }
        @Override public java.util.Map<String, String> pathParameters() { return java.util.Map.of(); }
        @Override public java.util.Map<String, Object> attributes() { return java.util.Map.of(); }
        @Override public java.util.Optional<String> subprotocol() { return java.util.Optional.empty(); }
        @Override public java.net.SocketAddress remoteAddress() { return null; }
    }
}
