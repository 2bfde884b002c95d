package io.loomsocket.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    private static final List<String> RESULTS = List.of(
            "# a comment line",
            "server=netty workload=echo-100x64 round=1 RESULT bench=echo url=ws://x connections=100 size=64 duration_s=10.0 messages=1000000 msgs_per_s=100000.0 mb_per_s=6.40 p50_us=800 p99_us=1500 p999_us=2100 errors=0 server_cpu_us_per_msg=8.00 server_rss_kb=102400",
            "server=netty workload=echo-100x64 round=2 RESULT bench=echo url=ws://x connections=100 size=64 duration_s=10.0 messages=1200000 msgs_per_s=120000.0 mb_per_s=7.68 p50_us=700 p99_us=1400 p999_us=2000 errors=0 server_cpu_us_per_msg=7.00 server_rss_kb=102400",
            "server=netty workload=echo-100x64 round=3 RESULT bench=echo url=ws://x connections=100 size=64 duration_s=10.0 messages=1100000 msgs_per_s=110000.0 mb_per_s=7.04 p50_us=750 p99_us=1450 p999_us=2050 errors=0 server_cpu_us_per_msg=7.50 server_rss_kb=NA",
            "server=loomsocket workload=echo-100x64 round=1 RESULT bench=echo url=ws://x connections=100 size=64 duration_s=10.0 messages=2200000 msgs_per_s=220000.0 mb_per_s=14.08 p50_us=400 p99_us=900 p999_us=1200 errors=0 server_cpu_us_per_msg=4.00 server_rss_kb=51200",
            "server=loomsocket workload=hold-10000 round=1 RESULT bench=hold url=ws://x connections=10000 opened=10000 errors=0 server_rss_before_kb=50000 server_rss_after_kb=90000 server_rss_per_conn_kb=4.00 server_heap_before_kb=NA server_heap_after_kb=NA server_heap_per_conn_kb=NA",
            "server=netty workload=hold-10000 round=1 RESULT bench=hold url=ws://x connections=10000 opened=10000 errors=0 server_rss_before_kb=50000 server_rss_after_kb=130000 server_rss_per_conn_kb=8.00 server_heap_before_kb=1000 server_heap_after_kb=21000 server_heap_per_conn_kb=2.00");

    @Test
    void loadTablesAndCharts() {
        Map<String, String> svgs = new LinkedHashMap<>();
        String md = Report.renderLoad(Report.parseResults(RESULTS), "bench", svgs);
        assertThat(md).contains("### echo-100x64", "### hold-10000");
        assertThat(md.indexOf("### echo-100x64")).isLessThan(md.indexOf("### hold-10000"));
        assertThat(md).contains("| server | rounds | msgs/s | MB/s | p50 µs | p99 µs | p99.9 µs | server CPU µs/msg | server RSS MB | errors | vs netty (msgs/s) |");
        // loomsocket first, one round; netty: median 110k over 100k–120k
        assertThat(md).contains("| loomsocket | 1 | 220.0k | 14.1 | 400 | 900 | 1200 | 4.00 | 50.0 | 0 | 2.00× |");
        assertThat(md).contains("| netty | 3 | 110.0k (100.0k–120.0k) | 7.04 (6.40–7.68) | 750 (700–800) |");
        assertThat(md).contains("| 100 |"); // netty RSS: 2 rounds with a value, both 100 MB
        assertThat(md).contains("| loomsocket | 1 | 10000 | 4.00 | NA | 87.9 | 0 | 0.50× |");
        assertThat(md).contains("![echo-100x64 msgs/s](bench/echo-100x64-msgs.svg)");
        assertThat(svgs).containsOnlyKeys("echo-100x64-msgs.svg", "hold-10000-rss.svg");
        String svg = svgs.get("echo-100x64-msgs.svg");
        assertThat(svg).startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"700\"").endsWith("</svg>\n");
        assertThat(svg).contains(">loomsocket</text>", ">netty</text>", ">220.0k</text>", ">110.0k</text>");
        assertThat(svg).contains("<path d=\"M"); // netty's min–max whisker
    }

    private static final String JMH = """
            [
              {"jmhVersion":"1.37","benchmark":"io.loomsocket.jmh.MaskingBench.mask","mode":"avgt","threads":1,
               "params":{"size":"1024"},
               "primaryMetric":{"score":50.0,"scoreError":1.5,"scoreConfidence":[48.5,51.5],"scoreUnit":"ns/op","rawData":[[50.0]]},
               "secondaryMetrics":{}},
              {"benchmark":"io.loomsocket.jmh.MaskingBench.maskScalar","mode":"thrpt",
               "params":{"size":"65536"},
               "primaryMetric":{"score":100.0,"scoreError":"NaN","scoreUnit":"ops/ms"}},
              {"benchmark":"io.loomsocket.jmh.HandshakeBench.parse","mode":"avgt",
               "primaryMetric":{"score":812.25,"scoreError":3.0,"scoreUnit":"ns/op"}}
            ]
            """;

    @Test
    void jmhTableAndChart() {
        Map<String, String> svgs = new LinkedHashMap<>();
        List<Report.JmhResult> results = Report.parseJmh(JMH);
        assertThat(results).hasSize(3);
        assertThat(results.get(0).gbPerSecond()).isEqualTo(1024 / 50.0);
        assertThat(results.get(1).gbPerSecond()).isEqualTo(100_000L * 65536 / 1e9);
        assertThat(results.get(2).gbPerSecond()).isNaN();
        String md = Report.renderJmh(results, "bench", svgs);
        assertThat(md).contains("| benchmark | params | score ± error | unit | GB/s |");
        assertThat(md).contains("| MaskingBench.mask | size=1024 | 50.000 ± 1.500 | ns/op | 20.5 |");
        assertThat(md).contains("| MaskingBench.maskScalar | size=65536 | 100.000 ± NA | ops/ms | 6.55 |");
        assertThat(md).contains("| HandshakeBench.parse |  | 812.250 ± 3.000 | ns/op |  |");
        assertThat(md).contains("![masking GB/s by size](bench/masking-gbps.svg)");
        assertThat(svgs.get("masking-gbps.svg")).contains(">mask 1024</text>", ">maskScalar 65536</text>", "20.5 GB/s");
    }

    @Test
    void writesBetweenMarkersAndKeepsTheRest(@TempDir Path dir) throws Exception {
        Path doc = dir.resolve("docs/benchmarks.md");
        Files.createDirectories(doc.getParent());
        Files.writeString(doc, "# Title\n\nintro\n\n<!-- load:begin -->\nold\n<!-- load:end -->\n\noutro\n");
        Path results = dir.resolve("results.txt");
        Files.write(results, RESULTS);
        Path jmh = dir.resolve("jmh.json");
        Files.writeString(jmh, JMH);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = Report.run(new String[] {"--results", results.toString(), "--jmh", jmh.toString(), "--doc", doc.toString(),
                "--svg-dir", dir.resolve("docs/bench").toString()}, 0, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(exit).isZero();
        String text = Files.readString(doc);
        assertThat(text).startsWith("# Title\n\nintro\n\n<!-- load:begin -->\n").doesNotContain("\nold\n");
        assertThat(text).contains("<!-- load:end -->\n\noutro\n");
        assertThat(text).contains("### echo-100x64", "<!-- jmh:begin -->", "MaskingBench.mask", "<!-- jmh:end -->");
        assertThat(dir.resolve("docs/bench/echo-100x64-msgs.svg")).exists();
        assertThat(dir.resolve("docs/bench/masking-gbps.svg")).exists();

        // run again: same document (idempotent)
        Report.run(new String[] {"--results", results.toString(), "--jmh", jmh.toString(), "--doc", doc.toString()}, 0,
                new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(Files.readString(doc)).isEqualTo(text);

        // a missing doc is created with both markers
        Path fresh = dir.resolve("fresh.md");
        Report.run(new String[] {"--doc", fresh.toString()}, 0, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(Files.readString(fresh)).contains(Report.LOAD_BEGIN, Report.LOAD_END, Report.JMH_BEGIN, Report.JMH_END);
    }

    private static final List<String> DEFLATE_RESULTS = List.of(
            "server=loomsocket workload=echo-100xchat-deflate round=1 RESULT bench=echo url=ws://x connections=100 size=256 duration_s=10.0 messages=500000 msgs_per_s=50000.0 mb_per_s=12.80 p50_us=1900 p99_us=4000 p999_us=6000 errors=0 server_cpu_us_per_msg=18.00 server_rss_kb=204800 payload=json-chat deflate=permessage-deflate wire_bytes_in=40000000 wire_bytes_out=41000000 wire_ratio=0.3125",
            "server=netty workload=echo-100xchat-deflate round=1 RESULT bench=echo url=ws://x connections=100 size=256 duration_s=10.0 messages=400000 msgs_per_s=40000.0 mb_per_s=10.24 p50_us=2400 p99_us=5000 p999_us=7000 errors=0 server_cpu_us_per_msg=22.50 server_rss_kb=NA payload=json-chat deflate=permessage-deflate;client_max_window_bits=15 wire_bytes_in=33000000 wire_bytes_out=33000000 wire_ratio=0.3223",
            "server=loomsocket workload=hold-2000-chat-deflate-nct round=1 RESULT bench=hold url=ws://x connections=2000 opened=2000 errors=0 server_rss_before_kb=50000 server_rss_after_kb=70000 server_rss_per_conn_kb=10.00 server_heap_before_kb=1000 server_heap_after_kb=15000 server_heap_per_conn_kb=7.00 deflate=permessage-deflate;server_no_context_takeover;client_no_context_takeover primed=2000");

    @Test
    void compressionSection() {
        String md = DeflateReport.render(Report.parseResults(DEFLATE_RESULTS));
        assertThat(md.indexOf("### echo-100xchat-deflate")).isLessThan(md.indexOf("### hold-2000-chat-deflate-nct"));
        assertThat(md).contains("| server | rounds | msgs/s | p50 µs | p99 µs | server CPU µs/msg | wire ratio | wire MB/s | server RSS MB | negotiated | errors | vs netty (msgs/s) |");
        assertThat(md).contains("| loomsocket | 1 | 50.0k | 1900 | 4000 | 18.0 | 0.313 | 4.00 | 200 | pmd | 0 | 1.25× |");
        assertThat(md).contains("| netty | 1 | 40.0k | 2400 | 5000 | 22.5 | 0.322 | 3.30 | NA | pmd; cmwb=15 | 0 | 1.00× |");
        assertThat(md).contains("| loomsocket | 1 | 2000 | 2000 | 10.0 | 7.00 | pmd; snct; cnct | 0 |");
        assertThat(DeflateReport.isCompression("echo-100x64")).isFalse();
        assertThat(DeflateReport.isCompression("broadcast-1000xchat")).isTrue();
    }

    @Test
    void eachSectionIsRewrittenOnlyByItsOwnRuns(@TempDir Path dir) throws Exception {
        Path doc = dir.resolve("benchmarks.md");
        Files.writeString(doc, "# B\n\n<!-- load:begin -->\nold load\n<!-- load:end -->\n\n"
                + "<!-- deflate:begin -->\nold deflate\n<!-- deflate:end -->\n");
        Path results = dir.resolve("deflate.txt");
        Files.write(results, DEFLATE_RESULTS);
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Report.run(new String[] {"--results", results.toString(), "--doc", doc.toString()}, 0, out);
        String text = Files.readString(doc);
        assertThat(text).contains("\nold load\n", "### echo-100xchat-deflate").doesNotContain("old deflate");
        assertThat(text.indexOf("### echo-100xchat-deflate")).isGreaterThan(text.indexOf("<!-- deflate:begin -->"));

        Path load = dir.resolve("load.txt");
        Files.write(load, RESULTS);
        Report.run(new String[] {"--results", load.toString(), "--doc", doc.toString()}, 0, out);
        text = Files.readString(doc);
        assertThat(text).contains("### echo-100x64", "### echo-100xchat-deflate").doesNotContain("old load");
    }
}
