package io.loomsocket.examples;

import static io.loomsocket.examples.Harness.nextText;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.server.WebSocketServer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class TwoStepChatAppTest {

    private final Harness harness = new Harness();
    private WebSocketServer server;

    @BeforeEach
    void start() throws Exception {
        server = harness.start(new TwoStepChatApp().configure(WebSocketServer.builder()));
    }

    @AfterEach
    void cleanUp() throws Exception {
        harness.close();
    }

    @Test
    void sayingHiFirstIsAnsweredSuccessAndThenEveryMessageIsAnswered() throws Exception {
        WebSocket ws = harness.connect(server, "/");

        ws.sendText("Hi");
        assertThat(nextText(ws)).isEqualTo("success");
        ws.sendText("how are you?");
        assertThat(nextText(ws)).isEqualTo("success,get mess: how are you?");
        ws.sendText("Hi");
        assertThat(nextText(ws)).isEqualTo("success,get mess: Hi");
    }

    @Test
    void anythingBeforeHiIsAnsweredConnectedFailAndTheConnectionStaysOpen() throws Exception {
        WebSocket ws = harness.connect(server, "/");

        ws.sendText("hello");
        assertThat(nextText(ws)).isEqualTo("connected fail");
        ws.sendBinary(new byte[] {1});
        assertThat(nextText(ws)).isEqualTo("connected fail");
        ws.sendText("Hi");
        assertThat(nextText(ws)).isEqualTo("success");
        ws.sendText("now");
        assertThat(nextText(ws)).isEqualTo("success,get mess: now");
    }

    @Test
    void onlyExactlyHiGreets() throws Exception {
        WebSocket ws = harness.connect(server, "/");

        for (String almost : new String[] {" Hi", "Hi ", "hi", "HI", "Hi\n", "Hi!", ""}) {
            ws.sendText(almost);
            assertThat(nextText(ws)).as("answer to \"%s\"", almost).isEqualTo("connected fail");
        }
        ws.sendBinary("Hi".getBytes(StandardCharsets.UTF_8)); // bytes are not the text Hi
        assertThat(nextText(ws)).isEqualTo("connected fail");
        ws.sendText("Hi");
        assertThat(nextText(ws)).isEqualTo("success");
    }

    @Test
    void afterTheGreetingBinaryIsAnsweredTextMessagesOnly() throws Exception {
        WebSocket ws = harness.connect(server, "/");
        ws.sendText("Hi");
        assertThat(nextText(ws)).isEqualTo("success");

        ws.sendBinary(new byte[] {1, 2});
        assertThat(nextText(ws)).isEqualTo("error: text messages only");
        ws.sendText(" spaced ");
        assertThat(nextText(ws)).isEqualTo("success,get mess:  spaced ");
    }

    @Test
    void eachConnectionMustGreetOnItsOwn() throws Exception {
        WebSocket first = harness.connect(server, "/");
        WebSocket second = harness.connect(server, "/");

        first.sendText("Hi");
        assertThat(nextText(first)).isEqualTo("success");
        second.sendText("message");

        assertThat(nextText(second)).isEqualTo("connected fail");
    }
}
