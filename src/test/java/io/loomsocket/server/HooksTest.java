package io.loomsocket.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.handshake.HandshakeException;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The checks before the upgrade: the request hook (authentication by query token, bearer token
 * and HTTP Basic; plain HTTP answers; failures), the Origin allowlist and subprotocol choice.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class HooksTest {

    private final List<WebSocketServer> servers = new ArrayList<>();
    private final List<AutoCloseable> clients = new ArrayList<>();
    private final AtomicInteger handlersRun = new AtomicInteger();
    private final CompletableFuture<WebSocket> serverSide = new CompletableFuture<>();

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

    /** Sends the connection's "user" attribute, then waits for the client to close. */
    private final WebSocketHandler whoAmI = ws -> {
        handlersRun.incrementAndGet();
        serverSide.complete(ws);
        ws.sendText("user=" + ws.attributes().get("user"));
        for (Message ignored : ws) {
            // until the client closes
        }
    };

    private WebSocketServer start(WebSocketServer.Builder builder) throws IOException {
        WebSocketServer server = builder.host("127.0.0.1").port(0).closeTimeout(Duration.ofSeconds(2)).start();
        servers.add(server);
        return server;
    }

    private WebSocket connect(WebSocketClient.Builder options, WebSocketServer server, String target) throws IOException {
        WebSocket ws = options.connect(URI.create(server.url() + target));
        clients.add(ws);
        return ws;
    }

    private static String firstText(WebSocket ws) throws Exception {
        Optional<DataMessage> m = ws.receive(Duration.ofSeconds(5));
        assertThat(m).isPresent();
        return ((Message.Text) m.get()).text();
    }

    /** The status of the server's refusal, as our client reports it. */
    private int refusal(WebSocketClient.Builder options, WebSocketServer server, String target) {
        Throwable t = catchThrowable(() -> connect(options, server, target));
        assertThat(t).as("the handshake is refused").isInstanceOf(HandshakeException.class);
        return ((HandshakeException) t).status();
    }

    /** Sends {@code request} on a raw socket and reads the whole answer (the server closes after it). */
    private RawClient.Response raw(WebSocketServer server, String request) throws IOException {
        RawClient c = new RawClient(server.port());
        clients.add(c);
        c.send(request);
        return c.readErrorResponse();
    }

    private static String upgrade(String target, String... extraHeaderLines) {
        StringBuilder r = new StringBuilder(RawClient.upgradeRequest(1).replace("GET /raw ", "GET " + target + " "));
        r.setLength(r.length() - 2); // before the blank line
        for (String h : extraHeaderLines) {
            r.append(h).append("\r\n");
        }
        return r.append("\r\n").toString();
    }

    @Nested
    class QueryToken {

        private WebSocketServer server() throws IOException {
            return start(WebSocketServer.builder().handler(whoAmI).requestHook(request -> {
                Optional<String> token = request.queryParameter("token");
                if (token.isEmpty()) {
                    return HandshakeDecision.reject(401, "missing token");
                }
                return switch (token.get()) {
                    case "t-alice" -> HandshakeDecision.accept(Map.of("user", "alice"));
                    case "t-mallory" -> HandshakeDecision.reject(403, "banned");
                    default -> HandshakeDecision.reject(401, "invalid token");
                };
            }));
        }

        @Test
        void aValidTokenIsAcceptedAndTheHooksAttributesReachTheConnection() throws Exception {
            WebSocketServer server = server();

            WebSocket ws = connect(WebSocketClient.builder(), server, "/?token=t-alice");

            assertThat(firstText(ws)).isEqualTo("user=alice");
            assertThat(serverSide.get(5, TimeUnit.SECONDS).attributes()).containsEntry("user", "alice");
        }

        @Test
        void aMissingOrUnknownTokenIs401AndAForbiddenOneIs403NoHandlerRuns() throws Exception {
            WebSocketServer server = server();

            assertThat(refusal(WebSocketClient.builder(), server, "/")).isEqualTo(401);
            assertThat(refusal(WebSocketClient.builder(), server, "/?token=nope")).isEqualTo(401);
            assertThat(refusal(WebSocketClient.builder(), server, "/?token=t-mallory")).isEqualTo(403);
            RawClient.Response r = raw(server, upgrade("/?token=nope"));
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 401 Unauthorized");
            assertThat(r.body()).isEqualTo("invalid token\n");
            assertThat(r.headers()).doesNotContainKey("sec-websocket-accept");
            assertThat(handlersRun).hasValue(0);
            assertThat(server.connectionCount()).isZero();
        }

        @Test
        void aPercentEncodedTokenIsDecodedBeforeTheHookSeesIt() throws Exception {
            CompletableFuture<String> seen = new CompletableFuture<>();
            WebSocketServer server = start(WebSocketServer.builder().handler(whoAmI).requestHook(request -> {
                seen.complete(request.queryParameter("token").orElse(null));
                return HandshakeDecision.accept(Map.of("user", request.queryParameter("token").orElseThrow()));
            }));

            WebSocket ws = connect(WebSocketClient.builder(), server, "/?token=a%2Bb%20c");

            assertThat(seen.get(5, TimeUnit.SECONDS)).isEqualTo("a+b c");
            assertThat(firstText(ws)).isEqualTo("user=a+b c");
        }
    }

    @Nested
    class BearerToken {

        private WebSocketServer server() throws IOException {
            return start(WebSocketServer.builder().handler(whoAmI).requestHook(request -> {
                Optional<String> auth = request.headers().first("Authorization");
                if (auth.isEmpty() || !auth.get().startsWith("Bearer ")) {
                    return HandshakeDecision.reject(401, "bearer token required");
                }
                String token = auth.get().substring("Bearer ".length());
                return token.equals("secret-bob")
                        ? HandshakeDecision.accept(Map.of("user", "bob", "scopes", List.of("read")))
                        : HandshakeDecision.reject(403, "token not allowed");
            }));
        }

        @Test
        void aValidBearerTokenIsAcceptedWithItsAttributes() throws Exception {
            WebSocketServer server = server();

            WebSocket ws = connect(WebSocketClient.builder().header("Authorization", "Bearer secret-bob"), server, "/");

            assertThat(firstText(ws)).isEqualTo("user=bob");
            WebSocket s = serverSide.get(5, TimeUnit.SECONDS);
            assertThat(s.attributes()).containsEntry("user", "bob").containsEntry("scopes", List.of("read"));
            assertThat(s.request()).hasValueSatisfying(head ->
                    assertThat(head.headers().first("Authorization")).contains("Bearer secret-bob"));
        }

        @Test
        void noHeaderIs401AndAWrongTokenIs403() throws Exception {
            WebSocketServer server = server();

            assertThat(refusal(WebSocketClient.builder(), server, "/")).isEqualTo(401);
            assertThat(refusal(WebSocketClient.builder().header("Authorization", "Bearer guess"), server, "/")).isEqualTo(403);
            assertThat(handlersRun).hasValue(0);
        }

        @Test
        void theApplicationMayAddItsOwnAttributesNextToTheHooks() throws Exception {
            WebSocketServer server = server();
            connect(WebSocketClient.builder().header("Authorization", "Bearer secret-bob"), server, "/");
            WebSocket s = serverSide.get(5, TimeUnit.SECONDS);

            s.attributes().put("room", "lobby");

            assertThat(s.attributes()).containsEntry("user", "bob").containsEntry("room", "lobby");
        }
    }

    @Nested
    class BasicAuth {

        private static final Map<String, String> PASSWORDS = Map.of("carol", "wonderland", "dave", "hunter2");

        private WebSocketServer server() throws IOException {
            return start(WebSocketServer.builder().handler(whoAmI).requestHook(request -> {
                HandshakeDecision challenge = new HandshakeDecision.Respond(401, "text/plain; charset=utf-8",
                        "log in\n".getBytes(StandardCharsets.UTF_8), Map.of("WWW-Authenticate", "Basic realm=\"loomsocket\""));
                Optional<String> auth = request.headers().first("Authorization");
                if (auth.isEmpty() || !auth.get().startsWith("Basic ")) {
                    return challenge;
                }
                String decoded = new String(Base64.getDecoder().decode(auth.get().substring(6)), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                String user = decoded.substring(0, colon);
                if (!decoded.substring(colon + 1).equals(PASSWORDS.get(user))) {
                    return challenge;
                }
                return user.equals("dave") ? HandshakeDecision.reject(403, "dave may not chat")
                        : HandshakeDecision.accept(Map.of("user", user));
            }));
        }

        private static String basic(String user, String password) {
            return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        }

        @Test
        void rightCredentialsAreAcceptedWithTheUserAsAnAttribute() throws Exception {
            WebSocketServer server = server();

            WebSocket ws = connect(WebSocketClient.builder().header("Authorization", basic("carol", "wonderland")), server, "/");

            assertThat(firstText(ws)).isEqualTo("user=carol");
        }

        @Test
        void missingOrWrongCredentialsGet401WithABasicChallenge() throws Exception {
            WebSocketServer server = server();

            for (String request : List.of(upgrade("/"), upgrade("/", "Authorization: " + basic("carol", "wrong")))) {
                RawClient.Response r = raw(server, request);
                assertThat(r.statusLine()).isEqualTo("HTTP/1.1 401 Unauthorized");
                assertThat(r.headers()).containsEntry("www-authenticate", "Basic realm=\"loomsocket\"");
                assertThat(r.body()).isEqualTo("log in\n");
            }
            assertThat(refusal(WebSocketClient.builder(), server, "/")).isEqualTo(401);
            assertThat(handlersRun).hasValue(0);
        }

        @Test
        void aKnownUserWhoMayNotConnectGets403() throws Exception {
            WebSocketServer server = server();

            assertThat(refusal(WebSocketClient.builder().header("Authorization", basic("dave", "hunter2")), server, "/"))
                    .isEqualTo(403);
        }
    }

    @Nested
    class PlainHttpAndFailures {

        @Test
        void theHookAnswersAPlainGetItselfLikeAHealthCheck() throws Exception {
            WebSocketServer server = start(WebSocketServer.builder().handler(whoAmI).requestHook(request ->
                    request.path().equals("/health") && !request.isUpgrade()
                            ? HandshakeDecision.respond(200, "text/plain", "ok".getBytes(StandardCharsets.UTF_8))
                            : HandshakeDecision.accept()));

            RawClient.Response r = raw(server, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(r.headers()).containsEntry("content-type", "text/plain").containsEntry("content-length", "2")
                    .containsEntry("connection", "close");
            assertThat(r.body()).isEqualTo("ok");
            // The same server still upgrades WebSocket requests.
            assertThat(firstText(connect(WebSocketClient.builder(), server, "/"))).isEqualTo("user=null");
        }

        @Test
        void aPlainGetTheHookLetsThroughIsStillABadRequest() throws Exception {
            WebSocketServer server = start(WebSocketServer.builder().handler(whoAmI).requestHook(request -> HandshakeDecision.accept()));

            RawClient.Response r = raw(server, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

            assertThat(r.statusLine()).startsWith("HTTP/1.1 400");
        }

        @Test
        void aHookThatThrowsIsAnswered500AndTheServerGoesOn() throws Exception {
            WebSocketServer server = start(WebSocketServer.builder().handler(whoAmI).requestHook(request -> {
                if (request.queryParameter("boom").isPresent()) {
                    throw new IllegalStateException("token store unreachable (HooksTest, on purpose)");
                }
                return HandshakeDecision.accept(Map.of("user", "ok"));
            }));

            RawClient.Response r = raw(server, upgrade("/?boom"));

            assertThat(r.statusLine()).startsWith("HTTP/1.1 500");
            assertThat(r.body()).as("internals stay in the log").doesNotContain("token store");
            assertThat(refusal(WebSocketClient.builder(), server, "/?boom")).isEqualTo(500);
            assertThat(firstText(connect(WebSocketClient.builder(), server, "/"))).isEqualTo("user=ok");
        }

        @Test
        void aHookMayRejectWithAnyStatusAndItsOwnHeaders() throws Exception {
            WebSocketServer server = start(WebSocketServer.builder().handler(whoAmI).requestHook(request ->
                    new HandshakeDecision.Respond(429, "text/plain", "slow down\n".getBytes(StandardCharsets.UTF_8),
                            Map.of("Retry-After", "30"))));

            RawClient.Response r = raw(server, upgrade("/"));

            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 429 Too Many Requests");
            assertThat(r.headers()).containsEntry("retry-after", "30");
            assertThat(r.body()).isEqualTo("slow down\n");
        }

        /**
         * A Respond whose header holds CR or LF is refused when the response is written (no header
         * injection). That is a failure of the hook, like a hook that throws: the client should get
         * a 500, not a connection closed without a word.
         */
        @Test
        void aHookAnswerWithAnInjectedHeaderIsA500NotASilentDisconnect() throws Exception {
            WebSocketServer server = start(WebSocketServer.builder().handler(whoAmI).requestHook(request ->
                    new HandshakeDecision.Respond(401, "text/plain", new byte[0],
                            Map.of("WWW-Authenticate", "Basic\r\nSet-Cookie: evil=1"))));

            RawClient.Response r = raw(server, upgrade("/"));

            assertThat(r.statusLine()).startsWith("HTTP/1.1 500");
            assertThat(r.headers()).doesNotContainKey("set-cookie");
        }

        /** A hook that returns no decision has failed too: 500, as for a hook that throws. */
        @Test
        void aHookThatReturnsNoDecisionIsA500NotASilentDisconnect() throws Exception {
            WebSocketServer server = start(WebSocketServer.builder().handler(whoAmI).requestHook(request -> null));

            RawClient.Response r = raw(server, upgrade("/"));

            assertThat(r.statusLine()).startsWith("HTTP/1.1 500");
        }

        @Test
        void aRespondDecisionRefusesStatusesThatAreNotAnAnswer() {
            assertThatThrownBy(() -> HandshakeDecision.respond(101, "text/plain", new byte[0]))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> HandshakeDecision.respond(199, "text/plain", new byte[0]))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> HandshakeDecision.reject(600, "no")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class OriginAllowlist {

        private WebSocketServer server() throws IOException {
            return start(WebSocketServer.builder().handler(whoAmI).allowedOrigins("https://app.example", "http://localhost:3000"));
        }

        @Test
        void anAllowedOriginIsAccepted() throws Exception {
            WebSocketServer server = server();

            WebSocket ws = connect(WebSocketClient.builder().header("Origin", "https://app.example"), server, "/");

            assertThat(firstText(ws)).startsWith("user=");
            assertThat(firstText(connect(WebSocketClient.builder().header("Origin", "http://localhost:3000"), server, "/")))
                    .startsWith("user=");
        }

        @Test
        void anotherOriginIs403() throws Exception {
            WebSocketServer server = server();

            assertThat(refusal(WebSocketClient.builder().header("Origin", "https://evil.example"), server, "/")).isEqualTo(403);
            assertThat(refusal(WebSocketClient.builder().header("Origin", "https://app.example.evil.example"), server, "/"))
                    .isEqualTo(403);
            assertThat(handlersRun).hasValue(0);
        }

        @Test
        void noOriginAtAllIs403WhenAnAllowlistIsSet() throws Exception {
            WebSocketServer server = server();

            RawClient.Response r = raw(server, upgrade("/"));

            assertThat(r.statusLine()).startsWith("HTTP/1.1 403");
            assertThat(handlersRun).hasValue(0);
        }

        @Test
        void withoutAnAllowlistAnyOriginAndNoneAreAccepted() throws Exception {
            WebSocketServer server = start(WebSocketServer.builder().handler(whoAmI));

            assertThat(firstText(connect(WebSocketClient.builder().header("Origin", "https://anywhere.example"), server, "/")))
                    .startsWith("user=");
            assertThat(firstText(connect(WebSocketClient.builder(), server, "/"))).startsWith("user=");
        }
    }

    @Nested
    class SubprotocolChoice {

        private WebSocketServer server(boolean required) throws IOException {
            return start(WebSocketServer.builder().handler(whoAmI).subprotocols(List.of("chat.v2", "chat.v1"), required));
        }

        @Test
        void theServerPicksTheClientsFirstOfferThatItSupports() throws Exception {
            WebSocketServer server = server(true);

            WebSocket client = connect(WebSocketClient.builder().subprotocol("chat.v3").subprotocol("chat.v1").subprotocol("chat.v2"),
                    server, "/");

            assertThat(client.subprotocol()).contains("chat.v1");
            assertThat(serverSide.get(5, TimeUnit.SECONDS).subprotocol()).contains("chat.v1");
        }

        @Test
        void aRequiredSubprotocolThatIsMissingOrUnsupportedIs400() throws Exception {
            WebSocketServer server = server(true);

            assertThat(refusal(WebSocketClient.builder(), server, "/")).isEqualTo(400);
            assertThat(refusal(WebSocketClient.builder().subprotocol("chat.v3"), server, "/")).isEqualTo(400);
            RawClient.Response r = raw(server, upgrade("/"));
            assertThat(r.statusLine()).startsWith("HTTP/1.1 400");
            assertThat(r.body()).contains("chat.v2").contains("chat.v1");
            assertThat(handlersRun).hasValue(0);
        }

        @Test
        void anOptionalSubprotocolThatIsMissingOrUnsupportedIsAcceptedWithNone() throws Exception {
            WebSocketServer server = server(false);

            WebSocket none = connect(WebSocketClient.builder(), server, "/");
            assertThat(firstText(none)).startsWith("user=");
            assertThat(none.subprotocol()).isEmpty();
            assertThat(serverSide.get(5, TimeUnit.SECONDS).subprotocol()).isEmpty();

            WebSocket unsupported = connect(WebSocketClient.builder().subprotocol("chat.v3"), server, "/");
            assertThat(firstText(unsupported)).startsWith("user=");
            assertThat(unsupported.subprotocol()).isEmpty();
        }

        @Test
        void theChosenSubprotocolIsInThe101AndNothingElseIs() throws Exception {
            WebSocketServer server = server(false);
            RawClient c = new RawClient(server.port());
            clients.add(c);

            c.send(upgrade("/", "Sec-WebSocket-Protocol: chat.v3, chat.v2"));
            RawClient.Response r = c.readResponseHead();

            assertThat(r.statusLine()).startsWith("HTTP/1.1 101");
            assertThat(r.headers()).containsEntry("sec-websocket-protocol", "chat.v2");
        }
    }
}
