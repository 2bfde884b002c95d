package io.loomsocket.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketClosedException;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.handshake.HandshakeException;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.HandshakeDecision;
import io.loomsocket.server.WebSocketServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Reconnecting} against real servers on loopback: restarts on the same port, a server
 * that is not there yet, refusals that stop and ones that retry, the close codes, the budget,
 * and {@code close()} or an interrupt while the loop waits. Delays are 10–50 ms; waits are
 * latches and bounded futures.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReconnectingClientTest {

    private static final Duration SHORT = Duration.ofMillis(20);
    private static final long WAIT = 10; // seconds, for latches and futures

    private static final WebSocketHandler ECHO = ws -> {
        for (Message m : ws) {
            if (m instanceof Message.Text t) {
                ws.sendText(t.text());
            }
        }
    };

    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
    /** What the listener was told, in order. */
    private final List<Exception> causes = new CopyOnWriteArrayList<>();
    private final List<Integer> retries = new CopyOnWriteArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable r : resources.reversed()) {
            if (r instanceof WebSocketServer s) {
                s.stop(Duration.ofSeconds(2));
            } else {
                r.close();
            }
        }
    }

    /** A port nothing listens on (a moment ago the kernel gave it to us, then we let it go). */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    private static URI uri(int port, String path) {
        return URI.create("ws://127.0.0.1:" + port + path);
    }

    private WebSocketServer start(WebSocketServer.Builder builder, int port) throws IOException {
        WebSocketServer s = builder.host("127.0.0.1").port(port).closeTimeout(Duration.ofSeconds(2)).noKeepalive().start();
        resources.add(s);
        return s;
    }

    /** A Reconnecting with short delays whose listener records into {@link #causes} and {@link #retries}. */
    private Reconnecting reconnecting(URI uri, Backoff backoff) {
        Reconnecting r = WebSocketClient.builder().noKeepalive().closeTimeout(Duration.ofSeconds(2))
                .reconnecting(uri).backoff(backoff).listener((retry, delay, cause) -> {
                    retries.add(retry);
                    causes.add(cause);
                });
        resources.add(r);
        return r;
    }

    interface Body {
        void run(int index, WebSocket ws) throws Exception;
    }

    /** Runs the for-each loop on a virtual thread; completes with the number of connections when it ends. */
    private static CompletableFuture<Integer> loop(Reconnecting connections, Body body) {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            int n = 0;
            try {
                for (WebSocket ws : connections) {
                    body.run(n++, ws);
                }
                done.complete(n);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        return done;
    }

    /** Sends {@code text} on a connection the server keeps open, and returns the echo. */
    private static String echo(WebSocket ws, String text) throws Exception {
        assertThat(ws.isOpen()).as("a fresh connection is open").isTrue();
        ws.sendText(text);
        Optional<DataMessage> m = ws.receive(Duration.ofSeconds(WAIT));
        assertThat(m).as("echo of " + text).isPresent();
        return ((Message.Text) m.get()).text();
    }

    private static void drain(WebSocket ws) {
        for (Message ignored : ws) {
            // until this connection closes
        }
    }

    private static int closeCode(Exception e) {
        assertThat(e).isInstanceOf(WebSocketClosedException.class);
        return ((WebSocketClosedException) e).code().code();
    }

    @Test
    void aServerStoppedAndRestartedOnTheSamePortGetsTheClientBackAndTheyExchangeMessagesAgain() throws Exception {
        int port = freePort();
        WebSocketServer first = start(WebSocketServer.builder().handler(ECHO), port);
        List<String> echoed = new CopyOnWriteArrayList<>();
        CountDownLatch firstUp = new CountDownLatch(1);
        CountDownLatch secondUp = new CountDownLatch(1);
        Reconnecting connections = reconnecting(uri(port, "/feed"), Backoff.fixed(SHORT));

        CompletableFuture<Integer> done = loop(connections, (i, ws) -> {
            echoed.add(echo(ws, "hello " + i));
            (i == 0 ? firstUp : secondUp).countDown();
            drain(ws);
        });
        assertThat(firstUp.await(WAIT, TimeUnit.SECONDS)).isTrue();
        first.stop(Duration.ofSeconds(2));                     // 1001 to the client, and the port is free
        WebSocketServer second = start(WebSocketServer.builder().handler(ECHO), port);

        assertThat(secondUp.await(WAIT, TimeUnit.SECONDS)).as("a second connection, to the restarted server").isTrue();
        assertThat(echoed).containsExactly("hello 0", "hello 1");
        assertThat(second.port()).isEqualTo(port);
        assertThat(closeCode(causes.getFirst())).as("the first wait follows the server's Going Away").isEqualTo(1001);
        assertThat(causes.subList(1, causes.size())).as("then only refusals while the port was closed")
                .allSatisfy(c -> assertThat(c).isInstanceOf(ConnectException.class));
        assertThat(retries.getFirst()).isZero();

        connections.close();
        assertThat(done.get(WAIT, TimeUnit.SECONDS)).isEqualTo(2);
    }

    @Test
    void aServerNotListeningYetIsRetriedUntilItStartsThenTheClientConnects() throws Exception {
        int port = freePort();
        CountDownLatch refusedThrice = new CountDownLatch(3);
        Reconnecting connections = WebSocketClient.builder().noKeepalive().reconnecting(uri(port, "/"))
                .backoff(new Backoff(Duration.ofMillis(10), 1.5, Duration.ofMillis(50), 0.5))
                .listener((retry, delay, cause) -> {
                    retries.add(retry);
                    causes.add(cause);
                    assertThat(delay).isLessThanOrEqualTo(Duration.ofMillis(50));
                    refusedThrice.countDown();
                });
        resources.add(connections);
        List<String> echoed = new CopyOnWriteArrayList<>();

        CompletableFuture<Integer> done = loop(connections, (i, ws) -> {
            echoed.add(echo(ws, "finally"));
            connections.close();                               // from the body: ends the loop
        });
        assertThat(refusedThrice.await(WAIT, TimeUnit.SECONDS)).isTrue();
        start(WebSocketServer.builder().handler(ECHO), port);

        assertThat(done.get(WAIT, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(echoed).containsExactly("finally");
        assertThat(causes).hasSizeGreaterThanOrEqualTo(3).allSatisfy(c -> assertThat(c).isInstanceOf(ConnectException.class));
        for (int i = 0; i < retries.size(); i++) {
            assertThat(retries.get(i)).as("the waits of one outage count up from 0").isEqualTo(i);
        }
        assertThat(connections.lastFailure()).hasValueSatisfying(e -> assertThat(e).isInstanceOf(ConnectException.class));
    }

    @Test
    void a401RefusalStopsAtOnceWithTheHandshakeFailureAsCause() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        WebSocketServer server = start(WebSocketServer.builder().handler(ECHO).requestHook(request -> {
            requests.incrementAndGet();
            return HandshakeDecision.reject(401, "missing token");
        }), 0);
        Reconnecting connections = reconnecting(uri(server.port(), "/"), Backoff.fixed(SHORT));
        Iterator<WebSocket> it = connections.iterator();

        assertThatThrownBy(it::hasNext).isInstanceOfSatisfying(ReconnectFailedException.class, e -> {
            assertThat(e.attempts()).isEqualTo(1);
            assertThat(e.getCause()).isInstanceOfSatisfying(HandshakeException.class, h -> assertThat(h.status()).isEqualTo(401));
        });
        assertThat(it.hasNext()).as("the iteration is over").isFalse();
        assertThat(requests).hasValue(1);
        assertThat(causes).as("no wait, no retry").isEmpty();
        assertThat(connections.lastFailure()).hasValueSatisfying(e -> assertThat(e).isInstanceOf(HandshakeException.class));
    }

    @Test
    void a404ForAPathWithNoEndpointStopsWithoutRetryAndNextThrowsTheSameWay() throws Exception {
        WebSocketServer server = start(WebSocketServer.builder().route("/known", ECHO), 0);
        Reconnecting connections = reconnecting(uri(server.port(), "/unknown"), Backoff.fixed(SHORT));
        Iterator<WebSocket> it = connections.iterator();

        assertThatThrownBy(it::next).isInstanceOfSatisfying(ReconnectFailedException.class, e ->
                assertThat(((HandshakeException) e.getCause()).status()).isEqualTo(404));
        assertThat(it.hasNext()).isFalse();
        assertThat(causes).isEmpty();
    }

    @Test
    void a503IsRetriedAndTheBackoffStartsOverAfterAnEstablishedConnection() throws Exception {
        // Requests 1, 2: 503. Request 3: accepted, closed by the server with 1011. Requests 4, 5: 503. Request 6: accepted.
        AtomicInteger requests = new AtomicInteger();
        AtomicInteger accepted = new AtomicInteger();
        WebSocketServer server = start(WebSocketServer.builder().requestHook(request -> {
            int n = requests.incrementAndGet();
            return n == 3 || n >= 6 ? HandshakeDecision.accept() : HandshakeDecision.reject(503, "warming up");
        }).handler(ws -> {
            if (accepted.incrementAndGet() == 1) {
                ws.close(CloseCode.INTERNAL_ERROR, "oops");
            } else {
                ECHO.handle(ws);
            }
        }), 0);
        Reconnecting connections = reconnecting(uri(server.port(), "/"), new Backoff(Duration.ofMillis(10), 2.0, Duration.ofMillis(40), 0.0));
        List<String> echoed = new CopyOnWriteArrayList<>();

        CompletableFuture<Integer> done = loop(connections, (i, ws) -> {
            if (i == 0) {
                drain(ws);                                     // closed by the server with 1011
            } else {
                echoed.add(echo(ws, "second"));
                connections.close();
            }
        });

        assertThat(done.get(WAIT, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(echoed).containsExactly("second");
        assertThat(requests).hasValue(6);
        assertThat(retries).as("0, 1 before the first connection; from 0 again after it").containsExactly(0, 1, 0, 1, 2);
        assertThat(causes.get(0)).isInstanceOfSatisfying(HandshakeException.class, h -> assertThat(h.status()).isEqualTo(503));
        assertThat(causes.get(1)).isInstanceOf(HandshakeException.class);
        assertThat(closeCode(causes.get(2))).isEqualTo(1011);
        assertThat(causes.subList(3, 5)).allSatisfy(c -> assertThat(((HandshakeException) c).status()).isEqualTo(503));
    }

    @Test
    void aNormalCloseByTheServerEndsTheIterationAndSaysWhy() throws Exception {
        WebSocketServer server = start(WebSocketServer.builder().handler(ws -> ws.close(CloseCode.NORMAL_CLOSURE, "bye")), 0);
        Reconnecting connections = reconnecting(uri(server.port(), "/"), Backoff.fixed(SHORT));

        CompletableFuture<Integer> done = loop(connections, (i, ws) -> drain(ws));

        assertThat(done.get(WAIT, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(causes).isEmpty();
        assertThat(connections.lastFailure()).hasValueSatisfying(e -> {
            assertThat(closeCode(e)).isEqualTo(1000);
            assertThat(((WebSocketClosedException) e).reason()).isEqualTo("bye");
        });
    }

    @Test
    void aServiceRestartCloseIsRetriedAndAPolicyCanRetryNormalClosesToo() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        WebSocketServer server = start(WebSocketServer.builder().handler(ws -> {
            switch (accepted.incrementAndGet()) {
                case 1 -> ws.close(CloseCode.SERVICE_RESTART, "restarting");
                case 2 -> ws.close(CloseCode.NORMAL_CLOSURE, "");
                default -> ECHO.handle(ws);
            }
        }), 0);
        Reconnecting connections = reconnecting(uri(server.port(), "/"), Backoff.fixed(SHORT))
                .retryPolicy(RetryPolicy.defaults().withRetryClose(code -> code.code() == 1000 || RetryPolicy.isTransientClose(code)));
        List<String> echoed = new CopyOnWriteArrayList<>();

        CompletableFuture<Integer> done = loop(connections, (i, ws) -> {
            if (i < 2) {
                drain(ws);
            } else {
                echoed.add(echo(ws, "third"));
                connections.close();
            }
        });

        assertThat(done.get(WAIT, TimeUnit.SECONDS)).isEqualTo(3);
        assertThat(echoed).containsExactly("third");
        assertThat(causes).extracting(ReconnectingClientTest::closeCode).containsExactly(1012, 1000);
    }

    @Test
    void aConnectionTheBodyGivesBackOpenIsClosedWith1000AndTheNextOneOpensWithoutWaiting() throws Exception {
        List<Integer> serverSawClose = new CopyOnWriteArrayList<>();
        WebSocketServer server = start(WebSocketServer.builder().handler(ws -> {
            ECHO.handle(ws);
            serverSawClose.add(ws.closeCode().code());
        }), 0);
        Reconnecting connections = reconnecting(uri(server.port(), "/"), Backoff.fixed(Duration.ofSeconds(20)));
        List<String> echoed = new CopyOnWriteArrayList<>();

        CompletableFuture<Integer> done = loop(connections, (i, ws) -> {
            echoed.add(echo(ws, "n" + i));
            if (i == 2) {
                connections.close();
            }
        });

        assertThat(done.get(WAIT, TimeUnit.SECONDS)).isEqualTo(3);
        assertThat(echoed).containsExactly("n0", "n1", "n2");
        assertThat(causes).as("no backoff between connections given back open").isEmpty();
        assertThat(connections.lastFailure()).isEmpty();
    }

    @Test
    void theRetryBudgetEndsTheIterationWithTheLastFailureKept() throws Exception {
        int port = freePort();
        Reconnecting connections = reconnecting(uri(port, "/"), Backoff.fixed(Duration.ofMillis(10))).maxAttempts(3);

        assertThat(connections.iterator().hasNext()).isFalse();
        assertThat(causes).hasSize(2).allSatisfy(c -> assertThat(c).isInstanceOf(ConnectException.class));
        assertThat(connections.lastFailure()).hasValueSatisfying(e -> assertThat(e).isInstanceOf(ConnectException.class));
    }

    @Test
    void closeFromAnotherThreadWakesTheLoopWaitingInBackoffAtOnce() throws Exception {
        int port = freePort();
        CountDownLatch waiting = new CountDownLatch(1);
        Reconnecting connections = WebSocketClient.builder().reconnecting(uri(port, "/"))
                .backoff(Backoff.fixed(Duration.ofSeconds(60)))
                .listener((retry, delay, cause) -> waiting.countDown());
        resources.add(connections);
        CompletableFuture<Integer> done = loop(connections, (i, ws) -> {});
        assertThat(waiting.await(WAIT, TimeUnit.SECONDS)).isTrue();

        long t0 = System.nanoTime();
        connections.close();
        int n = done.get(WAIT, TimeUnit.SECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(n).isZero();
        assertThat(took).as("not the 60 s backoff").isLessThan(Duration.ofSeconds(5));
        assertThat(connections.isClosed()).isTrue();
    }

    @Test
    void closeDuringAConnectionAttemptEndsTheLoopAndDropsTheHalfOpenConnection() throws Exception {
        // A listener that accepts TCP connections and never answers the handshake.
        ServerSocket silent = new ServerSocket();
        resources.add(silent);
        silent.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        CompletableFuture<Socket> acceptedSocket = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                acceptedSocket.complete(silent.accept());
            } catch (IOException e) {
                acceptedSocket.completeExceptionally(e);
            }
        });
        Reconnecting connections = WebSocketClient.builder().handshakeTimeout(Duration.ofSeconds(60))
                .reconnecting(uri(silent.getLocalPort(), "/")).backoff(Backoff.fixed(SHORT));
        resources.add(connections);
        CompletableFuture<Integer> done = loop(connections, (i, ws) -> {});
        Socket peer = acceptedSocket.get(WAIT, TimeUnit.SECONDS);
        resources.add(peer);

        connections.close();

        assertThat(done.get(WAIT, TimeUnit.SECONDS)).as("not the 60 s handshake timeout").isZero();
        peer.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT));
        InputStream in = peer.getInputStream();
        byte[] buf = new byte[4096];
        int r;
        while ((r = in.read(buf)) > 0) {
            // the client's upgrade request, then the end of the stream
        }
        assertThat(r).as("the abandoned attempt's socket is closed").isEqualTo(-1);
    }

    @Test
    void closeFromAnotherThreadClosesTheCurrentConnectionWith1000AndEndsTheLoop() throws Exception {
        CompletableFuture<Integer> serverSawClose = new CompletableFuture<>();
        WebSocketServer server = start(WebSocketServer.builder().handler(ws -> {
            ECHO.handle(ws);
            serverSawClose.complete(ws.closeCode().code());
        }), 0);
        Reconnecting connections = reconnecting(uri(server.port(), "/"), Backoff.fixed(SHORT));
        CountDownLatch inBody = new CountDownLatch(1);
        CompletableFuture<Integer> done = loop(connections, (i, ws) -> {
            echo(ws, "x");
            inBody.countDown();
            drain(ws);
        });
        assertThat(inBody.await(WAIT, TimeUnit.SECONDS)).isTrue();

        connections.close();

        assertThat(done.get(WAIT, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(serverSawClose.get(WAIT, TimeUnit.SECONDS)).isEqualTo(1000);
        assertThat(causes).isEmpty();
        assertThat(connections.lastFailure()).as("close() is not a failure").isEmpty();
    }

    @Test
    void anInterruptWhileWaitingEndsTheIterationAndKeepsTheInterruptStatus() throws Exception {
        int port = freePort();
        CountDownLatch waiting = new CountDownLatch(1);
        Reconnecting connections = WebSocketClient.builder().reconnecting(uri(port, "/"))
                .backoff(Backoff.fixed(Duration.ofSeconds(60)))
                .listener((retry, delay, cause) -> waiting.countDown());
        resources.add(connections);
        CompletableFuture<Boolean> hasNext = new CompletableFuture<>();
        CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
        Thread t = Thread.ofVirtual().start(() -> {
            hasNext.complete(connections.iterator().hasNext());
            interrupted.complete(Thread.currentThread().isInterrupted());
        });
        assertThat(waiting.await(WAIT, TimeUnit.SECONDS)).isTrue();

        t.interrupt();

        assertThat(hasNext.get(WAIT, TimeUnit.SECONDS)).isFalse();
        assertThat(interrupted.get(WAIT, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void misuseIsRefused() {
        assertThatThrownBy(() -> WebSocketClient.reconnecting(URI.create("http://127.0.0.1/")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WebSocketClient.reconnecting(URI.create("ws:/nohost")))
                .isInstanceOf(IllegalArgumentException.class);
        Reconnecting connections = WebSocketClient.reconnecting(URI.create("ws://127.0.0.1:1/"));
        resources.add(connections);
        assertThatThrownBy(() -> connections.maxAttempts(0)).isInstanceOf(IllegalArgumentException.class);

        connections.close();
        Iterator<WebSocket> it = connections.iterator();
        assertThat(it.hasNext()).as("closed before iterating: no connection at all").isFalse();
        assertThatThrownBy(connections::iterator).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> connections.backoff(Backoff.defaults())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(it::next).isInstanceOf(java.util.NoSuchElementException.class);
    }
}
