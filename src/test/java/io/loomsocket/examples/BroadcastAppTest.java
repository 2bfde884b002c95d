package io.loomsocket.examples;

import static io.loomsocket.examples.Harness.next;
import static io.loomsocket.examples.Harness.nextText;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
/** Both modes of {@code broadcast}: the tutorial's trigger (the default) and the relay. */
class BroadcastAppTest {

    private final Harness harness = new Harness();
    private final CountDownLatch joined = new CountDownLatch(4);
    private WebSocket a1;
    private WebSocket a2;
    private WebSocket a3;
    private WebSocket b1;
    private BroadcastApp app;

    @AfterEach
    void cleanUp() throws Exception {
        harness.close();
    }

    /** Relay mode: three clients on /a and one on /b, all joined before the test goes on. */
    private void startWithThreeOnAAndOneOnB(boolean excludeSender) throws Exception {
        app = BroadcastApp.relay(excludeSender, ws -> joined.countDown());
        WebSocketServer server = harness.start(app.configure(WebSocketServer.builder()));
        a1 = harness.connect(server, "/a");
        a2 = harness.connect(server, "/a");
        a3 = harness.connect(server, "/a");
        b1 = harness.connect(server, "/b");
        assertThat(joined.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aTextMessageReachesEveryConnectionOnItsPathIncludingTheSender() throws Exception {
        startWithThreeOnAAndOneOnB(false);

        a1.sendText("hello a");

        assertThat(nextText(a1)).isEqualTo("hello a");
        assertThat(nextText(a2)).isEqualTo("hello a");
        assertThat(nextText(a3)).isEqualTo("hello a");
        assertThat(app.registry().size("/a")).isEqualTo(3);
        assertThat(app.registry().size("/b")).isEqualTo(1);
    }

    @Test
    void aConnectionOnAnotherPathHearsNothing() throws Exception {
        startWithThreeOnAAndOneOnB(false);

        a1.sendText("only for a");
        b1.sendText("only for b");

        // /b's own message is the first (and only) thing it hears: /a's message never came.
        assertThat(nextText(b1)).isEqualTo("only for b");
        assertThat(nextText(a2)).isEqualTo("only for a");
        assertThat(nextText(a3)).isEqualTo("only for a");
    }

    @Test
    void binaryIsBroadcastAsBinary() throws Exception {
        startWithThreeOnAAndOneOnB(false);

        a2.sendBinary(new byte[] {1, 2, 3});

        for (WebSocket ws : new WebSocket[] {a1, a2, a3}) {
            assertThat(next(ws)).isEqualTo(new Message.Binary(new byte[] {1, 2, 3}));
        }
    }

    @Test
    void withExcludeSenderTheSenderDoesNotGetItsOwnMessage() throws Exception {
        startWithThreeOnAAndOneOnB(true);

        a1.sendText("from a1");
        assertThat(nextText(a2)).isEqualTo("from a1");
        assertThat(nextText(a3)).isEqualTo("from a1");
        a2.sendText("from a2");

        // a1's next message is a2's, sent after everyone else had a1's: a1's own never came.
        assertThat(nextText(a1)).isEqualTo("from a2");
        assertThat(nextText(a3)).isEqualTo("from a2");
    }

    // ------------------------------------------------------------------ trigger mode (the default)

    /** Trigger mode: a and b on /, c on /other (the trigger ignores paths), all joined. */
    private WebSocketServer startTrigger() throws Exception {
        CountDownLatch three = new CountDownLatch(3);
        app = BroadcastApp.trigger(ws -> three.countDown());
        WebSocketServer server = harness.start(app.configure(WebSocketServer.builder()));
        a1 = harness.connect(server, "/");
        a2 = harness.connect(server, "/");
        a3 = harness.connect(server, "/other");
        assertThat(three.await(5, TimeUnit.SECONDS)).isTrue();
        return server;
    }

    /** What {@code ws} receives until the connection closes (1001, once the server stops). */
    private static java.util.List<String> restUntilClosed(WebSocket ws) throws Exception {
        java.util.List<String> rest = new java.util.ArrayList<>();
        try {
            while (true) {
                java.util.Optional<io.loomsocket.protocol.DataMessage> m = ws.receive(Harness.WAIT);
                assertThat(m).as("a message or the close within %s", Harness.WAIT).isPresent();
                rest.add(m.get().toString());
            }
        } catch (io.loomsocket.WebSocketClosedException closed) {
            return rest;
        }
    }

    @Test
    void theTriggerSendsTheAnnouncementToEveryOtherConnectionAndNothingElseIsSent() throws Exception {
        WebSocketServer server = startTrigger();

        a1.sendText("hello");       // not the trigger: nobody gets anything
        a1.sendBinary("broadcast".getBytes(java.nio.charset.StandardCharsets.UTF_8)); // bytes are not the trigger
        a1.sendText("broadcast");
        a1.sendText("broadcast");
        // a1's messages are handled in order: had "hello" gone anywhere, it would come first.
        for (WebSocket other : new WebSocket[] {a2, a3}) {
            assertThat(nextText(other)).isEqualTo("Broadcast message!");
            assertThat(nextText(other)).isEqualTo("Broadcast message!");
        }
        a2.sendText("broadcast");
        assertThat(nextText(a1)).isEqualTo("Broadcast message!");
        assertThat(nextText(a3)).isEqualTo("Broadcast message!");

        // The follow-up that does arrive: the server's close, queued after everything sent before.
        // a1's first trigger was handled before its second reached a2, so a copy for a1 would be
        // in a1's queue before that close; a2's trigger likewise.
        server.stop(Duration.ofSeconds(2));
        assertThat(restUntilClosed(a1)).as("a1: nothing of its own two triggers").isEmpty();
        assertThat(restUntilClosed(a2)).as("a2: nothing of its own trigger").isEmpty();
        assertThat(restUntilClosed(a3)).isEmpty();
        assertThat(a1.closeCode()).isEqualTo(io.loomsocket.protocol.CloseCode.GOING_AWAY);
    }

    @Test
    void onlyExactlyBroadcastTriggers() throws Exception {
        startTrigger();

        for (String almost : new String[] {"Broadcast", "broadcast ", " broadcast", "BROADCAST", "broadcast!", ""}) {
            a1.sendText(almost);
        }
        a1.sendText("broadcast");

        assertThat(nextText(a2)).isEqualTo("Broadcast message!"); // the first thing a2 hears
        assertThat(nextText(a3)).isEqualTo("Broadcast message!");
    }

    @Test
    void theTriggerModeIsTheDefaultAndAlwaysExcludesTheSender() {
        assertThat(BroadcastApp.trigger().isRelay()).isFalse();
        assertThat(BroadcastApp.trigger().excludeSender()).isTrue();
        assertThat(BroadcastApp.relay(false).isRelay()).isTrue();
        assertThat(BroadcastApp.relay(false).excludeSender()).isFalse();
    }
}
