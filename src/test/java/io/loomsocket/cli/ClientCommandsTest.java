package io.loomsocket.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocketHandler;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tutorials' clients ({@code echo-client}, {@code repeat-client}, {@code two-step-client},
 * {@code json-chat-client}) through {@link Main#run} with a fake terminal, each against an
 * in-test server that speaks the seed server's side of the exchange and records what it
 * received and how the connection was closed.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClientCommandsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Terminal.Keyboard stdin = new Terminal.Keyboard();
    private final Terminal.Screen stdout = new Terminal.Screen();
    private final Terminal.Screen stderr = new Terminal.Screen();
    private final List<WebSocketServer> servers = new ArrayList<>();

    /** Every text message the in-test server received, in order, over all connections. */
    private final List<String> received = Collections.synchronizedList(new ArrayList<>());
    /** How the (last) connection ended, as the server saw it: {@code CODE reason}. */
    private final CompletableFuture<String> closed = new CompletableFuture<>();

    @AfterEach
    void stopServers() throws InterruptedException {
        stdin.end(); // releases a command's stdin thread if a test left it waiting
        for (WebSocketServer s : servers) {
            s.stop(Duration.ofSeconds(2));
        }
    }

    private String serve(WebSocketHandler handler) throws IOException {
        WebSocketServer server = WebSocketServer.builder().host("127.0.0.1").port(0).closeTimeout(Duration.ofSeconds(2))
                .handler(handler).start();
        servers.add(server);
        return server.url();
    }

    /** A server that answers each text message with {@code reply(text)} until the client closes. */
    private String serveAnswering(java.util.function.UnaryOperator<String> reply) throws IOException {
        return serve(ws -> {
            for (DataMessage m : ws) {
                if (m instanceof Message.Text t) {
                    received.add(t.text());
                    ws.sendText(reply.apply(t.text()));
                }
            }
            closed.complete(ws.closeCode().code() + " " + ws.closeReason());
        });
    }

    /** Runs {@code loomsocket ARGS...} on its own thread; completes with the exit status. */
    private CompletableFuture<Integer> run(String... argv) {
        return Terminal.runInBackground(stdin, stdout, stderr, argv);
    }

    private int exitOf(String... argv) throws Exception {
        return run(argv).get(20, TimeUnit.SECONDS);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort(); // closed again: nothing listens there now
        }
    }

    // ------------------------------------------------------------------ echo-client

    /** Seed 001's client against its {@code Echo: } server: the message, then the two lines. */
    @Test
    void echoClientSendsHelloServerAndPrintsSentThenReceived() throws Exception {
        String url = serveAnswering(text -> "Echo: " + text);

        assertThat(exitOf("echo-client", url)).isZero();

        assertThat(stdout.seen()).containsExactly("Sent: Hello, server!", "Received: Echo: Hello, server!");
        assertThat(received).containsExactly("Hello, server!");
        assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo("1000 ");
        assertThat(stderr.seen()).isEmpty();
    }

    /** Seed 003's exchange: its message, its server's {@code 回显:} prefix. */
    @Test
    void echoClientSendsTheMessageItIsGiven() throws Exception {
        String url = serveAnswering(text -> "回显:" + text);

        assertThat(exitOf("echo-client", url + "/", "--message", "你好,服务端!")).isZero();

        assertThat(stdout.seen()).containsExactly("Sent: 你好,服务端!", "Received: 回显:你好,服务端!");
        assertThat(received).containsExactly("你好,服务端!");
    }

    @Test
    void echoClientRefusedNamesTheUrlAndExitsOne() throws Exception {
        int port = freePort();

        assertThat(exitOf("echo-client", "ws://127.0.0.1:" + port)).isEqualTo(1);

        assertThat(stderr.seen()).singleElement().asString()
                .startsWith("loomsocket: ws://127.0.0.1:" + port + ": cannot connect to 127.0.0.1 port " + port)
                .contains("is a server listening there?");
        assertThat(stdout.seen()).isEmpty();
    }

    @Test
    void echoClientGivesUpOnASilentServerAfterTheTimeout() throws Exception {
        String url = serve(ws -> {
            for (DataMessage m : ws) {
                received.add(((Message.Text) m).text()); // and no answer
            }
        });

        assertThat(exitOf("echo-client", url, "--timeout", "200ms")).isEqualTo(1);

        assertThat(stdout.seen()).containsExactly("Sent: Hello, server!");
        assertThat(stderr.seen()).containsExactly("loomsocket: " + url + ": no answer within 200 ms");
    }

    // ------------------------------------------------------------------ repeat-client

    /**
     * Seed 001's {@code ws_client} against its {@code handler}: 39 connections one after the
     * other, one message each, the one answer printed; the server closes after answering.
     */
    @Test
    void repeatClientOpensThirtyNineConnectionsOneMessageEach() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        String url = serve(ws -> {
            int n = connections.incrementAndGet();
            String text = ((Message.Text) ws.receive()).text();
            received.add(text);
            ws.sendText("Data received as \"" + text + "\". time: " + n); // then the handler returns: 1000
        });

        assertThat(exitOf("repeat-client", url, "--interval", "0s")).isZero();

        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 39; i++) {
            expected.add("Data received as \"Hello, I am PyPy.\". time: " + i);
        }
        assertThat(stdout.seen()).containsExactlyElementsOf(expected);
        assertThat(connections).hasValue(39);
        assertThat(received).hasSize(39).containsOnly("Hello, I am PyPy.");
        assertThat(stderr.seen()).isEmpty();
    }

    /** {@code --interval} is waited between connections: two waits for three connections. */
    @Test
    void repeatClientWaitsTheIntervalBetweenConnections() throws Exception {
        String url = serveAnswering(text -> "ok " + text);

        long start = System.nanoTime();
        assertThat(exitOf("repeat-client", url, "--count", "3", "--interval", "150ms", "--message", "m")).isZero();
        long tookMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(stdout.seen()).containsExactly("ok m", "ok m", "ok m");
        assertThat(received).containsExactly("m", "m", "m");
        assertThat(tookMillis).as("two intervals of 150 ms at least").isGreaterThanOrEqualTo(300);
    }

    @Test
    void repeatClientStopsAtTheFirstFailureNamingTheConnection() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        String url = serve(ws -> {
            String text = ((Message.Text) ws.receive()).text();
            if (connections.incrementAndGet() == 3) {
                ws.close(CloseCode.POLICY_VIOLATION, "no more");
                return;
            }
            ws.sendText("ok " + text);
        });

        assertThat(exitOf("repeat-client", url, "--interval", "0s")).isEqualTo(1);

        assertThat(stdout.seen()).containsExactly("ok Hello, I am PyPy.", "ok Hello, I am PyPy.");
        assertThat(stderr.seen()).containsExactly("loomsocket: connection 3 of 39: " + url
                + ": the server closed the connection (1008 no more)");
        assertThat(connections).hasValue(3);
    }

    // ------------------------------------------------------------------ two-step-client

    /**
     * Seed 001's {@code clientHands}/{@code clientSend}: {@code Hi} again after each
     * {@code connected fail} until {@code success}, then a line and its answer; {@code exit} is
     * not sent, prints {@code exit, bye!} and closes with the reason {@code exit}.
     */
    @Test
    void twoStepClientRetriesHiUntilSuccessThenSendsEachLineUntilExit() throws Exception {
        AtomicInteger his = new AtomicInteger();
        String url = serve(ws -> {
            boolean greeted = false;
            for (DataMessage m : ws) {
                String text = ((Message.Text) m).text();
                received.add(text);
                if (greeted) {
                    ws.sendText("success,get mess: " + text);
                } else if (text.equals("Hi") && his.incrementAndGet() == 3) { // the first two fail
                    greeted = true;
                    ws.sendText("success");
                } else {
                    ws.sendText("connected fail");
                }
            }
            closed.complete(ws.closeCode().code() + " " + ws.closeReason());
        });

        CompletableFuture<Integer> exit = run("two-step-client", url);
        stdout.await("握手成功");
        stdin.type("hello");
        stdout.await("input text: success,get mess: hello");
        stdin.type("exit");

        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(stdout.seen()).containsExactly("握手成功", "input text: success,get mess: hello", "input text: exit, bye!");
        assertThat(received).containsExactly("Hi", "Hi", "Hi", "hello");
        assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo("1000 exit");
        assertThat(stderr.seen()).isEmpty();
    }

    @Test
    void twoStepClientTreatsTheEndOfInputAsExit() throws Exception {
        String url = serveAnswering(text -> text.equals("Hi") ? "success" : "success,get mess: " + text);

        CompletableFuture<Integer> exit = run("two-step-client", url);
        stdout.await("握手成功");
        stdin.end();

        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(stdout.seen()).containsExactly("握手成功", "input text: exit, bye!");
        assertThat(received).containsExactly("Hi");
        assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo("1000 exit");
    }

    @Test
    void twoStepClientGivesUpAfterTriesWithoutSuccess() throws Exception {
        String url = serveAnswering(text -> "connected fail");

        assertThat(exitOf("two-step-client", url, "--tries", "3")).isEqualTo(1);

        assertThat(received).containsExactly("Hi", "Hi", "Hi");
        assertThat(stdout.seen()).isEmpty();
        assertThat(stderr.seen()).containsExactly("loomsocket: " + url + ": no answer containing \"success\" after 3 tries"
                + " of \"Hi\" (the last answer: \"connected fail\"); is it a two-step-chat server?");
    }

    // ------------------------------------------------------------------ json-chat-client

    /**
     * The JSON chat as the spec's server speaks it (seed 001 {@code ServerWs}): the handshake
     * first, {@code login} after {@code register}, {@code user} after {@code send}; then a
     * {@code logout} and an {@code error} the server pushes. {@code exit} unregisters and closes
     * with the reason {@code exit}.
     */
    @Test
    void jsonChatClientRegistersSendsPrintsEachMessageAndUnregistersOnExit() throws Exception {
        String url = serve(ws -> {
            ws.sendText("{\"type\": \"handshake\"}");
            for (DataMessage m : ws) {
                String text = ((Message.Text) m).text();
                received.add(text);
                if (text.contains("\"register\"")) {
                    ws.sendText("{\"type\": \"login\", \"content\": \"ann joined\", \"user_list\": [\"bob\", \"ann\"]}");
                } else if (text.contains("\"send\"")) {
                    ws.sendText("{\"type\": \"user\", \"content\": \"hello \\u00e9\", \"from\": \"ann\"}");
                    ws.sendText("{\"type\": \"logout\", \"content\": \"bob left\", \"user_list\": [\"ann\"]}");
                    ws.sendText("{\"type\": \"error\", \"content\": \"unknown type: frob\"}");
                } // unregister: nobody remains, nothing is sent
            }
            closed.complete(ws.closeCode().code() + " " + ws.closeReason());
        });

        CompletableFuture<Integer> exit = run("json-chat-client", url + "/chat", "--uuid", "ann");
        stdout.await("login: ann joined (online: bob, ann)");
        stdin.type("hello é");
        stdout.await("error: unknown type: frob");
        stdin.type("exit");

        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(stdout.seen()).containsExactly("handshake", "login: ann joined (online: bob, ann)", "ann: hello é",
                "logout: bob left (online: ann)", "error: unknown type: frob");
        assertThat(received).containsExactly(
                "{\"type\":\"register\",\"uuid\":\"ann\",\"content\":\"ann joined\"}",
                "{\"type\":\"send\",\"content\":\"hello é\"}",
                "{\"type\":\"unregister\",\"uuid\":\"ann\",\"content\":\"ann left\"}");
        assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo("1000 exit");
        assertThat(stderr.seen()).isEmpty();
    }

    /** Without {@code --uuid}: a random short id; a server going away ends the client with 0. */
    @Test
    void jsonChatClientWithoutUuidRegistersARandomShortIdAndEndsWhenTheServerGoesAway() throws Exception {
        String url = serve(ws -> {
            ws.sendText("{\"type\": \"handshake\"}");
            received.add(((Message.Text) ws.receive()).text());
            ws.close(CloseCode.GOING_AWAY, "restarting");
        });

        assertThat(exitOf("json-chat-client", url)).isZero();

        assertThat(received).singleElement().asString()
                .matches("\\{\"type\":\"register\",\"uuid\":\"([0-9a-f]{8})\",\"content\":\"\\1 joined\"}");
        assertThat(stdout.seen()).containsExactly("handshake", "closed by the server: 1001 restarting");
    }

    @Test
    void jsonChatClientRefusesAServerThatDoesNotGreetWithTheHandshake() throws Exception {
        String url = serve(ws -> ws.sendText("Echo: hi"));

        assertThat(exitOf("json-chat-client", url, "--uuid", "ann")).isEqualTo(1);

        assertThat(stderr.seen()).containsExactly("loomsocket: " + url
                + ": expected {\"type\": \"handshake\"} first, got: Echo: hi (is it a json-chat server?)");
        assertThat(received).as("nothing sent").isEmpty();
    }

    @Test
    void jsonChatClientNamesTheHandshakeItWaitedFor() throws Exception {
        String url = serve(ws -> {
            for (DataMessage m : ws) {
                received.add(((Message.Text) m).text());
            }
        });

        assertThat(exitOf("json-chat-client", url, "--timeout", "200ms")).isEqualTo(1);

        assertThat(stderr.seen()).containsExactly("loomsocket: " + url + ": no {\"type\": \"handshake\"} within 200 ms");
    }

    // ------------------------------------------------------------------ the command line

    @ParameterizedTest
    @ValueSource(strings = {"echo-client", "repeat-client", "two-step-client", "json-chat-client"})
    void everyClientAnswersHelpAndIsInTheUsage(String command) throws Exception {
        assertThat(exitOf(command, "--help")).isZero();
        assertThat(stdout.seen()).first().asString().startsWith("Usage: java -jar target/loomsocket.jar " + command + " [ws://");
        assertThat(exitOf("--help")).isZero();
        assertThat(stdout.seen()).anyMatch(line -> line.startsWith("  " + command + " [ws://"));
        assertThat(stderr.seen()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "echo-client --bogus 1                   | unknown option --bogus for echo-client (see: echo-client --help)",
            "repeat-client ws://a:1 ws://b:2         | unexpected argument 'ws://b:2' for repeat-client",
            "two-step-client --port 9090             | unknown option --port for two-step-client",
            "json-chat-client --insecure             | unknown option --insecure for json-chat-client",
            "repeat-client --count 0                 | --count must be at least 1: 0",
            "repeat-client --count many              | --count must be a number: many",
            "repeat-client --interval soon           | --interval must be a duration like 0s, 500ms, 1s or 2m: soon",
            "repeat-client --interval -1s            | --interval must be a duration like 0s, 500ms, 1s or 2m: -1s",
            "two-step-client --tries 0               | --tries must be at least 1: 0",
            "echo-client --timeout 0s                | --timeout must be a positive duration like 500ms, 10s or 2m: 0s",
            "echo-client --message                   | --message needs a value",
            "echo-client http://localhost:8765       | not a ws:// or wss:// URL: http://localhost:8765 (e.g. ws://localhost:8765)",
            "repeat-client localhost:9999            | not a ws:// or wss:// URL: localhost:9999",
            "two-step-client ws://                   | not a URL: ws://",
            "json-chat-client ws:///chat             | no host in the URL ws:///chat",
            "json-chat-client --uuid=                | --uuid must not be empty"})
    void aBadOptionOrUrlExitsTwoWithAMessageNamingItAndConnectsNowhere(String argv, String message) throws Exception {
        assertThat(exitOf(argv.trim().split(" +"))).isEqualTo(2);

        assertThat(stderr.seen()).singleElement().asString().startsWith("loomsocket: ").contains(message);
        assertThat(stdout.seen()).isEmpty();
    }
}
