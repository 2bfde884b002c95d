package io.loomsocket.examples;

import static io.loomsocket.examples.Harness.nextText;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.server.WebSocketServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JSON chat against our own client, message by message, with the exact text on the wire: the
 * seed's {@code json.dumps} format ({@code ", "}, {@code ": "}, {@code ensure_ascii}).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JsonChatAppTest {

    static final String HANDSHAKE = "{\"type\": \"handshake\"}";

    private final Harness harness = new Harness();
    private JsonChatApp app;
    private WebSocketServer server;

    @AfterEach
    void cleanUp() throws Exception {
        harness.close();
    }

    void start(JsonChatApp.Variant variant) throws Exception {
        app = new JsonChatApp(variant);
        server = harness.start(app.configure(WebSocketServer.builder()));
    }

    /** Connects; the first message is the handshake. */
    WebSocket connect() throws Exception {
        WebSocket ws = harness.connect(server, "/chat");
        assertThat(nextText(ws)).isEqualTo(HANDSHAKE);
        return ws;
    }

    static void send(WebSocket ws, Object... keysAndValues) throws Exception {
        ws.sendText(Json.write(Json.object(keysAndValues)));
    }

    static String error(String content) {
        return "{\"type\": \"error\", \"content\": " + Json.quotePython(content) + "}";
    }

    static String login(String content, String... users) {
        return "{\"type\": \"login\", \"content\": " + Json.quotePython(content) + ", \"user_list\": "
                + Json.writePython(List.of(users)) + "}";
    }

    static String logout(String content, String... users) {
        return "{\"type\": \"logout\", \"content\": " + Json.quotePython(content) + ", \"user_list\": "
                + Json.writePython(List.of(users)) + "}";
    }

    static String user(String content, String from) {
        return "{\"type\": \"user\", \"content\": " + Json.quotePython(content) + ", \"from\": " + Json.quotePython(from) + "}";
    }

    /**
     * Proves that nothing else is queued for {@code ws}: it asks for an error and that error is the
     * next message. Anything the server queued for it before (by an earlier step whose own answer
     * the test has seen) would come first: a connection's messages go out in the order queued.
     */
    static void assertNothingQueued(WebSocket ws) throws Exception {
        send(ws, "type", "probe");
        assertThat(nextText(ws)).as("the probe's error, nothing before it").startsWith(
                "{\"type\": \"error\", \"content\": \"unknown type \\\"probe\\\"");
    }

    @Nested
    class ServerWs {

        @org.junit.jupiter.api.BeforeEach
        void startServerWs() throws Exception {
            start(JsonChatApp.Variant.SERVER_WS);
        }

        WebSocket join(String uuid, String content) throws Exception {
            WebSocket ws = connect();
            send(ws, "type", "register", "uuid", uuid, "content", content);
            assertThat(nextText(ws)).startsWith("{\"type\": \"login\", \"content\": " + Json.quotePython(content));
            return ws;
        }

        @Test
        void theHandshakeComesFirstAndARegisterIsALoginWithTheUserList() throws Exception {
            WebSocket ann = harness.connect(server, "/chat");
            assertThat(nextText(ann)).isEqualTo("{\"type\": \"handshake\"}");

            ann.sendText("{\"type\":\"register\",\"uuid\":\"u-ann\",\"content\":\"Ann joined\"}");

            assertThat(nextText(ann)).isEqualTo("{\"type\": \"login\", \"content\": \"Ann joined\", \"user_list\": [\"u-ann\"]}");
            assertThat(app.userList()).containsExactly("u-ann");
        }

        @Test
        void everyRegisteredConnectionHearsALoginInRegistrationOrder() throws Exception {
            WebSocket ann = join("u-ann", "Ann joined");
            WebSocket bob = join("u-bob", "Bob joined");
            assertThat(nextText(ann)).isEqualTo(login("Bob joined", "u-ann", "u-bob"));

            WebSocket cat = join("u-cat", "Cat joined");

            for (WebSocket ws : List.of(ann, bob)) {
                assertThat(nextText(ws)).isEqualTo(login("Cat joined", "u-ann", "u-bob", "u-cat"));
            }
            assertNothingQueued(cat);
            assertThat(app.userList()).containsExactly("u-ann", "u-bob", "u-cat");
        }

        @Test
        void aConnectionWithSeveralUuidsGetsEachMessageOnceAndRegisteringAgainKeepsThePlace() throws Exception {
            WebSocket multi = join("u-1", "one");
            WebSocket other = join("u-2", "two");
            assertThat(nextText(multi)).isEqualTo(login("two", "u-1", "u-2"));

            send(multi, "type", "register", "uuid", "u-3", "content", "three");
            for (WebSocket ws : List.of(multi, other)) {
                assertThat(nextText(ws)).isEqualTo(login("three", "u-1", "u-2", "u-3"));
            }
            send(multi, "type", "register", "uuid", "u-1", "content", "one again");
            for (WebSocket ws : List.of(multi, other)) {
                assertThat(nextText(ws)).isEqualTo(login("one again", "u-1", "u-2", "u-3"));
            }
            assertNothingQueued(multi);
            assertNothingQueued(other);
        }

        @Test
        void aSendGoesToEveryRegisteredConnectionFromTheSendersFirstUuid() throws Exception {
            WebSocket ann = join("u-ann", "Ann joined");
            WebSocket bob = join("u-bob", "Bob joined");
            nextText(ann); // Bob's login
            send(bob, "type", "register", "uuid", "u-bob-2", "content", "second uuid");
            nextText(ann);
            nextText(bob);

            send(bob, "type", "send", "content", "hello \"Ann\" 你好 😀");

            String expected = "{\"type\": \"user\", \"content\": \"hello \\\"Ann\\\" \\u4f60\\u597d \\ud83d\\ude00\", \"from\": \"u-bob\"}";
            assertThat(nextText(ann)).isEqualTo(expected);
            assertThat(nextText(bob)).isEqualTo(expected);
        }

        @Test
        void anUnregisteredSenderIs404AndDoesNotHearItsOwnMessage() throws Exception {
            WebSocket ann = join("u-ann", "Ann joined");
            WebSocket stranger = connect();

            send(stranger, "type", "send", "content", "who am I?");

            assertThat(nextText(ann)).isEqualTo(user("who am I?", "404"));
            assertNothingQueued(stranger);
        }

        @Test
        void anUnregisterIsALogoutForTheRemainingConnectionsOnly() throws Exception {
            WebSocket ann = join("u-ann", "Ann joined");
            WebSocket bob = join("u-bob", "Bob joined");
            nextText(ann);

            send(bob, "type", "unregister", "uuid", "u-bob", "content", "Bob left");

            assertThat(nextText(ann)).isEqualTo(logout("Bob left", "u-ann"));
            assertNothingQueued(bob);
            // No longer registered: Bob's messages are from "404", and he does not get them.
            send(bob, "type", "send", "content", "still here");
            assertThat(nextText(ann)).isEqualTo(user("still here", "404"));
            assertNothingQueued(bob);
            assertThat(app.userList()).containsExactly("u-ann");
        }

        @Test
        void anEmptyRoomSendsNothingWhereTheSeedCrashes() throws Exception {
            WebSocket ann = join("u-ann", "Ann joined");

            send(ann, "type", "unregister", "uuid", "u-ann", "content", "bye");
            assertNothingQueued(ann); // no logout: nobody remains
            send(ann, "type", "send", "content", "anyone?");
            assertNothingQueued(ann); // nobody registered: nobody to send to

            assertThat(app.userList()).isEmpty();
        }

        @Test
        void aDisconnectIsALogoutPerUuidItHeld() throws Exception {
            WebSocket ann = join("u-ann", "Ann joined");
            WebSocket bob = join("u-bob", "Bob joined");
            nextText(ann);
            send(bob, "type", "register", "uuid", "u-bob-2", "content", "again");
            nextText(ann);
            nextText(bob);

            bob.close();

            assertThat(nextText(ann)).isEqualTo(logout("u-bob left", "u-ann", "u-bob-2"));
            assertThat(nextText(ann)).isEqualTo(logout("u-bob-2 left", "u-ann"));
            assertNothingQueued(ann);
            assertThat(app.userList()).containsExactly("u-ann");
        }

        @Test
        void aUuidHeldByAnotherOpenConnectionIsRefusedAndFreeOnceItHasLeft() throws Exception {
            WebSocket ann = join("u-ann", "Ann joined");
            WebSocket impostor = connect();

            send(impostor, "type", "register", "uuid", "u-ann", "content", "me too");
            assertThat(nextText(impostor)).isEqualTo(error("register: uuid \"u-ann\" is registered by another connection"));
            send(impostor, "type", "unregister", "uuid", "u-ann", "content", "go away");
            assertThat(nextText(impostor)).isEqualTo(error("unregister: uuid \"u-ann\" is registered by another connection"));
            assertNothingQueued(ann);
            assertThat(app.userList()).containsExactly("u-ann");

            WebSocket watcher = connect();
            send(watcher, "type", "presence");
            nextText(watcher);
            ann.close();
            assertThat(nextText(watcher)).isEqualTo(logout("u-ann left"));
            send(impostor, "type", "register", "uuid", "u-ann", "content", "mine now");
            assertThat(nextText(impostor)).isEqualTo(login("mine now", "u-ann"));
        }

        @Test
        void presenceAnswersTheListAndThenLoginsAndLogoutsButNotMessages() throws Exception {
            WebSocket ann = join("u-ann", "Ann joined");
            WebSocket page = connect();

            send(page, "type", "presence");
            assertThat(nextText(page)).isEqualTo("{\"type\": \"presence\", \"user_list\": [\"u-ann\"]}");

            WebSocket bob = join("u-bob", "Bob joined");
            assertThat(nextText(page)).isEqualTo(login("Bob joined", "u-ann", "u-bob"));
            send(bob, "type", "send", "content", "hi");
            assertThat(nextText(ann)).isEqualTo(login("Bob joined", "u-ann", "u-bob"));
            assertThat(nextText(ann)).isEqualTo(user("hi", "u-bob"));
            send(bob, "type", "unregister", "uuid", "u-bob", "content", "Bob left");
            assertThat(nextText(page)).as("the logout, and no user message before it").isEqualTo(logout("Bob left", "u-ann"));

            // Registered too: each message once, and now the user messages as well.
            send(page, "type", "register", "uuid", "u-page", "content", "page joined");
            assertThat(nextText(page)).isEqualTo(login("page joined", "u-ann", "u-page"));
            send(ann, "type", "send", "content", "hello page");
            assertThat(nextText(page)).isEqualTo(user("hello page", "u-ann"));
            assertNothingQueued(page);
        }

        @Test
        void presenceInAnEmptyRoomIsAnEmptyList() throws Exception {
            WebSocket page = connect();

            send(page, "type", "presence");

            assertThat(nextText(page)).isEqualTo("{\"type\": \"presence\", \"user_list\": []}");
        }

        @Test
        void badMessagesAreAnsweredWithAnErrorNamingTheProblemAndTheConnectionStaysOpen() throws Exception {
            WebSocket ws = connect();
            Map<String, String> cases = new java.util.LinkedHashMap<>();
            cases.put("{not json", "invalid JSON at offset 1: expected a string key");
            cases.put("[1,2]", "a message must be a JSON object, like {\"type\": \"send\", \"content\": \"hi\"}");
            cases.put("{\"content\":\"no type\"}", "a message needs a string \"type\": register, send or unregister");
            cases.put("{\"type\":7}", "a message needs a string \"type\": register, send or unregister");
            cases.put("{\"type\":\"dance\"}", "unknown type \"dance\"; expected register, send, unregister or presence");
            cases.put("{\"type\":\"" + "x".repeat(100) + "\"}",
                    "unknown type \"" + "x".repeat(64) + "...\"; expected register, send, unregister or presence");
            cases.put("{\"type\":\"register\",\"content\":\"c\"}", "register needs a string \"uuid\" (it was missing)");
            cases.put("{\"type\":\"register\",\"uuid\":42,\"content\":\"c\"}", "register needs a string \"uuid\" (it was not a string)");
            cases.put("{\"type\":\"register\",\"uuid\":\"\",\"content\":\"c\"}", "register needs a \"uuid\" of 1 to 64 characters (it had 0)");
            cases.put("{\"type\":\"register\",\"uuid\":\"" + "u".repeat(65) + "\",\"content\":\"c\"}",
                    "register needs a \"uuid\" of 1 to 64 characters (it had 65)");
            cases.put("{\"type\":\"register\",\"uuid\":\"u-1\"}", "register needs a string \"content\" (it was missing)");
            cases.put("{\"type\":\"send\"}", "send needs a string \"content\" (it was missing)");
            cases.put("{\"type\":\"send\",\"content\":null}", "send needs a string \"content\" (it was not a string)");
            cases.put("{\"type\":\"unregister\",\"uuid\":\"u-1\"}", "unregister needs a string \"content\" (it was missing)");
            cases.put("{\"type\":\"unregister\",\"content\":\"c\"}", "unregister needs a string \"uuid\" (it was missing)");
            cases.put("{\"type\":\"unregister\",\"uuid\":\"nobody\",\"content\":\"c\"}", "unregister: uuid \"nobody\" is not registered");
            for (Map.Entry<String, String> c : cases.entrySet()) {
                ws.sendText(c.getKey());
                assertThat(nextText(ws)).as(c.getKey()).isEqualTo(error(c.getValue()));
            }
            ws.sendBinary(new byte[] {'{', '}'});
            assertThat(nextText(ws)).isEqualTo(error("binary messages are not supported; send JSON text"));

            send(ws, "type", "register", "uuid", "u-1", "content", "still open");
            assertThat(nextText(ws)).isEqualTo(login("still open", "u-1"));
        }

        @Test
        void aConnectionMayHoldAtMostSixteenUuids() throws Exception {
            WebSocket ws = connect();
            List<String> uuids = new ArrayList<>();
            for (int i = 1; i <= JsonChatRoom.MAX_UUIDS_PER_CONNECTION; i++) {
                uuids.add("u-" + i);
                send(ws, "type", "register", "uuid", "u-" + i, "content", "c");
                assertThat(nextText(ws)).isEqualTo(login("c", uuids.toArray(String[]::new)));
            }

            send(ws, "type", "register", "uuid", "u-17", "content", "c");

            assertThat(nextText(ws)).isEqualTo(error("register: a connection may hold at most 16 uuids"));
            send(ws, "type", "register", "uuid", "u-16", "content", "again"); // one it holds: fine
            assertThat(nextText(ws)).isEqualTo(login("again", uuids.toArray(String[]::new)));
        }

        @Test
        void everyConnectionSeesConcurrentLoginsInOneOrderEachListExtendingTheLast() throws Exception {
            int n = 12;
            WebSocket page = connect();
            send(page, "type", "presence");
            assertThat(nextText(page)).isEqualTo("{\"type\": \"presence\", \"user_list\": []}");
            List<WebSocket> clients = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                clients.add(connect());
            }
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                WebSocket ws = clients.get(i);
                String uuid = "u-" + i;
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        go.await();
                        send(ws, "type", "register", "uuid", uuid, "content", uuid + " joined");
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            go.countDown();
            for (Thread t : threads) {
                assertThat(t.join(java.time.Duration.ofSeconds(10))).isTrue();
            }

            List<String> order = new ArrayList<>(); // the page sees every login
            for (int i = 0; i < n; i++) {
                Map<String, Object> m = Json.parseObject(nextText(page));
                @SuppressWarnings("unchecked")
                List<String> list = (List<String>) m.get("user_list");
                assertThat(list).as("each list is the last one and the newcomer").hasSize(i + 1);
                assertThat(list.subList(0, i)).isEqualTo(order);
                order.add(list.get(i));
                assertThat(m.get("content")).isEqualTo(list.get(i) + " joined");
            }
            // Each client sees the same events from its own login on, in the same order.
            for (int i = 0; i < n; i++) {
                String uuid = "u-" + i;
                int from = order.indexOf(uuid);
                for (int k = from; k < n; k++) {
                    assertThat(nextText(clients.get(i))).isEqualTo(login(order.get(k) + " joined",
                            order.subList(0, k + 1).toArray(String[]::new)));
                }
                assertNothingQueued(clients.get(i));
            }
            assertThat(app.userList()).isEqualTo(order);
        }
    }

    @Nested
    class WsServer {

        @org.junit.jupiter.api.BeforeEach
        void startWsServer() throws Exception {
            start(JsonChatApp.Variant.WS_SERVER);
        }

        @Test
        void everyMessageIsFirstEchoedAsGetMessageThenAnsweredToTheSenderAlone() throws Exception {
            WebSocket ann = connect();
            WebSocket bob = connect();

            String register = "{\"type\":\"register\",\"uuid\":\"u-ann\",\"content\":\"Ann 加入\"}";
            ann.sendText(register);
            assertThat(nextText(ann)).isEqualTo("Get message: " + register);
            assertThat(nextText(ann)).isEqualTo("{\"type\": \"register\", \"content\": \"Ann \\u52a0\\u5165\", \"user_list\": [\"u-ann\"]}");

            String send = "{\"type\":\"send\",\"content\":\"hi\"}";
            bob.sendText(send);
            assertThat(nextText(bob)).isEqualTo("Get message: " + send);
            assertThat(nextText(bob)).isEqualTo("{\"type\": \"send\", \"content\": \"hi\", \"from\": \"404\"}");
            ann.sendText(send);
            assertThat(nextText(ann)).isEqualTo("Get message: " + send);
            assertThat(nextText(ann)).isEqualTo("{\"type\": \"send\", \"content\": \"hi\", \"from\": \"u-ann\"}");

            bob.sendText("{\"type\":\"register\",\"uuid\":\"u-bob\",\"content\":\"Bob\"}");
            nextText(bob);
            assertThat(nextText(bob)).isEqualTo("{\"type\": \"register\", \"content\": \"Bob\", \"user_list\": [\"u-ann\", \"u-bob\"]}");

            String unregister = "{\"type\":\"unregister\",\"uuid\":\"u-ann\"}"; // no content needed here
            ann.sendText(unregister);
            assertThat(nextText(ann)).isEqualTo("Get message: " + unregister);

            // Nobody heard of the others: Ann's next message is the answer to her probe.
            ann.sendText("{\"type\":\"probe\"}");
            assertThat(nextText(ann)).isEqualTo("Get message: {\"type\":\"probe\"}");
            assertThat(nextText(ann)).isEqualTo(error("unknown type \"probe\"; expected register, send or unregister"));
            assertThat(app.userList()).as("the unregister, done before the probe").containsExactly("u-bob");
        }

        @Test
        void errorsFollowTheGetMessageAndTheConnectionStaysOpen() throws Exception {
            WebSocket ws = connect();

            for (String bad : List.of("not json", "{\"type\":\"presence\"}", "{\"type\":\"unregister\",\"uuid\":\"ghost\"}",
                    "{\"type\":\"send\"}")) {
                ws.sendText(bad);
                assertThat(nextText(ws)).isEqualTo("Get message: " + bad);
                assertThat(nextText(ws)).as(bad).startsWith("{\"type\": \"error\", \"content\": ");
            }
            ws.sendBinary(new byte[] {1});
            assertThat(nextText(ws)).as("binary: an error, no Get message").isEqualTo(
                    error("binary messages are not supported; send JSON text"));

            ws.sendText("{\"type\":\"register\",\"uuid\":\"u-1\",\"content\":\"ok\"}");
            nextText(ws);
            assertThat(nextText(ws)).isEqualTo("{\"type\": \"register\", \"content\": \"ok\", \"user_list\": [\"u-1\"]}");
        }

        @Test
        void aClosedConnectionsUuidIsFreeAndNobodyIsTold() throws Exception {
            WebSocket ann = connect();
            WebSocket bob = connect();
            ann.sendText("{\"type\":\"register\",\"uuid\":\"u-ann\",\"content\":\"a\"}");
            nextText(ann);
            nextText(ann);

            ann.close();
            assertThat(ann.awaitClosed(Harness.WAIT)).isTrue();

            // u-ann is free: its connection is closed (cleaned up or about to be). Bob heard nothing.
            bob.sendText("{\"type\":\"register\",\"uuid\":\"u-ann\",\"content\":\"b\"}");
            assertThat(nextText(bob)).startsWith("Get message: ");
            assertThat(nextText(bob)).isEqualTo("{\"type\": \"register\", \"content\": \"b\", \"user_list\": [\"u-ann\"]}");
        }
    }

    @Test
    void theVariantIsNamedAsOnTheCommandLine() {
        assertThat(JsonChatApp.Variant.of("ws-server")).isEqualTo(JsonChatApp.Variant.WS_SERVER);
        assertThat(JsonChatApp.Variant.of("server-ws")).isEqualTo(JsonChatApp.Variant.SERVER_WS);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> JsonChatApp.Variant.of("wsserver"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--variant must be server-ws or ws-server: wsserver");
        assertThat(new JsonChatApp().variant()).isEqualTo(JsonChatApp.Variant.SERVER_WS);
    }
}
