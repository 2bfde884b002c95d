package io.loomsocket.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.WebSocketListener;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Frames acted on in the order they arrive: data frames followed by a Close, in one write or
 * split at every byte, reach the application, its answers go out before the Close reply, and
 * nothing goes out after that reply. On the server in handler mode and inline-listener mode, and
 * in the client. (Issue 16: before, the close reply was queued as the close frame was decoded,
 * so none of the five echoes went out: 0 of 25 in the probe.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CloseOrderTest {

    private static final String[] TEXTS = {"one", "two", "three", "four", "five"};

    private static final WebSocketHandler ECHO_HANDLER = ws -> {
        for (DataMessage m : ws) {
            if (m instanceof Message.Text t) {
                ws.sendText(t.text());
            }
        }
    };

    private static final WebSocketListener ECHO_LISTENER = new WebSocketListener() {
        @Override
        public void onText(WebSocket ws, String text) throws IOException {
            ws.sendText(text);
        }
    };

    private WebSocketServer server;

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.stop(Duration.ofSeconds(2));
        }
    }

    /** Five masked text frames and a Close 1000: what a client sends in one TCP write. */
    private static byte[] framesThenClose() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String t : TEXTS) {
            bytes.writeBytes(RawPeer.maskedFrame(0x1, t.getBytes(StandardCharsets.UTF_8)));
        }
        bytes.writeBytes(RawPeer.maskedFrame(0x8, RawPeer.closePayload(1000, "bye")));
        return bytes.toByteArray();
    }

    @Test
    void handlerModeAnswersEveryMessageBeforeTheCloseReply() throws Exception {
        server = WebSocketServer.builder().handler(ECHO_HANDLER).start();
        everySplitIsAnsweredInOrder();
    }

    @Test
    void inlineListenerModeAnswersEveryMessageBeforeTheCloseReply() throws Exception {
        server = WebSocketServer.builder().listener(ECHO_LISTENER).start();
        everySplitIsAnsweredInOrder();
    }

    @Test
    void aHandlerThatIsSlowToComeBackStillAnswersFirst() throws Exception {
        // The reader decodes the close long before the handler has taken the messages: the close
        // waits for the handler to come back for more, not for a timer.
        server = WebSocketServer.builder().closeTimeout(Duration.ofSeconds(20)).handler(ws -> {
            for (DataMessage m : ws) {
                Thread.sleep(20); // a handler doing real work per message
                ws.sendText(((Message.Text) m).text());
            }
        }).start();
        long start = System.nanoTime();
        exchange(framesThenClose(), -1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not held until the close timeout")
                .isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aHandlerThatNeverComesBackGetsTheCloseReplyAfterTheCloseTimeout() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        server = WebSocketServer.builder().closeTimeout(Duration.ofMillis(500)).handler(ws -> {
            ws.receive();
            release.get(30, TimeUnit.SECONDS); // busy elsewhere
        }).start();
        try (RawPeer peer = RawPeer.connect(server.port(), 0).handshake("/")) {
            peer.send(framesThenClose());
            RawPeer.Frame close = peer.readFrame();
            assertThat(close.opcode()).isEqualTo(0x8);
            assertThat(close.closeCode()).isEqualTo(1000);
            assertThat(peer.seesEndOfStream()).isTrue();
        } finally {
            release.complete(null);
        }
    }

    /** The whole sequence in one write, then split in two writes at every byte. */
    private void everySplitIsAnsweredInOrder() throws Exception {
        byte[] all = framesThenClose();
        exchange(all, -1);
        for (int split = 1; split < all.length; split++) {
            exchange(all, split);
        }
    }

    private void exchange(byte[] all, int split) throws IOException {
        try (RawPeer peer = RawPeer.connect(server.port(), 0).handshake("/")) {
            peer.socket.setTcpNoDelay(true);
            if (split < 0) {
                peer.send(all);
            } else {
                byte[] first = new byte[split];
                byte[] rest = new byte[all.length - split];
                System.arraycopy(all, 0, first, 0, split);
                System.arraycopy(all, split, rest, 0, rest.length);
                peer.send(first);
                peer.send(rest);
            }
            List<String> echoes = new ArrayList<>();
            RawPeer.Frame f;
            while ((f = peer.readFrame()).opcode() == 0x1) {
                echoes.add(f.text());
            }
            assertThat(echoes).as("split at %d: every echo, in order, before the close", split).containsExactly(TEXTS);
            assertThat(f.opcode()).as("split at %d", split).isEqualTo(0x8);
            assertThat(f.closeCode()).isEqualTo(1000);
            assertThat(peer.seesEndOfStream()).as("split at %d: nothing after the close reply", split).isTrue();
        }
    }

    @Test
    void theClientAnswersEveryMessageBeforeItsCloseReply() throws Exception {
        byte[] all = new ByteArrayOutputStream() {
            {
                for (String t : TEXTS) {
                    writeBytes(RawPeer.unmaskedFrame(0x1, t.getBytes(StandardCharsets.UTF_8)));
                }
                writeBytes(RawPeer.unmaskedFrame(0x8, RawPeer.closePayload(1000, "bye")));
            }
        }.toByteArray();
        try (RawPeer.Server raw = new RawPeer.Server()) {
            for (int split = -1; split < all.length; split++) {
                if (split == 0) {
                    continue;
                }
                CompletableFuture<Void> client = CompletableFuture.runAsync(() -> {
                    try {
                        WebSocket ws = WebSocketClient.connect(URI.create("ws://127.0.0.1:" + raw.port() + "/"));
                        for (DataMessage m : ws) {
                            ws.sendText(((Message.Text) m).text());
                        }
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                try (RawPeer peer = raw.acceptWebSocket()) {
                    if (split < 0) {
                        peer.send(all);
                    } else {
                        peer.send(java.util.Arrays.copyOfRange(all, 0, split));
                        peer.send(java.util.Arrays.copyOfRange(all, split, all.length));
                    }
                    List<String> echoes = new ArrayList<>();
                    RawPeer.Frame f;
                    while ((f = peer.readFrame()).opcode() == 0x1) {
                        assertThat(f.masked()).isTrue();
                        echoes.add(f.text());
                    }
                    assertThat(echoes).as("split at %d", split).containsExactly(TEXTS);
                    assertThat(f.opcode()).isEqualTo(0x8);
                    assertThat(f.closeCode()).isEqualTo(1000);
                    peer.socket.shutdownOutput(); // the server closes first (§7.1.1)
                    assertThat(peer.seesEndOfStream()).as("split at %d: nothing after the close reply", split).isTrue();
                }
                client.get(10, TimeUnit.SECONDS);
            }
        }
    }
}
