package io.loomsocket.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.examples.DemoApp;
import io.loomsocket.examples.Json;
import io.loomsocket.io.ConnectionLogCapture;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.HandshakeRequest;
import io.loomsocket.server.WebSocketServer;
import io.loomsocket.tls.TestCertificates;
import java.net.InetAddress;
import java.net.URI;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.HttpsURLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Level;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo behind Debian's real nginx, configured with the repository's
 * {@code deploy/nginx/loomsocket.conf} (ports, certificate paths and, in one test, the read
 * timeout replaced: see that file's header), as docs/deploy.md describes: the page, a chat
 * exchange on {@code /chat} and a ticker subscription on {@code /channels} through nginx, over
 * {@code http://}/{@code ws://} and again over {@code https://}/{@code wss://} with TLS ended at
 * nginx (a certificate made at test time). The demo runs in this JVM with
 * {@code trustedProxies("127.0.0.1")}, as {@code demo --trust-proxy 127.0.0.1} does; its request
 * hook is wrapped to record what it saw: the {@code X-Forwarded-For} nginx appended to (the
 * client sends a forged one), the {@code X-Forwarded-Proto}, and the client address the server
 * believed; the connection log must name that client. A second test shows why
 * {@code proxy_read_timeout} must stay above the server's keepalive interval. What went through
 * nginx is printed (it goes into the closing note of issue 12).
 *
 * <p>Needs {@code /usr/sbin/nginx} ({@value NginxProcess#INSTALL}): without it, it fails at once
 * saying so.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NginxProxyIT {

    private static final Path SITE = Path.of("deploy/nginx/loomsocket.conf");
    private static final String FORGED = "203.0.113.9"; // what a client may claim; nginx appends the real address
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final TestCertificates CERTS = TestCertificates.get();

    private ConnectionLogCapture capture;

    private final LinkedBlockingQueue<HandshakeRequest> seen = new LinkedBlockingQueue<>();
    private final List<String> transcript = new ArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void nginxIsInstalled() {
        NginxProcess.requireInstalled();
    }

    @Test
    void docsDeployShowsTheSiteFileAsItIs() throws Exception {
        assertThat(Files.readString(Path.of("docs/deploy.md"))).as("docs/deploy.md shows " + SITE + " verbatim")
                .contains("```nginx\n" + Files.readString(SITE) + "```\n");
    }

    @BeforeEach
    void captureTheConnectionLog() {
        capture = ConnectionLogCapture.start(Level.INFO);
    }

    @AfterEach
    void stopAllAndPrint() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        capture.close();
        if (!transcript.isEmpty()) {
            System.out.println(String.join("\n", transcript));
            System.out.flush();
        }
    }

    private void say(String line) {
        transcript.add(line);
    }

    /** The demo on 127.0.0.1, trusting nginx on 127.0.0.1, its request hook recording what it saw. */
    private WebSocketServer demo(Duration tick, boolean keepalive) throws Exception {
        DemoApp app = new DemoApp(tick, 7);
        WebSocketServer.Builder builder = WebSocketServer.builder().host("127.0.0.1").port(0)
                .closeTimeout(Duration.ofSeconds(2)).trustedProxies("127.0.0.1");
        builder = keepalive ? builder.keepalive(Duration.ofMillis(500), Duration.ofSeconds(2)) : builder.noKeepalive();
        WebSocketServer server = app.start(app.configure(builder).requestHook(request -> {
            seen.add(request);
            return app.requestHook().check(request);
        }));
        toClose.add(app);
        toClose.add(server);
        return server;
    }

    /** nginx with the repository's site file, ports and paths replaced as its header says. */
    private NginxProcess nginx(int demoPort, Map<String, String> more) throws Exception {
        String template = Files.readString(SITE);
        Path cert = dir.resolve("fullchain.pem");
        Path key = dir.resolve("privkey.pem");
        Files.copy(CERTS.certificatePem(), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(CERTS.privateKeyPem(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        NginxProcess nginx = NginxProcess.start(dir, 2, ports -> {
            Map<String, String> r = new java.util.LinkedHashMap<>();
            r.put("listen 80;", "listen 127.0.0.1:" + ports[0] + ";");
            r.put("listen 443 ssl;", "listen 127.0.0.1:" + ports[1] + " ssl;");
            r.put("server 127.0.0.1:8080;", "server 127.0.0.1:" + demoPort + ";");
            r.put("/etc/ssl/loomsocket/fullchain.pem", cert.toString());
            r.put("/etc/ssl/loomsocket/privkey.pem", key.toString());
            r.putAll(more);
            return NginxProcess.substitute(template, r);
        });
        toClose.add(nginx);
        return nginx;
    }

    @Test
    void thePageTheChatAndTheTickerGoThroughNginxPlainAndWithTlsEndedThere() throws Exception {
        WebSocketServer server = demo(Duration.ofMillis(100), true);
        NginxProcess nginx = nginx(server.port(), Map.of());
        int plain = nginx.port(0);
        int tls = nginx.port(1);
        say("NginxProxyIT: " + NginxProcess.version() + " (" + NginxProcess.BINARY + ") with " + SITE + ": listen 127.0.0.1:"
                + plain + " and 127.0.0.1:" + tls + " ssl -> the demo on 127.0.0.1:" + server.port()
                + " (trustedProxies 127.0.0.1)");

        SSLContext trust = CERTS.clientContext();
        for (String scheme : List.of("http", "https")) {
            boolean secure = scheme.equals("https");
            String authority = "127.0.0.1:" + (secure ? tls : plain);
            String ws = secure ? "wss" : "ws";
            say("-- " + (secure ? "TLS ended at nginx" : "plain"));

            page(URI.create(scheme + "://" + authority + "/"), trust);

            WebSocketClient.Builder client = WebSocketClient.builder().header("X-Forwarded-For", FORGED).deflate();
            if (secure) {
                client.sslContext(trust);
            }
            chat(URI.create(ws + "://" + authority + DemoApp.CHAT_PATH), client);
            serverSaw(DemoApp.CHAT_PATH, FORGED + ", 127.0.0.1", scheme);

            WebSocketClient.Builder plainClient = WebSocketClient.builder();
            if (secure) {
                plainClient.sslContext(trust);
            }
            ticker(URI.create(ws + "://" + authority + DemoApp.CHANNELS_PATH), plainClient);
            serverSaw(DemoApp.CHANNELS_PATH, "127.0.0.1", scheme);
        }
        nginx.close(); // flushes the access log
        say("-- nginx's access log");
        nginx.accessLog().forEach(line -> say("  " + line));
        assertThat(nginx.accessLog()).filteredOn(l -> l.contains("\"GET /chat HTTP/1.1\" 101 ")).hasSize(2);
        assertThat(nginx.accessLog()).filteredOn(l -> l.contains("\"GET /channels HTTP/1.1\" 101 ")).hasSize(2);
        assertThat(nginx.accessLog()).filteredOn(l -> l.contains("\"GET / HTTP/1.1\" 200 ")).hasSize(2);
    }

    /** GET of the page through nginx: 200, the demo's HTML, nginx's Server header. */
    private void page(URI uri, SSLContext trust) throws Exception {
        HttpURLConnection http = (HttpURLConnection) uri.toURL().openConnection();
        if (http instanceof HttpsURLConnection https) {
            https.setSSLSocketFactory(trust.getSocketFactory());
        }
        http.setConnectTimeout((int) WAIT.toMillis());
        http.setReadTimeout((int) WAIT.toMillis());
        try {
            int status = http.getResponseCode();
            String body = new String(http.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            say("GET " + uri + " -> " + status + ", " + http.getContentType() + ", " + body.length() + " chars, Server: "
                    + http.getHeaderField("Server"));
            assertThat(status).isEqualTo(200);
            assertThat(http.getContentType()).startsWith("text/html");
            assertThat(http.getHeaderField("Server")).startsWith("nginx");
            assertThat(body).startsWith("<!DOCTYPE html>").contains("'/chat'", "'/channels'");
        } finally {
            http.disconnect();
        }
        HandshakeRequest request = nextRequest("/");
        assertThat(request.isUpgrade()).isFalse();
        assertThat(request.forwardedFor()).contains(InetAddress.getByName("127.0.0.1"));
    }

    /**
     * Register, then send: a message with the text comes back. Written for both chat protocols
     * (the one with {@code registered}/{@code message} and the seed's with
     * {@code handshake}/{@code login}/{@code user}): only the text is waited for.
     */
    private void chat(URI uri, WebSocketClient.Builder client) throws Exception {
        try (WebSocket ws = client.connect(uri)) {
            say(uri + "  (client sends X-Forwarded-For: " + FORGED + "; extensions: "
                    + (ws.extensions().isEmpty() ? "none" : ws.extensions()) + ")");
            send(ws, "{\"type\":\"register\",\"uuid\":\"nginx-u1\",\"name\":\"nginx-u1\",\"content\":\"joined\"}");
            send(ws, "{\"type\":\"send\",\"content\":\"hello through nginx\"}");
            await(ws, text -> text.contains("hello through nginx"), "a message with \"hello through nginx\"");
            assertThat(ws.extensions()).as("permessage-deflate negotiated through nginx").startsWith("permessage-deflate");
            ws.close(CloseCode.NORMAL_CLOSURE, "bye");
            assertThat(ws.awaitClosed(WAIT)).isTrue();
            say("  closed " + ws.closeCode().code());
        }
    }

    /** auth, subscribe to ticker_btc, one tick. */
    private void ticker(URI uri, WebSocketClient.Builder client) throws Exception {
        try (WebSocket ws = client.connect(uri)) {
            say(uri.toString());
            send(ws, Json.write(Json.object("type", "auth", "data", Json.object("token", "nginx-token"))));
            await(ws, type("auth_ok"), "auth_ok");
            send(ws, Json.write(Json.object("type", "subscribe", "data", Json.object("channel", "ticker_btc"))));
            await(ws, type("subscribed"), "subscribed");
            await(ws, type("ticker"), "a tick");
            ws.close(CloseCode.NORMAL_CLOSURE, "");
            assertThat(ws.awaitClosed(WAIT)).isTrue();
            say("  closed " + ws.closeCode().code());
        }
    }

    /** What the request hook saw for the last upgrade to {@code path}, and the connection log's open line. */
    private void serverSaw(String path, String forwardedFor, String scheme) throws Exception {
        HandshakeRequest r = nextRequest(path);
        java.net.InetSocketAddress from = (java.net.InetSocketAddress) r.remoteAddress();
        String peer = from.getAddress().getHostAddress() + ":" + from.getPort(); // as the connection log writes it
        say("  the server's request hook saw: GET " + r.path() + " from " + peer + ", X-Forwarded-For: "
                + r.headers().first("X-Forwarded-For").orElse("(none)") + ", X-Forwarded-Proto: "
                + r.headers().first("X-Forwarded-Proto").orElse("(none)") + " -> client " + r.clientAddress().getHostAddress());
        assertThat(r.isUpgrade()).isTrue();
        assertThat(r.headers().first("X-Forwarded-For")).contains(forwardedFor);
        assertThat(r.headers().first("X-Forwarded-Proto")).contains(scheme);
        assertThat(r.forwardedFor()).as("the rightmost entry, the one nginx appended")
                .contains(InetAddress.getByName("127.0.0.1"));
        String open = nextLogged(line -> line.startsWith("connection open: ") && line.endsWith(" " + path));
        say("  the server's connection log: " + open);
        assertThat(open).isEqualTo("connection open: 127.0.0.1 via " + peer + " " + path);
    }

    @Test
    void anIdleWebSocketOutlivesProxyReadTimeoutOnlyBecauseTheServerPings() throws Exception {
        Map<String, String> shortTimeout = Map.of("proxy_read_timeout 60s;", "proxy_read_timeout 2s;");
        // With the server's keepalive (a ping every 500 ms here, 20 s by default), nginx reads from the
        // server more often than its read timeout: the idle connection stays open.
        WebSocketServer pinging = demo(Duration.ofSeconds(10), true);
        NginxProcess nginx = nginx(pinging.port(), shortTimeout);
        say("NginxProxyIT: proxy_read_timeout 2s; the demo pings every 500 ms");
        try (WebSocket ws = WebSocketClient.builder().noKeepalive()
                .connect(URI.create("ws://127.0.0.1:" + nginx.port(0) + DemoApp.CHANNELS_PATH))) {
            Optional<DataMessage> nothing = ws.receive(Duration.ofSeconds(4)); // idle twice the read timeout
            assertThat(nothing).isEmpty();
            send(ws, "{\"type\":\"ping\",\"seq\":4}");
            await(ws, type("pong"), "pong");
            say("  open after 4 s idle; answered");
        }
        nginx.close();

        // Without it, nothing comes from the server, and nginx ends the upgraded connection.
        WebSocketServer silent = demo(Duration.ofSeconds(10), false);
        nginx = nginx(silent.port(), shortTimeout);
        say("NginxProxyIT: proxy_read_timeout 2s; the demo does not ping");
        try (WebSocket ws = WebSocketClient.builder().noKeepalive()
                .connect(URI.create("ws://127.0.0.1:" + nginx.port(0) + DemoApp.CHANNELS_PATH))) {
            long start = System.nanoTime();
            assertThat(ws.awaitClosed(WAIT)).isTrue();
            Duration after = Duration.ofNanos(System.nanoTime() - start);
            say("  closed " + ws.closeCode().code() + " after " + after.toMillis() + " ms");
            assertThat(ws.closeCode()).isEqualTo(CloseCode.ABNORMAL_CLOSURE); // nginx closes TCP, no close frame
            assertThat(after).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(8));
        }
        String timedOut = nginx.errorLog().lines().filter(l -> l.contains("upgraded connection")).findFirst().orElse("");
        say("  nginx's error log: " + timedOut.replaceFirst("^\\S+ \\S+ ", ""));
        assertThat(timedOut).contains("upstream timed out").contains("while proxying upgraded connection");
    }

    private void send(WebSocket ws, String text) throws Exception {
        say("  > " + text);
        ws.sendText(text);
    }

    /** Receives (printing each message) until one matches, for at most {@link #WAIT}. */
    private void await(WebSocket ws, Predicate<String> match, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Optional<DataMessage> m = left <= 0 ? Optional.empty() : ws.receive(Duration.ofNanos(left));
            assertThat(m).as("%s within %s", what, WAIT).isPresent();
            assertThat(m.get()).isInstanceOf(Message.Text.class);
            String text = ((Message.Text) m.get()).text();
            say("  < " + (text.length() > 150 ? text.substring(0, 150) + "... (" + text.length() + " chars)" : text));
            if (match.test(text)) {
                return;
            }
        }
    }

    private static Predicate<String> type(String type) {
        return text -> type.equals(Json.parseObject(text).get("type"));
    }

    private HandshakeRequest nextRequest(String path) throws InterruptedException {
        for (HandshakeRequest r; (r = seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)) != null; ) {
            if (r.path().equals(path)) {
                return r;
            }
        }
        throw new AssertionError("the request hook saw no request for " + path + " within " + WAIT);
    }

    private String nextLogged(Predicate<String> match) throws InterruptedException {
        return capture.nextMessage(match, WAIT);
    }
}
