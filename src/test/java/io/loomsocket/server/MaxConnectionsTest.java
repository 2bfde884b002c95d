package io.loomsocket.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.WebSocketListener;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.handshake.HandshakeException;
import io.loomsocket.io.Eventually;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.Message;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code maxConnections}: connections in the handshake and open ones count; one more gets a 503
 * with Retry-After as soon as it is accepted, whether it sent its request or not; a place freed
 * by a closed connection is taken by the next.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class MaxConnectionsTest {

    private static final WebSocketHandler ECHO = ws -> {
        for (Message m : ws) {
            if (m instanceof Message.Text t) {
                ws.sendText(t.text());
            }
        }
    };

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable r : resources.reversed()) {
            if (r instanceof WebSocket ws) {
                ws.abort();
            } else if (r instanceof WebSocketServer s) {
                s.stop(Duration.ofSeconds(2));
            } else {
                r.close();
            }
        }
    }

    private WebSocketServer start(WebSocketServer.Builder builder) throws IOException {
        WebSocketServer server = builder.host("127.0.0.1").port(0).closeTimeout(Duration.ofSeconds(2)).start();
        resources.add(server);
        return server;
    }

    private WebSocket connect(WebSocketServer server) throws IOException {
        WebSocket ws = WebSocketClient.builder().connect(URI.create(server.url() + "/"));
        resources.add(ws);
        return ws;
    }

    private RawClient raw(WebSocketServer server) throws IOException {
        RawClient c = new RawClient(server.port());
        resources.add(c);
        return c;
    }

    private static void echoes(WebSocket ws, String text) throws Exception {
        ws.sendText(text);
        assertThat(ws.receive()).isEqualTo(new Message.Text(text));
    }

    @Test
    void theConnectionOverTheLimitGets503WithRetryAfterAndAFreedPlaceIsTakenByTheNext() throws Exception {
        WebSocketServer server = start(WebSocketServer.builder().handler(ECHO).maxConnections(2).retryAfter(Duration.ofSeconds(7)));
        WebSocket first = connect(server);
        WebSocket second = connect(server);
        echoes(first, "one");
        echoes(second, "two");

        RawClient third = raw(server);
        third.send(RawClient.upgradeRequest(server.port()));
        RawClient.Response refused = third.readErrorResponse(); // to EOF: the server closes after it

        assertThat(refused.statusLine()).isEqualTo("HTTP/1.1 503 Service Unavailable");
        assertThat(refused.headers())
                .containsEntry("retry-after", "7")
                .containsEntry("connection", "close")
                .containsEntry("content-type", "text/plain; charset=utf-8");
        assertThat(refused.body()).isEqualTo("server busy: too many connections; retry after 7 s\n");
        assertThat(server.connectionCount()).isEqualTo(2);

        first.close(CloseCode.NORMAL_CLOSURE, "");
        assertThat(first.awaitClosed(Duration.ofSeconds(5))).isTrue();
        Eventually.await("the closed connection's place freed", Duration.ofSeconds(5),
                () -> server.admittedConnections() == 1);

        WebSocket next = connect(server);
        echoes(next, "three");
        echoes(second, "still here");
    }

    @Test
    void theAnswerDoesNotWaitForTheRequest() throws Exception {
        WebSocketServer server = start(WebSocketServer.builder().handler(ECHO).maxConnections(1));
        connect(server);

        RawClient silent = raw(server); // sends nothing at all
        RawClient.Response refused = silent.readErrorResponse();

        assertThat(refused.statusLine()).startsWith("HTTP/1.1 503");
        assertThat(refused.headers()).containsEntry("retry-after", "5"); // the default
    }

    @Test
    void ourClientSeesThe503AsAHandshakeFailureWithThatStatus() throws Exception {
        WebSocketServer server = start(WebSocketServer.builder().handler(ECHO).maxConnections(1));
        connect(server);

        assertThatThrownBy(() -> connect(server))
                .isInstanceOf(HandshakeException.class)
                .satisfies(e -> assertThat(((HandshakeException) e).status()).isEqualTo(503));
    }

    @Test
    void aConnectionStillInItsHandshakeHoldsAPlace() throws Exception {
        WebSocketServer server = start(WebSocketServer.builder().handler(ECHO).maxConnections(1)
                .handshakeTimeout(Duration.ofSeconds(10)));
        RawClient halfway = raw(server);
        halfway.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"); // and no more
        Eventually.await("the half-open handshake admitted", Duration.ofSeconds(5), () -> server.admittedConnections() == 1);

        assertThat(raw(server).readErrorResponse().statusLine()).startsWith("HTTP/1.1 503");

        halfway.close();
        Eventually.await("its place freed", Duration.ofSeconds(5), () -> server.admittedConnections() == 0);
        echoes(connect(server), "in");
    }

    @Test
    void aListenerConnectionFreesItsPlaceWhenItCloses() throws Exception {
        WebSocketListener echo = new WebSocketListener() {
            @Override
            public void onText(WebSocket ws, String text) throws IOException {
                ws.sendText(text);
            }
        };
        WebSocketServer server = start(WebSocketServer.builder().listener(echo).maxConnections(1));
        WebSocket ws = connect(server);
        echoes(ws, "a");
        assertThat(raw(server).readErrorResponse().statusLine()).startsWith("HTTP/1.1 503");

        ws.close(CloseCode.NORMAL_CLOSURE, "");
        assertThat(ws.awaitClosed(Duration.ofSeconds(5))).isTrue();
        Eventually.await("its place freed", Duration.ofSeconds(5), () -> server.admittedConnections() == 0);

        echoes(connect(server), "b");
    }

    @Test
    void refusedConnectionsDoNotHoldPlaces() throws Exception {
        WebSocketServer server = start(WebSocketServer.builder().handler(ECHO).maxConnections(1));
        WebSocket holder = connect(server);
        for (int i = 0; i < 5; i++) {
            assertThat(raw(server).readErrorResponse().statusLine()).startsWith("HTTP/1.1 503");
        }

        assertThat(server.admittedConnections()).isEqualTo(1);
        echoes(holder, "x");
    }

    @Test
    void theBuilderRefusesALimitUnderOneAndANegativeRetryAfter() {
        assertThatThrownBy(() -> WebSocketServer.builder().maxConnections(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConnections");
        assertThatThrownBy(() -> WebSocketServer.builder().retryAfter(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retryAfter");
    }

    @Test
    void retryAfterIsInWholeSecondsRoundedUp() {
        assertThat(BusyResponse.retryAfterSeconds(Duration.ZERO)).isZero();
        assertThat(BusyResponse.retryAfterSeconds(Duration.ofMillis(1))).isEqualTo(1);
        assertThat(BusyResponse.retryAfterSeconds(Duration.ofMillis(2_000))).isEqualTo(2);
        assertThat(BusyResponse.retryAfterSeconds(Duration.ofMillis(2_001))).isEqualTo(3);
    }

    @Test
    void overTheLimitAtMost64AnswersAreInProgressAndFurtherSocketsAreClosedAtOnce() {
        ConnectionLimit limit = new ConnectionLimit(2);
        ConnectionLimit.Permit a = limit.admit();
        ConnectionLimit.Permit b = limit.admit();
        assertThat(a.admitted()).isTrue();
        assertThat(b.admitted()).isTrue();
        List<ConnectionLimit.Permit> refusing = new ArrayList<>();
        for (int i = 0; i < ConnectionLimit.MAX_REFUSING; i++) {
            ConnectionLimit.Permit p = limit.admit();
            assertThat(p.admitted()).isFalse();
            refusing.add(p);
        }
        assertThat(limit.admit()).as("no answer at all").isNull();

        refusing.get(0).release();
        assertThat(limit.admit().admitted()).isFalse();

        a.release();
        a.release(); // a second release counts for nothing
        assertThat(limit.admitted()).isEqualTo(1);
        assertThat(limit.admit().admitted()).isTrue();
        assertThat(limit.admit()).as("full again, and the answers still at their limit").isNull();
    }
}
