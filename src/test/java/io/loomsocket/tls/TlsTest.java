package io.loomsocket.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.client.Reconnecting;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.handshake.HandshakeException;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * wss:// between Loomsocket's client and server: messages of every length class up to 1 MiB,
 * fragmented, with and without permessage-deflate; close codes; the certificate checks (host
 * name, trust) and the insecure mode; the TLS handshake timeout on both sides; plain and TLS
 * clients on the wrong kind of port.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TlsTest {

    private static final int MIB = 1 << 20;
    private static final TestCertificates CERTS = TestCertificates.get();

    private static final WebSocketHandler ECHO = ws -> {
        for (DataMessage m : ws) {
            switch (m) {
                case Message.Text t when t.text().startsWith("close ") ->
                        ws.close(new CloseCode(Integer.parseInt(t.text().substring(6))), "server says bye");
                case Message.Text t -> ws.sendText(t.text());
                case Message.Binary b -> ws.sendBinary(b.data());
            }
        }
    };

    private final List<WebSocketServer> servers = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : resources) {
            if (c instanceof WebSocket ws) {
                ws.abort();
            } else {
                c.close();
            }
        }
        for (WebSocketServer s : servers) {
            s.stop(Duration.ofSeconds(2));
        }
    }

    private WebSocketServer tlsServer(WebSocketServer.Builder builder) throws IOException {
        WebSocketServer server = builder.host("127.0.0.1").port(0).maxSize(2 * MIB).start();
        servers.add(server);
        return server;
    }

    private WebSocketServer echoServer() throws IOException {
        return tlsServer(WebSocketServer.builder().tls(CERTS.keystore(), TestCertificates.PASSWORD.clone()).handler(ECHO));
    }

    private WebSocket connect(WebSocketClient.Builder builder, String uri) throws IOException {
        WebSocket ws = builder.maxSize(2 * MIB).connect(URI.create(uri));
        resources.add(ws);
        return ws;
    }

    private static WebSocketClient.Builder trusting() throws IOException {
        return WebSocketClient.builder().trustStore(CERTS.trustStore(), TestCertificates.PASSWORD.clone());
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void theUrlSaysWssAndTheServerSaysItIsTls() throws IOException {
        WebSocketServer server = echoServer();
        assertThat(server.url()).isEqualTo("wss://127.0.0.1:" + server.port());
        assertThat(server.isTls()).isTrue();
    }

    @ParameterizedTest(name = "deflate {0}")
    @ValueSource(booleans = {false, true})
    void textAndBinaryOfEveryLengthClassUpTo1MiBComeBackIntact(boolean deflate) throws Exception {
        WebSocketServer server = echoServer();
        WebSocketClient.Builder builder = trusting();
        if (deflate) {
            builder.deflate();
        }
        WebSocket ws = connect(builder, server.url() + "/echo");
        assertThat(ws.extensions()).as("negotiated").startsWith(deflate ? "permessage-deflate" : "");
        if (!deflate) {
            assertThat(ws.extensions()).isEmpty();
        }
        int[] sizes = {0, 1, 125, 126, 65_535, 65_536, 100_000, MIB};
        for (int size : sizes) {
            byte[] data = random(size, size);
            ws.sendBinary(data);
            assertThat(ws.receive()).as("binary of %d bytes", size).isEqualTo(new Message.Binary(data));
            String text = "é€".repeat(size / 5) + "x".repeat(size % 5);
            ws.sendText(text);
            assertThat(ws.receive()).as("text of about %d bytes", size).isEqualTo(new Message.Text(text));
        }
        ws.close();
        assertThat(ws.awaitClosed(Duration.ofSeconds(5))).isTrue();
        assertThat(ws.closeCode()).isEqualTo(CloseCode.NORMAL_CLOSURE);
    }

    @ParameterizedTest(name = "deflate {0}")
    @ValueSource(booleans = {false, true})
    void fragmentedMessagesAreReassembled(boolean deflate) throws Exception {
        WebSocketServer server = echoServer();
        WebSocketClient.Builder builder = trusting();
        if (deflate) {
            builder.deflate();
        }
        WebSocket ws = connect(builder, server.url() + "/");
        byte[] part = random(40_000, 7);
        ws.sendBinary(part, false);
        ws.sendBinary(part, false);
        ws.sendBinary(part, true);
        byte[] whole = new byte[3 * part.length];
        for (int i = 0; i < 3; i++) {
            System.arraycopy(part, 0, whole, i * part.length, part.length);
        }
        assertThat(ws.receive()).isEqualTo(new Message.Binary(whole));
        ws.sendText("frag", false);
        ws.sendText("ment", false);
        ws.sendText("ed ✓", true);
        assertThat(ws.receive()).isEqualTo(new Message.Text("fragmented ✓"));
    }

    @Test
    void closeCodesAndReasonsPassThroughInBothDirections() throws Exception {
        CompletableFuture<String> serverSaw = new CompletableFuture<>();
        WebSocketServer server = tlsServer(WebSocketServer.builder().tls(CERTS.serverContext()).handler(ws -> {
            for (DataMessage m : ws) {
                ws.sendText("got " + m);
            }
            serverSaw.complete(ws.closeCode().code() + " " + ws.closeReason());
        }));
        WebSocket ws = connect(trusting(), server.url() + "/");
        ws.close(new CloseCode(4001), "client says bye");
        assertThat(ws.awaitClosed(Duration.ofSeconds(5))).isTrue();
        assertThat(serverSaw.get(5, TimeUnit.SECONDS)).isEqualTo("4001 client says bye");

        WebSocketServer echo = echoServer();
        WebSocket second = connect(trusting(), echo.url() + "/");
        second.sendText("close 4002");
        assertThat(second.awaitClosed(Duration.ofSeconds(5))).isTrue();
        assertThat(second.closeCode()).isEqualTo(new CloseCode(4002));
        assertThat(second.closeReason()).isEqualTo("server says bye");
    }

    /**
     * TLS 1.2, where the JDK answers a close_notify itself (RFC 5246 §7.2.1: "the other party MUST
     * respond with a close_notify alert of its own"): both closing directions still end cleanly.
     */
    @Test
    void tls12WorksAndClosesCleanlyInBothDirections() throws Exception {
        javax.net.ssl.TrustManagerFactory trust = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(CERTS.trustStore())) {
            store.load(in, TestCertificates.PASSWORD);
        }
        trust.init(store);
        javax.net.ssl.SSLContext tls12 = javax.net.ssl.SSLContext.getInstance("TLSv1.2");
        tls12.init(null, trust.getTrustManagers(), null);
        WebSocketServer server = echoServer();

        WebSocket clientCloses = connect(WebSocketClient.builder().sslContext(tls12), server.url() + "/");
        clientCloses.sendText("over TLS 1.2");
        assertThat(clientCloses.receive()).isEqualTo(new Message.Text("over TLS 1.2"));
        clientCloses.close();
        assertThat(clientCloses.awaitClosed(Duration.ofSeconds(5))).isTrue();
        assertThat(clientCloses.closeCode()).isEqualTo(CloseCode.NORMAL_CLOSURE);

        WebSocket serverCloses = connect(WebSocketClient.builder().sslContext(tls12), server.url() + "/");
        serverCloses.sendText("close 4003");
        assertThat(serverCloses.awaitClosed(Duration.ofSeconds(5))).isTrue();
        assertThat(serverCloses.closeCode()).isEqualTo(new CloseCode(4003));
    }

    @Test
    void theHostNameLocalhostIsCheckedAgainstTheDnsNameOfTheCertificate() throws Exception {
        WebSocketServer server = echoServer();
        WebSocket ws = connect(trusting(), "wss://localhost:" + server.port() + "/");
        ws.sendText("by name");
        assertThat(ws.receive()).isEqualTo(new Message.Text("by name"));
    }

    @Test
    void aCertificateForAnotherHostIsRefusedByNameEvenWhenTrusted() throws Exception {
        WebSocketServer server = tlsServer(WebSocketServer.builder().tls(CERTS.wrongHostServerContext()).handler(ECHO));

        assertThatThrownBy(() -> connect(trusting(), server.url() + "/"))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("TLS handshake with 127.0.0.1 port " + server.port() + " failed")
                .hasMessageContaining("the server's certificate is not for 127.0.0.1");
        assertThatThrownBy(() -> connect(trusting(), "wss://localhost:" + server.port() + "/"))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("the server's certificate is not for localhost");

        // The server is unharmed: a client that does not check names gets through.
        WebSocket insecure = connect(WebSocketClient.builder().insecureTls(), server.url() + "/");
        insecure.sendText("still serving");
        assertThat(insecure.receive()).isEqualTo(new Message.Text("still serving"));
    }

    @Test
    void aSelfSignedCertificateIsNotTrustedByTheDefaultTrustStore() throws Exception {
        WebSocketServer server = echoServer();

        assertThatThrownBy(() -> connect(WebSocketClient.builder(), server.url() + "/"))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("TLS handshake with 127.0.0.1 port " + server.port() + " failed")
                .hasMessageContaining("the server's certificate is not trusted");
    }

    @Test
    void insecureModeAcceptsAnyCertificate() throws Exception {
        WebSocketServer server = echoServer();
        WebSocket ws = connect(WebSocketClient.builder().insecureTls(), server.url() + "/");
        ws.sendBinary(new byte[] {1, 2, 3});
        assertThat(ws.receive()).isEqualTo(new Message.Binary(new byte[] {1, 2, 3}));
        // and sslContext() switches it off again: the host name is checked.
        WebSocketServer wrong = tlsServer(WebSocketServer.builder().tls(CERTS.wrongHostServerContext()).handler(ECHO));
        assertThatThrownBy(() -> connect(WebSocketClient.builder().insecureTls().sslContext(CERTS.clientContext()),
                wrong.url() + "/"))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("not for 127.0.0.1");
    }

    @Test
    void aClientThatNeverSendsAClientHelloIsClosedAfterTheHandshakeTimeout() throws Exception {
        WebSocketServer server = tlsServer(WebSocketServer.builder().tls(CERTS.serverContext())
                .handshakeTimeout(Duration.ofMillis(300)).handler(ECHO));
        try (Socket silent = new Socket()) {
            silent.connect(new InetSocketAddress("127.0.0.1", server.port()));
            silent.setSoTimeout(5_000);
            long start = System.nanoTime();
            assertThat(readUntilClosed(silent.getInputStream())).as("bytes from the server").isZero();
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(millis).as("closed after the 300 ms handshake timeout").isBetween(250L, 3_000L);
        }
        assertEchoWorks(server);
    }

    @Test
    void aClientThatDribblesItsClientHelloIsClosedAfterTheHandshakeTimeoutToo() throws Exception {
        WebSocketServer server = tlsServer(WebSocketServer.builder().tls(CERTS.serverContext())
                .handshakeTimeout(Duration.ofMillis(400)).handler(ECHO));
        try (Socket dribbler = new Socket()) {
            dribbler.connect(new InetSocketAddress("127.0.0.1", server.port()));
            dribbler.setSoTimeout(5_000);
            OutputStream out = dribbler.getOutputStream();
            // A TLS handshake record header announcing 512 bytes, then one byte every 50 ms: each
            // read of the server finds a byte well within the timeout, only the whole is too slow
            // (512 bytes would take 25 s).
            out.write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00});
            out.flush();
            long start = System.nanoTime();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 512; i++) {
                        Thread.sleep(50); // the pace of the dribble, not a wait for a result
                        out.write(1);
                        out.flush();
                    }
                } catch (IOException | InterruptedException closed) {
                    // the server has closed the connection
                }
            });
            assertThat(readUntilClosed(dribbler.getInputStream())).as("bytes from the server").isZero();
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(millis).as("cut off after the 400 ms handshake timeout").isBetween(300L, 3_000L);
            writer.interrupt();
            writer.join(Duration.ofSeconds(5));
        }
        assertEchoWorks(server);
    }

    @Test
    void aPlainWsClientOnTheTlsPortIsToldToUseWssAndTheServerKeepsServing() throws Exception {
        WebSocketServer server = echoServer();
        String plainUrl = "ws://127.0.0.1:" + server.port() + "/";

        assertThatThrownBy(() -> connect(WebSocketClient.builder(), plainUrl))
                .isInstanceOf(HandshakeException.class)
                .satisfies(e -> assertThat(((HandshakeException) e).status()).isEqualTo(400));

        // What a plain HTTP client reads there.
        try (Socket http = new Socket("127.0.0.1", server.port())) {
            http.setSoTimeout(5_000);
            http.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(http.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("connect with wss://");
        }
        assertEchoWorks(server);
        assertThat(server.connectionCount()).isLessThanOrEqualTo(1);
    }

    @Test
    void aWssClientAgainstAPlainServerFailsSayingTheServerDoesNotSpeakTls() throws Exception {
        WebSocketServer plain = WebSocketServer.builder().host("127.0.0.1").port(0).handler(ECHO).start();
        servers.add(plain);

        assertThatThrownBy(() -> connect(trusting(), "wss://127.0.0.1:" + plain.port() + "/"))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("TLS handshake with 127.0.0.1 port " + plain.port() + " failed")
                .hasMessageContaining("did not answer in TLS");
    }

    @Test
    void theClientsTlsHandshakeIsBoundedByItsHandshakeTimeout() throws Exception {
        try (ServerSocket mute = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            CompletableFuture<Socket> accepted = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    accepted.complete(mute.accept()); // and never answers the ClientHello
                } catch (IOException e) {
                    accepted.completeExceptionally(e);
                }
            });
            long start = System.nanoTime();
            assertThatThrownBy(() -> connect(trusting().handshakeTimeout(Duration.ofMillis(300)),
                    "wss://127.0.0.1:" + mute.getLocalPort() + "/"))
                    .isInstanceOf(SocketTimeoutException.class)
                    .hasMessageContaining("TLS handshake with 127.0.0.1 port " + mute.getLocalPort())
                    .hasMessageContaining("not complete within 300 ms");
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(250L, 3_000L);
            accepted.get(5, TimeUnit.SECONDS).close();
        }
    }

    @Test
    void aBadKeystoreIsNamedWhenTheServerIsBuilt() {
        Path missing = CERTS.dir().resolve("missing.p12");
        assertThatThrownBy(() -> WebSocketServer.builder().tls(missing, TestCertificates.PASSWORD.clone()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("no such file");
        assertThatThrownBy(() -> WebSocketServer.builder().tls(CERTS.keystore(), "wrong".toCharArray()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(CERTS.keystore().toString()).hasMessageContaining("wrong password");
        assertThatThrownBy(() -> WebSocketServer.builder().tls(CERTS.trustStore(), TestCertificates.PASSWORD.clone()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(CERTS.trustStore().toString()).hasMessageContaining("no private key");
        assertThatThrownBy(() -> WebSocketClient.builder().trustStore(CERTS.certificatePem(), TestCertificates.PASSWORD.clone()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(CERTS.certificatePem().toString());
    }

    @Test
    void reconnectingConnectionsGoOverTlsToo() throws Exception {
        WebSocketServer server = echoServer();
        try (Reconnecting connections = trusting().reconnecting(URI.create(server.url() + "/feed"))) {
            Iterator<WebSocket> it = connections.iterator();
            assertThat(it.hasNext()).isTrue();
            WebSocket ws = it.next();
            ws.sendText("over wss");
            assertThat(ws.receive()).isEqualTo(new Message.Text("over wss"));
        }
        // A TLS failure is an IOException: retried by default, as the README says.
        assertThat(io.loomsocket.client.RetryPolicy.defaults().retries(new SSLHandshakeException("untrusted"))).isTrue();
    }

    @Test
    void stoppingTheServerEndsAConnectionStillInItsTlsHandshake() throws Exception {
        WebSocketServer server = WebSocketServer.builder().host("127.0.0.1").port(0).tls(CERTS.serverContext())
                .handshakeTimeout(Duration.ofSeconds(20)).handler(ECHO).start();
        try (Socket silent = new Socket("127.0.0.1", server.port())) {
            silent.setSoTimeout(5_000);
            long start = System.nanoTime();
            server.stop(Duration.ofSeconds(2));
            assertThat(readUntilClosed(silent.getInputStream())).isZero();
            assertThat((System.nanoTime() - start) / 1_000_000).as("not the 20 s handshake timeout").isLessThan(5_000L);
        }
    }

    private void assertEchoWorks(WebSocketServer server) throws Exception {
        WebSocket ws = connect(trusting(), server.url() + "/after");
        ws.sendText("still serving");
        assertThat(ws.receive()).isEqualTo(new Message.Text("still serving"));
        ws.close();
        assertThat(ws.awaitClosed(Duration.ofSeconds(5))).isTrue();
    }

    /** Reads until the end of the stream (or a reset); returns how many bytes came. */
    private static int readUntilClosed(InputStream in) throws IOException {
        int total = 0;
        byte[] buf = new byte[1024];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                total += n;
            }
        } catch (java.net.SocketException reset) {
            // a reset is a close as well
        }
        return total;
    }
}
