package io.loomsocket.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.SlowConsumerPolicy;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketClosedException;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.io.Eventually;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 200 connections over real sockets, each on its own virtual thread, subscribing, unsubscribing,
 * broadcasting and closing at once, through a server whose handler does what its client asks:
 *
 * <ul>
 *   <li>{@value #STABLE} <b>stable</b> subscribers join "news" first and stay to the end: each must
 *       receive every "news" broadcast exactly once, in order per broadcaster;
 *   <li>{@value #BROADCASTERS} <b>broadcasters</b>, also in "news", each broadcast {@value #PER_BROADCASTER}
 *       messages excluding themselves: each must get all the others' and none of its own;
 *   <li>the other connections <b>churn</b>: join and leave "news" and other topics, broadcast to
 *       other topics, then close normally, abort, make their handler throw, or stay. Whatever they
 *       receive must hold no duplicate and keep each broadcaster's order.
 * </ul>
 *
 * <p>At the end every connection is gone and so is every membership. Commands are acknowledged
 * by the handler, so a client knows when its subscription is in place.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BroadcastConcurrencyTest {

    private static final int CONNECTIONS = 200;
    private static final int STABLE = 40;
    private static final int BROADCASTERS = 4;
    private static final int PER_BROADCASTER = 50;
    private static final int CHURN_OPS = 12;
    private static final String FENCE = "fence";

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final BroadcastRegistry registry = new BroadcastRegistry(8, SlowConsumerPolicy.CLOSE_TRY_AGAIN_LATER);
    private WebSocketServer server;

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable r : resources.reversed()) {
            if (r instanceof WebSocket ws) {
                ws.abort();
            } else if (r instanceof WebSocketServer s) {
                s.stop(Duration.ofSeconds(2));
            } else {
                r.close();
            }
        }
    }

    /** The server side: sub:T, unsub:T, pub:T:payload (excluding the sender), die. */
    private void startServer() throws IOException {
        server = WebSocketServer.builder().host("127.0.0.1").port(0).backlog(CONNECTIONS)
                .closeTimeout(Duration.ofSeconds(2))
                .handler(ws -> {
                    for (Message m : ws) {
                        if (!(m instanceof Message.Text t)) {
                            continue;
                        }
                        String command = t.text();
                        if (command.startsWith("sub:")) {
                            registry.subscribe(command.substring(4), ws);
                            ws.sendText("ack:" + command);
                        } else if (command.startsWith("unsub:")) {
                            registry.unsubscribe(command.substring(6), ws);
                            ws.sendText("ack:" + command);
                        } else if (command.startsWith("pub:")) {
                            String[] parts = command.split(":", 3);
                            registry.broadcast(parts[1], parts[2], ws);
                            ws.sendText("ack:pub");
                        } else if (command.equals("die")) {
                            throw new IllegalStateException("this handler dies on purpose (BroadcastConcurrencyTest)");
                        }
                    }
                }).start();
        resources.add(server);
    }

    /** A client connection and everything broadcast to it, in arrival order. */
    private static final class Peer {
        final WebSocket ws;
        final List<String> broadcasts = new ArrayList<>();

        Peer(WebSocket ws) {
            this.ws = ws;
        }

        /** Sends a command and receives until its acknowledgement, keeping the broadcasts that come first. */
        void command(String command, String ack) throws IOException, InterruptedException {
            ws.sendText(command);
            receiveUntil(ack::equals);
        }

        void receiveUntil(Predicate<String> last) throws IOException, InterruptedException {
            while (true) {
                Optional<DataMessage> m = ws.receive(Duration.ofSeconds(10));
                assertThat(m).as("a message within 10 s").isPresent();
                String text = ((Message.Text) m.get()).text();
                if (last.test(text)) {
                    return;
                }
                if (!text.startsWith("ack:")) {
                    broadcasts.add(text);
                }
            }
        }
    }

    private Peer connect() throws IOException {
        WebSocket ws = WebSocketClient.builder().closeTimeout(Duration.ofSeconds(2)).connect(URI.create(server.url() + "/"));
        synchronized (resources) {
            resources.add(ws);
        }
        return new Peer(ws);
    }

    /** Checks that broadcasts hold no duplicate and that each sender's sequence numbers increase. */
    private static void assertNoDuplicateAndInOrderPerSender(List<String> broadcasts) {
        assertThat(broadcasts).doesNotHaveDuplicates();
        Map<String, Integer> last = new HashMap<>();
        for (String b : broadcasts) {
            String[] parts = b.split("/"); // sender/seq
            int seq = Integer.parseInt(parts[1]);
            Integer previous = last.put(parts[0], seq);
            assertThat(previous == null || previous < seq).as("order of %s after %s", b, previous).isTrue();
        }
    }

    private static <T> CompletableFuture<T> onVirtualThread(Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    @Test
    void twoHundredConnectionsSubscribingBroadcastingAndClosingAtOnceLoseNothingAndLeaveNothingBehind() throws Exception {
        startServer();
        CountDownLatch ready = new CountDownLatch(STABLE + BROADCASTERS);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch broadcastsDone = new CountDownLatch(BROADCASTERS);
        CountDownLatch fenceSent = new CountDownLatch(1);
        CountDownLatch churnDone = new CountDownLatch(CONNECTIONS - STABLE - BROADCASTERS);
        int expectedNews = BROADCASTERS * PER_BROADCASTER;

        // Stable subscribers: in "news" before any broadcast, until the fence.
        List<CompletableFuture<List<String>>> stable = new ArrayList<>();
        for (int i = 0; i < STABLE; i++) {
            stable.add(onVirtualThread(() -> {
                Peer p = connect();
                p.command("sub:news", "ack:sub:news");
                ready.countDown();
                p.receiveUntil(FENCE::equals);
                p.ws.close();
                return p.broadcasts;
            }));
        }
        // Broadcasters: in "news" too, each broadcasting "b<i>/<seq>" to it, excluding itself.
        List<CompletableFuture<List<String>>> broadcasters = new ArrayList<>();
        for (int i = 0; i < BROADCASTERS; i++) {
            String name = "b" + i;
            broadcasters.add(onVirtualThread(() -> {
                Peer p = connect();
                p.command("sub:news", "ack:sub:news");
                ready.countDown();
                go.await();
                for (int seq = 0; seq < PER_BROADCASTER; seq++) {
                    p.command("pub:news:" + name + "/" + seq, "ack:pub");
                }
                broadcastsDone.countDown();
                p.receiveUntil(FENCE::equals);
                p.ws.close();
                return p.broadcasts;
            }));
        }
        // Churners: random operations from a fixed seed, then one of four ways to end.
        List<CompletableFuture<List<String>>> churners = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS - STABLE - BROADCASTERS; i++) {
            int id = i;
            churners.add(onVirtualThread(() -> {
                Random random = new Random(id);
                Peer p = connect();
                try {
                    go.await();
                    int published = 0;
                    for (int op = 0; op < CHURN_OPS; op++) {
                        String topic = random.nextInt(3) == 0 ? "news" : "topic-" + random.nextInt(8);
                        switch (random.nextInt(4)) {
                            case 0, 1 -> p.command("sub:" + topic, "ack:sub:" + topic);
                            case 2 -> p.command("unsub:" + topic, "ack:unsub:" + topic);
                            default -> {
                                String t = "topic-" + random.nextInt(8);
                                p.command("pub:" + t + ":c" + id + "/" + published++, "ack:pub");
                            }
                        }
                    }
                    switch (id % 8) {
                        case 0, 4 -> p.ws.close(); // the closing handshake
                        case 1, 5 -> p.ws.abort(); // gone without a word
                        case 2 -> { // its handler throws: the server closes with 1011
                            p.ws.sendText("die");
                            try {
                                p.receiveUntil(text -> false);
                            } catch (WebSocketClosedException e) {
                                assertThat(e.code()).isEqualTo(CloseCode.INTERNAL_ERROR);
                            }
                        }
                        default -> { // stays until the broadcasts are over
                            fenceSent.await();
                            p.ws.close();
                        }
                    }
                    return p.broadcasts;
                } finally {
                    churnDone.countDown();
                }
            }));
        }

        assertThat(ready.await(20, TimeUnit.SECONDS)).as("stable subscribers and broadcasters in place").isTrue();
        go.countDown();
        assertThat(broadcastsDone.await(20, TimeUnit.SECONDS)).as("every broadcast acknowledged").isTrue();
        // Every "news" broadcast has been queued for every member: a last one to every connection
        // in any topic ends the stable subscribers' and the broadcasters' reading.
        registry.broadcastAll(FENCE, null);
        fenceSent.countDown();

        for (CompletableFuture<List<String>> f : stable) {
            List<String> got = f.get(20, TimeUnit.SECONDS);
            assertThat(got).as("news received by a stable subscriber").hasSize(expectedNews);
            assertNoDuplicateAndInOrderPerSender(got);
            for (int b = 0; b < BROADCASTERS; b++) {
                String prefix = "b" + b + "/";
                assertThat(got.stream().filter(s -> s.startsWith(prefix)).count()).isEqualTo(PER_BROADCASTER);
            }
        }
        for (int i = 0; i < BROADCASTERS; i++) {
            List<String> got = broadcasters.get(i).get(20, TimeUnit.SECONDS);
            String own = "b" + i + "/";
            assertThat(got).as("broadcaster %d gets everyone else's news", i).hasSize(expectedNews - PER_BROADCASTER)
                    .noneMatch(s -> s.startsWith(own));
            assertNoDuplicateAndInOrderPerSender(got);
        }
        for (CompletableFuture<List<String>> f : churners) {
            List<String> got = f.get(20, TimeUnit.SECONDS);
            assertNoDuplicateAndInOrderPerSender(got.stream().filter(s -> !s.equals(FENCE)).toList());
        }
        assertThat(churnDone.getCount()).isZero();

        // Everyone is gone, handlers that died included: nothing is left in the registry.
        Eventually.await("every connection closed on the server", Duration.ofSeconds(10), server::connectionCount, n -> n == 0);
        Eventually.await("no membership left", Duration.ofSeconds(5),
                () -> registry.connectionCount() == 0 && registry.topicCount() == 0);
    }
}
