package io.loomsocket.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Metrics of sources beside a server ({@link WebSocketServer#addMetricsSource}), in the server's
 * Prometheus text ({@link WebSocketServer#metricsText()}): exact lines, after the server's own,
 * in the order the sources were added, read afresh each time; names are checked.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class MetricsSourceTest {

    private WebSocketServer server;

    @BeforeEach
    void start() throws Exception {
        server = WebSocketServer.builder().host("127.0.0.1").port(0).noKeepalive().handler(ws -> {
            for (var ignored : ws) {
                // until the client closes
            }
        }).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void withoutSourcesTheTextIsTheSnapshots() {
        assertThat(server.metricsText()).isEqualTo(server.metrics().toPrometheusText());
    }

    @Test
    void aCounterAndAGaugeAreWrittenExactly() {
        server.addMetricsSource(sink -> {
            sink.counter("loomsocket_app_events_total", "Events seen.", 42);
            sink.gauge("loomsocket_app_ratio", "A ratio.", 0.25);
            sink.gauge("loomsocket_app_whole", "A whole number as a gauge.", 3.0);
            sink.gauge("loomsocket_app_negative", "Below zero.", -7);
            sink.counter("loomsocket_app_zero_total", "Nothing yet.", 0);
        });

        assertThat(server.metricsText()).isEqualTo(server.metrics().toPrometheusText()
                + "# HELP loomsocket_app_events_total Events seen.\n"
                + "# TYPE loomsocket_app_events_total counter\n"
                + "loomsocket_app_events_total 42\n"
                + "# HELP loomsocket_app_ratio A ratio.\n"
                + "# TYPE loomsocket_app_ratio gauge\n"
                + "loomsocket_app_ratio 0.25\n"
                + "# HELP loomsocket_app_whole A whole number as a gauge.\n"
                + "# TYPE loomsocket_app_whole gauge\n"
                + "loomsocket_app_whole 3\n"
                + "# HELP loomsocket_app_negative Below zero.\n"
                + "# TYPE loomsocket_app_negative gauge\n"
                + "loomsocket_app_negative -7\n"
                + "# HELP loomsocket_app_zero_total Nothing yet.\n"
                + "# TYPE loomsocket_app_zero_total counter\n"
                + "loomsocket_app_zero_total 0\n");
    }

    @Test
    void theWholeTextStillParsesStrictly() {
        server.addMetricsSource(sink -> {
            sink.counter("loomsocket_bridge_published_total", "Published.", 12_345_678_901L);
            sink.gauge("loomsocket_bridge_lag_seconds", "Lag.", 0.0015);
        });

        var samples = MetricsTest.parse(server.metricsText());

        assertThat(samples).containsEntry("loomsocket_bridge_published_total", new BigDecimal("12345678901"));
        assertThat(samples.get("loomsocket_bridge_lag_seconds")).isEqualByComparingTo("0.0015");
        assertThat(samples).containsKey("loomsocket_connections_open");
    }

    @Test
    void helpTextIsEscaped() {
        server.addMetricsSource(sink -> sink.gauge("loomsocket_app_x", "two\nlines and a \\ backslash", 1));

        assertThat(server.metricsText()).endsWith(
                "# HELP loomsocket_app_x two\\nlines and a \\\\ backslash\n"
                + "# TYPE loomsocket_app_x gauge\n"
                + "loomsocket_app_x 1\n");
    }

    @Test
    void sourcesAreReadEachTimeInTheOrderAdded() {
        AtomicLong n = new AtomicLong();
        server.addMetricsSource(sink -> sink.counter("loomsocket_first_total", "First.", n.incrementAndGet()));
        server.addMetricsSource(sink -> sink.gauge("loomsocket_second", "Second.", 2));

        String base = server.metrics().toPrometheusText();
        String second = "# HELP loomsocket_second Second.\n# TYPE loomsocket_second gauge\nloomsocket_second 2\n";
        assertThat(server.metricsText()).isEqualTo(base
                + "# HELP loomsocket_first_total First.\n# TYPE loomsocket_first_total counter\nloomsocket_first_total 1\n" + second);
        assertThat(server.metricsText()).isEqualTo(base
                + "# HELP loomsocket_first_total First.\n# TYPE loomsocket_first_total counter\nloomsocket_first_total 2\n" + second);
    }

    @Test
    void aSourceIsRequired() {
        assertThatThrownBy(() -> server.addMetricsSource(null))
                .isInstanceOf(NullPointerException.class).hasMessage("source");
    }

    @Test
    void aSourceWithAnInvalidMetricNameIsLeftOutWithAComment() {
        AtomicReference<String> name = new AtomicReference<>();
        AtomicBoolean gauge = new AtomicBoolean();
        server.addMetricsSource(sink -> {
            if (gauge.get()) {
                sink.gauge(name.get(), "Help.", 1);
            } else {
                sink.counter(name.get(), "Help.", 1);
            }
        });
        for (String bad : new String[] {"bad-name", "1starts_with_a_digit", "", "with space", "dotted.name", "ünicode",
                "loomsocket_x{label=\"1\"}", "new\nline_total"}) {
            for (boolean g : new boolean[] {false, true}) {
                name.set(bad);
                gauge.set(g);
                // The source is refused; the server's own metrics are still served, with a comment saying why.
                String text = server.metricsText();
                assertThat(text).as("%s %s", g ? "gauge" : "counter", bad)
                        .startsWith("# HELP loomsocket_connections_open ")
                        .endsWith(" failed: not a Prometheus metric name: " + bad.replace('\n', ' ') + "\n")
                        .doesNotContain("Help.");
            }
        }
        name.set("loomsocket_fine_total");
        assertThat(server.metricsText()).endsWith("\nloomsocket_fine_total 1\n");
    }

    @Test
    void validNamesIncludeColonsAndUnderscores() {
        server.addMetricsSource(sink -> {
            sink.counter("loomsocket:recorded:rate_total", "Colons are allowed.", 1);
            sink.gauge("_leading_underscore", "So is a leading underscore.", 1);
        });
        assertThat(server.metricsText())
                .contains("\nloomsocket:recorded:rate_total 1\n")
                .endsWith("\n_leading_underscore 1\n");
    }
}
