package io.loomsocket.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.OptionalLong;

/**
 * {@code bench hold}: the server's memory per idle connection. Reads the server's RSS (and heap
 * after a full GC, through jcmd) with no connection open, opens N connections with at most
 * {@code --handshakes} handshakes in flight, holds them idle for {@code --duration} seconds
 * (answering pings), reads RSS and heap again, and closes them.
 */
final class HoldBench extends LoadLoop {

    private static final long SECOND = 1_000_000_000L;

    HoldBench(BenchOptions options, PrintStream err) throws IOException {
        super(options, err);
    }

    ResultLine run() throws IOException {
        OptionalLong pid = options.serverPid();
        OptionalLong heapBefore = pid.isPresent() ? ProcStats.heapUsedKbAfterGc(pid.getAsLong()) : OptionalLong.empty();
        OptionalLong rssBefore = pid.isPresent() ? ProcStats.rssKb(pid.getAsLong()) : OptionalLong.empty();
        long t0 = System.nanoTime();
        openConnections(options.connections(), Math.max(60, options.connections() / 50) * SECOND, s -> {
            if (!options.quiet()) {
                err.println("[hold] t=" + s + "s opening: " + openNow + "/" + options.connections() + " open, errors=" + errors);
            }
        });
        int opened = openNow;
        if (!options.quiet()) {
            err.printf(java.util.Locale.ROOT, "[hold] %d/%d open after %.1f s; holding for %s s%n",
                    opened, options.connections(), (System.nanoTime() - t0) / 1e9, options.durationSeconds());
        }
        runUntil(System.nanoTime() + (long) (options.durationSeconds() * SECOND), null, s -> {
            if (!options.quiet()) {
                err.println("[hold] t=" + s + "s holding " + openNow + " connections, errors=" + errors);
            }
        });
        OptionalLong rssAfter = pid.isPresent() ? ProcStats.rssKb(pid.getAsLong()) : OptionalLong.empty();
        OptionalLong heapAfter = pid.isPresent() ? ProcStats.heapUsedKbAfterGc(pid.getAsLong()) : OptionalLong.empty();
        int stillOpen = openNow;
        if (stillOpen < opened) {
            error((opened - stillOpen) + " connection(s) closed while held");
        }
        closeAll(Math.max(2, options.connections() / 2000) * SECOND);

        return new ResultLine()
                .put("bench", "hold")
                .put("url", options.url().toString())
                .put("connections", options.connections())
                .put("opened", opened)
                .put("errors", errors)
                .put("server_rss_before_kb", kb(rssBefore))
                .put("server_rss_after_kb", kb(rssAfter))
                .put("server_rss_per_conn_kb", perConn(rssBefore, rssAfter, opened))
                .put("server_heap_before_kb", kb(heapBefore))
                .put("server_heap_after_kb", kb(heapAfter))
                .put("server_heap_per_conn_kb", perConn(heapBefore, heapAfter, opened));
    }

    private static String kb(OptionalLong v) {
        return v.isPresent() ? Long.toString(v.getAsLong()) : ResultLine.NA;
    }

    private static String perConn(OptionalLong before, OptionalLong after, int n) {
        if (before.isEmpty() || after.isEmpty() || n == 0) {
            return ResultLine.NA;
        }
        return ResultLine.format((after.getAsLong() - before.getAsLong()) / (double) n, 2);
    }
}
