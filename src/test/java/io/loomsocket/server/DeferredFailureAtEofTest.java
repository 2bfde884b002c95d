package io.loomsocket.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocketHandler;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that sends valid messages, then a bad frame, then FIN (half-closes): the failure waits
 * behind the messages (they are delivered and answered first), and the end of stream must not
 * swallow it: the close frame with the violation's code still follows the answers.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class DeferredFailureAtEofTest {

    private static final WebSocketHandler ECHO = ws -> {
        for (DataMessage m : ws) {
            if (m instanceof Message.Text t) {
                ws.sendText(t.text());
            }
        }
    };

    private WebSocketServer server;
    private RawClient client;

    @AfterEach
    void cleanUp() throws Exception {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.stop(Duration.ofSeconds(2));
        }
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private RawClient sendThenHalfClose(byte[] frames) throws IOException {
        client = new RawClient(server.port());
        client.send(concat(RawClient.upgradeRequest(server.port()).getBytes(StandardCharsets.ISO_8859_1), frames));
        client.socket.shutdownOutput();
        assertThat(client.readResponseHead().statusLine()).startsWith("HTTP/1.1 101");
        return client;
    }

    @Test
    void anUnmaskedFrameAfterTwoMessagesAndFinGetsTheEchoesThen1002() throws Exception {
        server = WebSocketServer.builder().handler(ECHO).closeTimeout(Duration.ofSeconds(5)).start();
        RawClient c = sendThenHalfClose(concat(
                RawClient.maskedFrame(true, 0x1, "one".getBytes(StandardCharsets.UTF_8)),
                RawClient.maskedFrame(true, 0x1, "two".getBytes(StandardCharsets.UTF_8)),
                RawClient.unmaskedFrame(true, 0x1, "bad".getBytes(StandardCharsets.UTF_8))));

        assertThat(new String(c.readFrame().payload(), StandardCharsets.UTF_8)).isEqualTo("one");
        assertThat(new String(c.readFrame().payload(), StandardCharsets.UTF_8)).isEqualTo("two");
        RawClient.Frame close = c.readFrame();
        assertThat(close.opcode()).isEqualTo(0x8);
        assertThat(close.closeCode()).isEqualTo(1002);
        assertThat(c.seesEndOfStream()).isTrue();
    }

    @Test
    void invalidUtf8AfterAMessageAndFinGetsTheEchoThen1007() throws Exception {
        server = WebSocketServer.builder().handler(ECHO).closeTimeout(Duration.ofSeconds(5)).start();
        RawClient c = sendThenHalfClose(concat(
                RawClient.maskedFrame(true, 0x1, "fine".getBytes(StandardCharsets.UTF_8)),
                RawClient.maskedFrame(true, 0x1, new byte[] {'a', (byte) 0xC0, (byte) 0x80})));

        assertThat(new String(c.readFrame().payload(), StandardCharsets.UTF_8)).isEqualTo("fine");
        RawClient.Frame close = c.readFrame();
        assertThat(close.opcode()).isEqualTo(0x8);
        assertThat(close.closeCode()).isEqualTo(1007);
        assertThat(c.seesEndOfStream()).isTrue();
    }

    @Test
    void aHandlerThatDoesNotComeBackStillLetsTheCloseFrameOutAfterTheCloseTimeout() throws Exception {
        CountDownLatch took = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        server = WebSocketServer.builder().closeTimeout(Duration.ofMillis(500)).handler(ws -> {
            ws.receive();
            took.countDown();
            release.await(); // busy with the message: never back for the next one while the test runs
        }).start();
        try {
            RawClient c = sendThenHalfClose(concat(
                    RawClient.maskedFrame(true, 0x2, new byte[] {1, 2, 3}),
                    RawClient.maskedFrame(true, 0x3, new byte[0]))); // reserved opcode
            assertThat(took.await(5, TimeUnit.SECONDS)).isTrue();

            RawClient.Frame close = c.readFrame(); // applied by the deferred-failure timer
            assertThat(close.opcode()).isEqualTo(0x8);
            assertThat(close.closeCode()).isEqualTo(1002);
            assertThat(c.seesEndOfStream()).isTrue();
        } finally {
            release.countDown();
        }
    }
}
