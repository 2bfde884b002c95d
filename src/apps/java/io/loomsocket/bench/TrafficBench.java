package io.loomsocket.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.OptionalLong;

/**
 * What echo and broadcast share: open the connections, run a warm-up, then a measured window
 * (counting messages, payload bytes, bytes on the wire and latency, and reading the server's CPU
 * time at both ends), then stop sending, wait a grace period for messages in flight, close, and
 * build the RESULT line. {@code wire_ratio} is bytes read from the wire over payload bytes
 * received: about 1 uncompressed, the compression ratio with permessage-deflate.
 */
abstract class TrafficBench extends LoadLoop {

    static final long SECOND = 1_000_000_000L;
    static final long GRACE = 2 * SECOND;

    final Histogram latency = new Histogram();
    private final Histogram lastSecond = new Histogram();
    boolean measuring;
    long messages;
    long payloadBytes;
    private long receivedTotal;
    private long receivedAtLastSecond;

    TrafficBench(BenchOptions options, PrintStream err) throws IOException {
        super(options, err);
    }

    /** Opens the connections; returns whether traffic can start. */
    abstract boolean open() throws IOException;

    abstract void startTraffic(long now);

    abstract void stopTraffic();

    /** Whether nothing is in flight any more (the grace period may end). */
    abstract boolean drained();

    /** Counts what never arrived; called after the grace period. */
    void finish() {}

    /** The unit of the progress line. */
    abstract String unit();

    /** Fields added to the RESULT line after the common ones. */
    void addFields(ResultLine line) {}

    /** Fields added at the very end of the RESULT line (after {@code wire_ratio}). */
    void addTrailingFields(ResultLine line) {}

    /** Counts one message received (or delivered), {@code latencyNanos} after it was sent. */
    final void received(long latencyNanos, int bytes) {
        receivedTotal++;
        lastSecond.record(latencyNanos);
        if (measuring) {
            messages++;
            payloadBytes += bytes;
            latency.record(latencyNanos);
        }
    }

    private void progress(long seconds) {
        if (!options.quiet()) {
            long n = receivedTotal - receivedAtLastSecond;
            err.println("[" + options.mode().id() + "] t=" + seconds + "s " + (measuring ? "" : "(warm-up) ") + n + " "
                    + unit() + " p99=" + lastSecond.percentile(99) / 1000 + "us errors=" + errors + " open=" + openNow);
        }
        receivedAtLastSecond = receivedTotal;
        lastSecond.reset();
    }

    /** Runs the whole benchmark and returns the RESULT line. */
    ResultLine run() throws IOException {
        long pid = ProcessHandle.current().pid();
        boolean ready = open();
        long measuredNanos = 0;
        OptionalLong cpuBefore = OptionalLong.empty();
        OptionalLong cpuAfter = OptionalLong.empty();
        OptionalLong rss = OptionalLong.empty();
        OptionalLong toolCpuBefore = OptionalLong.empty();
        OptionalLong toolCpuAfter = OptionalLong.empty();
        long wireInBefore = 0;
        long wireOutBefore = 0;
        long wireInAfter = 0;
        long wireOutAfter = 0;
        if (ready) {
            long start = System.nanoTime();
            startTraffic(start);
            runUntil(start + (long) (options.warmupSeconds() * SECOND), null, this::progress);
            cpuBefore = serverCpu();
            toolCpuBefore = ProcStats.cpuMicros(pid);
            wireInBefore = wireIn;
            wireOutBefore = wireOut;
            long t0 = System.nanoTime();
            measuring = true;
            runUntil(t0 + (long) (options.durationSeconds() * SECOND), null, this::progress);
            measuring = false;
            measuredNanos = System.nanoTime() - t0;
            wireInAfter = wireIn;
            wireOutAfter = wireOut;
            toolCpuAfter = ProcStats.cpuMicros(pid);
            cpuAfter = serverCpu();
            rss = options.serverPid().isPresent() ? ProcStats.rssKb(options.serverPid().getAsLong()) : OptionalLong.empty();
            stopTraffic();
            runUntil(System.nanoTime() + GRACE, this::drained, null);
            finish();
        }
        closeAll(2 * SECOND);

        double seconds = measuredNanos / 1e9;
        double rate = seconds > 0 ? messages / seconds : 0;
        ResultLine line = new ResultLine()
                .put("bench", options.mode().id())
                .put("url", options.url().toString())
                .put("connections", options.connections())
                .put("size", options.size())
                .put("duration_s", seconds, 1)
                .put("messages", messages)
                .put("msgs_per_s", rate, 1)
                .put("mb_per_s", seconds > 0 ? payloadBytes / 1e6 / seconds : Double.NaN, 2)
                .put("p50_us", micros(latency.percentile(50)))
                .put("p99_us", micros(latency.percentile(99)))
                .put("p999_us", micros(latency.percentile(99.9)))
                .put("errors", errors);
        if (cpuBefore.isPresent() && cpuAfter.isPresent() && messages > 0) {
            line.put("server_cpu_us_per_msg", (cpuAfter.getAsLong() - cpuBefore.getAsLong()) / (double) messages, 2);
        } else {
            line.put("server_cpu_us_per_msg", ResultLine.NA);
        }
        line.put("server_rss_kb", rss.isPresent() ? Long.toString(rss.getAsLong()) : ResultLine.NA);
        addFields(line);
        long in = wireInAfter - wireInBefore;
        line.put("payload", options.payload().id())
                .put("deflate", deflateResult())
                .put("wire_bytes_in", in)
                .put("wire_bytes_out", wireOutAfter - wireOutBefore)
                .put("wire_ratio", payloadBytes > 0 ? in / (double) payloadBytes : Double.NaN, 4);
        addTrailingFields(line);
        if (!options.quiet() && toolCpuBefore.isPresent() && toolCpuAfter.isPresent() && seconds > 0) {
            err.printf(java.util.Locale.ROOT, "[%s] done: %.1f %s; this tool used %.0f%% of one core while measuring%n",
                    options.mode().id(), rate, unit(),
                    100.0 * (toolCpuAfter.getAsLong() - toolCpuBefore.getAsLong()) / 1e6 / seconds);
        }
        return line;
    }

    private String micros(long nanos) {
        return micros(latency, nanos);
    }

    /** {@code nanos} (a percentile of {@code h}) in whole microseconds, NA if {@code h} is empty. */
    static String micros(Histogram h, long nanos) {
        return h.count() == 0 ? ResultLine.NA : Long.toString(Math.round(nanos / 1000.0));
    }

    private OptionalLong serverCpu() {
        return options.serverPid().isPresent() ? ProcStats.cpuMicros(options.serverPid().getAsLong()) : OptionalLong.empty();
    }
}
