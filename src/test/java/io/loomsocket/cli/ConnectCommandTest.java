package io.loomsocket.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocketHandler;
import io.loomsocket.handshake.AcceptKey;
import io.loomsocket.protocol.CloseCode;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code connect}, driven through {@link Main#run} with a fake terminal against in-test servers. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ConnectCommandTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static final WebSocketHandler ECHO = ws -> {
        for (Message m : ws) {
            switch (m) {
                case Message.Text t -> ws.sendText(t.text());
                case Message.Binary b -> ws.sendBinary(b.data());
                default -> {}
            }
        }
    };

    private final Terminal.Keyboard stdin = new Terminal.Keyboard();
    private final Terminal.Screen stdout = new Terminal.Screen();
    private final Terminal.Screen stderr = new Terminal.Screen();
    private final List<WebSocketServer> servers = new ArrayList<>();

    @AfterEach
    void stopServers() throws InterruptedException {
        stdin.end(); // releases the command's stdin thread if a test left it waiting
        for (WebSocketServer s : servers) {
            s.stop(Duration.ofSeconds(2));
        }
    }

    private WebSocketServer serve(WebSocketHandler handler) throws IOException {
        WebSocketServer server = WebSocketServer.builder().host("127.0.0.1").port(0).handler(handler).start();
        servers.add(server);
        return server;
    }

    /** Runs {@code loomsocket connect ...} on its own thread; completes with the exit status. */
    private CompletableFuture<Integer> connect(String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = "connect";
        System.arraycopy(args, 0, argv, 1, args.length);
        return Terminal.runInBackground(stdin, stdout, stderr, argv);
    }

    /** Replies that arrive after stdin has ended are still printed before the close. */
    @Test
    void repliesThatArriveAfterTheEndOfInputArePrintedBeforeClosing() throws Exception {
        WebSocketServer server = serve(ws -> {
            for (DataMessage m : ws) {
                if (m instanceof Message.Text t) {
                    Thread.sleep(150); // a slow server: the reply comes after stdin has ended
                    ws.sendText("late " + t.text());
                    ws.sendText("later " + t.text());
                }
            }
        });
        CompletableFuture<Integer> exit = connect(server.url() + "/");
        stdout.await(line -> line.startsWith("connected to"), WAIT);

        stdin.type("one");
        stdin.end();

        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(stdout.seen()).containsSubsequence("< late one", "< later one", "closed: 1000");
    }

    @Test
    void maxSizeBoundsTheMessagesAccepted() throws Exception {
        WebSocketServer server = serve(ws -> {
            for (DataMessage m : ws) {
                ws.sendText("x".repeat(300)); // over the client's 200-byte limit
            }
        });
        CompletableFuture<Integer> exit = connect(server.url() + "/", "--max-size", "200");
        stdout.await(line -> line.startsWith("connected to"), WAIT);
        stdin.type("go");

        assertThat(exit.get(10, TimeUnit.SECONDS)).as("closed with 1009: exit 1").isEqualTo(1);
        assertThat(stdout.seen()).anyMatch(l -> l.startsWith("closed: 1009"));
    }

    @Test
    void eachLineIsSentAsTextTheEchoIsPrintedAndEndOfInputClosesWith1000() throws Exception {
        WebSocketServer server = serve(ECHO);
        CompletableFuture<Integer> exit = connect(server.url() + "/chat");
        stdout.await(line -> line.startsWith("connected to ws://127.0.0.1:"), WAIT);

        stdin.type("hello");
        stdout.await("< hello");
        stdin.type("grüße 🎉");
        stdout.await("< grüße 🎉");
        stdin.end();

        stdout.await("closed: 1000");
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(stderr.seen()).isEmpty();
    }

    @Test
    void binaryMessagesArePrintedAsTheirSize() throws Exception {
        WebSocketServer server = serve(ws -> {
            ws.sendBinary(new byte[3]);
            ws.sendBinary(new byte[70_000]);
            ECHO.handle(ws);
        });
        CompletableFuture<Integer> exit = connect(server.url() + "/");

        stdout.await("< [binary 3 bytes]");
        stdout.await("< [binary 70000 bytes]");
        stdin.end();

        stdout.await("closed: 1000");
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void pingPrintsThePongsRoundTripTime() throws Exception {
        WebSocketServer server = serve(ECHO);
        CompletableFuture<Integer> exit = connect(server.url() + "/", "--ping");

        String pong = stdout.await(line -> line.startsWith("< pong"), WAIT);

        assertThat(pong).matches("< pong \\(\\d+\\.\\d ms\\)");
        stdin.end();
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aServerCloseWithAnErrorCodeIsPrintedWithItsReasonAndExitsOne() throws Exception {
        WebSocketServer server = serve(ws -> {
            ws.receive();
            ws.close(new CloseCode(4002), "go away");
        });
        CompletableFuture<Integer> exit = connect(server.url() + "/");
        stdout.await(line -> line.startsWith("connected to"), WAIT);

        stdin.type("anything"); // stdin stays open: the server's close alone ends the command

        stdout.await("closed: 4002 go away");
        assertThat(exit.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    }

    @Test
    void aServerGoingAwayExitsZero() throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        WebSocketServer server = serve(ws -> {
            connected.countDown();
            ECHO.handle(ws);
        });
        CompletableFuture<Integer> exit = connect(server.url() + "/");
        assertThat(connected.await(10, TimeUnit.SECONDS)).isTrue();

        server.stop(Duration.ofSeconds(5));

        stdout.await("closed: 1001 server stopping");
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void headersAndSubprotocolsGoIntoTheRequestAndTheChosenSubprotocolIsShown() throws Exception {
        try (HandshakeOnlyServer server = new HandshakeOnlyServer("chat.v2")) {
            CompletableFuture<Integer> exit = connect("ws://127.0.0.1:" + server.port() + "/room?x=1",
                    "--header", "Authorization: Bearer abc:def",
                    "--header", "X-Trace: 42",
                    "--subprotocol", "chat.v2",
                    "--subprotocol", "chat.v1");

            stdout.await(line -> line.startsWith("connected to"), WAIT);
            Map<String, String> request = server.request.get(10, TimeUnit.SECONDS);

            assertThat(request).containsEntry(":target", "/room?x=1")
                    .containsEntry("authorization", "Bearer abc:def")
                    .containsEntry("x-trace", "42")
                    .containsEntry("sec-websocket-protocol", "chat.v2, chat.v1");
            assertThat(stdout.seen().get(0)).endsWith("/room?x=1 (subprotocol chat.v2)");
            stdin.end();
            stdout.await("closed: 1000");
            assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        }
    }

    @Test
    void deflateOffersPermessageDeflateAndPrintsWhatTheServerAccepted() throws Exception {
        CompletableFuture<String> serverSaw = new CompletableFuture<>();
        WebSocketServer server = serve(ws -> {
            serverSaw.complete(ws.extensions());
            ECHO.handle(ws);
        });
        CompletableFuture<Integer> exit = connect(server.url() + "/", "--deflate");
        stdout.await(line -> line.startsWith("extensions: permessage-deflate"), WAIT);
        String long_ = "compressible ".repeat(40);
        stdin.type(long_);
        stdout.await("< " + long_);
        stdin.end();

        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(serverSaw.get(5, TimeUnit.SECONDS)).startsWith("permessage-deflate");
    }

    @Test
    void deflateDeclinedByAServerWithNoDeflateIsSaidAndMessagesStillFlow() throws Exception {
        String[] argv = {"echo", "--no-deflate"};
        WebSocketServer server = Main.deflate(WebSocketServer.builder().host("127.0.0.1").port(0).handler(ECHO),
                Args.parse(argv, 1, List.of("no-deflate"))).start();
        servers.add(server);
        assertThat(server.options().deflate()).as("--no-deflate turns the server's default off").isNull();

        CompletableFuture<Integer> exit = connect(server.url() + "/", "--deflate");
        stdout.await("permessage-deflate: declined by the server");
        stdin.type("plain");
        stdout.await("< plain");
        stdin.end();
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void serverCommandsAcceptDeflateByDefault() throws IOException {
        String[] argv = {"echo"};
        WebSocketServer server = Main.deflate(WebSocketServer.builder().host("127.0.0.1").port(0).handler(ECHO),
                Args.parse(argv, 1, List.of("no-deflate"))).start();
        servers.add(server);
        assertThat(server.options().deflate()).as("without --no-deflate: the server's default, on").isNotNull();
        for (String command : List.of("echo", "demo", "broadcast", "bench-server")) {
            assertThat(CommandSpec.ALL.get(command).flags()).as(command).contains("no-deflate");
            assertThat(CommandSpec.ALL.get(command).help()).as(command).contains("--no-deflate");
        }
        assertThat(CommandSpec.ALL.get("connect").flags()).contains("deflate");
    }

    @Test
    void aMissingUriIsAUsageErrorWithExitTwo() throws Exception {
        assertThat(connect().get(10, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(stderr.seen()).anyMatch(line -> line.contains("connect needs one ws:// or wss:// URI"));
    }

    @Test
    void aNonWebSocketUriIsAUsageErrorWithExitTwo() throws Exception {
        assertThat(connect("http://127.0.0.1:1/").get(10, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(stderr.seen()).anyMatch(line -> line.contains("only ws:// and wss:// URIs"));
    }

    @Test
    void aMalformedHeaderIsAUsageErrorWithExitTwo() throws Exception {
        assertThat(connect("ws://127.0.0.1:1/", "--header", "no colon here").get(10, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(stderr.seen()).anyMatch(line -> line.contains("--header must look like"));
    }

    @Test
    void aRefusedConnectionExitsOneWithTheError() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }

        assertThat(connect("ws://127.0.0.1:" + closedPort + "/").get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(stderr.seen()).anyMatch(line -> line.startsWith("loomsocket: ") && line.contains("Connect"));
    }

    /**
     * Accepts one connection, records its request head, answers 101 with a chosen subprotocol, and
     * then answers the client's close: what our own server cannot show (request headers) or do
     * (negotiate a subprotocol).
     */
    private static final class HandshakeOnlyServer implements AutoCloseable {
        final CompletableFuture<Map<String, String>> request = new CompletableFuture<>();
        private final ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());

        HandshakeOnlyServer(String subprotocol) throws IOException {
            Thread.ofVirtual().start(() -> {
                try (Socket s = listener.accept()) {
                    s.setSoTimeout(10_000);
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    Map<String, String> head = readHead(in);
                    request.complete(head);
                    out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Accept: " + AcceptKey.of(head.get("sec-websocket-key")) + "\r\n"
                            + "Sec-WebSocket-Protocol: " + subprotocol + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    // The client's close frame (masked, code 1000): answer it with a close and EOF.
                    int b0 = in.read();
                    int len = in.read() & 0x7F;
                    in.readNBytes(4 + len);
                    if (b0 == 0x88) {
                        out.write(new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xE8});
                    }
                } catch (IOException e) {
                    request.completeExceptionally(e);
                }
            });
        }

        int port() {
            return listener.getLocalPort();
        }

        private static Map<String, String> readHead(InputStream in) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            while (!bytes.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("EOF in the request head");
                }
                bytes.write(b);
            }
            String[] lines = bytes.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            Map<String, String> head = new LinkedHashMap<>();
            head.put(":target", lines[0].split(" ")[1]);
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                head.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim(),
                        (a, b) -> a + ", " + b);
            }
            return head;
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
