package io.loomsocket.handshake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SubprotocolsTest {

    @Test
    void parsesACommaSeparatedListInOrderOfPreference() {
        assertThat(Subprotocols.parse(List.of("chat, superchat"))).containsExactly("chat", "superchat");
    }

    @Test
    void joinsRepeatedHeadersAndSkipsEmptyElements() {
        assertThat(Subprotocols.parse(List.of("v2.json,, ", "mqtt"))).containsExactly("v2.json", "mqtt");
    }

    @Test
    void keepsTheCaseOfEachSubprotocol() {
        assertThat(Subprotocols.parse(List.of("Chat, chat"))).containsExactly("Chat", "chat");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ",", "chat, a b", "chat/1", "\"chat\"", "chat;v=1", "caf\u00e9", "chat, chat"})
    void rejectsValuesThatAreNotListsOfUniqueTokensWith400(String value) {
        HandshakeException e = catchThrowableOfType(HandshakeException.class, () -> Subprotocols.parse(List.of(value)));

        assertThat(e).as("value [%s]", value).isNotNull();
        assertThat(e.status()).isEqualTo(400);
    }
}
