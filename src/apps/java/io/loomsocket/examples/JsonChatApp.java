package io.loomsocket.examples;

import static io.loomsocket.examples.JsonMessages.error;
import static io.loomsocket.examples.JsonMessages.string;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.broadcast.BroadcastRegistry;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A chat room speaking JSON: path {@code /chat} in the demo, every path in the {@code json-chat}
 * command.
 *
 * <p>Client to server:
 * <ul>
 *   <li>{@code {"type":"register","uuid":"...","name":"..."}} joins the room; {@code name} is
 *       optional (default {@code guest-} and the first six letters or digits of the uuid). Answered
 *       {@code {"type":"registered","uuid":...,"name":...}}, then everyone in the
 *       room (the newcomer too) gets {@code {"type":"login","user":name,"users":[...]}}.
 *   <li>{@code {"type":"send","content":"..."}} relays
 *       {@code {"type":"message","from":name,"content":...,"time":epochMillis}} to everyone in the
 *       room, the sender too.
 *   <li>{@code {"type":"unregister"}} leaves: answered {@code {"type":"unregistered"}}; the others
 *       get {@code {"type":"logout","user":name,"users":[...]}}. Closing the connection does the same.
 * </ul>
 * Invalid JSON, an unknown type, a bad field, a second register, or a send before register is
 * answered {@code {"type":"error","message":...}}; the connection stays open. A uuid is one user:
 * it cannot register twice at once. {@code users} lists the names in the order they joined.
 */
public final class JsonChatApp {

    static final String TOPIC = "chat";
    public static final int MAX_NAME_LENGTH = 32;
    public static final int MAX_UUID_LENGTH = 64;
    public static final int MAX_CONTENT_LENGTH = 4000;

    private final BroadcastRegistry registry = new BroadcastRegistry();
    private final ReentrantLock lock = new ReentrantLock(); // the user list, and the order of login/logout events
    private final Map<WebSocket, User> users = new LinkedHashMap<>(); // guarded by lock

    private static final class User {
        final String uuid;
        final String name;
        boolean announced; // in the room: subscribed, login sent; guarded by lock

        User(String uuid, String name) {
            this.uuid = uuid;
            this.name = name;
        }
    }

    /** Serves every path. */
    public WebSocketServer.Builder configure(WebSocketServer.Builder builder) {
        return builder.handler(handler());
    }

    /** The names of the users in the room, in the order they joined. */
    public List<String> userNames() {
        lock.lock();
        try {
            return names();
        } finally {
            lock.unlock();
        }
    }

    public WebSocketHandler handler() {
        return ws -> {
            try {
                for (Message m : ws) {
                    switch (m) {
                        case Message.Text t -> onText(ws, t.text());
                        case Message.Binary b -> ws.sendText(error("binary messages are not supported; send JSON text"));
                        default -> {}
                    }
                }
            } finally {
                leave(ws); // a disconnect is a logout
            }
        };
    }

    private void onText(WebSocket ws, String text) throws IOException {
        Map<String, Object> message;
        String type;
        try {
            message = Json.parseObject(text);
            type = JsonMessages.type(message);
        } catch (Json.JsonException e) {
            ws.sendText(error(e.getMessage()));
            return;
        }
        switch (type) {
            case "register" -> register(ws, message);
            case "unregister" -> unregister(ws);
            case "send" -> send(ws, message);
            default -> ws.sendText(error("unknown type \"" + type + "\"; expected register, unregister or send"));
        }
    }

    private void register(WebSocket ws, Map<String, Object> message) throws IOException {
        Optional<String> uuid = string(message, "uuid").map(String::strip).filter(u -> !u.isEmpty());
        if (uuid.isEmpty() || uuid.get().length() > MAX_UUID_LENGTH) {
            ws.sendText(error("register needs a \"uuid\": a string of 1 to " + MAX_UUID_LENGTH + " characters"));
            return;
        }
        Object rawName = message.get("name");
        String name;
        if (rawName == null) {
            name = defaultName(uuid.get());
        } else if (rawName instanceof String s && !s.isBlank() && s.strip().length() <= MAX_NAME_LENGTH) {
            name = s.strip();
        } else {
            ws.sendText(error("\"name\" must be a string of 1 to " + MAX_NAME_LENGTH + " characters"));
            return;
        }
        User user = new User(uuid.get(), name);
        String refusal = null;
        lock.lock();
        try {
            if (users.containsKey(ws)) {
                refusal = "already registered as " + users.get(ws).name;
            } else if (users.values().stream().anyMatch(u -> u.uuid.equals(user.uuid))) {
                refusal = "uuid already in use";
            } else {
                users.put(ws, user);
            }
        } finally {
            lock.unlock();
        }
        if (refusal != null) {
            ws.sendText(error(refusal));
            return;
        }
        // The answer comes first, before any broadcast: the newcomer is not in the room yet.
        ws.sendText(Json.write(Json.object("type", "registered", "uuid", user.uuid, "name", user.name)));
        lock.lock();
        try {
            if (users.get(ws) == user) { // not gone meanwhile
                registry.subscribe(TOPIC, ws);
                user.announced = true;
                registry.broadcast(TOPIC, Json.write(Json.object("type", "login", "user", user.name, "users", names())), null);
            }
        } finally {
            lock.unlock();
        }
    }

    private void unregister(WebSocket ws) throws IOException {
        if (leave(ws) == null) {
            ws.sendText(error("not registered"));
        } else {
            ws.sendText(Json.write(Json.object("type", "unregistered")));
        }
    }

    private void send(WebSocket ws, Map<String, Object> message) throws IOException {
        Optional<String> content = string(message, "content");
        if (content.isEmpty() || content.get().length() > MAX_CONTENT_LENGTH) {
            ws.sendText(error("send needs a \"content\": a string of up to " + MAX_CONTENT_LENGTH + " characters"));
            return;
        }
        User user;
        lock.lock();
        try {
            user = users.get(ws);
        } finally {
            lock.unlock();
        }
        if (user == null) {
            ws.sendText(error("register first: {\"type\":\"register\",\"uuid\":...,\"name\":...}"));
            return;
        }
        registry.broadcast(TOPIC, Json.write(Json.object("type", "message", "from", user.name,
                "content", content.get(), "time", System.currentTimeMillis())), null);
    }

    /** Takes {@code ws}'s user out of the room and tells the others. Returns the user, or null. */
    private User leave(WebSocket ws) {
        lock.lock();
        try {
            User user = users.remove(ws);
            if (user != null && user.announced) {
                registry.unsubscribe(TOPIC, ws);
                registry.broadcast(TOPIC, Json.write(Json.object("type", "logout", "user", user.name, "users", names())), null);
            }
            return user;
        } finally {
            lock.unlock();
        }
    }

    /** Under lock: the users in the room (registered and announced). */
    private List<String> names() {
        List<String> names = new ArrayList<>(users.size());
        for (User u : users.values()) {
            if (u.announced) {
                names.add(u.name);
            }
        }
        return names;
    }

    /** {@code guest-} and the first six letters or digits of the uuid. */
    static String defaultName(String uuid) {
        StringBuilder sb = new StringBuilder("guest-");
        uuid.codePoints().filter(Character::isLetterOrDigit).limit(6).forEach(sb::appendCodePoint);
        return sb.length() > "guest-".length() ? sb.toString() : "guest";
    }
}
