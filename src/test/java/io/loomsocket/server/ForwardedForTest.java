package io.loomsocket.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.handshake.HttpHeaders;
import io.loomsocket.io.ConnectionLogCapture;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.Message;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code X-Forwarded-For} behind trusted proxies: which entry is believed (the rightmost one, which
 * the trusted proxy added), that nothing is believed from an untrusted peer or by default, and
 * what the request hook, the connection's attributes and the connection log then show.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ForwardedForTest {

    private static final InetSocketAddress PROXY = new InetSocketAddress(ip("127.0.0.1"), 50312);
    private static final ForwardedFor LOOPBACK = ForwardedFor.trusting(List.of("127.0.0.1", "::1"));

    private static InetAddress ip(String literal) {
        return ForwardedFor.literal(literal).orElseThrow();
    }

    private static Optional<InetAddress> client(ForwardedFor f, InetSocketAddress peer, String... values) {
        HttpHeaders.Builder h = HttpHeaders.builder();
        for (String v : values) {
            h.add("X-Forwarded-For", v);
        }
        return f.client(peer, h.build());
    }

    @Test
    void theRightmostEntryIsTheClientBecauseTheProxyAppendedIt() {
        assertThat(client(LOOPBACK, PROXY, "203.0.113.7")).contains(ip("203.0.113.7"));
        // what nginx's $proxy_add_x_forwarded_for makes of a header the client forged
        assertThat(client(LOOPBACK, PROXY, "198.51.100.1, 203.0.113.7")).contains(ip("203.0.113.7"));
        assertThat(client(LOOPBACK, PROXY, "not-an-address,203.0.113.7")).contains(ip("203.0.113.7"));
        assertThat(client(LOOPBACK, PROXY, "198.51.100.1", "203.0.113.7")).as("two fields are one list")
                .contains(ip("203.0.113.7"));
        assertThat(client(LOOPBACK, PROXY, "[2001:db8::7]")).contains(ip("2001:db8::7"));
    }

    @Test
    void onlyTheRightmostEntryCountsEvenWhenItIsATrustedAddress() {
        // nginx on the same machine, and a client on loopback claiming another address: nginx
        // appends 127.0.0.1, and that is the client, not the claim on its left.
        assertThat(client(LOOPBACK, PROXY, "203.0.113.9, 127.0.0.1")).contains(ip("127.0.0.1"));
        assertThat(client(LOOPBACK, PROXY, "203.0.113.7, ::1")).contains(ip("::1"));
    }

    @Test
    void nothingIsBelievedFromAnUntrustedPeerWithoutTheHeaderOrWithGarbageWhereTheClientShouldBe() {
        InetSocketAddress direct = new InetSocketAddress(ip("192.0.2.10"), 40000);
        assertThat(client(LOOPBACK, direct, "203.0.113.7")).isEmpty();
        assertThat(client(LOOPBACK, PROXY)).isEmpty();
        assertThat(client(LOOPBACK, PROXY, "")).isEmpty();
        assertThat(client(LOOPBACK, PROXY, "203.0.113.7, unknown")).isEmpty();
        assertThat(client(LOOPBACK, PROXY, "203.0.113.7:4711")).as("no ports").isEmpty();
    }

    @Test
    void onlyIpLiteralsAreAcceptedAndNoNameIsLookedUp() {
        assertThat(ForwardedFor.literal("localhost")).isEmpty();
        assertThat(ForwardedFor.literal("zz::1")).isEmpty();
        assertThat(ForwardedFor.literal("1.2.3")).isEmpty();
        assertThat(ForwardedFor.literal("256.1.1.1")).isEmpty();
        assertThat(ForwardedFor.literal("1:2:3")).isEmpty();
        assertThatThrownBy(() -> WebSocketServer.builder().trustedProxies("127.0.0.1", "proxy.internal"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("trustedProxies: not an IP address: \"proxy.internal\" (name each proxy by its address, such as 127.0.0.1)");
    }

    // ---- a real server --------------------------------------------------------------------

    private ConnectionLogCapture capture;
    private final LinkedBlockingQueue<HandshakeRequest> seen = new LinkedBlockingQueue<>();
    private WebSocketServer server;

    @BeforeEach
    void captureTheLog() {
        capture = ConnectionLogCapture.start(Level.ALL);
    }

    @AfterEach
    void release() {
        if (server != null) {
            server.close();
        }
        capture.close();
    }

    /** A server whose hook records each request and whose handler answers with the attribute. */
    private WebSocketServer start(String... trustedProxies) throws Exception {
        return WebSocketServer.builder().trustedProxies(trustedProxies)
                .requestHook(request -> {
                    seen.add(request);
                    return HandshakeDecision.accept();
                })
                .route("/chat", ws -> ws.sendText(String.valueOf(ws.attributes().get(ForwardedFor.CLIENT_ADDRESS))))
                .start();
    }

    private String openLine() throws InterruptedException {
        return capture.nextMessage(m -> m.startsWith("connection open: "), Duration.ofSeconds(10));
    }

    private String exchange(String forwardedFor) throws Exception {
        try (WebSocket ws = WebSocketClient.builder().header("X-Forwarded-For", forwardedFor)
                .connect(URI.create(server.url() + "/chat"))) {
            Optional<io.loomsocket.protocol.DataMessage> m = ws.receive(Duration.ofSeconds(5));
            assertThat(m).isPresent();
            ws.awaitClosed(Duration.ofSeconds(5));
            assertThat(ws.closeCode()).isEqualTo(CloseCode.NORMAL_CLOSURE);
            return ((Message.Text) m.get()).text();
        }
    }

    @Test
    void behindATrustedProxyTheHookTheAttributesAndTheLogNameTheForwardedClient() throws Exception {
        server = start("127.0.0.1");

        assertThat(exchange("198.51.100.1, 203.0.113.7")).isEqualTo("/203.0.113.7");

        HandshakeRequest request = seen.poll(5, TimeUnit.SECONDS);
        assertThat(request.forwardedFor()).contains(ip("203.0.113.7"));
        assertThat(request.clientAddress()).isEqualTo(ip("203.0.113.7"));
        assertThat(request.headers().first("X-Forwarded-For")).contains("198.51.100.1, 203.0.113.7");
        assertThat(server.options().trustedProxies()).containsExactly(ip("127.0.0.1"));
        assertThat(openLine()).matches("connection open: 203\\.0\\.113\\.7 via 127\\.0\\.0\\.1:\\d+ /chat");
    }

    @Test
    void byDefaultTheHeaderIsNotBelieved() throws Exception {
        server = start();

        assertThat(exchange("203.0.113.7")).isEqualTo("null");

        HandshakeRequest request = seen.poll(5, TimeUnit.SECONDS);
        assertThat(request.forwardedFor()).isEmpty();
        assertThat(request.clientAddress()).isEqualTo(ip("127.0.0.1"));
        assertThat(server.options().trustedProxies()).isEmpty();
        assertThat(openLine()).matches("connection open: 127\\.0\\.0\\.1:\\d+ /chat");
    }

    @Test
    void aPeerThatIsNotATrustedProxyKeepsItsOwnAddress() throws Exception {
        server = start("192.0.2.1");

        assertThat(exchange("203.0.113.7")).isEqualTo("null");
        assertThat(seen.poll(5, TimeUnit.SECONDS).forwardedFor()).isEmpty();
        assertThat(openLine()).matches("connection open: 127\\.0\\.0\\.1:\\d+ /chat");
    }
}
