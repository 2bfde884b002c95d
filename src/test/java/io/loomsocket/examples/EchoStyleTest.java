package io.loomsocket.examples;

import static io.loomsocket.examples.Harness.next;
import static io.loomsocket.examples.Harness.nextText;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketClosedException;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The tutorials' echo styles ({@code echo --style S}) through a real server and client. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class EchoStyleTest {

    /** 2024-03-05 14:07:09.012345678 UTC. */
    private static final Instant AT = Instant.parse("2024-03-05T14:07:09.012345678Z");
    private static final Clock CLOCK = Clock.fixed(AT, ZoneOffset.UTC);

    private final Harness harness = new Harness();

    @AfterEach
    void cleanUp() throws Exception {
        harness.close();
    }

    private WebSocket connect(EchoStyle style) throws Exception {
        WebSocketServer server = harness.start(WebSocketServer.builder().handler(Echo.styled(style, CLOCK)));
        return harness.connect(server, "/");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            SERVER  | Server: Hello, server!
            ECHO    | Echo: Hello, server!
            HUIXIAN | \u56de\u663e:Hello, server!
            """)
    void eachStyleAnswersEveryTextWithItsPrefix(EchoStyle style, String expected) throws Exception {
        WebSocket ws = connect(style);

        ws.sendText("Hello, server!");
        assertThat(nextText(ws)).isEqualTo(expected);
        ws.sendText("你好,服务端!");
        assertThat(nextText(ws)).isEqualTo(expected.replace("Hello, server!", "你好,服务端!"));
        ws.sendText("");
        assertThat(nextText(ws)).isEqualTo(expected.replace("Hello, server!", ""));
    }

    @Test
    void huixianIsTheTwoCharactersAndAnAsciiColon() {
        assertThat(EchoStyle.HUIXIAN.reply("x", CLOCK).codePoints().toArray()).containsExactly(0x56de, 0x663e, ':', 'x');
    }

    @ParameterizedTest
    @EnumSource(value = EchoStyle.class, names = {"SERVER", "ECHO", "HUIXIAN"})
    void binaryComesBackUnchangedAsBinary(EchoStyle style) throws Exception {
        WebSocket ws = connect(style);
        byte[] data = {0, 1, (byte) 0xff, 'h', 'i'};

        ws.sendBinary(data);
        assertThat(next(ws)).isEqualTo(new Message.Binary(data));
        ws.sendText("still");
        assertThat(nextText(ws)).endsWith("still");
    }

    @Test
    void dataReceivedAnswersTheFirstMessageWithTheTimeAndCloses1000() throws Exception {
        WebSocket ws = connect(EchoStyle.DATA_RECEIVED);

        ws.sendText("Hello, I am PyPy.");
        assertThat(nextText(ws)).isEqualTo("Data received as \"Hello, I am PyPy.\". time: 2024-03-05 14:07:09.012345");
        Throwable end = catchThrowable(() -> ws.receive(Harness.WAIT));
        assertThat(end).as("nothing more: the server closed").isInstanceOf(WebSocketClosedException.class);
        assertThat(ws.awaitClosed(Duration.ofSeconds(5))).isTrue();
        assertThat(ws.closeCode()).isEqualTo(CloseCode.NORMAL_CLOSURE);
    }

    @Test
    void dataReceivedEchoesABinaryFirstMessageAndCloses() throws Exception {
        WebSocket ws = connect(EchoStyle.DATA_RECEIVED);

        ws.sendBinary("raw".getBytes(StandardCharsets.UTF_8));
        assertThat(next(ws)).isEqualTo(new Message.Binary("raw".getBytes(StandardCharsets.UTF_8)));
        assertThat(ws.awaitClosed(Duration.ofSeconds(5))).isTrue();
        assertThat(ws.closeCode()).isEqualTo(CloseCode.NORMAL_CLOSURE);
    }

    @Test
    void theTimeIsInTheClocksZone() {
        Clock tokyo = Clock.fixed(AT, java.time.ZoneId.of("Asia/Tokyo"));

        assertThat(EchoStyle.DATA_RECEIVED.reply("x", tokyo)).endsWith("time: 2024-03-05 23:07:09.012345");
    }

    /** Python: {@code str(datetime(2024, 3, 5, 14, 7, 9, 120))} and so on. */
    @ParameterizedTest
    @CsvSource({
            "2024-03-05T14:07:09.000120,       2024-03-05 14:07:09.000120",
            "2024-03-05T14:07:09.5,            2024-03-05 14:07:09.500000",
            "2024-03-05T14:07:09.999999999,    2024-03-05 14:07:09.999999",
            "2024-03-05T14:07:09,              2024-03-05 14:07:09",
            "2024-03-05T14:07:09.000000999,    2024-03-05 14:07:09",
            "0999-01-02T03:04:05.000001,       0999-01-02 03:04:05.000001"})
    void theTimeIsWrittenAsPythonsStrOfADatetime(LocalDateTime time, String python) {
        assertThat(EchoStyle.pythonStr(time)).isEqualTo(python);
    }

    @Test
    void theStylesHaveTheirTutorialsPortsAndNames() {
        assertThat(EchoStyle.SERVER.defaultPort()).isEqualTo(8765);
        assertThat(EchoStyle.ECHO.defaultPort()).isEqualTo(8765);
        assertThat(EchoStyle.HUIXIAN.defaultPort()).isEqualTo(12345);
        assertThat(EchoStyle.DATA_RECEIVED.defaultPort()).isEqualTo(9999);
        assertThat(EchoStyle.names()).isEqualTo("server, echo, huixian, data-received");
        assertThat(EchoStyle.byName("data-received")).contains(EchoStyle.DATA_RECEIVED);
        assertThat(EchoStyle.byName("Server")).isEmpty();
        assertThat(EchoStyle.SERVER.form()).isEqualTo("Server: <text>");
        assertThat(EchoStyle.DATA_RECEIVED.form()).isEqualTo("Data received as \"<text>\". time: <local time>");
    }
}
