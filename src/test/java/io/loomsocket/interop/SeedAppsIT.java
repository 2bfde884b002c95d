package io.loomsocket.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.loomsocket.examples.AuthEchoApp;
import io.loomsocket.examples.BroadcastApp;
import io.loomsocket.examples.ChannelsApp;
import io.loomsocket.examples.Echo;
import io.loomsocket.examples.EchoStyle;
import io.loomsocket.examples.HeartbeatEchoApp;
import io.loomsocket.examples.Json;
import io.loomsocket.examples.TwoStepChatApp;
import io.loomsocket.server.WebSocketServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The applications that reproduce the tutorials' systems (issue 12), each against an independent
 * client: Python's {@code websockets} (Debian's python3-websockets 10.x on {@code /usr/bin/python3}),
 * the library the tutorials use. The clients are small scripts in {@code src/test/seed-clients},
 * written for this test; each prints a transcript, one line per message sent ({@code >}) or
 * received ({@code <}) — texts as JSON string literals, binary as {@code bytes:<hex>} — and
 * each case compares the whole transcript with the exchange the tutorial's protocol prescribes,
 * and prints it. Each app runs in this JVM on 127.0.0.1, port 0. Never skips: without Python and
 * its websockets it fails, saying what to install.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SeedAppsIT {

    private static final Path PROJECT = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    private static final Path CLIENTS = PROJECT.resolve("src/test/seed-clients");
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(60);
    private static String python;

    private final List<WebSocketServer> servers = new ArrayList<>();

    @BeforeAll
    static void prerequisites() throws Exception {
        python = System.getenv().getOrDefault("DEFLATE_PEERS_PYTHON", "/usr/bin/python3");
        String install = "apt-get install -y python3-websockets (for /usr/bin/python3), as .ci/run does";
        if (!Files.isExecutable(Path.of(python))) {
            fail("no " + python + ": " + install);
        }
        Process p = new ProcessBuilder(python, "-c", "import websockets; print(websockets.__version__)")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(python + " cannot import websockets (" + out.lines().reduce((a, b) -> b).orElse("") + "): " + install);
        }
        if (Integer.parseInt(out.split("\\.")[0]) < 10) {
            fail(python + " has websockets " + out + "; the seed clients need >= 10: " + install);
        }
        if (!Files.isRegularFile(CLIENTS.resolve("seed_dialogue.py"))) {
            fail("no " + CLIENTS.resolve("seed_dialogue.py") + " (is basedir " + PROJECT + " right?)");
        }
    }

    @AfterEach
    void stopServers() throws InterruptedException {
        for (WebSocketServer s : servers) {
            s.stop(Duration.ofSeconds(2));
        }
    }

    // ================================================================== helpers

    private WebSocketServer start(UnaryOperator<WebSocketServer.Builder> configure) throws IOException {
        WebSocketServer server = configure.apply(WebSocketServer.builder().host("127.0.0.1").port(0)
                .closeTimeout(Duration.ofSeconds(2))).start();
        servers.add(server);
        return server;
    }

    private static String base(WebSocketServer server) {
        return "ws://127.0.0.1:" + server.port();
    }

    private static PeerProcess client(String label, String script, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(python, CLIENTS.resolve(script).toString()));
        command.addAll(Arrays.asList(args));
        return PeerProcess.start(label, command, CLIENTS);
    }

    /** A seed_dialogue.py run against {@code server}. */
    private static PeerProcess dialogue(String label, WebSocketServer server, List<?>... steps) throws IOException {
        return client(label, "seed_dialogue.py", base(server), Json.write(List.of(steps)));
    }

    /** Waits for the script to end with status 0; prints and returns its transcript. */
    private static List<String> transcript(PeerProcess peer, String label) throws InterruptedException {
        try (peer) {
            int status = peer.awaitExit(SCRIPT_TIMEOUT);
            List<String> lines = peer.stdoutLines();
            for (String line : lines) {
                System.out.println("[" + label + "] " + line);
            }
            if (status != 0) {
                fail(label + ": the client ended with status " + status + "\n" + peer.output());
            }
            return lines;
        }
    }

    /** Each line must match its pattern ({@link Pattern#quote quoted} lines match themselves). */
    private static void assertTranscript(List<String> actual, List<String> patterns) {
        assertThat(actual).as("transcript").hasSize(patterns.size());
        for (int i = 0; i < patterns.size(); i++) {
            assertThat(actual.get(i)).as("line %d", i + 1).matches(patterns.get(i));
        }
    }

    private static List<String> quoted(String... lines) {
        return Arrays.stream(lines).map(Pattern::quote).toList();
    }

    private static List<?> step(Object... parts) {
        return List.of(parts);
    }

    // ================================================================== echo styles

    private List<String> prefixedEcho(EchoStyle style) throws Exception {
        WebSocketServer server = start(b -> b.handler(Echo.styled(style, Clock.systemDefaultZone())));
        return transcript(dialogue("echo-" + style.cliName(), server,
                step("open", "c", "/"),
                step("send", "c", "Hello, server!"), step("recv", "c"),
                step("send", "c", "你好,服务端!"), step("recv", "c"),
                step("send_bytes", "c", "00ff6869"), step("recv", "c")), "echo --style " + style.cliName());
    }

    @Test
    void echoStyleServerAnswersServerColonText() throws Exception {
        assertTranscript(prefixedEcho(EchoStyle.SERVER), quoted(
                "c open /",
                "c > \"Hello, server!\"", "c < \"Server: Hello, server!\"",
                "c > \"你好,服务端!\"", "c < \"Server: 你好,服务端!\"",
                "c > bytes:00ff6869", "c < bytes:00ff6869"));
    }

    @Test
    void echoStyleEchoAnswersEchoColonText() throws Exception {
        assertTranscript(prefixedEcho(EchoStyle.ECHO), quoted(
                "c open /",
                "c > \"Hello, server!\"", "c < \"Echo: Hello, server!\"",
                "c > \"你好,服务端!\"", "c < \"Echo: 你好,服务端!\"",
                "c > bytes:00ff6869", "c < bytes:00ff6869"));
    }

    @Test
    void echoStyleHuixianAnswersHuixianColonText() throws Exception {
        assertTranscript(prefixedEcho(EchoStyle.HUIXIAN), quoted(
                "c open /",
                "c > \"Hello, server!\"", "c < \"\u56de\u663e:Hello, server!\"",
                "c > \"你好,服务端!\"", "c < \"\u56de\u663e:你好,服务端!\"",
                "c > bytes:00ff6869", "c < bytes:00ff6869"));
    }

    /** As the tutorial's repeating client: one message per connection, answered with the time, then closed. */
    @Test
    void echoStyleDataReceivedAnswersTheFirstMessageWithTheTimeAndCloses1000() throws Exception {
        WebSocketServer server = start(b -> b.handler(Echo.styled(EchoStyle.DATA_RECEIVED, Clock.systemDefaultZone())));
        LocalDateTime before = LocalDateTime.now().withNano(0);
        List<String> lines = transcript(dialogue("echo-data-received", server,
                step("open", "c1", "/"), step("send", "c1", "Hello, I am PyPy."), step("recv", "c1"), step("closed", "c1"),
                step("open", "c2", "/"), step("send", "c2", "Hello, I am PyPy."), step("recv", "c2"), step("closed", "c2")),
                "echo --style data-received");
        LocalDateTime after = LocalDateTime.now();

        String time = "(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(?:\\.\\d{6})?)";
        String reply = "c%d < " + Pattern.quote("\"Data received as \\\"Hello, I am PyPy.\\\". time: ") + time + "\"";
        assertTranscript(lines, List.of(
                Pattern.quote("c1 open /"), Pattern.quote("c1 > \"Hello, I am PyPy.\""), reply.formatted(1),
                Pattern.quote("c1 closed 1000 \"\""),
                Pattern.quote("c2 open /"), Pattern.quote("c2 > \"Hello, I am PyPy.\""), reply.formatted(2),
                Pattern.quote("c2 closed 1000 \"\"")));
        for (String line : List.of(lines.get(2), lines.get(6))) {
            Matcher m = Pattern.compile(".*time: " + time + "\"").matcher(line);
            assertThat(m.matches()).isTrue();
            LocalDateTime t = LocalDateTime.parse(m.group(1), DateTimeFormatter.ofPattern(
                    m.group(1).contains(".") ? "uuuu-MM-dd HH:mm:ss.SSSSSS" : "uuuu-MM-dd HH:mm:ss"));
            assertThat(t).as("the server's local time, now").isBetween(before, after);
        }
    }

    // ================================================================== two-step chat

    @Test
    void twoStepChatFailsUntilHiThenAnswersEveryMessage() throws Exception {
        WebSocketServer server = start(b -> new TwoStepChatApp().configure(b));
        List<String> lines = transcript(dialogue("two-step-chat", server,
                step("open", "c", "/"),
                step("send", "c", "hello"), step("recv", "c"),
                step("send", "c", "hi"), step("recv", "c"),
                step("send_bytes", "c", "4869"), step("recv", "c"),
                step("send", "c", "Hi"), step("recv", "c"),
                step("send", "c", "how are you?"), step("recv", "c"),
                step("send", "c", "Hi"), step("recv", "c"),
                step("send_bytes", "c", "01"), step("recv", "c")), "two-step-chat");

        assertTranscript(lines, quoted(
                "c open /",
                "c > \"hello\"", "c < \"connected fail\"",
                "c > \"hi\"", "c < \"connected fail\"",
                "c > bytes:4869", "c < \"connected fail\"",
                "c > \"Hi\"", "c < \"success\"",
                "c > \"how are you?\"", "c < \"success,get mess: how are you?\"",
                "c > \"Hi\"", "c < \"success,get mess: Hi\"",
                "c > bytes:01", "c < \"error: text messages only\""));
    }

    // ================================================================== broadcast trigger

    /**
     * Three clients. Joins are proven by the protocol itself: b's trigger reaches a (so both had
     * joined), c's reaches a and b. Then a sends a non-trigger message and two triggers: b's and
     * c's next messages are the two announcements, so "hello" reached neither (a's messages are
     * handled in order). Then the server stops: every client drains what it still has until the
     * server's close (1001), queued after everything sent before — and nobody has anything: no
     * copy of a trigger for its sender (a's first trigger was handled before its second reached
     * b, so a copy for a would be before the close), no "hello" for a.
     */
    @Test
    void broadcastSendsTheAnnouncementToTheOthersOnlyAndNothingElse() throws Exception {
        BroadcastApp app = BroadcastApp.trigger();
        WebSocketServer server = start(app::configure);
        PeerProcess peer = dialogue("broadcast", server,
                step("open", "a", "/"), step("open", "b", "/"),
                step("send", "b", "broadcast"), step("recv", "a"),
                step("open", "c", "/room"),
                step("send", "c", "broadcast"), step("recv", "a"), step("recv", "b"),
                step("send", "a", "hello"), step("send", "a", "broadcast"), step("send", "a", "broadcast"),
                step("recv", "b"), step("recv", "b"), step("recv", "c"), step("recv", "c"),
                step("say", "DRAIN"),
                step("drain", "a"), step("drain", "b"), step("drain", "c"));
        peer.awaitLine("DRAIN", SCRIPT_TIMEOUT);
        server.stop(Duration.ofSeconds(5));
        List<String> lines = transcript(peer, "broadcast");

        String announcement = "\"Broadcast message!\"";
        assertTranscript(lines, quoted(
                "a open /", "b open /",
                "b > \"broadcast\"", "a < " + announcement,
                "c open /room",
                "c > \"broadcast\"", "a < " + announcement, "b < " + announcement,
                "a > \"hello\"", "a > \"broadcast\"", "a > \"broadcast\"",
                "b < " + announcement, "b < " + announcement, "c < " + announcement, "c < " + announcement,
                "DRAIN",
                "a closed 1001 \"server stopping\"", "b closed 1001 \"server stopping\"",
                "c closed 1001 \"server stopping\""));
    }

    // ================================================================== token in the path

    @Test
    void authEchoRefusesWith401WithoutTheTokenAndEchoesWithTheTokenInTheQueryThePathOrTheHeader() throws Exception {
        String token = "tutorial-token";
        WebSocketServer server = start(b -> new AuthEchoApp(token).configure(b));
        List<String> lines = transcript(dialogue("auth-echo", server,
                step("refused", "m", "/ws"),
                step("refused", "w", "/ws?token=wrong"),
                step("refused", "p", "/ws/wrong"),
                step("refused", "o", "/echo?token=" + token),
                step("open", "q", "/ws?token=" + token), step("send", "q", "hello"), step("recv", "q"),
                step("open", "s", "/ws/" + token), step("send", "s", "你好"), step("recv", "s"),
                step("open", "h", "/ws", Map.of("Authorization", "Bearer " + token)), step("send", "h", "bearer"),
                step("recv", "h")), "auth-echo");

        assertTranscript(lines, quoted(
                "m refused 401 /ws",
                "w refused 401 /ws?token=wrong",
                "p refused 401 /ws/wrong",
                "o refused 404 /echo?token=" + token,
                "q open /ws?token=" + token, "q > \"hello\"", "q < \"hello\"",
                "s open /ws/" + token, "s > \"你好\"", "s < \"你好\"",
                "h open /ws", "h > \"bearer\"", "h < \"bearer\""));
        assertThat(server.metrics().handshakesRefused()).containsEntry("401", 3L).containsEntry("404", 1L);
    }

    // ================================================================== heartbeat

    /**
     * A ping every 300 ms, 3 s to answer. live answers with pongs, textpong with text "pong"
     * messages, dead not at all: dead is closed after its first ping, the others stay, and
     * nothing they sent ("hello", the text pongs) is answered — what they drain until the
     * server's close, after they answered 3 pings each, is nothing.
     */
    @Test
    void heartbeatKeepsPeersThatAnswerWithAPongOrATextPongAndDropsTheSilentOne() throws Exception {
        WebSocketServer server = start(b -> new HeartbeatEchoApp(Duration.ofMillis(300), Duration.ofSeconds(3), false)
                .configure(b));
        PeerProcess peer = client("heartbeat", "seed_heartbeat.py", base(server) + "/", "3");
        peer.awaitLine("DRAIN", SCRIPT_TIMEOUT);
        server.stop(Duration.ofSeconds(5));
        List<String> lines = transcript(peer, "heartbeat-echo");

        assertTranscript(lines, quoted(
                "live, textpong, dead open",
                "live > \"hello\"", "textpong > \"hello\"",
                "live < 3 pings, answered with pongs",
                "textpong < 3 pings, answered with the text \"pong\" each",
                "dead < 1 ping(s), answered nothing; dead closed 1011 \"keepalive ping timeout\"",
                "DRAIN",
                "live closed 1001 \"server stopping\"", "textpong closed 1001 \"server stopping\""));
    }

    // ================================================================== channels / ticker

    @Test
    void channelsAuthSubscribeTicksAndPingPongInTheTutorialsProtocol() throws Exception {
        ChannelsApp app = new ChannelsApp("xxx", Duration.ofMillis(100), 42);
        WebSocketServer server = app.start(app.configure(WebSocketServer.builder().host("127.0.0.1").port(0)
                .closeTimeout(Duration.ofSeconds(2))));
        servers.add(server);
        List<String> lines = transcript(client("channels", "seed_channels.py", base(server) + "/", "xxx", "2"), "channels");

        String tick = "c < ticker channel=ticker_btc price=\\d+(\\.\\d{1,2})? book=5 bids/5 asks";
        List<String> expected = new ArrayList<>(quoted(
                "c > \"{\\\"type\\\": \\\"auth\\\", \\\"data\\\": {\\\"token\\\": \\\"xxx\\\"}}\"",
                "c < \"{\\\"type\\\":\\\"auth_ok\\\"}\"",
                "c > \"{\\\"type\\\": \\\"subscribe\\\", \\\"data\\\": {\\\"channel\\\": \\\"ticker_btc\\\"}}\""));
        expected.add("c < subscribed channel=ticker_btc history=\\d+ points");
        expected.add(tick);
        expected.add(tick);
        expected.addAll(quoted(
                "c > \"{\\\"type\\\": \\\"ping\\\", \\\"seq\\\": 123}\"",
                "c < \"{\\\"type\\\":\\\"pong\\\",\\\"seq\\\":123}\""));
        assertTranscript(lines, expected);
    }
}
