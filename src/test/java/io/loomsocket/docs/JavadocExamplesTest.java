package io.loomsocket.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketListener;
import io.loomsocket.broadcast.BroadcastRegistry;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.io.Eventually;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The programs of the Javadoc overview ({@code src/main/javadoc/overview.html}), as written there
 * but on port 0, run against each other: a newcomer who copies them gets what the page says.
 */
@Timeout(30)
class JavadocExamplesTest {

    @Test
    void echoServerWithAHandlerAndTheClient() throws Exception {
        try (WebSocketServer server = WebSocketServer.builder().port(0).handler(ws -> {
                for (DataMessage m : ws) {
                    switch (m) {
                        case Message.Text t -> ws.sendText(t.text());
                        case Message.Binary b -> ws.sendBinary(b.data());
                    }
                }
            }).start()) {
            String token = "secret";
            try (WebSocket ws = WebSocketClient.builder()
                    .header("Authorization", "Bearer " + token)
                    .connect(URI.create(server.url() + "/rooms/lobby"))) {
                ws.sendText("hello");
                Optional<DataMessage> reply = ws.receive(Duration.ofSeconds(5));
                Duration rtt = ws.ping().get(5, TimeUnit.SECONDS);
                assertThat(reply).contains(new Message.Text("hello"));
                assertThat(rtt).isPositive();
                ws.sendBinary(new byte[] {1, 2, 3});
                assertThat(ws.receive(Duration.ofSeconds(5))).get()
                        .isInstanceOfSatisfying(Message.Binary.class, b -> assertThat(b.data()).containsExactly(1, 2, 3));
            }
        }
    }

    @Test
    void echoServerWithAListener() throws Exception {
        WebSocketServer server = WebSocketServer.builder().port(0).listener(new WebSocketListener() {
            public void onText(WebSocket ws, String text) throws IOException { ws.sendText(text); }
            public void onBinary(WebSocket ws, byte[] data) throws IOException { ws.sendBinary(data); }
        }).start();
        try (server; WebSocket ws = WebSocketClient.connect(URI.create(server.url() + "/"))) {
            ws.sendText("echo me");
            assertThat(ws.receive(Duration.ofSeconds(5))).contains(new Message.Text("echo me"));
        }
    }

    @Test
    void broadcastRoomReachesEveryoneButTheSender() throws Exception {
        BroadcastRegistry rooms = new BroadcastRegistry();
        WebSocketServer server = WebSocketServer.builder().port(0)
            .route("/rooms/{room}", new WebSocketListener() {
                public void onOpen(WebSocket ws) {
                    rooms.subscribe(ws.pathParameters().get("room"), ws);
                }
                public void onText(WebSocket ws, String text) {
                    rooms.broadcast(ws.pathParameters().get("room"), text, ws);
                }
            })
            .start();
        URI lobby = URI.create(server.url() + "/rooms/lobby");
        try (server;
             WebSocket alice = WebSocketClient.connect(lobby);
             WebSocket bob = WebSocketClient.connect(lobby);
             WebSocket carol = WebSocketClient.connect(URI.create(server.url() + "/rooms/kitchen"))) {
            // onOpen runs on each server reader thread after the client's connect has returned.
            Eventually.await("lobby has 2 members", Duration.ofSeconds(5), () -> rooms.size("lobby") == 2);
            Eventually.await("kitchen has 1 member", Duration.ofSeconds(5), () -> rooms.size("kitchen") == 1);
            alice.sendText("hi all");
            assertThat(bob.receive(Duration.ofSeconds(5))).contains(new Message.Text("hi all"));
            // The sender and the other room get nothing: a marker sent after proves it.
            carol.sendText("kitchen only");
            bob.sendText("back");
            assertThat(alice.receive(Duration.ofSeconds(5))).contains(new Message.Text("back"));
            assertThat(carol.receive(Duration.ofMillis(200))).isEmpty();
        }
    }
}
