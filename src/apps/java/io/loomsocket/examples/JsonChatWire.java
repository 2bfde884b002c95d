package io.loomsocket.examples;

import java.util.List;

/**
 * The JSON chat's server messages, exactly as the seed's Python {@code json.dumps} writes them
 * ({@link Json#writePython}: {@code ", "} and {@code ": "}, {@code ensure_ascii}, keys in the
 * seed's order). Contents arrive already quoted ({@link Json#quotePython}), so that the long part
 * is escaped once, before the room's lock is taken.
 */
final class JsonChatWire {

    private JsonChatWire() {}

    /** Sent on connect, by both variants. */
    static final String HANDSHAKE = "{\"type\": \"handshake\"}";

    /** {@code {"type": "login", "content": C, "user_list": [...]}}. */
    static String login(String quotedContent, List<String> userList) {
        return withList("login", quotedContent, userList);
    }

    /** {@code {"type": "logout", "content": C, "user_list": [...]}}. */
    static String logout(String quotedContent, List<String> userList) {
        return withList("logout", quotedContent, userList);
    }

    /** The WS_Server variant's answer to a register: {@code {"type": "register", "content": C, "user_list": [...]}}. */
    static String registered(String quotedContent, List<String> userList) {
        return withList("register", quotedContent, userList);
    }

    /** {@code {"type": "user", "content": C, "from": F}}: a chat message, to the room. */
    static String user(String quotedContent, String from) {
        return withFrom("user", quotedContent, from);
    }

    /** The WS_Server variant's answer to a send: {@code {"type": "send", "content": C, "from": F}}. */
    static String sent(String quotedContent, String from) {
        return withFrom("send", quotedContent, from);
    }

    /** The WS_Server variant's first answer to every text message. */
    static String getMessage(String text) {
        return "Get message: " + text;
    }

    /** The extension: {@code {"type": "presence", "user_list": [...]}}. */
    static String presence(List<String> userList) {
        return "{\"type\": \"presence\", \"user_list\": " + Json.writePython(userList) + "}";
    }

    /** {@code {"type": "error", "content": "<what was wrong>"}}: to the sender alone. */
    static String error(String what) {
        return "{\"type\": \"error\", \"content\": " + Json.quotePython(what) + "}";
    }

    /** The content of the logout sent for a uuid whose connection closed without unregistering. */
    static String left(String uuid) {
        return Json.quotePython(uuid + " left");
    }

    private static String withList(String type, String quotedContent, List<String> userList) {
        return "{\"type\": \"" + type + "\", \"content\": " + quotedContent + ", \"user_list\": "
                + Json.writePython(userList) + "}";
    }

    private static String withFrom(String type, String quotedContent, String from) {
        return "{\"type\": \"" + type + "\", \"content\": " + quotedContent + ", \"from\": " + Json.quotePython(from) + "}";
    }
}
