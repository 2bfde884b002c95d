package io.loomsocket.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketClosedException;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.handshake.AcceptKey;
import io.loomsocket.handshake.HandshakeException;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.ConnectionState;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client's own behaviour: the handshake from its side, receiving to the end, misuse. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class WebSocketClientTest {

    private static final WebSocketHandler ECHO = ws -> {
        for (Message m : ws) {
            switch (m) {
                case Message.Text t -> ws.sendText(t.text());
                case Message.Binary b -> ws.sendBinary(b.data());
                default -> {}
            }
        }
    };

    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();

    interface Call<T> {
        T call() throws Exception;
    }

    /** Runs a call that may block for good on a virtual thread, so the test can wait with a bound. */
    private static <T> CompletableFuture<T> inVirtualThread(Call<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                result.complete(call.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable r : resources.reversed()) { // newest first
            if (r instanceof WebSocket ws) {
                ws.abort();
            } else if (r instanceof WebSocketServer s) {
                s.stop(Duration.ofSeconds(2));
            } else {
                r.close();
            }
        }
    }

    private WebSocketServer serve(WebSocketHandler handler) throws IOException {
        WebSocketServer server = WebSocketServer.builder().host("127.0.0.1").port(0).handler(handler).start();
        resources.add(server);
        return server;
    }

    private WebSocket connect(WebSocketServer server) throws IOException {
        WebSocket ws = WebSocketClient.connect(URI.create(server.url() + "/"));
        resources.add(ws);
        return ws;
    }

    /** A listening socket whose connections the test plays by hand. */
    private ServerSocket rawServer() throws IOException {
        ServerSocket s = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        resources.add(s);
        return s;
    }

    private static URI uriOf(ServerSocket s) {
        return URI.create("ws://127.0.0.1:" + s.getLocalPort() + "/");
    }

    /** Reads the request head and returns its Sec-WebSocket-Key. */
    private static String readRequestKey(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("EOF in the request head");
            }
            head.write(b);
        }
        for (String line : head.toString(StandardCharsets.ISO_8859_1).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        throw new IOException("no key in " + head);
    }

    private static byte[] accept(String key) {
        return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
                + AcceptKey.of(key) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Nested
    class OpeningHandshake {

        @Test
        void aServerThatRefusesGivesAHandshakeExceptionWithItsStatus() throws Exception {
            ServerSocket server = rawServer();
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    readRequestKey(s.getInputStream());
                    s.getOutputStream().write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    s.getInputStream().read(); // until the client hangs up
                } catch (IOException ignored) {
                    // the test sees the outcome on the client side
                }
            });

            assertThatThrownBy(() -> WebSocketClient.connect(uriOf(server)))
                    .isInstanceOfSatisfying(HandshakeException.class, e -> assertThat(e.status()).isEqualTo(404));
        }

        @Test
        void aWrongAcceptKeyFailsTheHandshake() throws Exception {
            ServerSocket server = rawServer();
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    readRequestKey(s.getInputStream());
                    s.getOutputStream().write(accept("AAAAAAAAAAAAAAAAAAAAAA=="));
                    s.getInputStream().read();
                } catch (IOException ignored) {
                    // the test sees the outcome on the client side
                }
            });

            assertThatThrownBy(() -> WebSocketClient.connect(uriOf(server))).isInstanceOf(HandshakeException.class);
        }

        @Test
        void aServerThatNeverAnswersFailsTheConnectAfterTheHandshakeTimeout() throws Exception {
            ServerSocket server = rawServer(); // accepts (in the kernel's backlog) and never answers
            long start = System.nanoTime();

            assertThatThrownBy(() -> WebSocketClient.builder().handshakeTimeout(Duration.ofMillis(300)).connect(uriOf(server)))
                    .isInstanceOf(SocketTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }

        /** As on the server: the handshake timeout must bound the whole response, not each read. */
        @Test
        void aServerThatTricklesItsResponseFailsTheConnectAfterTheHandshakeTimeoutToo() throws Exception {
            ServerSocket server = rawServer();
            ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
            resources.add(trickle::shutdownNow);
            Thread.ofVirtual().start(() -> {
                try {
                    Socket s = server.accept();
                    resources.add(s);
                    byte[] response = ("HTTP/1.1 101 Switching Protocols\r\nX-Padding: " + "p".repeat(1_000) + "\r\n")
                            .getBytes(StandardCharsets.US_ASCII);
                    OutputStream out = s.getOutputStream();
                    int[] next = {0};
                    trickle.scheduleAtFixedRate(() -> {
                        try {
                            if (next[0] < response.length) {
                                out.write(response[next[0]++]);
                            }
                        } catch (IOException clientGone) {
                            throw new IllegalStateException(clientGone); // ends the schedule
                        }
                    }, 0, 50, TimeUnit.MILLISECONDS);
                } catch (IOException ignored) {
                    // the test sees the outcome on the client side
                }
            });

            CompletableFuture<WebSocket> connecting = inVirtualThread(
                    () -> WebSocketClient.builder().handshakeTimeout(Duration.ofMillis(300)).connect(uriOf(server)));

            try {
                WebSocket ws = connecting.get(2, TimeUnit.SECONDS);
                resources.add(ws);
                throw new AssertionError("connected to a server that never finished its response: " + ws);
            } catch (ExecutionException expected) {
                assertThat(expected).hasCauseInstanceOf(SocketTimeoutException.class);
            } catch (TimeoutException stillConnecting) {
                throw new AssertionError("connect still waiting after 2 s although the handshake timeout is 300 ms");
            }
        }

        @Test
        void onlyWsAndWssUrisWithAHostAndNoFragmentAreAccepted() {
            assertThatThrownBy(() -> WebSocketClient.connect(URI.create("http://127.0.0.1:1/")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("only ws:// and wss:// URIs");
            assertThatThrownBy(() -> WebSocketClient.connect(URI.create("https://127.0.0.1:1/")))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> WebSocketClient.connect(URI.create("wss:///path")))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> WebSocketClient.connect(URI.create("wss://127.0.0.1:1/#frag")))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> WebSocketClient.connect(URI.create("ws://127.0.0.1:1/#frag")))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Receiving {

        @Test
        void messagesSentBeforeTheServerClosesAreAllReceivedThenReceiveThrows() throws Exception {
            WebSocketServer server = serve(ws -> {
                for (int i = 0; i < 10; i++) {
                    ws.sendText("message " + i);
                }
                ws.close(new CloseCode(4000), "done");
            });
            WebSocket ws = connect(server);
            assertThat(ws.awaitClosed(Duration.ofSeconds(10))).isTrue();

            for (int i = 0; i < 10; i++) {
                assertThat(ws.receive()).isEqualTo(new Message.Text("message " + i));
            }
            assertThatThrownBy(ws::receive)
                    .isInstanceOfSatisfying(WebSocketClosedException.class, e -> {
                        assertThat(e.code()).isEqualTo(new CloseCode(4000));
                        assertThat(e.reason()).isEqualTo("done");
                    });
            assertThat(ws.state()).isEqualTo(ConnectionState.CLOSED);
        }

        @Test
        void iterationEndsWhenTheConnectionCloses() throws Exception {
            WebSocketServer server = serve(ws -> {
                ws.sendText("one");
                ws.sendBinary(new byte[] {2});
            });
            WebSocket ws = connect(server);

            List<Message> all = new ArrayList<>();
            for (Message m : ws) {
                all.add(m);
            }

            assertThat(all).containsExactly(new Message.Text("one"), new Message.Binary(new byte[] {2}));
            assertThat(ws.closeCode()).isEqualTo(CloseCode.NORMAL_CLOSURE);
        }

        @Test
        void receiveWithATimeoutIsEmptyWhenNothingArrives() throws Exception {
            WebSocket ws = connect(serve(ECHO));

            assertThat(ws.receive(Duration.ofMillis(50))).isEmpty();
            assertThat(ws.receive(Duration.ZERO)).isEmpty();
            ws.sendText("now");
            assertThat(ws.receive(Duration.ofSeconds(5))).contains(new Message.Text("now"));
        }

        /** A timeout that has already passed waits no more than a zero one, as in BlockingQueue.poll. */
        @Test
        void receiveWithANegativeTimeoutReturnsAtOnce() throws Exception {
            WebSocket ws = connect(serve(ECHO));

            CompletableFuture<Optional<DataMessage>> result = inVirtualThread(() -> ws.receive(Duration.ofMillis(-1)));

            try {
                assertThat(result.get(1, TimeUnit.SECONDS)).isEmpty();
            } catch (TimeoutException stillWaiting) {
                throw new AssertionError("receive(-1 ms) still waiting after 1 s");
            } finally {
                ws.abort(); // releases the receive if it is still waiting
            }
        }

        /**
         * Autobahn 4.2.3 from the client's side: a message, then a frame with a reserved opcode, in
         * one write. The message was valid and is delivered; the application's answer to it goes
         * out before the close frame (1002), which waits until the application comes back for the
         * next message.
         */
        @Test
        void anAnswerToTheLastMessageBeforeABadFrameGoesOutBeforeTheCloseFrame() throws Exception {
            ServerSocket server = rawServer();
            CountDownLatch nothingSentYet = new CountDownLatch(1);
            CompletableFuture<List<String>> framesFromClient = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    out.write(accept(readRequestKey(in)));
                    ByteArrayOutputStream burst = new ByteArrayOutputStream();
                    burst.write(new byte[] {(byte) 0x81, 5});
                    burst.write("Hello".getBytes(StandardCharsets.US_ASCII));
                    burst.write(new byte[] {(byte) 0x84, 3, 'b', 'a', 'd'}); // opcode 4: reserved
                    burst.write(new byte[] {(byte) 0x89, 0}); // a ping after it, never answered
                    out.write(burst.toByteArray());
                    out.flush();
                    s.setSoTimeout(300);
                    try {
                        int b = in.read();
                        framesFromClient.complete(List.of("sent before the application answered: byte " + b));
                        return;
                    } catch (SocketTimeoutException expected) {
                        // nothing yet: the application has the message in hand
                    }
                    s.setSoTimeout(10_000);
                    nothingSentYet.countDown();
                    List<String> frames = new ArrayList<>();
                    for (int i = 0; i < 2; i++) {
                        int b0 = in.read();
                        int len = in.read() & 0x7F; // masked, short
                        byte[] mask = in.readNBytes(4);
                        byte[] payload = in.readNBytes(len);
                        for (int j = 0; j < payload.length; j++) {
                            payload[j] ^= mask[j % 4];
                        }
                        frames.add((b0 & 0x0F) == 8
                                ? "close " + ((payload[0] & 0xFF) << 8 | payload[1] & 0xFF)
                                : "text " + new String(payload, StandardCharsets.UTF_8));
                    }
                    out.write(new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xEA}); // the close reply
                    framesFromClient.complete(frames);
                } catch (IOException e) {
                    framesFromClient.completeExceptionally(e);
                }
            });

            WebSocket ws = WebSocketClient.connect(uriOf(server));
            resources.add(ws);
            assertThat(ws.receive()).isEqualTo(new Message.Text("Hello"));
            if (!nothingSentYet.await(5, TimeUnit.SECONDS)) {
                assertThat(framesFromClient.getNow(List.of())).as("what the server saw").isEmpty();
            }
            ws.sendText("Hello"); // the answer, after the bad frame has long been read
            assertThatThrownBy(ws::receive)
                    .isInstanceOfSatisfying(WebSocketClosedException.class,
                            e -> assertThat(e.code()).isEqualTo(CloseCode.PROTOCOL_ERROR));

            assertThat(framesFromClient.get(5, TimeUnit.SECONDS)).containsExactly("text Hello", "close 1002");
        }

        @Test
        void aPingStillWaitingForItsPongFailsWhenTheConnectionCloses() throws Exception {
            ServerSocket server = rawServer();
            CountDownLatch pinged = new CountDownLatch(1);
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    s.getOutputStream().write(accept(readRequestKey(in)));
                    in.readNBytes(2 + 4 + 8); // the client's masked ping with its 8-byte id: never answered
                    pinged.countDown();
                } catch (IOException ignored) {
                    // the test sees the outcome on the client side
                }
            }); // then the socket closes without a close frame

            WebSocket ws = WebSocketClient.connect(uriOf(server));
            resources.add(ws);
            CompletableFuture<Duration> ping = ws.ping();

            assertThat(pinged.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(ping).failsWithin(Duration.ofSeconds(5))
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(WebSocketClosedException.class);
            assertThat(ws.closeCode()).isEqualTo(CloseCode.ABNORMAL_CLOSURE);
        }
    }

    @Nested
    class Sending {

        @Test
        void sendingAfterTheConnectionClosedThrowsWebSocketClosedException() throws Exception {
            WebSocket ws = connect(serve(ECHO));
            ws.close(new CloseCode(4100), "leaving");

            assertThat(ws.state()).isEqualTo(ConnectionState.CLOSED);
            assertThatThrownBy(() -> ws.sendText("too late")).isInstanceOf(WebSocketClosedException.class);
            assertThatThrownBy(() -> ws.sendBinary(new byte[1])).isInstanceOf(WebSocketClosedException.class);
            assertThatThrownBy(ws::ping).isInstanceOf(WebSocketClosedException.class);
        }

        @Test
        void aCloseCodeAndReasonFromTheClientReachTheServer() throws Exception {
            CompletableFuture<String> seen = new CompletableFuture<>();
            WebSocketServer server = serve(ws -> {
                for (Message ignored : ws) {
                    // until the client closes
                }
                seen.complete(ws.closeCode().code() + " " + ws.closeReason());
            });
            WebSocket ws = connect(server);

            ws.close(new CloseCode(4100), "leaving ✓");

            assertThat(seen.get(5, TimeUnit.SECONDS)).isEqualTo("4100 leaving ✓");
            assertThat(ws.closeCode()).as("the server echoes the code").isEqualTo(new CloseCode(4100));
        }

        @Test
        void fragmentsFromOneThreadMakeOneMessage() throws Exception {
            WebSocket ws = connect(serve(ECHO));

            ws.sendText("Hel", false);
            ws.ping(); // control frames may go between fragments
            ws.sendText("lo, wörld", true);
            ws.sendBinary(new byte[] {1, 2}, false);
            ws.sendBinary(new byte[] {3}, true);

            assertThat(ws.receive()).isEqualTo(new Message.Text("Hello, wörld"));
            assertThat(ws.receive()).isEqualTo(new Message.Binary(new byte[] {1, 2, 3}));
        }

        /**
         * Starting a binary message in the middle of a fragmented text message is refused; the
         * refusal must leave the text message where it was, so that it can still be finished and
         * later messages sent.
         */
        @Test
        void aRefusedSendInTheMiddleOfAFragmentedMessageDoesNotBreakTheConnection() throws Exception {
            WebSocket ws = connect(serve(ECHO));
            ws.sendText("Hello, ", false);

            assertThatThrownBy(() -> ws.sendBinary(new byte[] {1}, true)).isInstanceOf(IllegalStateException.class);

            ws.sendText("world", true);
            assertThat(ws.receive()).isEqualTo(new Message.Text("Hello, world"));
            ws.sendText("and more");
            assertThat(ws.receive()).isEqualTo(new Message.Text("and more"));
        }
    }

    @Nested
    class Closing {

        /**
         * A client that closes without taking every message: its reader must not stay blocked
         * waiting for inbox space once the application has closed, or it never reads the server's
         * close and the handshake ends in an abort (1006) after the whole close timeout.
         */
        @Test
        void closingWithUnreceivedMessagesWaitingCompletesTheClosingHandshake() throws Exception {
            CountDownLatch sent = new CountDownLatch(1);
            WebSocketServer server = serve(ws -> {
                for (int i = 0; i < 10; i++) {
                    ws.sendText("unread " + i);
                }
                sent.countDown();
                for (Message ignored : ws) {
                    // until the client closes
                }
            });
            WebSocket ws = WebSocketClient.builder()
                    .inboxLimit(2) // 10 messages do not fit: the reader waits for space
                    .closeTimeout(Duration.ofSeconds(3))
                    .connect(URI.create(server.url() + "/"));
            resources.add(ws);
            assertThat(sent.await(5, TimeUnit.SECONDS)).isTrue();

            long start = System.nanoTime();
            ws.close();
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(ws.closeCode()).as("close code after %s", took).isEqualTo(CloseCode.NORMAL_CLOSURE);
            assertThat(took).isLessThan(Duration.ofSeconds(2));
        }

        /**
         * {@code ping()}'s future is completed on the connection's reader thread, so code chained
         * to it runs there. Closing from such a callback must still complete the handshake: the
         * reader cannot read the peer's close while it waits in {@code close()} for itself.
         */
        @Test
        void closingFromAPingCallbackCompletesTheClosingHandshake() throws Exception {
            ServerSocket server = rawServer();
            CountDownLatch answerPing = new CountDownLatch(1);
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    out.write(accept(readRequestKey(in)));
                    byte[] ping = in.readNBytes(2 + 4 + 8); // masked, with an 8-byte payload
                    byte[] pong = new byte[2 + 8];
                    pong[0] = (byte) 0x8A;
                    pong[1] = 8;
                    for (int i = 0; i < 8; i++) {
                        pong[2 + i] = (byte) (ping[6 + i] ^ ping[2 + (i & 3)]);
                    }
                    answerPing.await(); // so the callback is attached before the pong exists
                    out.write(pong);
                    int length = in.readNBytes(2)[1] & 0x7F; // the client's close
                    in.readNBytes(4 + length);
                    out.write(new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xE8});
                } catch (IOException | InterruptedException ignored) {
                    // the test sees the outcome on the client side
                }
            });
            WebSocket ws = WebSocketClient.builder().closeTimeout(Duration.ofSeconds(3)).connect(uriOf(server));
            resources.add(ws);

            CompletableFuture<Void> closedInCallback = ws.ping().thenRun(ws::close);
            long start = System.nanoTime();
            answerPing.countDown();
            closedInCallback.get(10, TimeUnit.SECONDS);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(ws.closeCode()).as("close code after %s", took).isEqualTo(CloseCode.NORMAL_CLOSURE);
            assertThat(took).isLessThan(Duration.ofSeconds(2));
        }
    }
}
