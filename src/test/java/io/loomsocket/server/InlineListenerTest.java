package io.loomsocket.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketClosedException;
import io.loomsocket.WebSocketListener;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.Message;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Listener routes: the callbacks run on the connection's reader thread itself, one thread per
 * connection with no hand-off per message.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class InlineListenerTest {

    private final List<WebSocketServer> servers = new ArrayList<>();
    private final List<WebSocket> clients = new ArrayList<>();

    @AfterEach
    void cleanUp() throws InterruptedException {
        clients.forEach(WebSocket::abort);
        for (WebSocketServer s : servers) {
            s.stop(Duration.ofSeconds(2));
        }
    }

    private WebSocketServer start(WebSocketServer.Builder builder) throws IOException {
        WebSocketServer server = builder.host("127.0.0.1").port(0).closeTimeout(Duration.ofSeconds(5)).start();
        servers.add(server);
        return server;
    }

    private WebSocket connect(WebSocketServer server, String path) throws IOException {
        WebSocket ws = WebSocketClient.builder().closeTimeout(Duration.ofSeconds(5)).connect(URI.create(server.url() + path));
        clients.add(ws);
        return ws;
    }

    private static WebSocketClosedException endOf(WebSocket ws) throws Exception {
        try {
            while (true) {
                ws.receive();
            }
        } catch (WebSocketClosedException e) {
            return e;
        }
    }

    @Test
    void everyCallbackOfAConnectionRunsOnOneVirtualThread() throws Exception {
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        CountDownLatch closed = new CountDownLatch(1);
        WebSocketServer server = start(WebSocketServer.builder().route("/x", new WebSocketListener() {
            @Override
            public void onOpen(WebSocket ws) {
                threads.add(Thread.currentThread());
            }

            @Override
            public void onText(WebSocket ws, String text) throws Exception {
                threads.add(Thread.currentThread());
                ws.sendText(text);
            }

            @Override
            public void onClose(WebSocket ws, CloseCode code, String reason) {
                threads.add(Thread.currentThread());
                closed.countDown();
            }
        }));
        WebSocket ws = connect(server, "/x");
        for (int i = 0; i < 50; i++) {
            ws.sendText("m" + i);
        }
        for (int i = 0; i < 50; i++) {
            assertThat(ws.receive()).isEqualTo(new Message.Text("m" + i));
        }
        ws.close(CloseCode.NORMAL_CLOSURE, "");

        assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(threads).hasSize(1);
        assertThat(threads.iterator().next().isVirtual()).isTrue();
    }

    @Test
    void closeInsideACallbackReturnsAtOnceAndTheReaderCompletesTheHandshake() throws Exception {
        CompletableFuture<Long> closeMillis = new CompletableFuture<>();
        CompletableFuture<CloseCode> onClose = new CompletableFuture<>();
        WebSocketServer server = start(WebSocketServer.builder().listener(new WebSocketListener() {
            @Override
            public void onText(WebSocket ws, String text) throws Exception {
                long t0 = System.nanoTime();
                ws.close(new CloseCode(4001), "done: " + text);
                closeMillis.complete(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            }

            @Override
            public void onClose(WebSocket ws, CloseCode code, String reason) {
                onClose.complete(code);
            }
        }));
        WebSocket ws = connect(server, "/");

        ws.sendText("bye");

        WebSocketClosedException end = endOf(ws);
        assertThat(end.code()).isEqualTo(new CloseCode(4001));
        assertThat(end.reason()).isEqualTo("done: bye");
        assertThat(onClose.get(5, TimeUnit.SECONDS)).isEqualTo(new CloseCode(4001));
        assertThat(closeMillis.get(5, TimeUnit.SECONDS)).isLessThan(4_000); // not the 5 s close timeout
    }

    @Test
    void receiveIsRefusedInsideAListenerAndTheConnectionClosesWith1011() throws Exception {
        CompletableFuture<Throwable> reported = new CompletableFuture<>();
        WebSocketServer server = start(WebSocketServer.builder().listener(new WebSocketListener() {
            @Override
            public void onText(WebSocket ws, String text) throws Exception {
                ws.receive();
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                reported.complete(error);
            }
        }));
        WebSocket ws = connect(server, "/");

        ws.sendText("x");

        assertThat(endOf(ws).code()).isEqualTo(CloseCode.INTERNAL_ERROR);
        assertThat(reported.get(5, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aLargeMessageIsEchoedWhileTheReaderIsTheSender() throws Exception {
        WebSocketServer server = start(WebSocketServer.builder().maxSize(16L << 20).listener(new WebSocketListener() {
            @Override
            public void onBinary(WebSocket ws, byte[] data) throws Exception {
                ws.sendBinary(data);
            }
        }));
        WebSocket ws = WebSocketClient.builder().maxSize(16L << 20).closeTimeout(Duration.ofSeconds(5))
                .connect(URI.create(server.url() + "/"));
        clients.add(ws);
        byte[] big = new byte[8 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }

        for (int round = 0; round < 3; round++) {
            ws.sendBinary(big);
            assertThat(ws.receive()).isEqualTo(new Message.Binary(big));
        }
    }
}
