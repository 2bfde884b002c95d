package io.loomsocket.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.broadcast.BroadcastRegistry;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs each bench mode for real against an in-process server; also CI's check that the load tool works. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BenchEndToEndTest {

    private static final WebSocketHandler ECHO = ws -> {
        for (Message m : ws) {
            switch (m) {
                case Message.Text t -> ws.sendText(t.text());
                case Message.Binary b -> ws.sendBinary(b.data());
                default -> {}
            }
        }
    };

    private final List<WebSocketServer> servers = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (WebSocketServer s : servers) {
            s.close();
        }
    }

    private WebSocketServer start(WebSocketServer.Builder builder) throws Exception {
        WebSocketServer s = builder.start();
        servers.add(s);
        return s;
    }

    private record Run(int exit, Map<String, String> result, String line, String stderr) {}

    private static Run bench(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] full = new String[args.length + 1];
        full[0] = "bench";
        System.arraycopy(args, 0, full, 1, args.length);
        int exit = Bench.run(BenchOptions.parse(full, 1), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String line = out.toString(StandardCharsets.UTF_8).trim();
        return new Run(exit, ResultLine.parse(line), line, err.toString(StandardCharsets.UTF_8));
    }

    private static String pid() {
        return Long.toString(ProcessHandle.current().pid());
    }

    @Test
    void echoClosedLoop() throws Exception {
        WebSocketServer s = start(WebSocketServer.builder().port(0).handler(ECHO));
        Run r = bench("echo", "--url", "ws://127.0.0.1:" + s.port() + "/echo", "--connections", "4", "--size", "300",
                "--duration", "2", "--warmup", "0", "--server-pid", pid());
        assertThat(r.line()).startsWith("RESULT bench=echo url=ws://127.0.0.1:" + s.port() + "/echo connections=4 size=300 ");
        assertThat(r.result().keySet()).containsExactly("bench", "url", "connections", "size", "duration_s", "messages",
                "msgs_per_s", "mb_per_s", "p50_us", "p99_us", "p999_us", "errors", "server_cpu_us_per_msg", "server_rss_kb",
                "payload", "deflate", "wire_bytes_in", "wire_bytes_out", "wire_ratio");
        assertThat(r.result()).containsEntry("errors", "0").containsEntry("payload", "random").containsEntry("deflate", "off");
        // uncompressed: the echoes' 300-byte payloads plus a 4-byte header each (126..65535 bytes)
        long messages = Long.parseLong(r.result().get("messages"));
        assertThat(Long.parseLong(r.result().get("wire_bytes_in"))).isGreaterThanOrEqualTo(messages * 304);
        assertThat(Double.parseDouble(r.result().get("wire_ratio"))).isBetween(1.0, 1.05);
        assertThat(Long.parseLong(r.result().get("messages"))).isPositive();
        assertThat(Double.parseDouble(r.result().get("server_cpu_us_per_msg"))).isPositive();
        assertThat(Long.parseLong(r.result().get("server_rss_kb"))).isPositive();
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stderr()).contains("[echo] t=1s");
    }

    @Test
    void echoOpenLoopTextAndLargeFrames() throws Exception {
        WebSocketServer s = start(WebSocketServer.builder().port(0).handler(ECHO));
        Run text = bench("echo", "--url", "ws://127.0.0.1:" + s.port() + "/", "--connections", "3", "--size", "5",
                "--duration", "1", "--warmup", "0", "--rate", "200", "--text", "--quiet");
        assertThat(text.result()).containsEntry("errors", "0").containsEntry("server_cpu_us_per_msg", "NA");
        assertThat(Long.parseLong(text.result().get("messages"))).isBetween(100L, 300L);
        assertThat(text.exit()).isZero();
        // 200 kB frames: split across many reads and writes
        Run big = bench("echo", "--url", "ws://127.0.0.1:" + s.port() + "/", "--connections", "2", "--size", "200k",
                "--duration", "1", "--warmup", "0", "--quiet");
        assertThat(big.result()).containsEntry("errors", "0");
        assertThat(Long.parseLong(big.result().get("messages"))).isPositive();
        assertThat(big.exit()).isZero();
    }

    @Test
    void corruptedEchoIsAnError() throws Exception {
        WebSocketServer s = start(WebSocketServer.builder().port(0).handler(ws -> {
            int n = 0;
            for (Message m : ws) {
                if (m instanceof Message.Binary b) {
                    byte[] data = b.data();
                    if (++n % 3 == 0) {
                        data[data.length / 2] ^= 1;
                    }
                    ws.sendBinary(data);
                }
            }
        }));
        Run r = bench("echo", "--url", "ws://127.0.0.1:" + s.port() + "/", "--connections", "2", "--size", "64",
                "--duration", "1", "--warmup", "0", "--quiet");
        assertThat(Long.parseLong(r.result().get("errors"))).isPositive();
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stderr()).contains("differs from what was sent");
    }

    private WebSocketServer broadcastServer() throws Exception {
        BroadcastRegistry registry = new BroadcastRegistry();
        return start(WebSocketServer.builder().port(0).handler(ws -> {
            String topic = ws.path();
            registry.subscribe(topic, ws);
            WebSocket exclude = topic.equals("/broadcast") ? ws : null;
            for (Message m : ws) {
                if (m instanceof Message.Binary b) {
                    registry.broadcast(topic, b.data(), exclude);
                }
            }
        }));
    }

    @Test
    void broadcastToOthers() throws Exception {
        WebSocketServer s = broadcastServer();
        Run r = bench("broadcast", "--url", "ws://127.0.0.1:" + s.port() + "/broadcast", "--connections", "20",
                "--size", "64", "--duration", "1", "--warmup", "0", "--server-pid", pid());
        assertThat(r.result()).containsEntry("errors", "0").containsEntry("subscribers", "20");
        long deliveries = Long.parseLong(r.result().get("messages"));
        long published = Long.parseLong(r.result().get("published"));
        assertThat(deliveries).isPositive();
        assertThat(deliveries).isLessThanOrEqualTo(published * 20);
        assertThat(r.result().get("p99_us")).isNotEqualTo("NA");
        assertThat(r.exit()).as(r.stderr()).isZero();
    }

    /** Two servers on one registry: an in-process stand-in for two nodes bridged over Redis. */
    private WebSocketServer[] twoNodes() throws Exception {
        BroadcastRegistry registry = new BroadcastRegistry();
        WebSocketHandler handler = ws -> {
            String topic = ws.path();
            registry.subscribe(topic, ws);
            WebSocket exclude = topic.equals("/broadcast") ? ws : null;
            for (Message m : ws) {
                if (m instanceof Message.Binary b) {
                    registry.broadcast(topic, b.data(), exclude);
                }
            }
        };
        return new WebSocketServer[] {start(WebSocketServer.builder().port(0).handler(handler)),
                start(WebSocketServer.builder().port(0).handler(handler))};
    }

    @Test
    void broadcastOverTwoUrlsReportsEachGroupAtTheEnd() throws Exception {
        WebSocketServer[] nodes = twoNodes();
        String first = "ws://127.0.0.1:" + nodes[0].port() + "/broadcast";
        String second = "ws://127.0.0.1:" + nodes[1].port() + "/broadcast";
        Run r = bench("broadcast", "--url", first, "--also-url", second, "--connections", "21",
                "--size", "64", "--duration", "1", "--warmup", "0", "--quiet");
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.result().keySet()).containsExactly("bench", "url", "connections", "size", "duration_s", "messages",
                "msgs_per_s", "mb_per_s", "p50_us", "p99_us", "p999_us", "errors", "server_cpu_us_per_msg", "server_rss_kb",
                "published", "subscribers", "payload", "deflate", "wire_bytes_in", "wire_bytes_out", "wire_ratio",
                "groups", "g0_url", "g0_subscribers", "g0_messages", "g0_p50_us", "g0_p99_us", "g0_p999_us",
                "g1_url", "g1_subscribers", "g1_messages", "g1_p50_us", "g1_p99_us", "g1_p999_us", "added_p99_us");
        assertThat(r.result()).containsEntry("errors", "0").containsEntry("url", first).containsEntry("groups", "2")
                .containsEntry("g0_url", first).containsEntry("g1_url", second)
                .containsEntry("g0_subscribers", "11").containsEntry("g1_subscribers", "10");
        long g0 = Long.parseLong(r.result().get("g0_messages"));
        long g1 = Long.parseLong(r.result().get("g1_messages"));
        assertThat(g1).isPositive();
        assertThat(g0 + g1).isEqualTo(Long.parseLong(r.result().get("messages")));
        // /broadcast: the publisher (on the first URL) gets none, so each group's subscribers get every message
        long published = Long.parseLong(r.result().get("published"));
        assertThat(g0).isLessThanOrEqualTo(published * 11);
        assertThat(g1).isLessThanOrEqualTo(published * 10);
        assertThat(r.result().get("g1_p99_us")).isNotEqualTo("NA");
        assertThat(r.result().get("added_p99_us")).matches("-?[0-9]+");
    }

    @Test
    void broadcastToAllOverTwoUrlsCountsThePublishersCopiesInTheFirstGroup() throws Exception {
        WebSocketServer[] nodes = twoNodes();
        Run r = bench("broadcast", "--url", "ws://127.0.0.1:" + nodes[0].port() + "/broadcast-all",
                "--also-url=ws://127.0.0.1:" + nodes[1].port() + "/broadcast-all", "--connections", "3",
                "--size", "32", "--duration", "1", "--warmup", "0", "--rate", "100", "--quiet");
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.result()).containsEntry("errors", "0").containsEntry("g0_subscribers", "2")
                .containsEntry("g1_subscribers", "1");
        long g0 = Long.parseLong(r.result().get("g0_messages"));
        long g1 = Long.parseLong(r.result().get("g1_messages"));
        assertThat(g0).as("two subscribers and the publisher").isGreaterThan(2 * g1);
    }

    @Test
    void broadcastToAllAtAFixedRate() throws Exception {
        WebSocketServer s = broadcastServer();
        Run r = bench("broadcast", "--url", "ws://127.0.0.1:" + s.port() + "/broadcast-all", "--connections", "5",
                "--size", "100", "--duration", "1", "--warmup", "0", "--rate", "100", "--quiet");
        assertThat(r.result()).containsEntry("errors", "0");
        long deliveries = Long.parseLong(r.result().get("messages"));
        // 6 receivers (the publisher too) of about 100 messages
        assertThat(deliveries).isBetween(6L * 50, 6L * 150);
        assertThat(r.exit()).isZero();
    }

    @Test
    void hold() throws Exception {
        WebSocketServer s = start(WebSocketServer.builder().port(0).handler(ECHO));
        Run r = bench("hold", "--url", "ws://127.0.0.1:" + s.port() + "/", "--connections", "50", "--handshakes", "7",
                "--duration", "1", "--server-pid", pid());
        assertThat(r.result()).containsEntry("bench", "hold").containsEntry("connections", "50")
                .containsEntry("opened", "50").containsEntry("errors", "0");
        assertThat(r.result().keySet()).containsExactly("bench", "url", "connections", "opened", "errors",
                "server_rss_before_kb", "server_rss_after_kb", "server_rss_per_conn_kb", "server_heap_before_kb",
                "server_heap_after_kb", "server_heap_per_conn_kb", "deflate", "primed");
        assertThat(r.result()).containsEntry("deflate", "off").containsEntry("primed", "NA");
        assertThat(r.result().get("server_rss_per_conn_kb")).isNotEqualTo("NA");
        assertThat(r.exit()).isZero();
    }

    @Test
    void echoWithDeflateCompressesJsonBothWays() throws Exception {
        WebSocketServer s = start(WebSocketServer.builder().port(0).handler(ECHO)); // deflate on by default
        Run r = bench("echo", "--url", "ws://127.0.0.1:" + s.port() + "/", "--connections", "3", "--size", "4k",
                "--payload", "ticker", "--deflate", "--duration", "1", "--warmup", "0", "--text", "--quiet");
        assertThat(r.result()).containsEntry("errors", "0").containsEntry("payload", "ticker")
                .containsEntry("deflate", "permessage-deflate");
        long messages = Long.parseLong(r.result().get("messages"));
        assertThat(messages).isPositive();
        // every echo was checked byte for byte after inflating; on the wire it was much smaller
        double ratio = Double.parseDouble(r.result().get("wire_ratio"));
        assertThat(ratio).isBetween(0.01, 0.6);
        assertThat(Long.parseLong(r.result().get("wire_bytes_out"))).isLessThan(messages * 4096 * 6 / 10);
        assertThat(r.exit()).as(r.stderr()).isZero();
    }

    @Test
    void deflateDeclinedByTheServerIsReported() throws Exception {
        WebSocketServer s = start(WebSocketServer.builder().port(0).noDeflate().handler(ECHO));
        Run r = bench("echo", "--url", "ws://127.0.0.1:" + s.port() + "/", "--connections", "2", "--size", "1k",
                "--payload", "json-chat", "--deflate", "--duration", "1", "--warmup", "0", "--quiet");
        assertThat(r.result()).containsEntry("errors", "0").containsEntry("deflate", "declined");
        assertThat(Double.parseDouble(r.result().get("wire_ratio"))).isGreaterThanOrEqualTo(1.0);
        assertThat(r.exit()).isZero();
    }

    @Test
    void broadcastWithoutContextTakeoverStaysByteExact() throws Exception {
        WebSocketServer s = broadcastServer();
        Run r = bench("broadcast", "--url", "ws://127.0.0.1:" + s.port() + "/broadcast", "--connections", "10",
                "--size", "512", "--payload", "json-chat", "--deflate-no-context-takeover", "--duration", "1",
                "--warmup", "0", "--quiet");
        assertThat(r.result()).containsEntry("errors", "0").containsEntry("deflate",
                "permessage-deflate;server_no_context_takeover;client_no_context_takeover");
        assertThat(Double.parseDouble(r.result().get("wire_ratio"))).isLessThan(0.8);
        assertThat(r.exit()).as(r.stderr()).isZero();
    }

    @Test
    void holdPrimedWithDeflate() throws Exception {
        WebSocketServer s = start(WebSocketServer.builder().port(0).handler(ECHO));
        Run r = bench("hold", "--url", "ws://127.0.0.1:" + s.port() + "/", "--connections", "20", "--duration", "0",
                "--prime", "--size", "256", "--payload", "json-chat", "--deflate", "--quiet");
        assertThat(r.result()).containsEntry("opened", "20").containsEntry("errors", "0").containsEntry("primed", "20")
                .containsEntry("deflate", "permessage-deflate");
        assertThat(r.exit()).isZero();
    }

    @Test
    void refusedConnectionsAreErrors() throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        Run r = bench("echo", "--url", "ws://127.0.0.1:" + port + "/", "--connections", "2", "--duration", "1",
                "--warmup", "0", "--quiet");
        assertThat(r.result()).containsEntry("errors", "2").containsEntry("messages", "0");
        assertThat(r.exit()).isEqualTo(1);
    }
}
