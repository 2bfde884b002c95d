package io.loomsocket.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.io.Eventually;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.Message;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link WebSocketServer#metrics()} after a known exchange, byte for byte, and the same numbers
 * in the Prometheus text at the metrics path, parsed line by line.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class MetricsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int MESSAGES = 5;
    private static final String TEN = "0123456789";

    private final CountDownLatch handlerEnded = new CountDownLatch(1);
    private WebSocketServer server;

    /** Echoes; "ping" makes the server ping the client and answer "pinged" once the pong is in. */
    private final WebSocketHandler handler = ws -> {
        try {
            for (Message m : ws) {
                if (m instanceof Message.Text t && t.text().equals("ping")) {
                    ws.ping().get(5, TimeUnit.SECONDS);
                    ws.sendText("pinged");
                } else if (m instanceof Message.Text t) {
                    ws.sendText(t.text());
                }
            }
        } finally {
            handlerEnded.countDown();
        }
    };

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private WebSocketServer start() throws IOException {
        server = WebSocketServer.builder().route("/echo", handler).noKeepalive().noDeflate()
                .metricsPath("/metrics").start();
        return server;
    }

    /** Five 10-byte echoes, one server ping, a normal close: every counter exact. */
    private void knownExchange() throws Exception {
        WebSocket ws = WebSocketClient.connect(URI.create(server.url() + "/echo"));
        // The server counts a connection open once its session exists, just after it wrote the
        // 101: the client may read the 101 a moment earlier.
        io.loomsocket.io.Eventually.await("the connection counted open", Duration.ofSeconds(5),
                () -> server.metrics().openConnections() == 1);
        assertThat(server.metrics().openConnections()).isEqualTo(1);
        for (int i = 0; i < MESSAGES; i++) {
            ws.sendText(TEN);
            assertThat(ws.receive()).isEqualTo(new Message.Text(TEN));
        }
        ws.sendText("ping");
        assertThat(ws.receive()).isEqualTo(new Message.Text("pinged"));
        ws.close(CloseCode.NORMAL_CLOSURE, "");
        assertThat(handlerEnded.await(10, TimeUnit.SECONDS)).isTrue();
        Eventually.await("the close counted and the connection gone", WAIT, server::metrics,
                m -> m.connectionsClosedTotal() == 1 && m.openConnections() == 0);
    }

    @Test
    void theSnapshotCountsConnectionsMessagesBytesAndPingsExactly() throws Exception {
        start();
        knownExchange();

        MetricsSnapshot m = server.metrics();
        assertThat(m.openConnections()).isZero();
        assertThat(m.connectionsAccepted()).isEqualTo(1);
        assertThat(m.connectionsClosed()).isEqualTo(Map.of(1000, 1L));
        assertThat(m.messagesReceived()).as("five echoes and the ping request").isEqualTo(MESSAGES + 1);
        assertThat(m.messagesSent()).isEqualTo(MESSAGES + 1);
        // Client frames are masked: 6 header bytes under 126. Five texts of 10, "ping", the pong
        // (8-byte id), the close (code only).
        assertThat(m.bytesReceived()).isEqualTo(MESSAGES * (6 + 10) + (6 + 4) + (6 + 8) + (6 + 2));
        // Server frames: 2 header bytes. Five echoes, the ping (8-byte id), "pinged", the close reply.
        assertThat(m.bytesSent()).isEqualTo(MESSAGES * (2 + 10) + (2 + 8) + (2 + 6) + (2 + 2));
        assertThat(m.queuedBytes()).isZero();
        assertThat(m.pingRoundTrips()).isEqualTo(1);
        assertThat(m.pingRoundTripLast()).isPositive().isEqualTo(m.pingRoundTripMax()).isEqualTo(m.pingRoundTripMean())
                .isEqualTo(m.pingRoundTripTotal()).isLessThan(Duration.ofSeconds(5));
        assertThat(m.handshakesRefused()).isEmpty();
        assertThat(m.protocolFailures()).isEmpty();
        assertThat(m.slowConsumerCloses()).isZero();
        assertThat(m.slowConsumerDrops()).isZero();
    }

    @Test
    void refusalsFailuresAndPlainAnswersAreCountedByReason() throws Exception {
        start();
        try (RawClient c = new RawClient(server.port())) {
            c.send(RawClient.upgradeRequest(server.port())); // /raw: no route
            assertThat(c.readErrorResponse().statusLine()).startsWith("HTTP/1.1 404");
        }
        try (RawClient c = new RawClient(server.port())) {
            c.send(RawClient.upgradeRequest(server.port()).replace("GET /raw", "GET /echo")
                    .replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8"));
            assertThat(c.readErrorResponse().statusLine()).startsWith("HTTP/1.1 426");
        }
        try (Socket quiet = new Socket("127.0.0.1", server.port())) {
            quiet.shutdownOutput(); // EOF before a request head
            assertThat(quiet.getInputStream().read()).isEqualTo(-1);
        }
        try (RawClient c = new RawClient(server.port())) {
            c.send(RawClient.upgradeRequest(server.port()).replace("GET /raw", "GET /echo"));
            c.readResponseHead();
            c.send(RawClient.unmaskedFrame(true, 0x1, TEN.getBytes(StandardCharsets.US_ASCII)));
            assertThat(c.readFrame().closeCode()).isEqualTo(1002);
        }
        Eventually.await("refusals and the failed connection counted", WAIT, server::metrics,
                m -> m.handshakesRefused().getOrDefault("closed", 0L) == 1 && m.connectionsClosedTotal() == 1);

        MetricsSnapshot m = server.metrics();
        assertThat(m.handshakesRefused()).isEqualTo(Map.of("404", 1L, "426", 1L, "closed", 1L));
        assertThat(m.protocolFailures()).isEqualTo(Map.of("UNMASKED_CLIENT_FRAME", 1L));
        assertThat(m.connectionsClosed()).isEqualTo(Map.of(1002, 1L));
        assertThat(m.connectionsAccepted()).isEqualTo(1);
        assertThat(m.messagesReceived()).as("the bad frame is no message").isZero();
        assertThat(m.httpResponses()).isZero();
    }

    @Test
    void aRequestHookRefusalCountsByItsStatusAndItsPagesAsHttpResponses() throws Exception {
        server = WebSocketServer.builder().handler(handler).requestHook(req -> switch (req.path()) {
            case "/health" -> HandshakeDecision.respond(200, "text/plain", "ok\n".getBytes(StandardCharsets.US_ASCII));
            case "/private" -> HandshakeDecision.reject(401, "no token");
            default -> HandshakeDecision.accept();
        }).start();
        for (String path : new String[] {"/health", "/private", "/private"}) {
            try (RawClient c = new RawClient(server.port())) {
                c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
                c.readErrorResponse();
            }
        }
        MetricsSnapshot m = server.metrics();
        assertThat(m.httpResponses()).isEqualTo(1);
        assertThat(m.handshakesRefused()).isEqualTo(Map.of("401", 2L));
    }

    @Test
    void theMetricsPathAnswersPrometheusTextWithTheSnapshotsNumbers() throws Exception {
        start();
        knownExchange();
        MetricsSnapshot before = server.metrics();

        RawClient.Response r;
        try (RawClient c = new RawClient(server.port())) {
            c.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/plain\r\n\r\n");
            r = c.readErrorResponse();
        }

        assertThat(r.statusLine()).isEqualTo("HTTP/1.1 200 OK");
        assertThat(r.headers()).containsEntry("content-type", "text/plain; version=0.0.4; charset=utf-8");
        assertThat(r.body()).isEqualTo(before.toPrometheusText()).endsWith("\n");
        Map<String, BigDecimal> samples = parse(r.body());
        assertThat(samples).containsEntry("loomsocket_connections_open", BigDecimal.ZERO)
                .containsEntry("loomsocket_connections_accepted_total", BigDecimal.ONE)
                .containsEntry("loomsocket_connections_closed_total{code=\"1000\"}", BigDecimal.ONE)
                .containsEntry("loomsocket_messages_received_total", BigDecimal.valueOf(MESSAGES + 1))
                .containsEntry("loomsocket_messages_sent_total", BigDecimal.valueOf(MESSAGES + 1))
                .containsEntry("loomsocket_bytes_received_total", BigDecimal.valueOf(before.bytesReceived()))
                .containsEntry("loomsocket_bytes_sent_total", BigDecimal.valueOf(before.bytesSent()))
                .containsEntry("loomsocket_queued_bytes", BigDecimal.ZERO)
                .containsEntry("loomsocket_slow_consumer_closes_total", BigDecimal.ZERO)
                .containsEntry("loomsocket_slow_consumer_drops_total", BigDecimal.ZERO)
                .containsEntry("loomsocket_http_responses_total", BigDecimal.ZERO)
                .containsEntry("loomsocket_ping_round_trip_seconds_count", BigDecimal.ONE);
        assertThat(samples.get("loomsocket_ping_round_trip_seconds_sum"))
                .isEqualByComparingTo(BigDecimal.valueOf(before.pingRoundTripTotal().toNanos(), 9));
        assertThat(samples.get("loomsocket_ping_round_trip_max_seconds"))
                .isEqualByComparingTo(BigDecimal.valueOf(before.pingRoundTripMax().toNanos(), 9));
        assertThat(server.metrics().httpResponses()).as("the scrape itself, after it was answered").isEqualTo(1);
    }

    @Test
    void labelledSamplesAreWellFormedToo() throws Exception {
        MetricsSnapshot m = new MetricsSnapshot(2, 7, Map.of(1000, 3L, 1002, 1L), Map.of("404", 2L, "timeout", 1L), 4,
                10, 11, 12, 13, 14, Map.of("INVALID_UTF8", 1L), 1, 2, 3, Duration.ofMillis(3),
                Duration.ofNanos(1_500), Duration.ofMillis(2), 1 << 20, 4096, 2 << 20, 5, 6);
        Map<String, BigDecimal> samples = parse(m.toPrometheusText());
        assertThat(samples).containsEntry("loomsocket_connections_closed_total{code=\"1002\"}", BigDecimal.ONE)
                .containsEntry("loomsocket_handshakes_refused_total{reason=\"timeout\"}", BigDecimal.ONE)
                .containsEntry("loomsocket_protocol_failures_total{rule=\"INVALID_UTF8\"}", BigDecimal.ONE)
                .containsEntry("loomsocket_inbound_buffered_bytes", BigDecimal.valueOf(4096))
                .containsEntry("loomsocket_budget_closes_total", BigDecimal.valueOf(6))
                .containsEntry("loomsocket_ping_round_trip_last_seconds", new BigDecimal("0.0000015"))
                .containsEntry("loomsocket_ping_round_trip_seconds_sum", new BigDecimal("0.003"));
        assertThat(m.connectionsClosedTotal()).isEqualTo(4);
        assertThat(m.pingRoundTripMean()).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void theMetricsPathMustBeAPath() {
        assertThatThrownBy(() -> WebSocketServer.builder().metricsPath("metrics")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WebSocketServer.builder().metricsPath("/m?x=1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WebSocketServer.builder().metricsPath("/a b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anUpgradeAtTheMetricsPathIsAnUpgradeAndWithoutTheOptionThePathIsNotServed() throws Exception {
        server = WebSocketServer.builder().handler(handler).noKeepalive().metricsPath("/metrics").start();
        WebSocket ws = WebSocketClient.connect(URI.create(server.url() + "/metrics"));
        ws.sendText(TEN);
        assertThat(ws.receive()).isEqualTo(new Message.Text(TEN));
        ws.close(CloseCode.NORMAL_CLOSURE, "");
        server.close();

        server = WebSocketServer.builder().route("/echo", handler).start();
        try (RawClient c = new RawClient(server.port())) {
            c.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.readErrorResponse().statusLine()).startsWith("HTTP/1.1 404");
        }
    }

    private static final Pattern HELP = Pattern.compile("# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \\S.*");
    private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|summary|histogram|untyped)");
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"(?:,[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\")*\\})? (-?[0-9]+(?:\\.[0-9]+)?)");

    /**
     * Parses the text format 0.0.4 strictly: every line a HELP, a TYPE or a sample; each family's
     * HELP and TYPE once, before its samples; counters named {@code _total}; a summary's samples
     * {@code _sum} and {@code _count}. Returns the samples, {@code name{labels}} to value.
     */
    static Map<String, BigDecimal> parse(String text) {
        assertThat(text).endsWith("\n").doesNotContain("\r");
        Map<String, BigDecimal> samples = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        Set<String> helped = new HashSet<>();
        String family = null;
        for (String line : text.split("\n")) {
            Matcher help = HELP.matcher(line);
            Matcher type = TYPE.matcher(line);
            Matcher sample = SAMPLE.matcher(line);
            if (help.matches()) {
                assertThat(helped.add(help.group(1))).as("one HELP for %s", help.group(1)).isTrue();
                family = help.group(1);
            } else if (type.matches()) {
                assertThat(type.group(1)).as("TYPE right after its HELP").isEqualTo(family);
                assertThat(types.put(type.group(1), type.group(2))).as("one TYPE for %s", family).isNull();
                if (type.group(2).equals("counter")) {
                    assertThat(family).endsWith("_total");
                }
            } else if (sample.matches()) {
                String name = sample.group(1);
                String expectedFamily = types.get(family).equals("summary") ? name.replaceFirst("_(sum|count)$", "") : name;
                assertThat(expectedFamily).as("sample %s under its own family", line).isEqualTo(family);
                String key = name + (sample.group(2) == null ? "" : sample.group(2));
                assertThat(samples.put(key, new BigDecimal(sample.group(3)))).as("one sample %s", key).isNull();
            } else {
                throw new AssertionError("not a line of the text format: '" + line + "'");
            }
        }
        assertThat(types).hasSize(helped.size());
        return samples;
    }
}
