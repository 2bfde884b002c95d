package io.loomsocket.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.interop.JdkWebSocket.Binary;
import io.loomsocket.interop.JdkWebSocket.Closed;
import io.loomsocket.interop.JdkWebSocket.Text;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import io.loomsocket.tls.TestCertificates;
import java.net.URI;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JDK's {@code java.net.http.WebSocket} client over {@code wss://} against a Loomsocket echo
 * server with the test certificate: the JDK does its own TLS handshake and host name check.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class JdkClientTlsInteropTest {

    private static final int MIB = 1 << 20;

    private final CompletableFuture<String> serverEnded = new CompletableFuture<>();
    private WebSocketServer server;
    private JdkWebSocket jdk;

    @BeforeEach
    void startEchoServer() throws Exception {
        TestCertificates certs = TestCertificates.get();
        server = WebSocketServer.builder()
                .host("127.0.0.1")
                .port(0)
                .maxSize(2 * MIB)
                .tls(certs.keystore(), TestCertificates.PASSWORD.clone())
                .handler(ws -> {
                    for (Message m : ws) {
                        switch (m) {
                            case Message.Text t when t.text().equals("close 4002 please") ->
                                    ws.close(new CloseCode(4002), "server bye");
                            case Message.Text t -> ws.sendText(t.text());
                            case Message.Binary b -> ws.sendBinary(b.data());
                            default -> {}
                        }
                    }
                    ws.awaitClosed(Duration.ofSeconds(10));
                    serverEnded.complete(ws.closeCode().code() + " " + ws.closeReason());
                })
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        if (jdk != null) {
            jdk.shutdown();
        }
        server.stop(Duration.ofSeconds(5));
    }

    private JdkWebSocket connect() throws Exception {
        jdk = JdkWebSocket.connect(URI.create(server.url() + "/interop"), TestCertificates.get().clientContext());
        return jdk;
    }

    @Test
    void textAndBinaryUpToOneMebibyteComeBackUnchangedOverWss() throws Exception {
        assertThat(server.url()).startsWith("wss://");
        connect();
        Random random = new Random(6455);
        for (int size : new int[] {0, 1, 125, 126, 65_535, 65_536, MIB}) {
            byte[] data = new byte[size];
            random.nextBytes(data);
            jdk.sendBinary(data, true);
            JdkWebSocket.Received echoed = jdk.nextMessage();
            assertThat(echoed).isInstanceOf(Binary.class);
            assertThat(((Binary) echoed).data()).as("echo of %d bytes", size).isEqualTo(data);
        }
        String text = "héllo wörld 🎉 ".repeat(5_000);
        jdk.sendText(text, true);
        assertThat(jdk.nextMessage()).isEqualTo(new Text(text));
    }

    @Test
    void fragmentsAreReassembledAndCloseCodesPassBothWays() throws Exception {
        connect();
        jdk.sendText("frag", false);
        jdk.sendText("mented", true);
        assertThat(jdk.nextMessage()).isEqualTo(new Text("fragmented"));

        jdk.sendText("close 4002 please", true);
        assertThat(jdk.closed.get(10, TimeUnit.SECONDS)).isEqualTo(new Closed(4002, "server bye"));
        // The JDK answers with the code alone (no reason), which completes the server's closing handshake.
        assertThat(serverEnded.get(10, TimeUnit.SECONDS)).startsWith("4002");
        assertThat(jdk.error).isNotDone();
    }

    @Test
    void aCloseFromTheJdkClientReachesTheServer() throws Exception {
        connect();
        jdk.sendClose(4001, "bye");
        assertThat(serverEnded.get(10, TimeUnit.SECONDS)).isEqualTo("4001 bye");
        assertThat(jdk.closed.get(10, TimeUnit.SECONDS).code()).isEqualTo(4001);
    }

    @Test
    void theJdkClientRefusesTheSelfSignedCertificateWithoutTheTrustStore() throws Exception {
        assertThatThrownBy(() -> JdkWebSocket.connect(URI.create(server.url() + "/"), SSLContext.getDefault()))
                .hasRootCauseInstanceOf(java.security.cert.CertPathBuilderException.class)
                .satisfies(e -> assertThat(e).hasCauseInstanceOf(SSLHandshakeException.class));
    }
}
