package io.loomsocket.cli;

import io.loomsocket.server.MetricsSnapshot;
import io.loomsocket.server.WebSocketServer;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code --stats 10s}: the server's {@link MetricsSnapshot} as one line on stdout every period,
 * until the server stops. The line is {@code key=value} pairs, like the load tool's RESULT line:
 *
 * <pre>
 * stats open=2 accepted=3 closed=1 refused=0 msgs_in=120 msgs_out=120 bytes_in=8160 bytes_out=7680 queued=0 protocol_failures=0 slow_closes=0 slow_drops=0 pings=0 rtt_ms=0.00/0.00/0.00
 * </pre>
 *
 * {@code rtt_ms} is the last, mean and longest ping round trip, in milliseconds. With
 * {@code --redis} the line goes on with the cluster bridge's counters: {@code cluster_up=1
 * cluster_published=.. cluster_publish_failures=.. cluster_received=.. cluster_inbound_dropped=..
 * cluster_reconnects=.. cluster_gaps=.. cluster_channels=..}.
 */
final class StatsPrinter {

    private final WebSocketServer server;
    private final Duration period;
    private final PrintStream out;
    private final Supplier<String> extra;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private Thread thread;

    private StatsPrinter(WebSocketServer server, Duration period, PrintStream out, Supplier<String> extra) {
        this.server = server;
        this.period = period;
        this.out = out;
        this.extra = extra;
    }

    /** Prints every {@code period} from now on, until {@link #stop}. */
    static StatsPrinter start(WebSocketServer server, Duration period, PrintStream out) {
        return start(server, period, out, null);
    }

    /**
     * As {@link #start(WebSocketServer, Duration, PrintStream)}, each line ending with
     * {@code extra}'s pairs (null for none): a cluster bridge's counters ({@code cluster_up=1
     * cluster_published=... cluster_received=...}) with {@code --redis}.
     */
    static StatsPrinter start(WebSocketServer server, Duration period, PrintStream out, Supplier<String> extra) {
        StatsPrinter p = new StatsPrinter(server, period, out, extra);
        p.thread = Thread.ofVirtual().name("loomsocket-stats").start(p::run);
        return p;
    }

    private void run() {
        try {
            while (!stopped.await(period.toNanos(), TimeUnit.NANOSECONDS)) {
                out.println(line(server.metrics(), extra == null ? null : extra.get())); // one call: never split
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The server has stopped: no more lines. Returns once the printer has ended. */
    void stop() throws InterruptedException {
        stopped.countDown();
        thread.join();
    }

    /** {@link #line(MetricsSnapshot)}, then {@code extra} (null for nothing) after a space. */
    static String line(MetricsSnapshot m, String extra) {
        return extra == null || extra.isEmpty() ? line(m) : line(m) + " " + extra;
    }

    static String line(MetricsSnapshot m) {
        return "stats open=" + m.openConnections()
                + " accepted=" + m.connectionsAccepted()
                + " closed=" + m.connectionsClosedTotal()
                + " refused=" + m.handshakesRefusedTotal()
                + " msgs_in=" + m.messagesReceived()
                + " msgs_out=" + m.messagesSent()
                + " bytes_in=" + m.bytesReceived()
                + " bytes_out=" + m.bytesSent()
                + " queued=" + m.queuedBytes()
                + " protocol_failures=" + m.protocolFailuresTotal()
                + " slow_closes=" + m.slowConsumerCloses()
                + " slow_drops=" + m.slowConsumerDrops()
                + " pings=" + m.pingRoundTrips()
                + " rtt_ms=" + millis(m.pingRoundTripLast()) + "/" + millis(m.pingRoundTripMean()) + "/"
                + millis(m.pingRoundTripMax());
    }

    private static String millis(Duration d) {
        return String.format(Locale.ROOT, "%.2f", d.toNanos() / 1e6);
    }
}
