package io.loomsocket.examples;

import static io.loomsocket.examples.Harness.nextJson;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.server.WebSocketServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class JsonChatAppTest {

    private final Harness harness = new Harness();
    private final JsonChatApp app = new JsonChatApp();
    private WebSocketServer server;

    @BeforeEach
    void start() throws Exception {
        server = harness.start(app.configure(WebSocketServer.builder()));
    }

    @AfterEach
    void cleanUp() throws Exception {
        harness.close();
    }

    private static void send(WebSocket ws, Object... keysAndValues) throws Exception {
        ws.sendText(Json.write(Json.object(keysAndValues)));
    }

    /** Connects and registers; returns once the client has its own login. */
    private WebSocket join(String uuid, String name) throws Exception {
        WebSocket ws = harness.connect(server, "/chat");
        if (name == null) {
            send(ws, "type", "register", "uuid", uuid);
        } else {
            send(ws, "type", "register", "uuid", uuid, "name", name);
        }
        Map<String, Object> registered = nextJson(ws);
        assertThat(registered).containsEntry("type", "registered").containsEntry("uuid", uuid);
        Map<String, Object> login = nextJson(ws);
        assertThat(login).containsEntry("type", "login").containsEntry("user", registered.get("name"));
        return ws;
    }

    private static void assertError(WebSocket ws, String messagePart) throws Exception {
        Map<String, Object> m = nextJson(ws);
        assertThat(m).containsEntry("type", "error");
        assertThat((String) m.get("message")).contains(messagePart);
    }

    @Test
    void registeringIsAnsweredAndAnnouncedWithTheUserList() throws Exception {
        WebSocket ann = harness.connect(server, "/chat");

        send(ann, "type", "register", "uuid", "u-ann", "name", "Ann");

        assertThat(nextJson(ann)).isEqualTo(Map.of("type", "registered", "uuid", "u-ann", "name", "Ann"));
        assertThat(nextJson(ann)).isEqualTo(Map.of("type", "login", "user", "Ann", "users", List.of("Ann")));
    }

    @Test
    void everyoneHearsOfALoginWithTheWholeList() throws Exception {
        WebSocket ann = join("u-ann", "Ann");

        join("u-bob", "Bob");

        assertThat(nextJson(ann)).isEqualTo(Map.of("type", "login", "user", "Bob", "users", List.of("Ann", "Bob")));
        assertThat(app.userNames()).containsExactly("Ann", "Bob");
    }

    @Test
    void theNameIsOptionalAndThenDerivedFromTheUuid() throws Exception {
        WebSocket ws = harness.connect(server, "/chat");

        send(ws, "type", "register", "uuid", "3f2a9c1e-77aa-4e1b-9d0c-0123456789ab");

        assertThat(nextJson(ws)).containsEntry("name", "guest-3f2a9c");
        assertThat(nextJson(ws)).containsEntry("user", "guest-3f2a9c");
    }

    @Test
    void aMessageIsRelayedToEveryoneWithTheSendersName() throws Exception {
        WebSocket ann = join("u-ann", "Ann");
        WebSocket bob = join("u-bob", "Bob");
        nextJson(ann, "login"); // Bob's

        send(ann, "type", "send", "content", "hello \"bob\" ✓");

        for (WebSocket ws : List.of(ann, bob)) {
            Map<String, Object> m = nextJson(ws);
            assertThat(m).containsEntry("type", "message").containsEntry("from", "Ann")
                    .containsEntry("content", "hello \"bob\" ✓");
            assertThat(m.get("time")).isInstanceOf(Long.class);
        }
    }

    @Test
    void unregisteringIsAnsweredAndTheOthersHearALogout() throws Exception {
        WebSocket ann = join("u-ann", "Ann");
        WebSocket bob = join("u-bob", "Bob");
        nextJson(ann, "login");

        send(bob, "type", "unregister");

        assertThat(nextJson(bob)).isEqualTo(Map.of("type", "unregistered"));
        assertThat(nextJson(ann)).isEqualTo(Map.of("type", "logout", "user", "Bob", "users", List.of("Ann")));
        send(bob, "type", "send", "content", "am I still here?");
        assertError(bob, "register first");
    }

    @Test
    void disconnectingIsALogout() throws Exception {
        WebSocket ann = join("u-ann", "Ann");
        WebSocket bob = join("u-bob", "Bob");
        nextJson(ann, "login");

        bob.close();

        assertThat(nextJson(ann)).isEqualTo(Map.of("type", "logout", "user", "Bob", "users", List.of("Ann")));
        assertThat(app.userNames()).containsExactly("Ann");
    }

    @Test
    void sendingBeforeRegisteringIsAnError() throws Exception {
        WebSocket ws = harness.connect(server, "/chat");

        send(ws, "type", "send", "content", "hi");

        assertError(ws, "register first");
    }

    @Test
    void invalidJsonAndUnknownTypesAreErrorsAndTheConnectionStaysOpen() throws Exception {
        WebSocket ws = harness.connect(server, "/chat");

        ws.sendText("{not json");
        assertError(ws, "invalid JSON");
        ws.sendText("[1,2]");
        assertError(ws, "object");
        ws.sendText("{\"name\":\"no type\"}");
        assertError(ws, "type");
        send(ws, "type", "dance");
        assertError(ws, "unknown type");
        ws.sendBinary(new byte[] {1});
        assertError(ws, "binary");

        send(ws, "type", "register", "uuid", "u-1", "name", "Still");
        assertThat(nextJson(ws)).containsEntry("type", "registered");
    }

    @Test
    void badFieldsAreErrors() throws Exception {
        WebSocket ws = harness.connect(server, "/chat");

        send(ws, "type", "register");
        assertError(ws, "uuid");
        send(ws, "type", "register", "uuid", 42);
        assertError(ws, "uuid");
        send(ws, "type", "register", "uuid", "u-1", "name", "  ");
        assertError(ws, "name");
        send(ws, "type", "register", "uuid", "u-1", "name", "x".repeat(33));
        assertError(ws, "name");
        send(ws, "type", "unregister");
        assertError(ws, "not registered");
        join("u-2", "Two");
        send(ws, "type", "register", "uuid", "u-3", "name", "Three");
        nextJson(ws, "registered");
        nextJson(ws, "login");
        send(ws, "type", "send");
        assertError(ws, "content");
    }

    @Test
    void aSecondRegisterAndADuplicateUuidAreRefused() throws Exception {
        WebSocket ann = join("u-ann", "Ann");
        send(ann, "type", "register", "uuid", "u-other", "name", "Other");
        assertError(ann, "already registered");

        WebSocket impostor = harness.connect(server, "/chat");
        send(impostor, "type", "register", "uuid", "u-ann", "name", "Impostor");
        assertError(impostor, "uuid already in use");
        assertThat(app.userNames()).containsExactly("Ann");
    }

    @Test
    void defaultNamesUseTheUuidsLettersAndDigits() {
        assertThat(JsonChatApp.defaultName("ab-cd-ef-gh")).isEqualTo("guest-abcdef");
        assertThat(JsonChatApp.defaultName("---")).isEqualTo("guest");
    }
}
