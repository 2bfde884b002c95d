package io.loomsocket.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketClosedException;
import io.loomsocket.WebSocketListener;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.server.WebSocketServer;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Handlers that throw, block forever, or send after the close affect only their own connection:
 * the throwing ones (exception or Error, handler or inline listener) are closed with 1011, the
 * blocked ones still answer pings (the reader is not the handler), the late senders are told with
 * WebSocketClosedException; meanwhile other connections echo without a failure. Then
 * {@code stop(3 s)} returns within its timeout although handlers and a listener callback are
 * blocked for good and a client never answers the close.
 *
 * <p>Sizes: {@code reliability.misbehaving.perKind} (20 connections per kind; full 200).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MisbehavingHandlersIT {

    private static final long SEED = Sizes.seed(0xBAD_4A4DL);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(3);

    @Test
    void aMisbehavingHandlerHarmsOnlyItsOwnConnectionAndStopStillReturnsInTime() throws Exception {
        Channel channel = Channel.configured();
        int perKind = Sizes.of("misbehaving.perKind", 20, 200);
        CountDownLatch release = new CountDownLatch(1); // never counted down before the end of the test
        AtomicInteger blocked = new AtomicInteger();
        Map<String, AtomicInteger> lateSends = new ConcurrentHashMap<>(); // what sends after close threw
        List<String> failures = new CopyOnWriteArrayList<>();

        WebSocketListener throwingListener = new WebSocketListener() {
            @Override
            public void onText(WebSocket ws, String text) {
                throw new IllegalStateException("listener fails on purpose");
            }
        };
        WebSocketListener blockingListener = new WebSocketListener() {
            @Override
            public void onText(WebSocket ws, String text) {
                blocked.incrementAndGet();
                awaitUninterruptibly(release); // the reader thread itself is stuck: no pong, no close reply
            }
        };

        try (LogWatch logs = new LogWatch(true)) { // the warnings are expected: checked below, kept off the console
            WebSocketServer server = channel.serverBuilder()
                    .route("/echo", HostileInputIT.ECHO)
                    .route("/throw", ws -> {
                        ws.receive();
                        throw new IllegalStateException("handler fails on purpose");
                    })
                    .route("/throw-error", ws -> {
                        ws.receive();
                        throw new Error("handler throws an Error on purpose");
                    })
                    .route("/block", ws -> {
                        ws.receive();
                        blocked.incrementAndGet();
                        awaitUninterruptibly(release);
                    })
                    .route("/send-after-close", ws -> {
                        ws.receive();
                        ws.close(CloseCode.NORMAL_CLOSURE, "done");
                        lateSend(lateSends, "handler thread", () -> ws.sendText("too late"));
                        Thread other = Thread.ofVirtual().start(() -> {
                            lateSend(lateSends, "other thread", () -> ws.sendBinary(new byte[] {1}));
                            lateSend(lateSends, "ping", () -> ws.ping());
                        });
                        other.join();
                    })
                    .route("/listener-throw", throwingListener)
                    .route("/listener-block", blockingListener)
                    .closeTimeout(Duration.ofSeconds(10))
                    .start();
            List<WebSocket> open = new CopyOnWriteArrayList<>();
            Socket silent = null;
            try {
                EchoLoad normal = EchoLoad.start(channel, server.port(), 8, Duration.ofMillis(5), SEED);
                Map<String, Long> outcomes = new TreeMap<>();
                long echoesBefore = normal.echoes();

                List<Thread> threads = new ArrayList<>();
                for (String path : List.of("/throw", "/throw-error", "/listener-throw", "/block", "/listener-block", "/send-after-close")) {
                    for (int i = 0; i < perKind; i++) {
                        threads.add(Thread.ofVirtual().start(() -> {
                            try {
                                WebSocket ws = channel.client(WebSocketClient.builder()).noKeepalive()
                                        .closeTimeout(Duration.ofSeconds(5)).connect(channel.uri(server.port(), path));
                                ws.sendText("hello");
                                String outcome = switch (path) {
                                    case "/block" -> {
                                        open.add(ws);
                                        // The handler is stuck, its reader is not: pings are answered.
                                        ws.ping().get(10, TimeUnit.SECONDS);
                                        yield "open, ping answered";
                                    }
                                    case "/listener-block" -> {
                                        open.add(ws);
                                        yield "open";
                                    }
                                    default -> {
                                        WebSocketClosedException end = endOf(ws);
                                        yield "closed " + end.code().code();
                                    }
                                };
                                synchronized (outcomes) {
                                    outcomes.merge(path + ": " + outcome, 1L, Long::sum);
                                }
                            } catch (Exception e) {
                                failures.add(path + ": " + e);
                            }
                        }));
                    }
                }
                for (Thread t : threads) {
                    assertThat(t.join(Duration.ofSeconds(60))).isTrue();
                }
                assertThat(failures).as("misbehaving connections").isEmpty();
                io.loomsocket.io.Eventually.await("every blocking handler and callback blocked", Duration.ofSeconds(20),
                        blocked::get, n -> n == 2 * perKind);
                io.loomsocket.io.Eventually.await("every late send answered", Duration.ofSeconds(20),
                        () -> lateSends.values().stream().mapToInt(AtomicInteger::get).sum(), n -> n == 3 * perKind);
                // A client that will never answer the close, on a blocked handler.
                silent = channel.open(server.port(), true, 5_000);
                silent.getOutputStream().write(Wire.concat(Wire.ascii(Wire.upgradeRequest("/block")),
                        Wire.frame(Wire.TEXT, Wire.utf8("hello"))));
                io.loomsocket.io.Eventually.await("the silent client's handler blocked", Duration.ofSeconds(20),
                        blocked::get, n -> n == 2 * perKind + 1);

                long echoesDuring = normal.echoes() - echoesBefore;
                normal.close();
                assertThat(normal.failures()).as("the echo clients beside the misbehaving handlers").isEmpty();
                assertThat(echoesDuring).as("echoes while the handlers misbehaved").isGreaterThanOrEqualTo(8);

                long t0 = System.nanoTime();
                server.stop(STOP_TIMEOUT);
                double stopSeconds = (System.nanoTime() - t0) / 1e9;

                int warnings = logs.lines().size();
                String report = String.format("Misbehaving handlers (%s): %d connections per kind; outcomes %s; late sends %s; "
                                + "%,d echoes by 8 other clients meanwhile, none failed; stop(%d s) with %d handlers and "
                                + "callbacks blocked for good and a client that never answers the close returned in %.2f s; "
                                + "%d warnings logged (one per failing handler or callback)%n",
                        channel, perKind, outcomes, lateSends, echoesDuring, STOP_TIMEOUT.toSeconds(), blocked.get(),
                        stopSeconds, warnings);
                System.out.println(report);
                Figures.write("misbehaving-handlers.txt", report);

                assertThat(outcomes).containsOnly(
                        Map.entry("/throw: closed 1011", (long) perKind),
                        Map.entry("/throw-error: closed 1011", (long) perKind),
                        Map.entry("/listener-throw: closed 1011", (long) perKind),
                        Map.entry("/send-after-close: closed 1000", (long) perKind),
                        Map.entry("/block: open, ping answered", (long) perKind),
                        Map.entry("/listener-block: open", (long) perKind));
                assertThat(lateSends).as("what each send after the close threw").containsOnlyKeys(
                        "handler thread: WebSocketClosedException", "other thread: WebSocketClosedException",
                        "ping: WebSocketClosedException");
                assertThat(stopSeconds).as("stop() with blocked handlers, s").isLessThan(STOP_TIMEOUT.toSeconds() + 1.5);
                for (WebSocket ws : open) {
                    assertThat(ws.awaitClosed(Duration.ofSeconds(15))).as("the blocked connections are closed after stop()").isTrue();
                }
                assertThat(new Wire.Reader(silent, System.nanoTime() + TimeUnit.SECONDS.toNanos(10)).readHead())
                        .startsWith("HTTP/1.1 101");
                assertThat(logs.lines()).as("warnings: one per failing handler or callback")
                        .hasSize(3 * perKind)
                        .allMatch(l -> l.contains("failed; closing its connection with 1011"));
            } finally {
                release.countDown();
                for (WebSocket ws : open) {
                    ws.abort();
                }
                if (silent != null) {
                    silent.close();
                }
                server.stop(Duration.ofSeconds(1));
            }
        }
    }

    private interface Send {
        void run() throws Exception;
    }

    private static void lateSend(Map<String, AtomicInteger> outcomes, String who, Send send) {
        String what;
        try {
            send.run();
            what = "returned normally";
        } catch (Exception e) {
            what = e.getClass().getSimpleName();
        }
        outcomes.computeIfAbsent(who + ": " + what, k -> new AtomicInteger()).incrementAndGet();
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        while (latch.getCount() > 0) {
            try {
                latch.await();
            } catch (InterruptedException e) {
                // blocks for good: an interrupt does not end it
            }
        }
    }

    private static WebSocketClosedException endOf(WebSocket ws) throws IOException, InterruptedException {
        try {
            while (true) {
                Optional<?> m = ws.receive(Duration.ofSeconds(10));
                if (m.isEmpty()) {
                    ws.abort();
                    throw new AssertionError("no close within 10 s on " + ws.path());
                }
            }
        } catch (WebSocketClosedException e) {
            return e;
        }
    }
}
