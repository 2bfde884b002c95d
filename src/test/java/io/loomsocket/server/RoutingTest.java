package io.loomsocket.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.handshake.HandshakeException;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Routes: exact paths, {param} patterns, the default handler, and 404 before any upgrade. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class RoutingTest {

    private final List<WebSocketServer> servers = new ArrayList<>();
    private final List<AutoCloseable> clients = new ArrayList<>();
    private final AtomicInteger handlersRun = new AtomicInteger();

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : clients) {
            if (c instanceof WebSocket ws) {
                ws.abort();
            } else {
                c.close();
            }
        }
        for (WebSocketServer s : servers) {
            s.stop(Duration.ofSeconds(2));
        }
    }

    /** A handler that sends one text naming itself and what it saw, then waits for the client to close. */
    private WebSocketHandler says(String name) {
        return ws -> {
            handlersRun.incrementAndGet();
            ws.sendText(name + " " + ws.path() + " " + new TreeMap<>(ws.pathParameters()));
            for (Message ignored : ws) {
                // until the client closes
            }
        };
    }

    private WebSocketServer start(WebSocketServer.Builder builder) throws IOException {
        WebSocketServer server = builder.host("127.0.0.1").port(0).closeTimeout(Duration.ofSeconds(2)).start();
        servers.add(server);
        return server;
    }

    private WebSocketServer rooms() throws IOException {
        return start(WebSocketServer.builder()
                .route("/chat", says("chat"))
                .route("/rooms/special", says("special"))
                .route("/rooms/{room}", says("room"))
                .route("/rooms/{room}/users/{user}", says("user")));
    }

    /** What the handler at {@code path} says first. */
    private String greeting(WebSocketServer server, String path) throws Exception {
        WebSocket ws = WebSocketClient.connect(URI.create(server.url() + path));
        clients.add(ws);
        Optional<DataMessage> m = ws.receive(Duration.ofSeconds(5));
        assertThat(m).isPresent();
        return ((Message.Text) m.get()).text();
    }

    private RawClient.Response rawUpgrade(WebSocketServer server, String target) throws IOException {
        RawClient c = new RawClient(server.port());
        clients.add(c);
        c.send(RawClient.upgradeRequest(server.port()).replace("GET /raw ", "GET " + target + " "));
        return c.readErrorResponse();
    }

    @Test
    void anExactRouteRunsItsHandler() throws Exception {
        WebSocketServer server = rooms();

        assertThat(greeting(server, "/chat")).isEqualTo("chat /chat {}");
    }

    @Test
    void aParameterRouteGivesTheSegmentsValueInPathParameters() throws Exception {
        WebSocketServer server = rooms();

        assertThat(greeting(server, "/rooms/lobby")).isEqualTo("room /rooms/lobby {room=lobby}");
        assertThat(greeting(server, "/rooms/kitchen/users/ada")).isEqualTo("user /rooms/kitchen/users/ada {room=kitchen, user=ada}");
    }

    @Test
    void anExactRouteWinsOverAPatternThatAlsoMatches() throws Exception {
        WebSocketServer server = rooms();

        assertThat(greeting(server, "/rooms/special")).isEqualTo("special /rooms/special {}");
    }

    @Test
    void theQueryStringPlaysNoPartInRouting() throws Exception {
        WebSocketServer server = rooms();

        assertThat(greeting(server, "/rooms/lobby?token=abc&x=1")).isEqualTo("room /rooms/lobby {room=lobby}");
    }

    @Test
    void anUnknownPathIsAnswered404BeforeAnyUpgrade() throws Exception {
        WebSocketServer server = rooms();

        RawClient.Response r = rawUpgrade(server, "/nowhere");

        assertThat(r.statusLine()).startsWith("HTTP/1.1 404");
        assertThat(r.headers()).doesNotContainKey("sec-websocket-accept").doesNotContainKey("upgrade");
        assertThat(r.body()).contains("/nowhere");
        assertThatThrownBy(() -> WebSocketClient.connect(URI.create(server.url() + "/nowhere")))
                .isInstanceOfSatisfying(HandshakeException.class, e -> assertThat(e.status()).isEqualTo(404));
        assertThat(handlersRun).hasValue(0);
        assertThat(server.connectionCount()).isZero();
    }

    @Test
    void aParameterMatchesExactlyOneNonEmptySegment() throws Exception {
        WebSocketServer server = rooms();

        assertThat(rawUpgrade(server, "/rooms/").statusLine()).startsWith("HTTP/1.1 404");
        assertThat(rawUpgrade(server, "/rooms").statusLine()).startsWith("HTTP/1.1 404");
        assertThat(rawUpgrade(server, "/rooms/a/b").statusLine()).startsWith("HTTP/1.1 404");
        assertThat(rawUpgrade(server, "/rooms/a/users/").statusLine()).startsWith("HTTP/1.1 404");
        assertThat(rawUpgrade(server, "/chat/extra").statusLine()).startsWith("HTTP/1.1 404");
        assertThat(handlersRun).hasValue(0);
    }

    @Test
    void theDefaultHandlerServesEveryPathThatNoRouteMatches() throws Exception {
        WebSocketServer server = start(WebSocketServer.builder()
                .route("/chat", says("chat"))
                .handler(says("default")));

        assertThat(greeting(server, "/chat")).isEqualTo("chat /chat {}");
        assertThat(greeting(server, "/anything/else")).isEqualTo("default /anything/else {}");
    }

    @Test
    void theRequestHookSeesTheMatchedRouteAndItsParameters() throws Exception {
        CompletableFuture<HandshakeRequest> seen = new CompletableFuture<>();
        WebSocketServer server = start(WebSocketServer.builder()
                .route("/rooms/{room}", says("room"))
                .requestHook(request -> {
                    seen.complete(request);
                    return HandshakeDecision.accept();
                }));

        greeting(server, "/rooms/attic?x=1");

        HandshakeRequest request = seen.get(5, TimeUnit.SECONDS);
        assertThat(request.route()).contains("/rooms/{room}");
        assertThat(request.pathParameters()).isEqualTo(Map.of("room", "attic"));
        assertThat(request.path()).isEqualTo("/rooms/attic");
        assertThat(request.queryParameter("x")).contains("1");
        assertThat(request.isUpgrade()).isTrue();
    }

    @Test
    void badRoutesAreRefusedWhenAdded() {
        WebSocketHandler h = ws -> {};

        assertThatThrownBy(() -> WebSocketServer.builder().route("chat", h)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WebSocketServer.builder().route("/rooms/{room", h)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WebSocketServer.builder().route("/rooms/x{room}", h)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WebSocketServer.builder().route("/rooms/{}", h)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WebSocketServer.builder().route("/chat", h).route("/chat", h))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WebSocketServer.builder().start()).isInstanceOf(IllegalStateException.class);
    }

    /** RFC 3986 §2.1: a bad escape never reaches the request hook, a route parameter or a handler. */
    @Test
    void aBadPercentEscapeIs400BeforeTheHookOrAnyRoute() throws Exception {
        AtomicInteger hookCalls = new AtomicInteger();
        WebSocketServer server = start(WebSocketServer.builder()
                .route("/rooms/{room}", says("room"))
                .handler(says("default"))
                .requestHook(request -> {
                    hookCalls.incrementAndGet();
                    return HandshakeDecision.accept();
                }));

        for (String target : List.of("/%00", "/%zz", "/rooms/%0a", "/rooms/a%", "/rooms/x?token=%00", "/%7F")) {
            RawClient.Response r = rawUpgrade(server, target);
            assertThat(r.statusLine()).as(target).startsWith("HTTP/1.1 400");
            assertThat(r.body()).as(target).containsAnyOf("malformed percent escape", "control character");
        }
        // A plain request too (the hook would answer it): refused before the hook runs.
        RawClient plain = new RawClient(server.port());
        clients.add(plain);
        plain.send("GET /%00 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(plain.readErrorResponse().statusLine()).startsWith("HTTP/1.1 400");

        assertThat(hookCalls).hasValue(0);
        assertThat(handlersRun).hasValue(0);
        // Their well-formed neighbours are served.
        assertThat(greeting(server, "/rooms/%20")).isEqualTo("room /rooms/%20 {room=%20}");
        assertThat(greeting(server, "/%7E")).isEqualTo("default /%7E {}");
    }
}
