package io.loomsocket.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** How {@code json-chat-client} prints each message it receives: one readable line. */
class JsonChatClientExampleTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            // the main variant (ServerWs), as json.dumps writes it
            "{\"type\": \"handshake\"}                                              | handshake",
            "{\"type\": \"login\", \"content\": \"ann joined\", \"user_list\": [\"ann\", \"bob\"]} | login: ann joined (online: ann, bob)",
            "{\"type\": \"user\", \"content\": \"hi \\u00e9\", \"from\": \"404\"}   | 404: hi é",
            "{\"type\": \"logout\", \"content\": \"bob left\", \"user_list\": [\"ann\"]} | logout: bob left (online: ann)",
            "{\"type\": \"error\", \"content\": \"missing field: uuid\"}            | error: missing field: uuid",
            // the demo page's extension, and the ws-server variant (WS_Server)
            "{\"type\": \"presence\", \"user_list\": []}                            | presence (online: nobody)",
            "{\"type\": \"send\", \"content\": \"hi\", \"from\": \"ann\"}           | ann: hi",
            "{\"type\": \"register\", \"content\": \"ann joined\", \"user_list\": [\"ann\"]} | register: ann joined (online: ann)",
            "`Get message: {\"type\":\"send\",\"content\":\"hi\"}`                  | `Get message: {\"type\":\"send\",\"content\":\"hi\"}`",
            // anything else: fields kept, text as it is, one line
            "{\"type\": \"user\", \"content\": 7, \"from\": \"ann\", \"at\": 1}     | user: 7 from=\"ann\" at=1",
            "{\"type\": \"note\", \"content\": \"two\\nlines\"}                     | note: two\\nlines",
            "[1, 2]                                                                 | [1, 2]",
            "{\"content\": \"no type\"}                                             | {\"content\": \"no type\"}",
            "not json                                                               | not json"})
    void eachMessageIsOneReadableLine(String received, String printed) {
        assertThat(JsonChatClientExample.render(received)).isEqualTo(printed);
    }

    @Test
    void theMessagesSentAreCompactJsonWithTheFieldsInTheSeedsOrder() {
        assertThat(JsonChatClientExample.encode(Json.object("type", "unregister", "uuid", "a\"b", "content", "a\"b left")))
                .isEqualTo("{\"type\":\"unregister\",\"uuid\":\"a\\\"b\",\"content\":\"a\\\"b left\"}");
    }

    @Test
    void theDefaultUuidIsEightHexDigitsAndDiffersEachTime() {
        assertThat(JsonChatClientExample.randomUuid()).matches("[0-9a-f]{8}").isNotEqualTo(JsonChatClientExample.randomUuid());
    }

    @Test
    void anEmptyUuidIsRefusedBeforeConnecting() {
        assertThatThrownBy(() -> JsonChatClientExample.run(java.net.URI.create("ws://127.0.0.1:1"), "", null, null,
                java.time.Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the uuid must not be empty");
    }
}
