package io.loomsocket.bench;

import io.loomsocket.examples.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.DoubleFunction;

/**
 * {@code bench report}: renders load results (lines of {@code server=S workload=W round=N RESULT
 * key=value...}) and JMH results (JSON from {@code -rf json}) into a markdown document, between
 * {@code <!-- load:begin -->}/{@code <!-- load:end -->} and {@code <!-- jmh:begin -->}/
 * {@code <!-- jmh:end -->}, with SVG bar charts next to it; the compression workloads go to their
 * own section ({@link DeflateReport}). A section is rewritten only when the results have runs for
 * it (or, for the load section, when they have none at all), so a run of the compression
 * workloads alone leaves the load tables as they were. The rest of the document is kept.
 */
public final class Report {

    public static final String USAGE = """
            usage: bench report --doc docs/benchmarks.md [--results FILE] [--jmh FILE] [--svg-dir docs/bench]
              --results FILE  lines "server=S workload=W round=N RESULT key=value ..." from the load runs
              --jmh FILE      JMH results in JSON (-rf json)
              --svg-dir DIR   where the charts go (default: bench/ next to the doc)
            """;

    static final String LOAD_BEGIN = "<!-- load:begin -->";
    static final String LOAD_END = "<!-- load:end -->";
    static final String JMH_BEGIN = "<!-- jmh:begin -->";
    static final String JMH_END = "<!-- jmh:end -->";

    private static final List<String> WORKLOADS = List.of("echo-1x64", "echo-100x64", "echo-100x16k", "echo-10x1m",
            "broadcast-1000x64", "broadcast-1000x64-rate", "hold-10000");
    private static final List<String> SERVERS = List.of("loomsocket", "netty", "jetty", "java-websocket", "helidon", "node-ws");
    private static final String BASELINE = "netty";

    /** One RESULT line of one server, workload and round. */
    record Run(String server, String workload, String round, Map<String, String> fields) {

        double number(String key) {
            String v = fields.get(key);
            if (v == null || v.equals(ResultLine.NA)) {
                return Double.NaN;
            }
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
    }

    /** Median, min and max of the rounds that have a value; NaN when none has. */
    record Stat(double median, double min, double max, int n) {

        static Stat of(List<Run> runs, String key) {
            double[] v = runs.stream().mapToDouble(r -> r.number(key)).filter(d -> !Double.isNaN(d)).sorted().toArray();
            if (v.length == 0) {
                return new Stat(Double.NaN, Double.NaN, Double.NaN, 0);
            }
            double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
            return new Stat(median, v[0], v[v.length - 1], v.length);
        }

        /** "median (min–max)", or just the median for one round, or NA. */
        String show(DoubleFunction<String> f) {
            if (n == 0) {
                return ResultLine.NA;
            }
            return n == 1 || min == max ? f.apply(median) : f.apply(median) + " (" + f.apply(min) + "–" + f.apply(max) + ")";
        }
    }

    /** A metric column: header, RESULT key, format, and a scale applied to the values. */
    private record Column(String header, String key, DoubleFunction<String> format, double scale) {}

    private Report() {}

    public static int run(String[] args, int from, PrintStream out) throws IOException {
        Path results = null;
        Path jmh = null;
        Path doc = null;
        Path svgDir = null;
        for (int i = from; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + " needs a value\n" + USAGE);
            }
            Path value = Path.of(args[++i]);
            switch (name) {
                case "--results" -> results = value;
                case "--jmh" -> jmh = value;
                case "--doc" -> doc = value;
                case "--svg-dir" -> svgDir = value;
                default -> throw new IllegalArgumentException("unknown report option '" + name + "'\n" + USAGE);
            }
        }
        if (doc == null) {
            throw new IllegalArgumentException("bench report needs --doc FILE\n" + USAGE);
        }
        if (svgDir == null) {
            svgDir = doc.toAbsolutePath().getParent().resolve("bench");
        }
        Path docDir = doc.toAbsolutePath().getParent();
        String svgRef = docDir.relativize(svgDir.toAbsolutePath()).toString().replace('\\', '/');
        Map<String, String> svgs = new LinkedHashMap<>();
        String text = Files.exists(doc) ? Files.readString(doc) : "# Benchmarks\n\n" + LOAD_BEGIN + "\n" + LOAD_END + "\n\n"
                + JMH_BEGIN + "\n" + JMH_END + "\n";
        if (results != null) {
            List<Run> runs = parseResults(Files.readAllLines(results, StandardCharsets.UTF_8));
            List<Run> load = runs.stream().filter(r -> !DeflateReport.isCompression(r.workload())).toList();
            List<Run> compression = runs.stream().filter(r -> DeflateReport.isCompression(r.workload())).toList();
            if (!load.isEmpty() || compression.isEmpty()) {
                text = replaceBetween(text, LOAD_BEGIN, LOAD_END, renderLoad(load, svgRef, svgs));
            }
            if (!compression.isEmpty()) {
                text = replaceBetween(text, DeflateReport.BEGIN, DeflateReport.END, DeflateReport.render(compression));
            }
        }
        if (jmh != null) {
            text = replaceBetween(text, JMH_BEGIN, JMH_END, renderJmh(parseJmh(Files.readString(jmh)), svgRef, svgs));
        }
        if (docDir != null) {
            Files.createDirectories(docDir);
        }
        Files.writeString(doc, text);
        if (!svgs.isEmpty()) {
            Files.createDirectories(svgDir);
        }
        for (Map.Entry<String, String> e : svgs.entrySet()) {
            Files.writeString(svgDir.resolve(e.getKey()), e.getValue());
        }
        out.println("wrote " + doc + " and " + svgs.size() + " chart(s) in " + svgDir);
        return 0;
    }

    // ---- load results ----

    /** Lines with {@code server=}, {@code workload=} and a RESULT; other lines are skipped. */
    static List<Run> parseResults(List<String> lines) {
        List<Run> runs = new ArrayList<>();
        for (String line : lines) {
            int at = line.indexOf("RESULT");
            if (at < 0) {
                continue;
            }
            Map<String, String> prefix = ResultLine.parse(line.substring(0, at));
            Map<String, String> fields = ResultLine.parse(line.substring(at + "RESULT".length()));
            String server = prefix.get("server");
            String workload = prefix.get("workload");
            if (server != null && workload != null) {
                runs.add(new Run(server, workload, prefix.getOrDefault("round", "1"), fields));
            }
        }
        return runs;
    }

    /** The markdown for every workload in {@code runs}; charts are added to {@code svgs} (file name to SVG). */
    static String renderLoad(List<Run> runs, String svgRef, Map<String, String> svgs) {
        Map<String, Map<String, List<Run>>> byWorkload = new TreeMap<>(order(WORKLOADS));
        for (Run r : runs) {
            byWorkload.computeIfAbsent(r.workload(), w -> new TreeMap<>(order(SERVERS)))
                    .computeIfAbsent(r.server(), s -> new ArrayList<>()).add(r);
        }
        StringBuilder md = new StringBuilder("\n");
        if (byWorkload.isEmpty()) {
            md.append("_No load results._\n\n");
        }
        md.append("Median over rounds, with the range (min–max) in parentheses. MB = 10^6 bytes of payload. "
                + "Server CPU is the server process's user + system time divided by the messages (deliveries).\n\n");
        for (Map.Entry<String, Map<String, List<Run>>> w : byWorkload.entrySet()) {
            String workload = w.getKey();
            Map<String, List<Run>> servers = w.getValue();
            boolean hold = workload.startsWith("hold");
            boolean broadcast = workload.startsWith("broadcast");
            boolean latency = workload.endsWith("-rate");
            List<Column> cols;
            Column ratioOn;
            String chartKey;
            if (hold) {
                cols = List.of(
                        new Column("opened", "opened", Report::integer, 1),
                        new Column("RSS/conn kB", "server_rss_per_conn_kb", Report::decimal, 1),
                        new Column("heap/conn kB", "server_heap_per_conn_kb", Report::decimal, 1),
                        new Column("RSS after MB", "server_rss_after_kb", Report::decimal, 1 / 1024.0));
                ratioOn = cols.get(1);
            } else {
                cols = List.of(
                        new Column(broadcast ? "deliveries/s" : "msgs/s", "msgs_per_s", Report::compact, 1),
                        new Column("MB/s", "mb_per_s", Report::decimal, 1),
                        new Column("p50 µs", "p50_us", Report::integer, 1),
                        new Column("p99 µs", "p99_us", Report::integer, 1),
                        new Column("p99.9 µs", "p999_us", Report::integer, 1),
                        new Column("server CPU µs/msg", "server_cpu_us_per_msg", Report::decimal, 1),
                        new Column("server RSS MB", "server_rss_kb", Report::decimal, 1 / 1024.0));
                ratioOn = latency ? cols.get(3) : cols.get(0);
            }
            md.append("### ").append(workload).append("\n\n");
            md.append("| server | rounds |");
            cols.forEach(c -> md.append(' ').append(c.header()).append(" |"));
            md.append(" errors | vs ").append(BASELINE).append(" (").append(ratioOn.header()).append(") |\n");
            md.append("|---|---:|");
            cols.forEach(c -> md.append("---:|"));
            md.append("---:|---:|\n");
            List<Run> base = servers.get(BASELINE);
            double baseValue = base == null ? Double.NaN : Stat.of(base, ratioOn.key()).median();
            List<SvgChart.Bar> bars = new ArrayList<>();
            for (Map.Entry<String, List<Run>> s : servers.entrySet()) {
                List<Run> rs = s.getValue();
                md.append("| ").append(s.getKey()).append(" | ").append(rs.size()).append(" |");
                for (Column c : cols) {
                    Stat st = Stat.of(rs, c.key());
                    md.append(' ').append(st.show(v -> c.format().apply(v * c.scale()))).append(" |");
                }
                Stat errors = Stat.of(rs, "errors");
                md.append(' ').append(errors.n() == 0 ? ResultLine.NA : integer(sum(rs, "errors"))).append(" |");
                double mine = Stat.of(rs, ratioOn.key()).median();
                md.append(' ').append(Double.isNaN(mine) || Double.isNaN(baseValue) || baseValue == 0
                        ? ResultLine.NA : String.format(Locale.ROOT, "%.2f×", mine / baseValue)).append(" |\n");
                Stat chart = Stat.of(rs, ratioOn.key());
                if (chart.n() > 0) {
                    bars.add(new SvgChart.Bar(s.getKey(), chart.median(), chart.min(), chart.max()));
                }
            }
            md.append('\n');
            if (!bars.isEmpty()) {
                chartKey = hold ? "rss" : latency ? "p99" : "msgs";
                String file = workload + "-" + chartKey + ".svg";
                String title = workload + ": " + ratioOn.header() + (hold || latency ? " (lower is better)" : " (higher is better)");
                svgs.put(file, SvgChart.render(title, bars, hold ? Report::decimal : latency ? Report::integer : Report::compact));
                md.append("![").append(workload).append(' ').append(ratioOn.header()).append("](")
                        .append(svgRef.isEmpty() ? "" : svgRef + "/").append(file).append(")\n\n");
            }
        }
        return md.toString();
    }

    private static double sum(List<Run> runs, String key) {
        return runs.stream().mapToDouble(r -> r.number(key)).filter(d -> !Double.isNaN(d)).sum();
    }

    /** Known names first, in the given order; then the others alphabetically. */
    private static Comparator<String> order(List<String> known) {
        return Comparator.<String>comparingInt(s -> known.contains(s) ? known.indexOf(s) : known.size())
                .thenComparing(Comparator.naturalOrder());
    }

    // ---- JMH ----

    /** One JMH benchmark result. {@code gbPerSecond} is NaN when it cannot be derived. */
    record JmhResult(String benchmark, String mode, Map<String, String> params, double score, double error, String unit,
            double gbPerSecond) {}

    @SuppressWarnings("unchecked")
    static List<JmhResult> parseJmh(String json) {
        List<JmhResult> results = new ArrayList<>();
        for (Object o : (List<Object>) Json.parseAllowingNonFinite(json)) {
            Map<String, Object> m = (Map<String, Object>) o;
            Map<String, String> params = new LinkedHashMap<>();
            if (m.get("params") instanceof Map<?, ?> p) {
                p.forEach((k, v) -> params.put(String.valueOf(k), String.valueOf(v)));
            }
            Map<String, Object> metric = (Map<String, Object>) m.get("primaryMetric");
            double score = metric.get("score") instanceof Number n ? n.doubleValue() : Double.NaN;
            double error = metric.get("scoreError") instanceof Number n ? n.doubleValue() : Double.NaN;
            String unit = String.valueOf(metric.get("scoreUnit"));
            String mode = String.valueOf(m.get("mode"));
            double gb = Double.NaN;
            if (params.containsKey("size")) {
                try {
                    gb = gbPerSecond(mode, unit, score, BenchOptions.parseSize("size", params.get("size")));
                } catch (IllegalArgumentException ignored) {
                    // a size that is not a number
                }
            }
            results.add(new JmhResult(String.valueOf(m.get("benchmark")), mode, params, score, error, unit, gb));
        }
        return results;
    }

    /** GB/s (10^9 bytes) for {@code size} bytes per operation: from time per op (avgt) or ops per time (thrpt). */
    static double gbPerSecond(String mode, String unit, double score, long size) {
        String[] parts = unit.split("/");
        if (parts.length != 2 || score <= 0) {
            return Double.NaN;
        }
        if (mode.equals("avgt") && parts[1].equals("op")) {
            double seconds = score * secondsPer(parts[0]);
            return Double.isNaN(seconds) ? Double.NaN : size / seconds / 1e9;
        }
        if (mode.equals("thrpt") && parts[0].equals("ops")) {
            double perSecond = score / secondsPer(parts[1]);
            return Double.isNaN(perSecond) ? Double.NaN : perSecond * size / 1e9;
        }
        return Double.NaN;
    }

    private static double secondsPer(String unit) {
        return switch (unit) {
            case "ns" -> 1e-9;
            case "us" -> 1e-6;
            case "ms" -> 1e-3;
            case "s" -> 1;
            case "min" -> 60;
            default -> Double.NaN;
        };
    }

    static String renderJmh(List<JmhResult> results, String svgRef, Map<String, String> svgs) {
        StringBuilder md = new StringBuilder("\n| benchmark | params | score ± error | unit | GB/s |\n|---|---|---:|---|---:|\n");
        List<SvgChart.Bar> masking = new ArrayList<>();
        for (JmhResult r : results) {
            String name = shortName(r.benchmark());
            String params = r.params().isEmpty() ? "" : String.join(", ",
                    r.params().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
            md.append("| ").append(name).append(" | ").append(params).append(" | ")
                    .append(significant(r.score())).append(" ± ").append(significant(r.error())).append(" | ")
                    .append(r.unit()).append(" | ").append(Double.isNaN(r.gbPerSecond()) ? "" : decimal(r.gbPerSecond()))
                    .append(" |\n");
            if (!Double.isNaN(r.gbPerSecond()) && name.toLowerCase(Locale.ROOT).contains("mask")) {
                String label = name.substring(name.lastIndexOf('.') + 1) + " " + r.params().get("size");
                masking.add(new SvgChart.Bar(label, r.gbPerSecond(), r.gbPerSecond(), r.gbPerSecond()));
            }
        }
        md.append('\n');
        if (!masking.isEmpty()) {
            svgs.put("masking-gbps.svg", SvgChart.render("Masking: GB/s by payload size (higher is better)", masking,
                    v -> decimal(v) + " GB/s"));
            md.append("![masking GB/s by size](").append(svgRef.isEmpty() ? "" : svgRef + "/").append("masking-gbps.svg)\n\n");
        }
        return md.toString();
    }

    /** Class.method of a fully qualified benchmark name. */
    private static String shortName(String benchmark) {
        int last = benchmark.lastIndexOf('.');
        int prev = last > 0 ? benchmark.lastIndexOf('.', last - 1) : -1;
        return benchmark.substring(prev + 1);
    }

    // ---- the document ----

    /** Replaces what is between the markers (appending the markers at the end if missing). */
    static String replaceBetween(String doc, String begin, String end, String content) {
        int b = doc.indexOf(begin);
        int e = b < 0 ? -1 : doc.indexOf(end, b);
        if (b < 0 || e < 0) {
            return doc + (doc.endsWith("\n") || doc.isEmpty() ? "" : "\n") + "\n" + begin + content + end + "\n";
        }
        return doc.substring(0, b + begin.length()) + content + doc.substring(e);
    }

    // ---- number formats ----

    static String compact(double v) {
        double a = Math.abs(v);
        if (a >= 1e6) {
            return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        }
        if (a >= 1e4) {
            return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }

    static String decimal(double v) {
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
    }

    static String integer(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    private static String significant(double v) {
        if (Double.isNaN(v)) {
            return ResultLine.NA;
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 1000 ? "%.0f" : Math.abs(v) >= 1 ? "%.3f" : "%.4g", v);
    }
}
