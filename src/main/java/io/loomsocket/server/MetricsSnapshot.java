package io.loomsocket.server;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a server has done since it started, and what it holds now: {@link WebSocketServer#metrics()}.
 * Counters only grow; {@code openConnections} and {@code queuedBytes} are gauges, read when the
 * snapshot was taken. The counters are read one after the other while traffic may flow, so two
 * of them can be a message apart; each on its own is exact. Maps are sorted by key and hold only
 * keys that were counted at least once.
 *
 * @param openConnections connections that completed the handshake and are not closed yet (counted
 *     from just after the server wrote the 101: a client may read its 101 a moment earlier)
 * @param connectionsAccepted connections that completed the handshake (101 sent), ever
 * @param connectionsClosed closed connections by close code ({@code 1000}, {@code 1001},
 *     {@code 1002}, ..., {@code 1006} when there was no close frame): the code of the close frame
 *     received, or of the one we sent when we failed the connection
 * @param handshakesRefused requests that did not become connections, by reason: the HTTP status
 *     answered ({@code "400"}, {@code "403"}, {@code "404"}, {@code "405"}, {@code "426"},
 *     {@code "431"}, {@code "500"}, {@code "503"}, or a status a {@link RequestHook} refused with),
 *     {@code "timeout"} (the request head was not complete within the handshake timeout),
 *     {@code "closed"} (the peer closed before it was), {@code "io"} (another I/O error) or
 *     {@code "tls"} (the TLS handshake failed)
 * @param httpResponses plain HTTP answers with a status under 400: a {@link RequestHook}'s page,
 *     a health check, the metrics path itself
 * @param messagesReceived data messages received and delivered to the application (a fragmented
 *     message counts once)
 * @param messagesSent data messages queued for sending (sent, or about to be): a message sent,
 *     or a broadcast queued to one receiver, counts once per connection
 * @param bytesReceived bytes read from the connections after the handshake, as on the wire
 *     (frame headers included, compressed if compressed)
 * @param bytesSent bytes written to the connections after the handshake, as on the wire
 * @param queuedBytes bytes queued for the connections and not yet written, now
 * @param protocolFailures connections failed because the peer broke a rule, by rule (the
 *     {@link io.loomsocket.protocol.Violation} name, e.g. {@code "UNMASKED_CLIENT_FRAME"})
 * @param slowConsumerCloses receivers closed by a broadcast because their queue was over the
 *     high watermark ({@link io.loomsocket.SlowConsumerPolicy})
 * @param slowConsumerDrops broadcast messages dropped for a receiver over the high watermark
 *     ({@link io.loomsocket.SlowConsumerPolicy#DROP})
 * @param pingRoundTrips pings answered by a pong (keepalive pings and {@code ping()} alike)
 * @param pingRoundTripTotal those round trips added up (see {@link #pingRoundTripMean()}); zero if none
 * @param pingRoundTripLast the latest of those round trips, on any connection; zero if none
 * @param pingRoundTripMax the longest; zero if none
 * @param inboundBudget the bytes of received messages all connections may hold together
 *     ({@link WebSocketServer.Builder#inboundBudget})
 * @param inboundBuffered the bytes of received messages they hold now: partial messages and
 *     messages waiting in inboxes
 * @param outboundBudget the bytes all connections may have queued together (compare
 *     {@code queuedBytes}; {@link WebSocketServer.Builder#outboundBudget})
 * @param budgetPauses times a reader stopped reading because the inbound budget was spent
 * @param budgetCloses connections closed with 1013 because it stayed spent for the grace period
 */
public record MetricsSnapshot(int openConnections, long connectionsAccepted, Map<Integer, Long> connectionsClosed,
                              Map<String, Long> handshakesRefused, long httpResponses,
                              long messagesReceived, long messagesSent, long bytesReceived, long bytesSent,
                              long queuedBytes, Map<String, Long> protocolFailures,
                              long slowConsumerCloses, long slowConsumerDrops,
                              long pingRoundTrips, Duration pingRoundTripTotal, Duration pingRoundTripLast,
                              Duration pingRoundTripMax,
                              long inboundBudget, long inboundBuffered, long outboundBudget,
                              long budgetPauses, long budgetCloses) {

    /** The content type of {@link #toPrometheusText()}. */
    public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    public MetricsSnapshot {
        connectionsClosed = Collections.unmodifiableMap(new TreeMap<>(connectionsClosed));
        handshakesRefused = Collections.unmodifiableMap(new TreeMap<>(handshakesRefused));
        protocolFailures = Collections.unmodifiableMap(new TreeMap<>(protocolFailures));
    }

    /** The mean ping round trip; zero if none was measured. */
    public Duration pingRoundTripMean() {
        return pingRoundTrips == 0 ? Duration.ZERO : pingRoundTripTotal.dividedBy(pingRoundTrips);
    }

    /** Closed connections, whatever their close code. */
    public long connectionsClosedTotal() {
        return connectionsClosed.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Refused handshakes, whatever the reason. */
    public long handshakesRefusedTotal() {
        return handshakesRefused.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Protocol failures, whatever the rule. */
    public long protocolFailuresTotal() {
        return protocolFailures.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * This snapshot in the Prometheus text exposition format, version 0.0.4 (served with
     * {@link #PROMETHEUS_CONTENT_TYPE}); metric names start with {@code loomsocket_}. What
     * {@link WebSocketServer.Builder#metricsPath} answers.
     */
    public String toPrometheusText() {
        return PrometheusText.of(this);
    }
}
