package io.loomsocket.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketClosedException;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.Message;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server over real sockets: handshake answers, timeouts, handler outcomes, stopping, threads. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class WebSocketServerTest {

    private static final WebSocketHandler ECHO = ws -> {
        for (Message m : ws) {
            switch (m) {
                case Message.Text t -> ws.sendText(t.text());
                case Message.Binary b -> ws.sendBinary(b.data());
                default -> {}
            }
        }
    };

    private final List<WebSocketServer> servers = new ArrayList<>();
    private final List<AutoCloseable> clients = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : clients) {
            if (c instanceof WebSocket ws) {
                ws.abort();
            } else {
                c.close();
            }
        }
        for (WebSocketServer s : servers) {
            s.stop(Duration.ofSeconds(2));
        }
    }

    private WebSocketServer start(WebSocketServer.Builder builder) throws IOException {
        WebSocketServer server = builder.host("127.0.0.1").port(0).start();
        servers.add(server);
        return server;
    }

    private WebSocketServer start(WebSocketHandler handler) throws IOException {
        return start(WebSocketServer.builder().handler(handler).closeTimeout(Duration.ofSeconds(5)));
    }

    private WebSocket connect(WebSocketServer server, String path) throws IOException {
        WebSocket ws = WebSocketClient.builder().closeTimeout(Duration.ofSeconds(5)).connect(URI.create(server.url() + path));
        clients.add(ws);
        return ws;
    }

    private RawClient raw(WebSocketServer server) throws IOException {
        RawClient c = new RawClient(server.port());
        clients.add(c);
        return c;
    }

    /** Receives until the connection ends, and returns how it ended. */
    private static WebSocketClosedException endOf(WebSocket ws) {
        try {
            while (true) {
                ws.receive();
            }
        } catch (WebSocketClosedException e) {
            return e;
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("connection ended with " + e, e);
        }
    }

    @Nested
    class HandshakeRejections {

        private RawClient.Response answer(String request) throws IOException {
            WebSocketServer server = start(ECHO);
            RawClient c = raw(server);
            c.send(request);
            return c.readErrorResponse();
        }

        @Test
        void aPlainGetWithoutUpgradeHeadersIsABadRequest() throws IOException {
            RawClient.Response r = answer("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

            assertThat(r.statusLine()).startsWith("HTTP/1.1 400");
            assertThat(r.headers()).containsEntry("connection", "close");
            assertThat(r.body()).containsIgnoringCase("upgrade");
        }

        @Test
        void anotherProtocolVersionGets426NamingVersion13() throws IOException {
            RawClient.Response r = answer(RawClient.upgradeRequest(1).replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8"));

            assertThat(r.statusLine()).startsWith("HTTP/1.1 426");
            assertThat(r.headers()).containsEntry("sec-websocket-version", "13");
        }

        @Test
        void aPostIsMethodNotAllowedAndNamesGet() throws IOException {
            RawClient.Response r = answer(RawClient.upgradeRequest(1).replace("GET /raw", "POST /raw"));

            assertThat(r.statusLine()).startsWith("HTTP/1.1 405");
            assertThat(r.headers()).containsEntry("allow", "GET");
        }

        @Test
        void garbageIsABadRequest() throws IOException {
            RawClient.Response r = answer("\u0016\u0003\u0001 this is not HTTP at all\r\n\r\n");

            assertThat(r.statusLine()).startsWith("HTTP/1.1 400");
        }

        @Test
        void aRejectedClientIsDisconnectedAfterTheAnswer() throws IOException {
            WebSocketServer server = start(ECHO);
            RawClient c = raw(server);
            c.send("POST / HTTP/1.1\r\nHost: x\r\n\r\n");

            RawClient.Response r = c.readErrorResponse(); // to EOF; times out after 10 s if the server keeps it open

            assertThat(r.statusLine()).startsWith("HTTP/1.1 405");
            assertThat(server.connectionCount()).isZero();
        }
    }

    @Nested
    class HandshakeTimeout {

        @Test
        void aClientThatSendsNothingIsDroppedAfterTheHandshakeTimeout() throws IOException {
            WebSocketServer server = start(WebSocketServer.builder().handler(ECHO).handshakeTimeout(Duration.ofMillis(300)));
            long start = System.nanoTime();
            RawClient c = raw(server);

            assertThat(c.seesEndOfStream()).isTrue();
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(250)).isLessThan(Duration.ofSeconds(5));
        }

        @Test
        void aClientThatStallsHalfwayThroughTheRequestIsDroppedToo() throws IOException {
            WebSocketServer server = start(WebSocketServer.builder().handler(ECHO).handshakeTimeout(Duration.ofMillis(300)));
            RawClient c = raw(server);
            c.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpg");

            assertThat(c.seesEndOfStream()).isTrue();
        }

        /**
         * The handshake timeout bounds the whole handshake, not each read: a client that sends its
         * request one byte at a time, each within the timeout, must not hold the connection (and
         * its thread and buffers) for as long as it likes (slowloris).
         */
        @Test
        void aClientThatTricklesItsRequestIsDroppedAfterTheHandshakeTimeoutToo() throws Exception {
            WebSocketServer server = start(WebSocketServer.builder().handler(ECHO).handshakeTimeout(Duration.ofMillis(300)));
            RawClient c = raw(server);
            c.socket.setSoTimeout(2_000);
            // A valid request, padded so that at one byte per 50 ms it would take about 50 s.
            byte[] request = RawClient.upgradeRequest(server.port())
                    .replace("\r\n\r\n", "\r\nX-Padding: " + "p".repeat(1_000) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
            try {
                int[] next = {0};
                trickle.scheduleAtFixedRate(() -> {
                    try {
                        if (next[0] < request.length) {
                            c.send(new byte[] {request[next[0]++]});
                        }
                    } catch (IOException closedByServer) {
                        throw new IllegalStateException(closedByServer); // ends the schedule
                    }
                }, 0, 50, TimeUnit.MILLISECONDS);

                boolean dropped;
                try {
                    dropped = c.seesEndOfStream();
                } catch (SocketTimeoutException stillOpen) {
                    dropped = false;
                }

                assertThat(dropped)
                        .as("connection dropped within 2 s although the handshake timeout is 300 ms (%d of %d bytes sent)",
                                next[0], request.length)
                        .isTrue();
            } finally {
                trickle.shutdownNow();
            }
        }

        @Test
        void theHandshakeTimeoutDoesNotApplyOnceTheConnectionIsOpen() throws Exception {
            WebSocketServer server = start(WebSocketServer.builder().handler(ECHO).handshakeTimeout(Duration.ofMillis(200)));
            WebSocket ws = connect(server, "/");

            // Idle well past the handshake timeout: nothing arrives, and the connection stays open.
            assertThat(ws.receive(Duration.ofMillis(600))).isEmpty();
            ws.sendText("still open");
            assertThat(ws.receive()).isEqualTo(new Message.Text("still open"));
        }
    }

    @Nested
    class HandlerOutcomes {

        @Test
        void aHandlerThatThrowsClosesOnlyItsOwnConnectionWith1011() throws Exception {
            WebSocketServer server = start(ws -> {
                if (ws.path().equals("/boom")) {
                    throw new IllegalStateException("handler bug");
                }
                ECHO.handle(ws);
            });
            WebSocket survivor = connect(server, "/echo");
            survivor.sendText("first");
            assertThat(survivor.receive()).isEqualTo(new Message.Text("first"));

            WebSocket victim = connect(server, "/boom");
            WebSocketClosedException end = endOf(victim);

            assertThat(end.code()).isEqualTo(CloseCode.INTERNAL_ERROR);
            assertThat(victim.closeCode()).isEqualTo(CloseCode.INTERNAL_ERROR);
            assertThat(victim.closeReason()).as("internals never reach the peer").isEmpty();
            survivor.sendText("second");
            assertThat(survivor.receive()).isEqualTo(new Message.Text("second"));
            assertThat(survivor.isOpen()).isTrue();
        }

        /**
         * An OutOfMemoryError from a handler closes its connection with 1011 as any failure, and is
         * then rethrown to the connection thread's uncaught exception handler; a StackOverflowError
         * closes only its connection (FatalErrors).
         */
        @Test
        void aHandlerOutOfMemoryClosesWith1011AndReachesTheUncaughtHandlerAStackOverflowDoesNot() throws Exception {
            Map<Thread, Throwable> uncaught = new java.util.concurrent.ConcurrentHashMap<>();
            Map<String, Thread> threads = new java.util.concurrent.ConcurrentHashMap<>();
            OutOfMemoryError oom = new OutOfMemoryError("handler ran out");
            Thread.UncaughtExceptionHandler saved = Thread.getDefaultUncaughtExceptionHandler();
            Thread.setDefaultUncaughtExceptionHandler(uncaught::put);
            try {
                WebSocketServer server = start(ws -> {
                    threads.put(ws.path(), Thread.currentThread());
                    throw ws.path().equals("/oom") ? oom : new StackOverflowError();
                });
                for (String path : List.of("/oom", "/recursion")) {
                    WebSocket ws = connect(server, path);
                    assertThat(endOf(ws).code()).as(path).isEqualTo(CloseCode.INTERNAL_ERROR);
                    assertThat(ws.closeReason()).as(path).isEmpty();
                    assertThat(threads.get(path).join(Duration.ofSeconds(5))).as("%s: its thread ended", path).isTrue();
                }

                assertThat(uncaught.get(threads.get("/oom"))).isSameAs(oom);
                assertThat(uncaught).as("the StackOverflowError stayed with its connection")
                        .doesNotContainKey(threads.get("/recursion"));
            } finally {
                Thread.setDefaultUncaughtExceptionHandler(saved);
            }
        }

        @Test
        void aHandlerThatReturnsClosesTheConnectionWith1000() throws Exception {
            WebSocketServer server = start(ws -> ws.sendText("that's all"));
            WebSocket ws = connect(server, "/");

            assertThat(ws.receive()).isEqualTo(new Message.Text("that's all"));
            assertThat(endOf(ws).code()).isEqualTo(CloseCode.NORMAL_CLOSURE);
            assertThat(ws.awaitClosed(Duration.ofSeconds(5))).isTrue();
            assertThat(ws.closeCode()).isEqualTo(CloseCode.NORMAL_CLOSURE);
        }

        @Test
        void aListenerHandlerGetsEveryCallbackInOrderEndingWithThePeersCloseCode() throws Exception {
            List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());
            CountDownLatch closed = new CountDownLatch(1);
            WebSocketServer server = start(WebSocketHandler.of(new io.loomsocket.WebSocketListener() {
                @Override
                public void onOpen(WebSocket ws) {
                    calls.add("open " + ws.path());
                }

                @Override
                public void onText(WebSocket ws, String text) throws Exception {
                    calls.add("text " + text);
                    ws.sendText(text.toUpperCase(java.util.Locale.ROOT));
                }

                @Override
                public void onBinary(WebSocket ws, byte[] data) {
                    calls.add("binary " + data.length);
                }

                @Override
                public void onClose(WebSocket ws, CloseCode code, String reason) {
                    calls.add("close " + code.code() + " " + reason);
                    closed.countDown();
                }

                @Override
                public void onError(WebSocket ws, Throwable error) {
                    calls.add("error " + error);
                }
            }));
            WebSocket ws = connect(server, "/listener");

            ws.sendText("hi");
            assertThat(ws.receive()).isEqualTo(new Message.Text("HI"));
            ws.sendBinary(new byte[3]);
            ws.close(new CloseCode(4000), "bye");

            assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(calls).containsExactly("open /listener", "text hi", "binary 3", "close 4000 bye");
        }

        @Test
        void aListenerCallbackThatThrowsIsReportedAndClosesWith1011() throws Exception {
            CompletableFuture<Throwable> reported = new CompletableFuture<>();
            WebSocketServer server = start(WebSocketHandler.of(new io.loomsocket.WebSocketListener() {
                @Override
                public void onText(WebSocket ws, String text) {
                    throw new IllegalArgumentException("bad input: " + text);
                }

                @Override
                public void onError(WebSocket ws, Throwable error) {
                    reported.complete(error);
                }
            }));
            WebSocket ws = connect(server, "/");

            ws.sendText("boom");

            assertThat(endOf(ws).code()).isEqualTo(CloseCode.INTERNAL_ERROR);
            assertThat(reported.get(5, TimeUnit.SECONDS)).hasMessage("bad input: boom");
        }

        @Test
        void theHandlerSeesTheRequestPath() throws Exception {
            CompletableFuture<String> path = new CompletableFuture<>();
            WebSocketServer server = start(ws -> path.complete(ws.path()));
            connect(server, "/chat/room-1?user=ann");

            assertThat(path.get(5, TimeUnit.SECONDS)).isEqualTo("/chat/room-1");
        }
    }

    @Nested
    class ProtocolViolations {

        @Test
        void anUnmaskedFrameFromAClientGetsA1002CloseAndTheConnectionIsClosed() throws IOException {
            WebSocketServer server = start(ECHO);
            RawClient c = raw(server).handshake();

            c.send(RawClient.unmaskedFrame(true, 0x1, "hi".getBytes(StandardCharsets.US_ASCII)));

            RawClient.Frame close = c.readFrame();
            assertThat(close.opcode()).isEqualTo(0x8);
            assertThat(close.closeCode()).isEqualTo(1002);
            assertThat(c.seesEndOfStream()).isTrue();
        }

        @Test
        void invalidUtf8InATextMessageGetsA1007Close() throws IOException {
            WebSocketServer server = start(ECHO);
            RawClient c = raw(server).handshake();

            c.send(RawClient.maskedFrame(true, 0x1, new byte[] {'o', 'k', (byte) 0xC3, 0x28}));

            RawClient.Frame close = c.readFrame();
            assertThat(close.opcode()).isEqualTo(0x8);
            assertThat(close.closeCode()).isEqualTo(1007);
            assertThat(c.seesEndOfStream()).isTrue();
        }

        @Test
        void aMessageOverTheServersMaxSizeGetsA1009Close() throws Exception {
            WebSocketServer server = start(WebSocketServer.builder().handler(ECHO).maxSize(1024));
            WebSocket ws = connect(server, "/");
            ws.sendBinary(new byte[1024]);
            assertThat(ws.receive()).isEqualTo(new Message.Binary(new byte[1024]));

            ws.sendBinary(new byte[1025]);

            assertThat(endOf(ws).code()).isEqualTo(CloseCode.MESSAGE_TOO_BIG);
        }

        @Test
        void theServerAnswersAClientsCloseWithTheSameCodeAndThenClosesTheConnectionFirst() throws IOException {
            WebSocketServer server = start(ECHO);
            RawClient c = raw(server).handshake();

            c.send(RawClient.maskedFrame(true, 0x8, new byte[] {0x0F, (byte) 0xA1, 'b', 'y', 'e'})); // 4001 "bye"

            RawClient.Frame close = c.readFrame();
            assertThat(close.opcode()).isEqualTo(0x8);
            assertThat(close.closeCode()).isEqualTo(4001);
            assertThat(c.seesEndOfStream()).as("the server closes TCP first (RFC 6455 §7.1.1)").isTrue();
        }

        @Test
        void aPingFromARawClientIsAnsweredWithTheSamePayload() throws IOException {
            WebSocketServer server = start(ECHO);
            RawClient c = raw(server).handshake();

            c.send(RawClient.maskedFrame(true, 0x9, "ping-payload".getBytes(StandardCharsets.US_ASCII)));

            RawClient.Frame pong = c.readFrame();
            assertThat(pong.opcode()).isEqualTo(0xA);
            assertThat(new String(pong.payload(), StandardCharsets.US_ASCII)).isEqualTo("ping-payload");
        }

        @Test
        void framesSentRightBehindTheHandshakeRequestAreNotLost() throws IOException {
            WebSocketServer server = start(ECHO);
            RawClient c = raw(server);
            byte[] request = RawClient.upgradeRequest(server.port()).getBytes(StandardCharsets.US_ASCII);
            byte[] frame = RawClient.maskedFrame(true, 0x1, "eager".getBytes(StandardCharsets.US_ASCII));
            byte[] both = new byte[request.length + frame.length];
            System.arraycopy(request, 0, both, 0, request.length);
            System.arraycopy(frame, 0, both, request.length, frame.length);

            c.send(both);

            assertThat(c.readResponseHead().statusLine()).startsWith("HTTP/1.1 101");
            RawClient.Frame echo = c.readFrame();
            assertThat(echo.opcode()).isEqualTo(0x1);
            assertThat(new String(echo.payload(), StandardCharsets.US_ASCII)).isEqualTo("eager");
        }
    }

    @Nested
    class Stopping {

        @Test
        void stopSends1001ToEveryOpenClientThenRefusesNewConnections() throws Exception {
            WebSocketServer server = start(ECHO);
            List<WebSocket> open = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                WebSocket ws = connect(server, "/" + i);
                ws.sendText("hello " + i);
                assertThat(ws.receive()).isEqualTo(new Message.Text("hello " + i));
                open.add(ws);
            }

            long start = System.nanoTime();
            server.stop(Duration.ofSeconds(5));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            for (WebSocket ws : open) {
                assertThat(endOf(ws).code()).isEqualTo(CloseCode.GOING_AWAY);
                assertThat(ws.closeCode()).isEqualTo(CloseCode.GOING_AWAY);
            }
            assertThat(took).as("every client answered, so stop did not wait for its timeout").isLessThan(Duration.ofSeconds(4));
            assertThatThrownBy(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", server.port()), 2_000);
                }
            }).isInstanceOf(ConnectException.class);
        }

        @Test
        void stopAbortsAClientThatNeverAnswersTheCloseWithinTheTimeout() throws Exception {
            CountDownLatch handling = new CountDownLatch(1);
            WebSocketServer server = start(WebSocketServer.builder()
                    .closeTimeout(Duration.ofSeconds(30)) // longer than the test: stop's own timeout must rule
                    .handler(ws -> {
                        handling.countDown();
                        ECHO.handle(ws);
                    }));
            RawClient silent = raw(server).handshake(); // and then it never reads nor answers
            assertThat(handling.await(5, TimeUnit.SECONDS)).isTrue();

            Duration timeout = Duration.ofMillis(500);
            long start = System.nanoTime();
            server.stop(timeout);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(400)).isLessThan(timeout.plusSeconds(2));
            RawClient.Frame close = silent.readFrame();
            assertThat(close.opcode()).isEqualTo(0x8);
            assertThat(close.closeCode()).isEqualTo(1001);
            assertThat(silent.seesEndOfStream()).as("aborted").isTrue();
        }

        @Test
        void stopAlsoDropsConnectionsStillInTheHandshake() throws Exception {
            WebSocketServer server = start(ECHO);
            RawClient c = raw(server);
            c.send("GET / HTTP/1.1\r\n"); // half a request
            // A second connection that completes its handshake was accepted after the first, so
            // the first is past the accept queue and in its handshake when the server stops.
            connect(server, "/").sendText("sync");

            server.stop(Duration.ofSeconds(2));

            assertThat(c.seesEndOfStream()).isTrue();
        }
    }

    @Nested
    class Concurrency {

        private static final int THREADS = 16;
        private static final int PER_THREAD = 40;

        /** The message thread {@code t} sends as its {@code seq}-th: its header, then filler. */
        private static String message(int t, int seq) {
            int size = switch ((t * 7 + seq) % 10) {
                case 0 -> 70_000; // beyond the coalescing buffer
                case 1, 2 -> 5_000;
                default -> (t * 131 + seq * 17) % 700;
            };
            StringBuilder b = new StringBuilder("t=" + t + " seq=" + seq + " ");
            char fill = (char) ('a' + t);
            for (int i = 0; i < size; i++) {
                b.append(i % 97 == 96 ? 'é' : fill);
            }
            return b.toString();
        }

        /** Sends thread t's messages; every third one in three fragments. */
        private static void sendAll(WebSocket ws, int t) throws IOException {
            for (int seq = 0; seq < PER_THREAD; seq++) {
                String m = message(t, seq);
                if (seq % 3 == 2) {
                    int a = m.length() / 3;
                    int b = 2 * m.length() / 3;
                    ws.sendText(m.substring(0, a), false);
                    ws.sendText(m.substring(a, b), false);
                    ws.sendText(m.substring(b), true);
                } else {
                    ws.sendText(m);
                }
            }
        }

        /** Checks that every message is whole and each thread's arrive in order. */
        private static void checkArrivals(List<String> received) {
            assertThat(received).hasSize(THREADS * PER_THREAD);
            Map<Integer, Integer> next = new HashMap<>();
            for (String m : received) {
                String[] head = m.split(" ", 3);
                int t = Integer.parseInt(head[0].substring(2));
                int seq = Integer.parseInt(head[1].substring(4));
                int expected = next.getOrDefault(t, 0);
                assertThat(seq).as("thread %d's messages in order", t).isEqualTo(expected);
                assertThat(m).as("message %d of thread %d, whole and not interleaved", seq, t).isEqualTo(message(t, seq));
                next.put(t, expected + 1);
            }
        }

        @Test
        void sendsFromSixteenServerThreadsArriveWholeAndInOrderPerThread() throws Exception {
            WebSocketServer server = start(ws -> {
                ws.receive(); // "go"
                try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<?>> done = new ArrayList<>();
                    CountDownLatch ready = new CountDownLatch(THREADS);
                    for (int t = 0; t < THREADS; t++) {
                        int id = t;
                        done.add(senders.submit(() -> {
                            ready.countDown();
                            ready.await();
                            sendAll(ws, id);
                            return null;
                        }));
                    }
                    for (Future<?> f : done) {
                        f.get();
                    }
                }
                for (Message ignored : ws) {
                    // until the client closes
                }
            });
            WebSocket client = connect(server, "/");
            client.sendText("go");

            List<String> received = new ArrayList<>();
            for (int i = 0; i < THREADS * PER_THREAD; i++) {
                received.add(((Message.Text) client.receive()).text());
            }

            checkArrivals(received);
            client.close();
            assertThat(client.closeCode()).isEqualTo(CloseCode.NORMAL_CLOSURE);
        }

        @Test
        void sendsFromSixteenClientThreadsArriveWholeAndInOrderPerThread() throws Exception {
            CompletableFuture<List<String>> atServer = new CompletableFuture<>();
            WebSocketServer server = start(ws -> {
                List<String> got = new ArrayList<>();
                for (int i = 0; i < THREADS * PER_THREAD; i++) {
                    got.add(((Message.Text) ws.receive()).text());
                }
                atServer.complete(got);
            });
            WebSocket client = connect(server, "/");

            try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
                CountDownLatch ready = new CountDownLatch(THREADS);
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int id = t;
                    done.add(senders.submit(() -> {
                        ready.countDown();
                        ready.await();
                        sendAll(client, id);
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            }

            checkArrivals(atServer.get(10, TimeUnit.SECONDS));
            assertThat(endOf(client).code()).isEqualTo(CloseCode.NORMAL_CLOSURE);
        }

        @Test
        void pingsAreAnsweredWhileTheHandlerIsNotReceiving() throws Exception {
            CountDownLatch handlerBusy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            WebSocketServer server = start(ws -> {
                handlerBusy.countDown();
                release.await();
                ECHO.handle(ws);
            });
            WebSocket client = connect(server, "/");
            assertThat(handlerBusy.await(5, TimeUnit.SECONDS)).isTrue();
            client.sendText("queued while the handler is busy");

            Duration rtt = client.ping().get(5, TimeUnit.SECONDS);

            assertThat(rtt).isPositive();
            assertThat(release.getCount()).as("the handler was still blocked").isEqualTo(1);
            release.countDown();
            assertThat(client.receive()).isEqualTo(new Message.Text("queued while the handler is busy"));
        }
    }
}
