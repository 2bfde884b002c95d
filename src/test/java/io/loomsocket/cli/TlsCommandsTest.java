package io.loomsocket.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import io.loomsocket.tls.TestCertificates;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.HttpsURLConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS on the command line: {@code --tls-keystore FILE --tls-password-env VAR} on every server
 * command (the password from the environment only; errors exit 2 naming the file or the
 * variable), the wss:// banners, and {@code connect wss://...} with and without {@code --insecure}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TlsCommandsTest {

    /** An environment variable no machine sets: the "unset" case. */
    private static final String UNSET = "LOOMSOCKET_TEST_SURELY_UNSET_4711";
    private static final String PASSWORD_ENV = "LOOMSOCKET_TEST_TLS_PASSWORD";
    private static final TestCertificates CERTS = TestCertificates.get();

    private static final WebSocketHandler ECHO = ws -> {
        for (Message m : ws) {
            if (m instanceof Message.Text t) {
                ws.sendText(t.text());
            }
        }
    };

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final Terminal.Keyboard stdin = new Terminal.Keyboard();
    private final Terminal.Screen stdout = new Terminal.Screen();
    private final Terminal.Screen stderr = new Terminal.Screen();
    private final List<WebSocketServer> servers = new ArrayList<>();

    @AfterEach
    void stopServers() throws InterruptedException {
        stdin.end();
        for (WebSocketServer s : servers) {
            s.stop(Duration.ofSeconds(2));
        }
    }

    private int run(String... args) {
        return Main.run(args, new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"echo", "broadcast", "heartbeat-echo", "auth-echo", "two-step-chat", "json-chat", "channels",
            "demo", "bench-server"})
    void everyServerCommandTakesTheTlsFlagsAndSaysSoInItsHelp(String command) {
        assertThat(CommandSpec.ALL.get(command).values()).contains("tls-keystore", "tls-password-env");
        assertThat(CommandSpec.ALL.get(command).help()).contains("--tls-keystore FILE --tls-password-env VAR");
        // An unset variable is refused before anything listens: the flags are read by this command.
        assertThat(run(command, "--port", "0", "--tls-keystore", CERTS.keystore().toString(), "--tls-password-env", UNSET))
                .isEqualTo(2);
        assertThat(err()).contains("the environment variable " + UNSET + " (--tls-password-env) is not set");
        assertThat(outBytes.toString(StandardCharsets.UTF_8)).as("no banner").isEmpty();
    }

    @Test
    void theClientCommandsDoNotTakeThemButConnectTakesInsecure() {
        assertThat(CommandSpec.ALL.get("connect").values()).doesNotContain("tls-keystore");
        assertThat(CommandSpec.ALL.get("connect").flags()).contains("insecure");
        assertThat(CommandSpec.ALL.get("connect").help()).contains("--insecure").contains("wss://");
        assertThat(run("--help")).isZero();
        assertThat(outBytes.toString(StandardCharsets.UTF_8)).contains("--tls-keystore FILE").contains("connect ws[s]://");
    }

    @Test
    void theFlagsGiveTheServerTlsWithThePasswordFromTheEnvironment() throws IOException {
        String[] argv = {"echo", "--tls-keystore", CERTS.keystore().toString(), "--tls-password-env", PASSWORD_ENV};
        WebSocketServer server = TlsFlags.apply(WebSocketServer.builder().host("127.0.0.1").port(0).handler(ECHO),
                Args.parse(argv, 1, List.of()), Map.of(PASSWORD_ENV, TestCertificates.PASSWORD_TEXT)::get).start();
        servers.add(server);
        assertThat(server.isTls()).isTrue();
        assertThat(server.url()).startsWith("wss://127.0.0.1:");

        WebSocketServer plain = TlsFlags.apply(WebSocketServer.builder().host("127.0.0.1").port(0).handler(ECHO),
                Args.parse(new String[] {"echo"}, 1, List.of()), name -> {
                    throw new AssertionError("no flag, no environment lookup: " + name);
                }).start();
        servers.add(plain);
        assertThat(plain.isTls()).isFalse();
        assertThat(plain.url()).startsWith("ws://");
    }

    @Test
    void aKeystoreThatCannotBeOpenedExitsTwoNamingTheFile() {
        Path missing = CERTS.dir().resolve("no-such.p12");
        // PATH is set in every environment: here it serves as a (wrong) password.
        assertThat(run("echo", "--port", "0", "--tls-keystore", missing.toString(), "--tls-password-env", "PATH")).isEqualTo(2);
        assertThat(err()).contains("--tls-keystore: cannot open the PKCS12 keystore " + missing + ": no such file");

        assertThat(run("echo", "--port", "0", "--tls-keystore", CERTS.keystore().toString(), "--tls-password-env", "PATH"))
                .isEqualTo(2);
        assertThat(err()).contains("cannot open the PKCS12 keystore " + CERTS.keystore() + ": wrong password");

        assertThat(run("echo", "--port", "0", "--tls-keystore", CERTS.certificatePem().toString(), "--tls-password-env", "PATH"))
                .isEqualTo(2);
        assertThat(err()).contains("cannot open the PKCS12 keystore " + CERTS.certificatePem());
    }

    @Test
    void oneFlagWithoutTheOtherExitsTwo() {
        assertThat(run("echo", "--port", "0", "--tls-keystore", CERTS.keystore().toString())).isEqualTo(2);
        assertThat(err()).contains("--tls-keystore needs --tls-password-env VAR");
        assertThat(run("echo", "--port", "0", "--tls-password-env", PASSWORD_ENV)).isEqualTo(2);
        assertThat(err()).contains("--tls-password-env needs --tls-keystore FILE");
        assertThatThrownBy(() -> TlsFlags.apply(WebSocketServer.builder(),
                Args.parse(new String[] {"x", "--tls-password-env", "V"}, 1, List.of()), name -> "pw"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Runs {@code loomsocket connect ...} on its own thread; completes with the exit status. */
    private CompletableFuture<Integer> connect(String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = "connect";
        System.arraycopy(args, 0, argv, 1, args.length);
        return Terminal.runInBackground(stdin, stdout, stderr, argv);
    }

    private WebSocketServer tlsEcho() throws IOException {
        WebSocketServer server = WebSocketServer.builder().host("127.0.0.1").port(0).tls(CERTS.serverContext())
                .handler(ECHO).start();
        servers.add(server);
        return server;
    }

    @Test
    void connectInsecureWarnsOnStderrAndTalksToASelfSignedServer() throws Exception {
        WebSocketServer server = tlsEcho();
        CompletableFuture<Integer> exit = connect(server.url() + "/", "--insecure");
        stdout.await(line -> line.startsWith("connected to wss://127.0.0.1:"), Duration.ofSeconds(10));
        assertThat(stderr.seen()).anyMatch(line -> line.contains("warning: --insecure")
                && line.contains("certificate and host name are NOT verified"));

        stdin.type("over tls");
        stdout.await("< over tls");
        stdin.end();
        stdout.await("closed: 1000");
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void connectWithoutInsecureRefusesTheSelfSignedCertificateAndExitsOne() throws Exception {
        WebSocketServer server = tlsEcho();
        assertThat(connect(server.url() + "/").get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(stderr.seen()).anyMatch(line -> line.startsWith("loomsocket: TLS handshake with 127.0.0.1 port "
                + server.port() + " failed: the server's certificate is not trusted"));
        assertThat(stderr.seen()).noneMatch(line -> line.contains("warning"));
    }

    // ------------------------------------------------------------------ real processes

    private static Process serverProcess(String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                + File.pathSeparator
                + Path.of(WebSocketServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> command = new ArrayList<>(List.of(java, "-cp", classes, Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put(PASSWORD_ENV, TestCertificates.PASSWORD_TEXT);
        return builder.start();
    }

    /** The first line printed that matches {@code pattern}, within 10 s; its first group. */
    private static String awaitLine(Process process, Pattern pattern) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> match = new CompletableFuture<>();
        List<String> lines = new ArrayList<>();
        Thread.ofVirtual().start(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    Matcher m = pattern.matcher(line);
                    if (m.matches()) {
                        match.complete(m.group(1));
                    }
                }
                match.completeExceptionally(new AssertionError("no line matching " + pattern + " in " + lines));
            } catch (IOException e) {
                match.completeExceptionally(e);
            }
        });
        return match.get(10, TimeUnit.SECONDS);
    }

    /**
     * {@code demo --tls-keystore ... --tls-password-env VAR} as a real process (the password in
     * its environment): it says to open https://, serves its page there and its WebSockets on
     * wss://, and stops on SIGTERM, closing them with 1001. (MainTest runs {@code echo} this way
     * without TLS.)
     */
    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void demoOverTlsServesItsPageOnHttpsAndItsWebSocketsOnWss() throws Exception {
        Process demo = serverProcess("demo", "--port", "0", "--tls-keystore", CERTS.keystore().toString(),
                "--tls-password-env", PASSWORD_ENV);
        try {
            String page = awaitLine(demo, Pattern.compile("demo: open (https://127\\.0\\.0\\.1:\\d+/) in a browser"));
            HttpsURLConnection http = (HttpsURLConnection) URI.create(page).toURL().openConnection();
            http.setSSLSocketFactory(CERTS.clientContext().getSocketFactory());
            http.setConnectTimeout(5_000);
            http.setReadTimeout(5_000);
            assertThat(http.getResponseCode()).isEqualTo(200);
            String html = new String(http.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(html).contains("location.protocol === 'https:' ? 'wss://'");
            http.disconnect();

            WebSocket chat = WebSocketClient.builder().trustStore(CERTS.trustStore(), TestCertificates.PASSWORD.clone())
                    .connect(URI.create(page.replace("https://", "wss://") + "chat"));
            chat.sendText("{\"type\":\"register\",\"uuid\":\"u-1\",\"content\":\"tls\"}");
            // An answer: the server has the connection among its sessions (it writes the 101 just
            // before adding it, so a stop right after connect() could still find it handshaking).
            assertThat(chat.receive()).isInstanceOfSatisfying(Message.Text.class,
                    t -> assertThat(t.text()).isEqualTo("{\"type\": \"handshake\"}"));
            assertThat(chat.receive()).isInstanceOfSatisfying(Message.Text.class,
                    t -> assertThat(t.text()).isEqualTo("{\"type\": \"login\", \"content\": \"tls\", \"user_list\": [\"u-1\"]}"));
            demo.destroy(); // SIGTERM: the shutdown hook stops the server gracefully
            assertThat(chat.awaitClosed(Duration.ofSeconds(10))).isTrue();
            assertThat(chat.closeCode()).isEqualTo(CloseCode.GOING_AWAY);
            assertThat(demo.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            demo.destroyForcibly();
        }
    }
}
