package io.loomsocket.bench;

import io.loomsocket.protocol.Opcode;
import java.io.IOException;
import java.io.PrintStream;
import java.util.OptionalLong;

/**
 * {@code bench hold}: the server's memory per idle connection. Reads the server's RSS (and heap
 * after a full GC, through jcmd) with no connection open, opens N connections with at most
 * {@code --handshakes} handshakes in flight, holds them idle for {@code --duration} seconds
 * (answering pings), reads RSS and heap again, and closes them.
 *
 * <p>With {@code --prime} each connection first sends one binary message of {@code --size} bytes
 * of {@code --payload} and waits for its echo (checked byte for byte), so what the server keeps
 * for a used connection (with {@code --deflate}, a compression context with context takeover)
 * is there while it is held. Measured after that, the RESULT line says {@code primed=N}.
 */
final class HoldBench extends LoadLoop {

    private static final long SECOND = 1_000_000_000L;

    private final Payloads.Source source;
    private int primed;
    private int primeFailed;

    HoldBench(BenchOptions options, PrintStream err) throws IOException {
        super(options, err);
        this.source = options.prime() ? Payloads.source(options.payload(), options.size()) : null;
    }

    /** One message per open connection, and the loop run until every echo is back (or 60 s). */
    private void prime() throws IOException {
        int expected = 0;
        for (Conn c : conns) {
            if (c.isOpen()) {
                expected++;
                send(c, Opcode.BINARY, source.pattern(), source.shift(c.id), options.size(), source.pattern(), 0, 0);
            }
        }
        int want = expected;
        runUntil(System.nanoTime() + 60 * SECOND, () -> primed + primeFailed >= want, s -> {
            if (!options.quiet()) {
                err.println("[hold] t=" + s + "s priming: " + primed + "/" + want + " echoed");
            }
        });
        if (primed < want) {
            error((want - primed) + " connection(s) did not echo the priming message intact");
        }
    }

    @Override
    void onMessageStart(Conn c, Opcode opcode) {
        c.bad = source == null || opcode != Opcode.BINARY || c.synced;
    }

    @Override
    void onData(Conn c, byte[] buf, int off, int len, long pos) {
        if (c.bad || pos + len > options.size()) {
            c.bad = true;
            return;
        }
        int from = source.shift(c.id) + (int) pos;
        if (!java.util.Arrays.equals(buf, off, off + len, source.pattern(), from, from + len)) {
            c.bad = true;
        }
    }

    @Override
    void onMessage(Conn c, Opcode opcode, long length, long now) {
        if (c.bad || length != options.size()) {
            primeFailed++;
        } else {
            c.synced = true; // primed: any further message is unexpected
            primed++;
        }
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
        if (options.prime()) {
            prime();
        }
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
                .put("server_heap_per_conn_kb", perConn(heapBefore, heapAfter, opened))
                .put("deflate", deflateResult())
                .put("primed", options.prime() ? Integer.toString(primed) : ResultLine.NA);
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
