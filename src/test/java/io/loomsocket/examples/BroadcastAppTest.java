package io.loomsocket.examples;

import static io.loomsocket.examples.Harness.next;
import static io.loomsocket.examples.Harness.nextText;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
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

    /** Three clients on /a and one on /b, all joined before the test goes on. */
    private void startWithThreeOnAAndOneOnB(boolean excludeSender) throws Exception {
        app = new BroadcastApp(excludeSender, ws -> joined.countDown());
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
}
