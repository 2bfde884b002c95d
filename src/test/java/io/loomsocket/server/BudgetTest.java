package io.loomsocket.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.SlowConsumerPolicy;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.WebSocketListener;
import io.loomsocket.broadcast.BroadcastRegistry;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server-wide memory budgets over real sockets (issue 16): partial messages that each stay
 * inside the message limit but together spend the inbound budget make their readers stop, then
 * fail with 1013, while small messages on another connection keep flowing; the outbound budget
 * applies the slow-consumer policy on the sum of the queues, below every connection's own high
 * watermark. The forked small-heap run is {@code MemoryBudgetIT}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BudgetTest {

    private static final WebSocketHandler ECHO = ws -> {
        for (DataMessage m : ws) {
            switch (m) {
                case Message.Text t -> ws.sendText(t.text());
                case Message.Binary b -> ws.sendBinary(b.data());
            }
        }
    };

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private WebSocketServer server;

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception ignored) {
                // already gone
            }
        }
        if (server != null) {
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void partialMessagesThatSpendTheInboundBudgetPauseThenGet1013WhileOtherConnectionsKeepFlowing() throws Exception {
        server = WebSocketServer.builder().host("127.0.0.1").port(0).handler(ECHO)
                .maxMessageSize(1 << 20).inboundBudget(256 * 1024).budgetGrace(Duration.ofMillis(400)).start();
        WebSocket echo = WebSocketClient.builder().connect(URI.create(server.url() + "/"));
        closeables.add(echo);
        assertThat(roundTrip(echo, "before")).isEqualTo("before");

        // Four peers, each all but the last byte of a 200 KiB frame: 800 KiB against 256 KiB.
        byte[] frame = RawClient.maskedFrame(true, 2, new byte[200 * 1024]);
        List<RawClient> hoarders = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            RawClient c = new RawClient(server.port()).handshake();
            closeables.add(c);
            hoarders.add(c);
            Thread.ofVirtual().start(() -> {
                try {
                    c.send(Arrays.copyOf(frame, frame.length - 1));
                } catch (IOException e) {
                    // closed by the server: what the test expects of some of them
                }
            });
        }
        awaitAtLeast(() -> server.metrics().budgetPauses(), 1);
        assertThat(server.metrics().inboundBudget()).isEqualTo(256 * 1024);
        for (int i = 0; i < 20; i++) {
            assertThat(roundTrip(echo, "while " + i)).as("a small message while the budget is spent").isEqualTo("while " + i);
        }

        // 256 KiB holds one 200 KiB partial message, not two: every other peer is paused, then
        // closed with 1013 once its grace is over (the server sends them nothing else). Which one
        // keeps its place depends on timing; the others read on when a closed peer's bytes come back.
        List<CompletableFuture<RawClient.Frame>> answers = new ArrayList<>();
        for (RawClient c : hoarders) {
            c.socket.setSoTimeout(5_000);
            CompletableFuture<RawClient.Frame> answer = new CompletableFuture<>();
            answers.add(answer);
            Thread.ofVirtual().start(() -> {
                try {
                    answer.complete(c.readFrame());
                } catch (IOException e) {
                    answer.complete(null); // no close frame within 5 s: still holding its place
                }
            });
        }
        int tryAgainLater = 0;
        for (CompletableFuture<RawClient.Frame> answer : answers) {
            RawClient.Frame f = answer.get(20, TimeUnit.SECONDS);
            if (f != null) {
                assertThat(f.opcode()).isEqualTo(8);
                assertThat(f.closeCode()).isEqualTo(1013);
                assertThat(f.closeReason()).contains("memory budget").contains("try again later");
                tryAgainLater++;
            }
        }
        assertThat(tryAgainLater).as("all but the one peer whose partial message fits").isGreaterThanOrEqualTo(3);
        assertThat(server.metrics().budgetCloses()).isGreaterThanOrEqualTo(tryAgainLater);
        for (RawClient c : hoarders) {
            c.close();
        }
        awaitAtMost(() -> server.metrics().inboundBuffered(), 0);
        assertThat(roundTrip(echo, "after")).isEqualTo("after");
    }

    @Test
    void theOutboundBudgetAppliesTheSlowConsumerPolicyOnTheSumOfTheQueues() throws Exception {
        BroadcastRegistry topic = new BroadcastRegistry(4, SlowConsumerPolicy.CLOSE_TRY_AGAIN_LATER);
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        // Each connection's own high watermark (64 MiB) is far above the budget: only the sum can act.
        server = WebSocketServer.builder().host("127.0.0.1").port(0).watermarks(64L << 20, 16L << 20)
                .outboundBudget(512 * 1024)
                .route("/sub", new WebSocketListener() {
                    @Override
                    public void onOpen(WebSocket ws) {
                        topic.subscribe("t", ws);
                        subscribed.complete(null);
                    }
                })
                .start();
        RawClient sleeper = new RawClient(server.port());
        closeables.add(sleeper);
        sleeper.socket.setReceiveBufferSize(4096);
        sleeper.send(RawClient.upgradeRequest(server.port()).replaceFirst("GET /raw ", "GET /sub "));
        assertThat(sleeper.readResponseHead().statusLine()).contains("101");
        subscribed.get(10, TimeUnit.SECONDS);

        byte[] chunk = new byte[64 * 1024];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (server.metrics().slowConsumerCloses() == 0 && System.nanoTime() < deadline) {
            topic.broadcast("t", chunk); // the receiver never reads: the kernel's buffers fill, then its queue
            assertThat(server.metrics().queuedBytes()).as("queued bytes stay near the budget")
                    .isLessThanOrEqualTo(512 * 1024 + 2 * chunk.length);
        }
        assertThat(server.metrics().slowConsumerCloses()).isEqualTo(1);
        assertThat(server.metrics().outboundBudget()).isEqualTo(512 * 1024);
        awaitAtMost(() -> server.metrics().queuedBytes(), 0);
    }

    private static String roundTrip(WebSocket ws, String text) throws Exception {
        ws.sendText(text);
        return ((Message.Text) ws.receive(Duration.ofSeconds(5)).orElseThrow()).text();
    }

    private static void awaitAtLeast(LongSupplier value, long at) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (value.getAsLong() < at && System.nanoTime() < deadline) {
            Thread.sleep(10); // polling a metric, bounded by the deadline
        }
        assertThat(value.getAsLong()).isGreaterThanOrEqualTo(at);
    }

    private static void awaitAtMost(LongSupplier value, long at) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (value.getAsLong() > at && System.nanoTime() < deadline) {
            Thread.sleep(10); // polling a metric, bounded by the deadline
        }
        assertThat(value.getAsLong()).isLessThanOrEqualTo(at);
    }
}
