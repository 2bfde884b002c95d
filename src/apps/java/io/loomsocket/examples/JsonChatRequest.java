package io.loomsocket.examples;

import java.util.Map;

/**
 * One client message of the JSON chat ({@link JsonChatApp}), read and checked: a JSON object with
 * a string {@code type} and the string fields that type needs. Anything else is a
 * {@link BadRequest} whose message names what was wrong, and becomes the {@code content} of the
 * {@code {"type": "error", ...}} answer.
 */
sealed interface JsonChatRequest {

    /** Longer uuids are refused: every uuid is repeated in every login and logout message. */
    int MAX_UUID_LENGTH = 64;

    /** {@code {"type": "register", "uuid": U, "content": C}}. */
    record Register(String uuid, String content) implements JsonChatRequest {}

    /** {@code {"type": "send", "content": C}}. */
    record Send(String content) implements JsonChatRequest {}

    /** {@code {"type": "unregister", "uuid": U, "content": C}}; {@code content} is null where the variant does not use it. */
    record Unregister(String uuid, String content) implements JsonChatRequest {}

    /** {@code {"type": "presence"}}: the demo page's extension (the default variant only). */
    record Presence() implements JsonChatRequest {}

    /** A message that is not a chat request; the message says why. */
    final class BadRequest extends Exception {
        BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Reads {@code text} as a request of {@code variant}: the {@link JsonChatApp.Variant#WS_SERVER}
     * variant has no {@code presence}, and its {@code unregister} needs no {@code content} (the seed
     * reads none).
     */
    static JsonChatRequest parse(String text, JsonChatApp.Variant variant) throws BadRequest {
        Object value;
        try {
            value = Json.parse(text);
        } catch (Json.JsonException e) {
            throw new BadRequest(e.getMessage());
        }
        if (!(value instanceof Map<?, ?> raw)) {
            throw new BadRequest("a message must be a JSON object, like {\"type\": \"send\", \"content\": \"hi\"}");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) raw;
        if (!(m.get("type") instanceof String type)) {
            throw new BadRequest("a message needs a string \"type\": register, send or unregister");
        }
        boolean server = variant == JsonChatApp.Variant.SERVER_WS;
        return switch (type) {
            case "register" -> new Register(uuid(m, type), string(m, type, "content"));
            case "send" -> new Send(string(m, type, "content"));
            case "unregister" -> new Unregister(uuid(m, type), server ? string(m, type, "content") : null);
            case "presence" -> {
                if (!server) {
                    throw unknown(type, variant);
                }
                yield new Presence();
            }
            default -> throw unknown(type, variant);
        };
    }

    private static BadRequest unknown(String type, JsonChatApp.Variant variant) {
        return new BadRequest("unknown type " + shown(type) + "; expected "
                + (variant == JsonChatApp.Variant.SERVER_WS ? "register, send, unregister or presence" : "register, send or unregister"));
    }

    /** {@code s} in double quotes for an error message, cut to {@value #MAX_UUID_LENGTH} characters. */
    static String shown(String s) {
        return "\"" + (s.length() <= MAX_UUID_LENGTH ? s : s.substring(0, MAX_UUID_LENGTH) + "...") + "\"";
    }

    private static String string(Map<String, Object> m, String type, String field) throws BadRequest {
        if (!(m.get(field) instanceof String s)) {
            throw new BadRequest(type + " needs a string \"" + field + "\""
                    + (m.containsKey(field) ? " (it was not a string)" : " (it was missing)"));
        }
        return s;
    }

    private static String uuid(Map<String, Object> m, String type) throws BadRequest {
        String uuid = string(m, type, "uuid");
        if (uuid.isEmpty() || uuid.length() > MAX_UUID_LENGTH) {
            throw new BadRequest(type + " needs a \"uuid\" of 1 to " + MAX_UUID_LENGTH + " characters (it had "
                    + uuid.length() + ")");
        }
        return uuid;
    }
}
