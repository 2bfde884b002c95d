package io.loomsocket.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.interop.JdkWebSocket.Binary;
import io.loomsocket.interop.JdkWebSocket.Closed;
import io.loomsocket.interop.JdkWebSocket.Text;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JDK's {@code java.net.http.WebSocket} client against a Loomsocket echo server: another
 * implementation's idea of RFC 6455, on the wire.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class JdkClientInteropTest {

    private static final int MIB = 1 << 20;

    /** How the server side of a connection ended. */
    record Ended(CloseCode code, String reason) {}

    private final BlockingQueue<WebSocket> accepted = new LinkedBlockingQueue<>();
    private final CompletableFuture<Ended> serverEnded = new CompletableFuture<>();
    private WebSocketServer server;
    private JdkWebSocket jdk;

    @BeforeEach
    void startEchoServer() throws Exception {
        server = WebSocketServer.builder()
                .host("127.0.0.1")
                .port(0)
                .maxSize(2 * MIB)
                .closeTimeout(Duration.ofSeconds(5))
                .handler(ws -> {
                    accepted.add(ws);
                    try {
                        for (Message m : ws) {
                            switch (m) {
                                case Message.Text t when t.text().equals("close 4002 please") ->
                                        ws.close(new CloseCode(4002), "server bye");
                                case Message.Text t -> ws.sendText(t.text());
                                case Message.Binary b -> ws.sendBinary(b.data());
                                default -> {}
                            }
                        }
                        ws.awaitClosed(Duration.ofSeconds(10));
                        serverEnded.complete(new Ended(ws.closeCode(), ws.closeReason()));
                    } catch (Throwable e) {
                        serverEnded.completeExceptionally(e);
                        throw e;
                    }
                })
                .start();
        jdk = JdkWebSocket.connect(URI.create(server.url() + "/interop"));
    }

    @AfterEach
    void stop() throws Exception {
        if (jdk != null) {
            jdk.shutdown();
        }
        server.stop(Duration.ofSeconds(5));
    }

    @Test
    void textMessagesIncludingNonAsciiComeBackUnchanged() throws Exception {
        String[] texts = {
            "hello",
            "",
            "héllo wörld — ça va? ñ",
            "日本語のテキスト",
            "emoji outside the BMP: 🎉🚀 and 𝄞",
            "x".repeat(125) + "é".repeat(70_000), // a 16-bit and then a 64-bit payload length
        };
        for (String text : texts) {
            jdk.sendText(text, true);
            assertThat(jdk.nextMessage()).isEqualTo(new Text(text));
        }
    }

    @Test
    void binaryMessagesUpToOneMebibyteComeBackByteForByte() throws Exception {
        Random random = new Random(6455);
        for (int size : new int[] {0, 1, 125, 126, 65_535, 65_536, MIB}) {
            byte[] data = new byte[size];
            random.nextBytes(data);
            jdk.sendBinary(data, true);
            // The JDK hands large messages over in parts; JdkWebSocket reassembles until last=true.
            JdkWebSocket.Received echoed = jdk.nextMessage();
            assertThat(echoed).isInstanceOf(Binary.class);
            assertThat(((Binary) echoed).data()).as("echo of %d bytes", size).isEqualTo(data);
        }
    }

    @Test
    void fragmentedMessagesFromTheJdkClientAreReassembledByTheServer() throws Exception {
        jdk.sendText("Grüße, ", false);
        jdk.sendText("日本", false);
        jdk.sendText("語 🎉", true);
        assertThat(jdk.nextMessage()).isEqualTo(new Text("Grüße, 日本語 🎉"));

        byte[] first = "binary ".getBytes(StandardCharsets.US_ASCII);
        byte[] second = new byte[100_000];
        new Random(1).nextBytes(second);
        jdk.sendBinary(first, false);
        jdk.sendBinary(second, true);
        byte[] whole = new byte[first.length + second.length];
        System.arraycopy(first, 0, whole, 0, first.length);
        System.arraycopy(second, 0, whole, first.length, second.length);
        assertThat(((Binary) jdk.nextMessage()).data()).isEqualTo(whole);
    }

    @Test
    void aPingFromTheJdkClientIsAnsweredWithAPongOfTheSamePayload() throws Exception {
        byte[] payload = "are you there? ✓".getBytes(StandardCharsets.UTF_8);
        jdk.sendPing(payload);
        assertThat(jdk.pongs.poll(10, TimeUnit.SECONDS)).isEqualTo(payload);

        byte[] largest = new byte[125];
        new Random(2).nextBytes(largest);
        jdk.sendPing(largest);
        assertThat(jdk.pongs.poll(10, TimeUnit.SECONDS)).isEqualTo(largest);
    }

    @Test
    void aCloseFromTheJdkClientEndsTheServerConnectionWithItsCodeAndIsEchoed() throws Exception {
        jdk.sendText("before closing", true);
        assertThat(jdk.nextMessage()).isEqualTo(new Text("before closing"));

        jdk.sendClose(4001, "bye");

        Ended ended = serverEnded.get(10, TimeUnit.SECONDS);
        assertThat(ended.code()).isEqualTo(new CloseCode(4001));
        assertThat(ended.reason()).isEqualTo("bye");
        Closed echoed = jdk.closed.get(10, TimeUnit.SECONDS);
        assertThat(echoed.code()).isEqualTo(4001);
        assertThat(jdk.error).isNotDone();
    }

    @Test
    void aCloseFromTheServerReachesTheJdkClientWithItsCodeAndReason() throws Exception {
        jdk.sendText("close 4002 please", true);

        Closed closed = jdk.closed.get(10, TimeUnit.SECONDS);
        assertThat(closed).isEqualTo(new Closed(4002, "server bye"));
        // The JDK answers with a close of its own, which completes the server's closing handshake.
        Ended ended = serverEnded.get(10, TimeUnit.SECONDS);
        assertThat(ended.code()).isEqualTo(new CloseCode(4002));
        assertThat(jdk.error).isNotDone();
    }

    @Test
    void aPingFromTheServerIsAnsweredByTheJdkClientWithARoundTripTime() throws Exception {
        WebSocket serverSide = accepted.poll(10, TimeUnit.SECONDS);
        assertThat(serverSide).isNotNull();

        Duration rtt = serverSide.ping().get(10, TimeUnit.SECONDS);

        assertThat(rtt).isPositive().isLessThan(Duration.ofSeconds(10));
        assertThat(serverSide.lastRoundTrip()).contains(rtt);
        assertThat(jdk.pings.poll(10, TimeUnit.SECONDS)).hasSize(8);
        // The connection is still fine afterwards.
        jdk.sendText("still here", true);
        assertThat(jdk.nextMessage()).isEqualTo(new Text("still here"));
    }
}
