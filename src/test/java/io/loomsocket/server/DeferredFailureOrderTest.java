package io.loomsocket.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocketHandler;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A failure deferred behind messages applies only once the application has handled all of them:
 * not as soon as the inbox looks empty while the reader has decoded the bad frame but not yet
 * delivered the messages before it. With room for one message in the inbox, the reader waits to
 * deliver the second while the core already holds the failure: the window is wide.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeferredFailureOrderTest {

    private static final WebSocketHandler ECHO = ws -> {
        for (DataMessage m : ws) {
            if (m instanceof Message.Text t) {
                ws.sendText(t.text());
            }
        }
    };

    private WebSocketServer server;

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void everyMessageBeforeTheBadFrameIsAnsweredBeforeTheClose() throws Exception {
        server = WebSocketServer.builder().handler(ECHO).inboxLimit(1).closeTimeout(Duration.ofSeconds(5)).start();
        for (int round = 0; round < 30; round++) {
            try (RawClient c = new RawClient(server.port())) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                bytes.writeBytes(RawClient.upgradeRequest(server.port()).getBytes(StandardCharsets.ISO_8859_1));
                for (String text : new String[] {"one", "two", "three"}) {
                    bytes.writeBytes(RawClient.maskedFrame(true, 0x1, text.getBytes(StandardCharsets.UTF_8)));
                }
                bytes.writeBytes(RawClient.unmaskedFrame(true, 0x1, "bad".getBytes(StandardCharsets.UTF_8)));
                c.send(bytes.toByteArray()); // one write: the reader decodes the bad frame with the others
                assertThat(c.readResponseHead().statusLine()).startsWith("HTTP/1.1 101");

                for (String text : new String[] {"one", "two", "three"}) {
                    RawClient.Frame f = c.readFrame();
                    assertThat(f.opcode()).as("round %d: the echo of %s, not the close", round, text).isEqualTo(0x1);
                    assertThat(new String(f.payload(), StandardCharsets.UTF_8)).isEqualTo(text);
                }
                RawClient.Frame close = c.readFrame();
                assertThat(close.opcode()).isEqualTo(0x8);
                assertThat(close.closeCode()).isEqualTo(1002);
            }
        }
    }
}
