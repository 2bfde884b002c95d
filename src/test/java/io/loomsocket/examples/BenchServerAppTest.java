package io.loomsocket.examples;

import static io.loomsocket.examples.Harness.next;
import static io.loomsocket.examples.Harness.nothingArrives;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The benchmark target's convention, which every peer server in the comparison implements too. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class BenchServerAppTest {

    private final Harness harness = new Harness();

    @AfterEach
    void cleanUp() throws Exception {
        harness.close();
    }

    @Test
    void anyOtherPathEchoesEachMessageOnceWithItsOpcode() throws Exception {
        WebSocketServer server = harness.start(new BenchServerApp().configure(WebSocketServer.builder()));
        WebSocket ws = harness.connect(server, "/echo");

        ws.sendText("héllo");
        ws.sendBinary(new byte[] {1, 2, 3});

        assertThat(next(ws)).isEqualTo(new Message.Text("héllo"));
        assertThat(next(ws)).isEqualTo(new Message.Binary(new byte[] {1, 2, 3}));
        assertThat(nothingArrives(ws, Duration.ofMillis(200))).isTrue();
    }

    @Test
    void broadcastGoesToEveryOtherClientButNotTheSender() throws Exception {
        CountDownLatch joined = new CountDownLatch(3);
        BenchServerApp app = new BenchServerApp(ws -> joined.countDown());
        WebSocketServer server = harness.start(app.configure(WebSocketServer.builder()));
        WebSocket a = harness.connect(server, "/broadcast");
        WebSocket b = harness.connect(server, "/broadcast");
        WebSocket c = harness.connect(server, "/broadcast");
        WebSocket bystander = harness.connect(server, "/broadcast-all");
        assertThat(joined.await(5, TimeUnit.SECONDS)).isTrue();

        a.sendBinary(new byte[] {7});
        a.sendText("t");

        for (WebSocket other : new WebSocket[] {b, c}) {
            assertThat(next(other)).isEqualTo(new Message.Binary(new byte[] {7}));
            assertThat(next(other)).isEqualTo(new Message.Text("t"));
        }
        assertThat(nothingArrives(a, Duration.ofMillis(200))).isTrue();
        assertThat(nothingArrives(bystander, Duration.ofMillis(50))).isTrue();
    }

    @Test
    void broadcastAllGoesToEveryClientIncludingTheSender() throws Exception {
        CountDownLatch joined = new CountDownLatch(2);
        BenchServerApp app = new BenchServerApp(ws -> joined.countDown());
        WebSocketServer server = harness.start(app.configure(WebSocketServer.builder()));
        WebSocket a = harness.connect(server, "/broadcast-all");
        WebSocket b = harness.connect(server, "/broadcast-all");
        assertThat(joined.await(5, TimeUnit.SECONDS)).isTrue();

        a.sendText("to all");

        assertThat(next(a)).isEqualTo(new Message.Text("to all"));
        assertThat(next(b)).isEqualTo(new Message.Text("to all"));
        assertThat(app.registry().size(BenchServerApp.BROADCAST_ALL)).isEqualTo(2);
    }
}
