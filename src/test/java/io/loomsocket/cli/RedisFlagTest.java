package io.loomsocket.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.broadcast.BroadcastRegistry;
import io.loomsocket.cluster.BridgeStats;
import io.loomsocket.cluster.ClusterOptions;
import io.loomsocket.examples.ClusterNode;
import io.loomsocket.redis.RedisUri;
import io.loomsocket.server.MetricsSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --redis} on broadcast, json-chat and demo: parsing, errors, help, banner, stats; no Redis needed. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RedisFlagTest {

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void absentIsNull() {
        assertThat(RedisFlag.parse(Args.parse(new String[] {"json-chat"}, 1, List.of()))).isNull();
    }

    @Test
    void parsesHostPortCredentialsAndPrefix() {
        RedisUri uri = RedisFlag.parse(Args.parse(new String[] {"json-chat", "--redis", "redis://app:s%40cret@10.0.0.7:6380/chat"},
                1, List.of()));
        assertThat(uri.host()).isEqualTo("10.0.0.7");
        assertThat(uri.port()).isEqualTo(6380);
        assertThat(uri.user()).isEqualTo("app");
        assertThat(uri.password()).isEqualTo("s@cret");
        assertThat(uri.prefix()).isEqualTo("chat");
        RedisUri inline = RedisFlag.parse(Args.parse(new String[] {"demo", "--redis=redis://127.0.0.1:6379"}, 1, List.of()));
        assertThat(inline.prefix()).isEqualTo(RedisUri.DEFAULT_PREFIX);
    }

    @ParameterizedTest
    @ValueSource(strings = {"broadcast", "json-chat", "demo"})
    void aBadUriIsOneLineAndStatus2(String command) {
        assertThat(run(command, "--port", "0", "--redis", "http://127.0.0.1:6379")).isEqualTo(2);
        assertThat(err()).startsWith("loomsocket: --redis must be redis://[user:password@]host:port[/prefix]: ")
                .contains("scheme").endsWith("\n");
        assertThat(err().strip().lines()).hasSize(1);
        assertThat(out()).isEmpty(); // nothing started, no banner
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis://user:hunter2@127.0.0.1:99999", "redis://user:hunter2@127.0.0.1:abc/x",
            "rediss://user:hunter2@127.0.0.1:6379"})
    void theErrorNeverQuotesThePassword(String uri) {
        assertThat(run("json-chat", "--port", "0", "--redis", uri)).isEqualTo(2);
        assertThat(err()).startsWith("loomsocket: --redis must be").doesNotContain("hunter2");
        assertThat(err().strip().lines()).hasSize(1);
    }

    @Test
    void aMissingValueIsStatus2() {
        assertThat(run("broadcast", "--redis")).isEqualTo(2);
        assertThat(err()).isEqualTo("loomsocket: --redis needs a value\n");
    }

    @Test
    void otherCommandsRefuseIt() {
        assertThat(run("echo", "--redis", "redis://127.0.0.1:6379")).isEqualTo(2);
        assertThat(err()).contains("unknown option --redis for echo");
    }

    @ParameterizedTest
    @ValueSource(strings = {"broadcast", "json-chat", "demo"})
    void helpDocumentsIt(String command) {
        assertThat(run(command, "--help")).isZero();
        assertThat(out()).contains("[--redis redis://[user:password@]host:port[/prefix]]")
                .contains("--redis redis://[user:password@]host:port[/prefix]: cluster this server")
                .contains("never printed");
    }

    @Test
    void usageListsIt() {
        assertThat(run("--help")).isZero();
        assertThat(out()).contains("broadcast [--port 8765] [--host 127.0.0.1] [--relay [--exclude-sender]] [--redis redis://host:6379]")
                .contains("json-chat [--port 9090] [--variant server-ws|ws-server] [--redis redis://host:6379]")
                .contains("[--redis redis://host:6379]\n");
    }

    /** The banner names host and port, never the password; the bridge connects in the background (nothing listens here). */
    @Test
    void bannerSaysClusteredWithoutThePassword() {
        ClusterNode node = ClusterNode.bridge(new BroadcastRegistry(), RedisUri.parse("redis://app:hunter2@127.0.0.1:1/rooms"),
                ClusterOptions.defaults());
        try {
            String[] banner = Main.clusteredBanner(node, "broadcast server listening on ws://127.0.0.1:8765/ (...)", "second");
            assertThat(banner[0]).isEqualTo(
                    "broadcast server listening on ws://127.0.0.1:8765/ (...) [clustered via redis 127.0.0.1:1 (prefix rooms)]");
            assertThat(banner[1]).isEqualTo("second");
            assertThat(String.join("\n", banner)).doesNotContain("hunter2").doesNotContain("app");
        } finally {
            node.close();
        }
        assertThat(Main.clusteredBanner(null, "alone")).containsExactly("alone");
        assertThat(ClusterNode.address(RedisUri.parse("redis://[::1]:6379"))).isEqualTo("[::1]:6379");
    }

    @Test
    void statsLineEndsWithTheBridgeCounters() {
        BridgeStats s = new BridgeStats(5, 1, 7, 5, 0, 0, 0, 2, 1, 3, 4, true, true, 0, 0, 0, 0);
        String cluster = ClusterNode.statsLine(s);
        assertThat(cluster).isEqualTo("cluster_up=1 cluster_published=5 cluster_publish_failures=1 cluster_received=7"
                + " cluster_inbound_dropped=0 cluster_reconnects=2 cluster_gaps=3 cluster_channels=4");
        MetricsSnapshot m = new MetricsSnapshot(2, 7, java.util.Map.of(1000, 3L), java.util.Map.of(), 0, 10, 11, 100, 110,
                0, java.util.Map.of(), 0, 0, 0, java.time.Duration.ZERO, java.time.Duration.ZERO, java.time.Duration.ZERO,
                0, 0, 0, 0, 0);
        assertThat(StatsPrinter.line(m, cluster)).isEqualTo(StatsPrinter.line(m) + " " + cluster);
        assertThat(StatsPrinter.line(m, null)).isEqualTo(StatsPrinter.line(m));
    }
}
