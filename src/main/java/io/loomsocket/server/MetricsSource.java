package io.loomsocket.server;

/**
 * Metrics of something that lives beside a server (a cluster bridge, an application's own
 * counters), served with the server's at its {@linkplain WebSocketServer.Builder#metricsPath
 * metrics path}: {@link WebSocketServer#addMetricsSource}. Called on the thread that answers the
 * metrics request, each time; it must be cheap and must not block.
 */
@FunctionalInterface
public interface MetricsSource {

    /** Writes this source's metrics, each with a name that starts with {@code loomsocket_}. */
    void describe(MetricsSink sink);

    /** Where a {@link MetricsSource} writes: one call per metric (a single sample, no labels). */
    interface MetricsSink {
        /** A counter: {@code name} ends in {@code _total}. */
        void counter(String name, String help, long value);

        void gauge(String name, String help, double value);
    }
}
