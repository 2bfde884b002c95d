package io.loomsocket.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.examples.Json;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import io.loomsocket.tls.TestCertificates;
import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code wss://} against independent implementations in both roles: Node's {@code ws} (on
 * node:https) and Python's {@code websockets} (on Python's ssl), both OpenSSL underneath, with
 * the test certificate of {@link TestCertificates} in PEM.
 *
 * <ul>
 *   <li>The peer as client against a Loomsocket TLS echo server: it verifies our certificate
 *       against the PEM and the host name 127.0.0.1 (its library's defaults), sends a binary and a
 *       text message of every length class up to 1 MiB, compares the echoes, then asks the server
 *       to close with 4002, and reports the code and reason it got.
 *   <li>The peer as server for a Loomsocket client that connects to {@code wss://localhost:PORT}
 *       (the certificate's DNS name, trusted through our PKCS12 trust store): the same messages
 *       echoed by the peer, then our client closes with 4001; the peer reports the code, the
 *       reason and the SNI name it received ("localhost").
 * </ul>
 *
 * <p>The scripts are in {@code src/test/tls-peers}; node's {@code ws} is the one pinned in
 * {@code src/test/deflate-peers} ({@code npm ci --prefix src/test/deflate-peers}), python's is
 * Debian's {@code python3-websockets} on {@code /usr/bin/python3}, as for {@link DeflateInteropIT}.
 * Never skips: without its peers it fails, saying what to install.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsInteropIT {

    enum Peer {
        NODE_WS("node ws", "ws-tls-client.mjs", "ws-tls-server.mjs"),
        PYTHON_WEBSOCKETS("python websockets", "py_tls_client.py", "py_tls_server.py");

        final String label;
        final String clientScript;
        final String serverScript;

        Peer(String label, String clientScript, String serverScript) {
            this.label = label;
            this.clientScript = clientScript;
            this.serverScript = serverScript;
        }
    }

    private static final int MIB = 1 << 20;
    private static final List<Integer> SIZES = List.of(0, 1, 125, 126, 65_535, 65_536, MIB);
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(40);
    private static final int SCRIPT_TIMEOUT_MS = 30_000;
    private static final String INSTALL = "install the peers as mvn verify's set-up does: `npm ci --prefix src/test/deflate-peers` "
            + "(node >= 20 on the PATH) and `apt-get install -y python3-websockets` (for /usr/bin/python3)";

    private static final Path PROJECT = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    private static final Path PEERS = PROJECT.resolve("src/test/tls-peers");
    private static final Path WS_MODULE = PROJECT.resolve("src/test/deflate-peers/node_modules/ws/package.json");
    private static String node;
    private static String python;

    @BeforeAll
    static void prerequisites() throws Exception {
        List<String> missing = new ArrayList<>();
        node = onPath("node");
        if (node == null) {
            missing.add("no `node` on the PATH");
        }
        if (!Files.isRegularFile(WS_MODULE)) {
            missing.add("no " + WS_MODULE.getParent());
        }
        if (!Files.isRegularFile(PEERS.resolve("ws-tls-client.mjs"))) {
            missing.add("no " + PEERS.resolve("ws-tls-client.mjs") + " (is basedir " + PROJECT + " right?)");
        }
        python = System.getenv().getOrDefault("DEFLATE_PEERS_PYTHON", "/usr/bin/python3");
        if (!Files.isExecutable(Path.of(python))) {
            missing.add("no " + python);
        } else {
            Process p = new ProcessBuilder(python, "-c", "import websockets, ssl; print(websockets.__version__)")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                missing.add(python + " cannot import websockets and ssl (" + out.lines().reduce((a, b) -> b).orElse("") + ")");
            } else if (Integer.parseInt(out.split("\\.")[0]) < 10) {
                missing.add(python + " has websockets " + out + "; the peers need >= 10");
            }
        }
        if (!missing.isEmpty()) {
            fail(String.join("; ", missing) + ": " + INSTALL);
        }
    }

    private static String onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, command);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    private static PeerProcess startPeer(Peer peer, String script, Map<String, Object> config) throws Exception {
        String interpreter = script.endsWith(".py") ? python : node;
        return PeerProcess.start(peer.label + " " + script,
                List.of(interpreter, PEERS.resolve(script).toString(), Json.write(config)), PEERS);
    }

    /** What the peers send, in order: for each size a binary then a text message (as the scripts' messages()). */
    private static List<DataMessage> messages() {
        List<DataMessage> all = new ArrayList<>();
        for (int size : SIZES) {
            byte[] bytes = new byte[size];
            StringBuilder text = new StringBuilder(size);
            for (int i = 0; i < size; i++) {
                bytes[i] = (byte) ((i * 31 + size) % 251);
                text.append((char) ('a' + (i + size) % 26));
            }
            all.add(new Message.Binary(bytes));
            all.add(new Message.Text(text.toString()));
        }
        return all;
    }

    // ================================================================== the peer as client

    @ParameterizedTest(name = "{0} client -> Loomsocket wss server")
    @EnumSource(Peer.class)
    void peerClientAgainstLoomsocketServer(Peer peer) throws Exception {
        TestCertificates certs = TestCertificates.get();
        CompletableFuture<String> serverEnd = new CompletableFuture<>();
        WebSocketServer server = WebSocketServer.builder()
                .host("127.0.0.1").port(0).maxSize(2 * MIB).noDeflate().noKeepalive()
                .tls(certs.keystore(), TestCertificates.PASSWORD.clone())
                .handler(ws -> {
                    int echoed = 0;
                    for (DataMessage m : ws) {
                        switch (m) {
                            case Message.Text t when t.text().equals("close 4002") ->
                                    ws.close(new CloseCode(4002), "server says bye");
                            case Message.Text t -> ws.sendText(t.text());
                            case Message.Binary b -> ws.sendBinary(b.data());
                        }
                        echoed++;
                    }
                    ws.awaitClosed(Duration.ofSeconds(10));
                    serverEnd.complete(echoed + " " + ws.closeCode().code());
                })
                .start();
        try {
            assertThat(server.url()).startsWith("wss://");
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("url", server.url() + "/");
            config.put("ca", certs.certificatePem().toString());
            config.put("sizes", SIZES);
            config.put("timeoutMs", SCRIPT_TIMEOUT_MS);
            long start = System.nanoTime();
            try (PeerProcess client = startPeer(peer, peer.clientScript, config)) {
                int status = client.awaitExit(PEER_TIMEOUT);
                assertThat(status).as("exit status of the %s client\n%s", peer.label, client.output()).isZero();
                Map<String, Object> result = Json.parseObject(client.awaitLine("RESULT ", Duration.ofSeconds(5)));
                System.out.printf("TlsInteropIT: %s client -> Loomsocket server: %s (%d ms)%n", peer.label,
                        Json.write(result), (System.nanoTime() - start) / 1_000_000);
                assertThat(((Number) result.get("sent")).intValue()).as("messages echoed intact").isEqualTo(2 * SIZES.size());
                assertThat(((Number) result.get("closeCode")).intValue()).isEqualTo(4002);
                assertThat(result.get("closeReason")).isEqualTo("server says bye");
                assertThat((String) result.get("tls")).startsWith("TLSv1.");
                // The server counted the messages and the "close 4002", and its closing handshake completed.
                assertThat(serverEnd.get(10, TimeUnit.SECONDS)).isEqualTo((2 * SIZES.size() + 1) + " 4002");
            }
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
    }

    // ================================================================== the peer as server

    @ParameterizedTest(name = "Loomsocket wss client -> {0} server")
    @EnumSource(Peer.class)
    void loomsocketClientAgainstPeerServer(Peer peer) throws Exception {
        TestCertificates certs = TestCertificates.get();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("cert", certs.certificatePem().toString());
        config.put("key", certs.privateKeyPem().toString());
        config.put("timeoutMs", SCRIPT_TIMEOUT_MS);
        long start = System.nanoTime();
        try (PeerProcess server = startPeer(peer, peer.serverScript, config)) {
            int port = Integer.parseInt(server.awaitLine("PORT ", Duration.ofSeconds(20)).trim());
            WebSocket ws = WebSocketClient.builder()
                    .trustStore(certs.trustStore(), TestCertificates.PASSWORD.clone())
                    .maxSize(2 * MIB).noKeepalive()
                    .connect(URI.create("wss://localhost:" + port + "/"));
            try {
                List<DataMessage> messages = messages();
                for (int i = 0; i < messages.size(); i++) {
                    DataMessage m = messages.get(i);
                    switch (m) {
                        case Message.Text t -> ws.sendText(t.text());
                        case Message.Binary b -> ws.sendBinary(b.data());
                    }
                    assertThat(ws.receive()).as("echo of message #%d from the %s server", i, peer.label).isEqualTo(m);
                }
                ws.close(new CloseCode(4001), "client says bye");
                assertThat(ws.awaitClosed(Duration.ofSeconds(10))).isTrue();
                assertThat(ws.closeCode()).as("the peer's answer to our close").isEqualTo(new CloseCode(4001));
            } finally {
                ws.abort();
            }
            int status = server.awaitExit(PEER_TIMEOUT);
            assertThat(status).as("exit status of the %s server\n%s", peer.label, server.output()).isZero();
            Map<String, Object> result = Json.parseObject(server.awaitLine("RESULT ", Duration.ofSeconds(5)));
            System.out.printf("TlsInteropIT: Loomsocket client -> %s server: %s (%d ms)%n", peer.label,
                    Json.write(result), (System.nanoTime() - start) / 1_000_000);
            assertThat(((Number) result.get("echoed")).intValue()).isEqualTo(2 * SIZES.size());
            assertThat(((Number) result.get("closeCode")).intValue()).isEqualTo(4001);
            assertThat(result.get("closeReason")).isEqualTo("client says bye");
            assertThat(result.get("sni")).as("the SNI server name our client sent").isEqualTo("localhost");
            assertThat((String) result.get("tls")).startsWith("TLSv1.");
        }
    }
}
