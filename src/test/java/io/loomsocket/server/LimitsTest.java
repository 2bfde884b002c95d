package io.loomsocket.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocketHandler;
import io.loomsocket.handshake.HttpLimits;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.Message;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The limits of docs/limits.md over real sockets, with a raw peer, where no other test has them
 * end to end: a frame length claim over the limit, a fragmented message growing past it, request
 * heads over the HTTP limits, and the close timeout when the peer never answers our close.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class LimitsTest {

    private static final WebSocketHandler ECHO = ws -> {
        for (Message m : ws) {
            switch (m) {
                case Message.Text t -> ws.sendText(t.text());
                case Message.Binary b -> ws.sendBinary(b.data());
                default -> {}
            }
        }
    };

    private final List<AutoCloseable> resources = new ArrayList<>();

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

    private WebSocketServer start(WebSocketServer.Builder builder) throws IOException {
        WebSocketServer server = builder.host("127.0.0.1").port(0).noKeepalive().start();
        resources.add(server);
        return server;
    }

    private RawClient raw(WebSocketServer server) throws IOException {
        RawClient c = new RawClient(server.port());
        resources.add(c);
        return c;
    }

    /** A masked binary frame header announcing {@code length} bytes (64-bit length), and no payload. */
    private static byte[] headerClaiming(boolean fin, int opcode, long length) {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        h.write((fin ? 0x80 : 0) | opcode);
        h.write(0x80 | 127);
        for (int i = 7; i >= 0; i--) {
            h.write((int) (length >>> (8 * i)) & 0xFF);
        }
        h.writeBytes(new byte[] {0x12, 0x34, 0x56, 0x78});
        return h.toByteArray();
    }

    private static void assertClosedWith1009(RawClient c, String reasonPart) throws IOException {
        RawClient.Frame close = c.readFrame();
        assertThat(close.opcode()).isEqualTo(0x8);
        assertThat(close.closeCode()).isEqualTo(CloseCode.MESSAGE_TOO_BIG.code());
        assertThat(close.closeReason()).contains(reasonPart);
        assertThat(c.seesEndOfStream()).isTrue();
    }

    // ------------------------------------------------------------------ frames and messages

    @Test
    void aHeaderClaiming2To62BytesIsClosedWith1009AtOnceWithoutWaitingForThePayload() throws IOException {
        WebSocketServer server = start(WebSocketServer.builder().handler(ECHO)); // 1 MiB frames
        RawClient c = raw(server).handshake();

        c.send(headerClaiming(true, 0x2, 1L << 62)); // and not one payload byte

        assertClosedWith1009(c, "frame of 4611686018427387904 bytes exceeds the limit of 1048576");
    }

    @Test
    void theSameClaimDribbledOneByteAtATimeIsClosedAsSoonAsTheLengthIsComplete() throws Exception {
        WebSocketServer server = start(WebSocketServer.builder().handler(ECHO));
        RawClient c = raw(server).handshake();
        byte[] header = headerClaiming(true, 0x2, 1L << 62);

        for (byte b : header) {
            c.send(new byte[] {b});
        }

        assertClosedWith1009(c, "exceeds the limit of 1048576");
    }

    @Test
    void aFragmentedMessageGrowingPastTheMessageLimitIsClosedWith1009AtTheFragmentThatWouldPassIt() throws Exception {
        WebSocketServer server = start(WebSocketServer.builder().handler(ECHO).maxFrameSize(1024).maxMessageSize(4096));
        RawClient c = raw(server).handshake();

        c.send(RawClient.maskedFrame(false, 0x2, new byte[1000]));
        for (int i = 0; i < 3; i++) {
            c.send(RawClient.maskedFrame(false, 0x0, new byte[1000])); // 4,000 bytes: still within
        }
        byte[] fifth = RawClient.maskedFrame(false, 0x0, new byte[1000]);
        c.send(Arrays.copyOf(fifth, 2 + 2 + 4)); // its header only: 5,000 would pass the limit

        assertClosedWith1009(c, "message of 4000 + 1000 bytes exceeds the limit of 4096");
    }

    @Test
    void aFragmentedMessageUpToTheLimitIsDelivered() throws Exception {
        WebSocketServer server = start(WebSocketServer.builder().handler(ECHO).maxFrameSize(1024).maxMessageSize(4096));
        RawClient c = raw(server).handshake();

        c.send(RawClient.maskedFrame(false, 0x2, new byte[1024]));
        c.send(RawClient.maskedFrame(false, 0x0, new byte[1024]));
        c.send(RawClient.maskedFrame(false, 0x0, new byte[1024]));
        c.send(RawClient.maskedFrame(true, 0x0, new byte[1024]));

        RawClient.Frame echo = c.readFrame();
        assertThat(echo.opcode()).isEqualTo(0x2);
        assertThat(echo.payload()).hasSize(4096);
    }

    // ------------------------------------------------------------------ the request head

    private RawClient.Response answer(WebSocketServer server, String request) throws IOException {
        RawClient c = raw(server);
        c.send(request);
        return c.readErrorResponse();
    }

    @Test
    void aHeadOverTheHeadLimitGets431NamingTheLimit() throws IOException {
        WebSocketServer server = start(WebSocketServer.builder().handler(ECHO).httpLimits(new HttpLimits(8192, 8192, 2048, 100)));
        String request = RawClient.upgradeRequest(server.port())
                .replace("\r\n\r\n", "\r\nX-A: " + "a".repeat(1000) + "\r\nX-B: " + "b".repeat(1000) + "\r\n\r\n");

        RawClient.Response r = answer(server, request);

        assertThat(r.statusLine()).isEqualTo("HTTP/1.1 431 Request Header Fields Too Large");
        assertThat(r.headers()).containsEntry("connection", "close");
        assertThat(r.body()).isEqualTo("head larger than 2048 bytes\n");
        assertThat(server.connectionCount()).isZero();
    }

    @Test
    void aHeaderLineOverTheLineLimitGets431AndALongRequestLine414() throws IOException {
        WebSocketServer server = start(WebSocketServer.builder().handler(ECHO).httpLimits(new HttpLimits(256, 256, 16384, 100)));

        RawClient.Response longHeader = answer(server, RawClient.upgradeRequest(server.port())
                .replace("\r\n\r\n", "\r\nX-Long: " + "x".repeat(300) + "\r\n\r\n"));
        RawClient.Response longTarget = answer(server, RawClient.upgradeRequest(server.port())
                .replace("GET /raw", "GET /" + "r".repeat(300)));

        assertThat(longHeader.statusLine()).startsWith("HTTP/1.1 431");
        assertThat(longHeader.body()).isEqualTo("header line longer than 256 bytes\n");
        assertThat(longTarget.statusLine()).startsWith("HTTP/1.1 414");
        assertThat(longTarget.body()).contains("longer than 256 bytes");
    }

    @Test
    void tooManyHeaderFieldsGet431() throws IOException {
        WebSocketServer server = start(WebSocketServer.builder().handler(ECHO).httpLimits(new HttpLimits(8192, 8192, 16384, 10)));
        StringBuilder extra = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            extra.append("X-").append(i).append(": v\r\n");
        }

        RawClient.Response r = answer(server, RawClient.upgradeRequest(server.port()).replace("\r\n\r\n", "\r\n" + extra + "\r\n"));

        assertThat(r.statusLine()).startsWith("HTTP/1.1 431");
        assertThat(r.body()).isEqualTo("more than 10 header fields\n");
    }

    // ------------------------------------------------------------------ closing

    @Test
    void aPeerThatNeverAnswersOurCloseIsDisconnectedAfterTheCloseTimeout() throws Exception {
        CountDownLatch closing = new CountDownLatch(1);
        WebSocketServer server = start(WebSocketServer.builder().closeTimeout(Duration.ofMillis(300)).handler(ws -> {
            ws.receive(); // "bye"
            closing.countDown();
            // returning closes with 1000, and waits at most the close timeout for the reply
        }));
        RawClient c = raw(server).handshake();
        c.send(RawClient.maskedFrame(true, 0x1, "bye".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(closing.await(5, TimeUnit.SECONDS)).isTrue();

        RawClient.Frame close = c.readFrame();
        long start = System.nanoTime();
        assertThat(close.closeCode()).isEqualTo(1000);
        // We neither answer nor close: the server must give up on its own.
        assertThat(c.seesEndOfStream()).isTrue();
        Duration waited = Duration.ofNanos(System.nanoTime() - start);

        assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(200)).isLessThan(Duration.ofSeconds(3));
        // The server forgets the connection right after it closed the socket.
        io.loomsocket.io.Eventually.await("the connection forgotten", Duration.ofSeconds(5), () -> server.connectionCount() == 0);
    }
}
