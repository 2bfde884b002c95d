package io.loomsocket.server;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;

/**
 * A {@link MetricsSnapshot} in the Prometheus text exposition format, version 0.0.4: for each
 * metric a {@code # HELP} and a {@code # TYPE} line, then its samples
 * {@code name{label="value"} number}, one per line, ending with a line feed. Counters end in
 * {@code _total}; durations are in seconds, sizes in bytes.
 *
 * @see <a href="https://prometheus.io/docs/instrumenting/exposition_formats/">Exposition formats</a>
 */
final class PrometheusText implements MetricsSource.MetricsSink {

    private final StringBuilder out = new StringBuilder(2048);

    private PrometheusText() {}

    /** The snapshot, then what each source writes. */
    static String of(MetricsSnapshot m, Iterable<MetricsSource> sources) {
        PrometheusText p = new PrometheusText();
        p.snapshot(m);
        for (MetricsSource source : sources) {
            int mark = p.out.length();
            try {
                source.describe(p);
            } catch (RuntimeException e) {
                // One broken source must not take the server's own metrics down with it.
                p.out.setLength(mark);
                p.out.append("# metrics source ").append(source.getClass().getName().replace('\n', ' '))
                        .append(" failed: ").append(String.valueOf(e.getMessage()).replace('\n', ' ')).append('\n');
                System.getLogger(PrometheusText.class.getName()).log(System.Logger.Level.WARNING, "metrics source failed", e);
            }
        }
        return p.out.toString();
    }

    static String of(MetricsSnapshot m) {
        return of(m, java.util.List.of());
    }

    private void snapshot(MetricsSnapshot m) {
        PrometheusText p = this;
        p.gauge("loomsocket_connections_open", "Connections that completed the handshake and are not closed yet.",
                m.openConnections());
        p.counter("loomsocket_connections_accepted_total", "Connections that completed the opening handshake.",
                m.connectionsAccepted());
        p.labelled("loomsocket_connections_closed_total", "counter", "Closed connections, by close code.", "code",
                m.connectionsClosed());
        p.labelled("loomsocket_handshakes_refused_total", "counter",
                "Requests that did not become connections, by HTTP status or timeout, closed, io, tls.", "reason",
                m.handshakesRefused());
        p.counter("loomsocket_http_responses_total", "Plain HTTP answers with a status under 400.", m.httpResponses());
        p.counter("loomsocket_messages_received_total", "Data messages received.", m.messagesReceived());
        p.counter("loomsocket_messages_sent_total", "Data messages queued for sending, per connection.", m.messagesSent());
        p.counter("loomsocket_bytes_received_total", "Bytes read after the handshake, as on the wire.", m.bytesReceived());
        p.counter("loomsocket_bytes_sent_total", "Bytes written after the handshake, as on the wire.", m.bytesSent());
        p.gauge("loomsocket_queued_bytes", "Bytes queued for the connections and not yet written.", m.queuedBytes());
        p.gauge("loomsocket_outbound_budget_bytes", "The bytes all connections may have queued together.",
                m.outboundBudget());
        p.gauge("loomsocket_inbound_budget_bytes", "The bytes of received messages all connections may hold together.",
                m.inboundBudget());
        p.gauge("loomsocket_inbound_buffered_bytes",
                "Bytes of received messages held now: partial messages and messages waiting for the application.",
                m.inboundBuffered());
        p.counter("loomsocket_budget_pauses_total",
                "Times a reader stopped reading because the inbound budget was spent.", m.budgetPauses());
        p.counter("loomsocket_budget_closes_total",
                "Connections closed with 1013 because the inbound budget stayed spent for the grace period.",
                m.budgetCloses());
        p.labelled("loomsocket_protocol_failures_total", "counter",
                "Connections failed because the peer broke a protocol rule, by rule.", "rule", m.protocolFailures());
        p.counter("loomsocket_slow_consumer_closes_total", "Receivers closed by a broadcast for a full queue.",
                m.slowConsumerCloses());
        p.counter("loomsocket_slow_consumer_drops_total", "Broadcast messages dropped for a receiver with a full queue.",
                m.slowConsumerDrops());
        p.head("loomsocket_ping_round_trip_seconds", "summary", "Ping round trips: answered pings and their total time.");
        p.sample("loomsocket_ping_round_trip_seconds_sum", null, null, seconds(m.pingRoundTripTotal()));
        p.sample("loomsocket_ping_round_trip_seconds_count", null, null, Long.toString(m.pingRoundTrips()));
        p.head("loomsocket_ping_round_trip_last_seconds", "gauge", "The latest ping round trip on any connection.");
        p.sample("loomsocket_ping_round_trip_last_seconds", null, null, seconds(m.pingRoundTripLast()));
        p.head("loomsocket_ping_round_trip_max_seconds", "gauge", "The longest ping round trip.");
        p.sample("loomsocket_ping_round_trip_max_seconds", null, null, seconds(m.pingRoundTripMax()));
    }

    @Override
    public void counter(String name, String help, long value) {
        checkName(name);
        head(name, "counter", help);
        sample(name, null, null, Long.toString(value));
    }

    @Override
    public void gauge(String name, String help, double value) {
        checkName(name);
        head(name, "gauge", help);
        String v = value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
        sample(name, null, null, v);
    }

    private static void checkName(String name) {
        if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
            throw new IllegalArgumentException("not a Prometheus metric name: " + name);
        }
    }

    private void gauge(String name, String help, long value) {
        head(name, "gauge", help);
        sample(name, null, null, Long.toString(value));
    }

    private void labelled(String name, String type, String help, String label, Map<?, Long> values) {
        head(name, type, help);
        for (Map.Entry<?, Long> e : values.entrySet()) {
            sample(name, label, String.valueOf(e.getKey()), Long.toString(e.getValue()));
        }
    }

    private void head(String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private void sample(String name, String label, String labelValue, String value) {
        out.append(name);
        if (label != null) {
            out.append('{').append(label).append("=\"")
                    .append(labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))
                    .append("\"}");
        }
        out.append(' ').append(value).append('\n');
    }

    /** Seconds, exactly, in plain notation: {@code 0.000412}, {@code 3}, {@code 0}. */
    static String seconds(Duration d) {
        BigDecimal s = BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9));
        return s.signum() == 0 ? "0" : s.stripTrailingZeros().toPlainString();
    }
}
