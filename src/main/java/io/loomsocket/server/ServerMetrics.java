package io.loomsocket.server;

import io.loomsocket.handshake.HandshakeException;
import io.loomsocket.handshake.HttpRequestHead;
import io.loomsocket.io.ConnectionEvents;
import io.loomsocket.io.ConnectionLog;
import io.loomsocket.io.SessionCounters;
import io.loomsocket.io.Budgets;
import io.loomsocket.io.SocketSession;
import io.loomsocket.protocol.Violation;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A server's observability in one place: what happens to each connection is counted here
 * (accepted, refused, closed by code), logged ({@link ConnectionLog}) and, while a recording
 * wants it, recorded as a Flight Recorder event ({@link ConnectionEvents}); the traffic counters
 * the socket layer updates are its {@link #counters()}. {@link #snapshot} puts them together.
 *
 * <p>Threads: the connection's own virtual thread counts the handshake's outcome and the open;
 * the reader counts the close, in its close listener. Nothing here runs per message.
 */
final class ServerMetrics {

    private final SessionCounters counters = new SessionCounters();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder httpResponses = new LongAdder();
    private final ConcurrentHashMap<Integer, LongAdder> closedByCode = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> refusedByReason = new ConcurrentHashMap<>();

    /** What the socket layer counts for this server's connections. */
    SessionCounters counters() {
        return counters;
    }

    /** A connection completed its handshake; its close is counted, logged and recorded when it comes. */
    void opened(SocketSession session) {
        long openedAt = System.nanoTime();
        accepted.increment();
        // Behind a trusted proxy the lines name the client it forwarded (taken now: the application may change the attributes).
        InetAddress client = session.attributes().get(ForwardedFor.CLIENT_ADDRESS) instanceof InetAddress a ? a : null;
        ConnectionLog.opened(session, client);
        ConnectionEvents.opened(session);
        session.onClosed(() -> closed(session, client, System.nanoTime() - openedAt));
    }

    private void closed(SocketSession session, InetAddress client, long lifetimeNanos) {
        add(closedByCode, session.closeCode().code());
        ConnectionLog.closed(session, client, lifetimeNanos);
        ConnectionEvents.closed(session, lifetimeNanos, session.bytesReceived(), session.bytesSent());
    }

    /** A handshake answered with an HTTP error by the server's checks ({@code head} null if unreadable). */
    void refused(HandshakeException e, SocketAddress remote, HttpRequestHead head) {
        refused(e.status(), e.getMessage(), remote, head);
    }

    /** A connection over {@code maxConnections}, answered 503 before its request was read. */
    void overLimit(SocketAddress remote) {
        refused(503, "over the connection limit", remote, null);
    }

    /** A plain HTTP answer to a request, from a request hook: a refusal from status 400 on. */
    void answered(int status, SocketAddress remote, HttpRequestHead head) {
        if (status >= 400) {
            refused(status, "request hook", remote, head);
        } else {
            httpResponses.increment();
        }
    }

    private void refused(int status, String why, SocketAddress remote, HttpRequestHead head) {
        add(refusedByReason, Integer.toString(status));
        String path = head == null ? null : head.path();
        ConnectionLog.refused(remote, head == null ? null : head.method(), path, status, why);
        ConnectionEvents.refused(remote, path == null ? "" : path, status, why);
    }

    /** A handshake that ended before it was complete: timed out, closed by the peer, another I/O error. */
    void handshakeFailed(IOException e, SocketAddress remote) {
        String reason = e instanceof SocketTimeoutException ? "timeout"
                : e instanceof javax.net.ssl.SSLException ? "tls"
                : e instanceof EOFException ? "closed" : "io";
        handshakeFailed(reason, e, remote);
    }

    /** As {@link #handshakeFailed(IOException, SocketAddress)} with the reason named: {@code "tls"}, say. */
    void handshakeFailed(String reason, Exception e, SocketAddress remote) {
        add(refusedByReason, reason);
        ConnectionLog.handshakeFailed(remote, reason, e);
    }

    /** The snapshot, with the gauges read from the connections open now. */
    MetricsSnapshot snapshot(Collection<SocketSession> open, Budgets budgets) {
        int openCount = 0;
        long queued = 0;
        for (SocketSession s : open) {
            openCount++;
            queued += s.queuedBytes();
        }
        Map<String, Long> failures = new HashMap<>();
        for (Violation v : Violation.values()) {
            long n = counters.violations(v);
            if (n > 0) {
                failures.put(v.name(), n);
            }
        }
        long pings = counters.pingRoundTrips();
        return new MetricsSnapshot(openCount, accepted.sum(), sums(closedByCode), sums(refusedByReason),
                httpResponses.sum(), counters.messagesReceived(), counters.messagesSent(),
                counters.bytesReceived(), counters.bytesSent(), queued, failures,
                counters.slowConsumerCloses(), counters.slowConsumerDrops(),
                pings, Duration.ofNanos(pings == 0 ? 0 : counters.pingRoundTripNanosTotal()),
                Duration.ofNanos(counters.pingRoundTripNanosLast()), Duration.ofNanos(counters.pingRoundTripNanosMax()),
                budgets.inbound().limit(), budgets.inbound().used(), budgets.outbound().limit(),
                budgets.inbound().pauses(), budgets.inbound().closes());
    }

    private static <K> void add(ConcurrentHashMap<K, LongAdder> map, K key) {
        map.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    private static <K> Map<K, Long> sums(ConcurrentHashMap<K, LongAdder> map) {
        Map<K, Long> out = new HashMap<>();
        map.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
