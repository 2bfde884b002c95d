package io.loomsocket.examples;

import java.util.Map;
import java.util.Optional;

/** Helpers that the JSON applications (chat, channels) share for reading and answering messages. */
final class JsonMessages {

    private JsonMessages() {}

    /** {@code {"type":"error","message":...}}. */
    static String error(String message) {
        return Json.write(Json.object("type", "error", "message", message));
    }

    /** The field {@code key} if it is a string. */
    static Optional<String> string(Map<String, Object> message, String key) {
        return message.get(key) instanceof String s ? Optional.of(s) : Optional.empty();
    }

    /** The field {@code key} if it is an object. */
    @SuppressWarnings("unchecked")
    static Optional<Map<String, Object>> object(Map<String, Object> message, String key) {
        return message.get(key) instanceof Map<?, ?> m ? Optional.of((Map<String, Object>) m) : Optional.empty();
    }

    /**
     * The {@code type} of a message that must be a JSON object with a string {@code type}.
     *
     * @throws Json.JsonException for malformed JSON, or a message that is not such an object
     */
    static String type(Map<String, Object> message) {
        return string(message, "type").orElseThrow(() -> new Json.JsonException("a message needs a string \"type\""));
    }
}
