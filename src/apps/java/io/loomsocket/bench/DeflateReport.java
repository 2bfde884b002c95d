package io.loomsocket.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.DoubleFunction;

/**
 * The compression section of {@code bench report}: the workloads of JSON payloads
 * ({@code --payload json-chat|ticker}), with and without permessage-deflate, rendered between
 * {@code <!-- deflate:begin -->} and {@code <!-- deflate:end -->}. Besides speed and server CPU
 * it shows what compression is for: bytes on the wire (the {@code wire_ratio} of the load tool:
 * bytes read over payload bytes received), and what it costs: memory per held connection, and
 * the extension each server negotiated.
 */
final class DeflateReport {

    static final String BEGIN = "<!-- deflate:begin -->";
    static final String END = "<!-- deflate:end -->";

    /** The workloads of bench/compare.sh in this section, in the order they are shown. */
    static final List<String> WORKLOADS = List.of(
            "echo-100xchat", "echo-100xchat-deflate", "echo-100xticker", "echo-100xticker-deflate",
            "broadcast-1000xchat", "broadcast-1000xchat-deflate", "broadcast-1000xchat-deflate-nct",
            "hold-2000-chat", "hold-2000-chat-deflate", "hold-2000-chat-deflate-nct");
    static final List<String> SERVERS = List.of("loomsocket", "netty", "node-ws");
    private static final String BASELINE = "netty";

    private DeflateReport() {}

    /** Whether a workload belongs here rather than in the load section. */
    static boolean isCompression(String workload) {
        return WORKLOADS.contains(workload) || workload.contains("deflate") || workload.contains("chat")
                || workload.contains("ticker");
    }

    /** The markdown of the section. */
    static String render(List<Report.Run> runs) {
        Map<String, Map<String, List<Report.Run>>> byWorkload = new TreeMap<>(order(WORKLOADS));
        for (Report.Run r : runs) {
            byWorkload.computeIfAbsent(r.workload(), w -> new TreeMap<>(order(SERVERS)))
                    .computeIfAbsent(r.server(), s -> new ArrayList<>()).add(r);
        }
        StringBuilder md = new StringBuilder("\n");
        if (byWorkload.isEmpty()) {
            md.append("_No compression results._\n\n");
            return md.toString();
        }
        md.append("Median over rounds, range (min–max) in parentheses. Wire ratio: bytes the load tool read from "
                + "the socket over the payload bytes it received (about 1.0 uncompressed). Wire MB/s: those bytes "
                + "per second (10^6). Negotiated: the server's `Sec-WebSocket-Extensions` answer (pmd = "
                + "permessage-deflate, snct/cnct = server_/client_no_context_takeover, smwb/cmwb = "
                + "server_/client_max_window_bits), or off when nothing was offered.\n\n");
        for (Map.Entry<String, Map<String, List<Report.Run>>> w : byWorkload.entrySet()) {
            String workload = w.getKey();
            boolean hold = workload.startsWith("hold");
            boolean broadcast = workload.startsWith("broadcast");
            md.append("### ").append(workload).append("\n\n");
            if (hold) {
                md.append("| server | rounds | opened | primed | RSS/conn kB | heap/conn kB | negotiated | errors |\n");
                md.append("|---|---:|---:|---:|---:|---:|---|---:|\n");
            } else {
                md.append("| server | rounds | ").append(broadcast ? "deliveries/s" : "msgs/s")
                        .append(" | p50 µs | p99 µs | server CPU µs/msg | wire ratio | wire MB/s | server RSS MB | negotiated | errors | vs ")
                        .append(BASELINE).append(" (").append(broadcast ? "deliveries/s" : "msgs/s").append(") |\n");
                md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|\n");
            }
            List<Report.Run> base = w.getValue().get(BASELINE);
            double baseRate = base == null ? Double.NaN : Report.Stat.of(base, "msgs_per_s").median();
            for (Map.Entry<String, List<Report.Run>> s : w.getValue().entrySet()) {
                List<Report.Run> rs = s.getValue();
                md.append("| ").append(s.getKey()).append(" | ").append(rs.size()).append(" |");
                if (hold) {
                    cell(md, rs, "opened", Report::integer, 1);
                    cell(md, rs, "primed", Report::integer, 1);
                    cell(md, rs, "server_rss_per_conn_kb", Report::decimal, 1);
                    cell(md, rs, "server_heap_per_conn_kb", Report::decimal, 1);
                } else {
                    cell(md, rs, "msgs_per_s", Report::compact, 1);
                    cell(md, rs, "p50_us", Report::integer, 1);
                    cell(md, rs, "p99_us", Report::integer, 1);
                    cell(md, rs, "server_cpu_us_per_msg", Report::decimal, 1);
                    cell(md, rs, "wire_ratio", v -> String.format(Locale.ROOT, "%.3f", v), 1);
                    md.append(' ').append(wireRate(rs)).append(" |");
                    cell(md, rs, "server_rss_kb", Report::decimal, 1 / 1024.0);
                }
                md.append(' ').append(negotiated(rs)).append(" |");
                double errors = rs.stream().mapToDouble(r -> r.number("errors")).filter(d -> !Double.isNaN(d)).sum();
                md.append(' ').append(Report.integer(errors)).append(" |");
                if (!hold) {
                    double mine = Report.Stat.of(rs, "msgs_per_s").median();
                    md.append(' ').append(Double.isNaN(mine) || Double.isNaN(baseRate) || baseRate == 0
                            ? ResultLine.NA : String.format(Locale.ROOT, "%.2f×", mine / baseRate)).append(" |");
                }
                md.append('\n');
            }
            md.append('\n');
        }
        return md.toString();
    }

    private static void cell(StringBuilder md, List<Report.Run> rs, String key, DoubleFunction<String> f, double scale) {
        md.append(' ').append(Report.Stat.of(rs, key).show(v -> f.apply(v * scale))).append(" |");
    }

    /** Median over rounds of wire bytes in per measured second, in MB/s. */
    private static String wireRate(List<Report.Run> rs) {
        List<Report.Run> rates = new ArrayList<>();
        for (Report.Run r : rs) {
            double bytes = r.number("wire_bytes_in");
            double seconds = r.number("duration_s");
            Map<String, String> f = new LinkedHashMap<>();
            f.put("rate", Double.isNaN(bytes) || Double.isNaN(seconds) || seconds == 0
                    ? ResultLine.NA : Double.toString(bytes / seconds / 1e6));
            rates.add(new Report.Run(r.server(), r.workload(), r.round(), f));
        }
        return Report.Stat.of(rates, "rate").show(Report::decimal);
    }

    /** The negotiated extension of the rounds, abbreviated; "a / b" if rounds differ. */
    static String negotiated(List<Report.Run> rs) {
        List<String> seen = new ArrayList<>();
        for (Report.Run r : rs) {
            String v = r.fields().getOrDefault("deflate", ResultLine.NA);
            String shortened = abbreviate(v);
            if (!seen.contains(shortened)) {
                seen.add(shortened);
            }
        }
        return String.join(" / ", seen);
    }

    static String abbreviate(String header) {
        return header.replace("permessage-deflate", "pmd")
                .replace("server_no_context_takeover", "snct")
                .replace("client_no_context_takeover", "cnct")
                .replace("server_max_window_bits", "smwb")
                .replace("client_max_window_bits", "cmwb")
                .replace(";", "; ");
    }

    private static Comparator<String> order(List<String> known) {
        return Comparator.<String>comparingInt(s -> known.contains(s) ? known.indexOf(s) : known.size())
                .thenComparing(Comparator.naturalOrder());
    }
}
