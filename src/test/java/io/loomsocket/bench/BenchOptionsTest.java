package io.loomsocket.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.bench.BenchOptions.Mode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    private static BenchOptions parse(String... args) {
        return BenchOptions.parse(args, 1);
    }

    @Test
    void parsesEveryOption() {
        BenchOptions o = parse("bench", "echo", "--url", "ws://127.0.0.1:9001/echo?x=1", "--connections", "100",
                "--size", "16k", "--duration", "2.5", "--warmup=0", "--rate", "1000", "--text", "--server-pid", "42",
                "--handshakes", "50", "--quiet");
        assertThat(o.mode()).isEqualTo(Mode.ECHO);
        assertThat(o.connections()).isEqualTo(100);
        assertThat(o.size()).isEqualTo(16 * 1024);
        assertThat(o.durationSeconds()).isEqualTo(2.5);
        assertThat(o.warmupSeconds()).isZero();
        assertThat(o.rate()).isEqualTo(1000);
        assertThat(o.text()).isTrue();
        assertThat(o.serverPid()).hasValue(42);
        assertThat(o.maxHandshakesInFlight()).isEqualTo(50);
        assertThat(o.quiet()).isTrue();
        assertThat(o.resource()).isEqualTo("/echo?x=1");
        assertThat(o.hostHeader()).isEqualTo("127.0.0.1:9001");
        assertThat(o.port()).isEqualTo(9001);
    }

    @Test
    void defaults() {
        BenchOptions o = parse("bench", "broadcast", "--url", "ws://localhost/broadcast");
        assertThat(o.mode()).isEqualTo(Mode.BROADCAST);
        assertThat(o.connections()).isEqualTo(1);
        assertThat(o.size()).isEqualTo(64);
        assertThat(o.durationSeconds()).isEqualTo(10);
        assertThat(o.warmupSeconds()).isEqualTo(2);
        assertThat(o.rate()).isZero();
        assertThat(o.window()).isEqualTo(16);
        assertThat(o.serverPid()).isEmpty();
        assertThat(o.hostHeader()).isEqualTo("localhost");
        assertThat(o.resource()).isEqualTo("/broadcast");
        assertThat(parse("bench", "hold", "--url", "ws://h:1").resource()).isEqualTo("/");
        assertThat(o.payload()).isEqualTo(Payloads.Kind.RANDOM);
        assertThat(o.deflate()).isEqualTo(BenchOptions.Deflate.OFF);
        assertThat(o.prime()).isFalse();
    }

    @Test
    void compressionOptions() {
        BenchOptions echo = parse("bench", "echo", "--url", "ws://h:1/", "--deflate", "--payload", "json-chat");
        assertThat(echo.deflate()).isEqualTo(BenchOptions.Deflate.TAKEOVER);
        assertThat(echo.payload()).isEqualTo(Payloads.Kind.JSON_CHAT);
        BenchOptions nct = parse("bench", "broadcast", "--url", "ws://h:1/", "--deflate-no-context-takeover", "--payload=ticker");
        assertThat(nct.deflate()).isEqualTo(BenchOptions.Deflate.NO_CONTEXT_TAKEOVER);
        assertThat(nct.payload()).isEqualTo(Payloads.Kind.TICKER);
        assertThat(parse("bench", "hold", "--url", "ws://h:1/", "--prime", "--deflate").prime()).isTrue();
        assertThatThrownBy(() -> parse("bench", "echo", "--url", "ws://h:1/", "--payload", "xml"))
                .hasMessageContaining("--payload must be random, json-chat or ticker");
        assertThatThrownBy(() -> parse("bench", "echo", "--url", "ws://h:1/", "--deflate", "--deflate-no-context-takeover"))
                .hasMessageContaining("exclude each other");
        assertThatThrownBy(() -> parse("bench", "echo", "--url", "ws://h:1/", "--prime")).hasMessageContaining("hold only");
        assertThatThrownBy(() -> parse("bench", "hold", "--url", "ws://h:1/", "--prime", "--size", "0"))
                .hasMessageContaining("--size >= 1");
    }

    @Test
    void jsonPayloadsAreJsonSlicesThatDoNotRepeat() {
        Payloads.Source chat = Payloads.source(Payloads.Kind.JSON_CHAT, 256);
        assertThat(chat.pattern().length).isGreaterThanOrEqualTo(1 << 20);
        String text = new String(chat.pattern(), 0, 4096, java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(text).startsWith("{\"type\":\"message\",\"channel\":\"").contains("\"text\":\"");
        Payloads.Source ticker = Payloads.source(Payloads.Kind.TICKER, 4096);
        assertThat(new String(ticker.pattern(), 0, 64, java.nio.charset.StandardCharsets.US_ASCII)).startsWith("{\"type\":\"ticker\"");
        // consecutive messages start far apart, always with a whole message inside the corpus
        java.util.Set<Integer> starts = new java.util.HashSet<>();
        for (long seq = 0; seq < 1000; seq++) {
            int at = chat.shift(seq);
            assertThat(at).isBetween(0, chat.pattern().length - 256);
            starts.add(at);
        }
        assertThat(starts).hasSize(1000);
        assertThat(Math.abs(chat.shift(1) - chat.shift(0))).isGreaterThan(4096);
        // the same bytes every run: the check of echoes relies on it
        assertThat(Payloads.source(Payloads.Kind.JSON_CHAT, 256).pattern()).isEqualTo(chat.pattern());
        Payloads.Source random = Payloads.source(Payloads.Kind.RANDOM, 64);
        assertThat(random.shift(257)).isEqualTo(1);
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> parse("bench")).hasMessageContaining("needs a mode");
        assertThatThrownBy(() -> parse("bench", "flood", "--url", "ws://h:1/")).hasMessageContaining("unknown bench mode");
        assertThatThrownBy(() -> parse("bench", "echo")).hasMessageContaining("--url");
        assertThatThrownBy(() -> parse("bench", "echo", "--url", "http://h:1/")).hasMessageContaining("ws://");
        assertThatThrownBy(() -> parse("bench", "echo", "--url", "ws://h:1/", "--connections", "0"))
                .hasMessageContaining("--connections");
        assertThatThrownBy(() -> parse("bench", "echo", "--url", "ws://h:1/", "--size", "abc")).hasMessageContaining("--size");
        assertThatThrownBy(() -> parse("bench", "echo", "--url", "ws://h:1/", "--duration")).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> parse("bench", "echo", "--url", "ws://h:1/", "--bogus", "1")).hasMessageContaining("unknown bench option");
        assertThatThrownBy(() -> parse("bench", "broadcast", "--url", "ws://h:1/", "--size", "8")).hasMessageContaining(">= 16");
        assertThatThrownBy(() -> parse("bench", "hold", "--url", "ws://h:1/", "--text")).hasMessageContaining("--text");
    }

    @Test
    void resultLineFormat() {
        ResultLine line = new ResultLine().put("bench", "echo").put("url", "ws://h:1/e").put("messages", 12)
                .put("msgs_per_s", 1234.56, 1).put("mb_per_s", Double.NaN, 2).put("server_rss_kb", (String) null);
        assertThat(line.toString())
                .isEqualTo("RESULT bench=echo url=ws://h:1/e messages=12 msgs_per_s=1234.6 mb_per_s=NA server_rss_kb=NA");
        Map<String, String> back = ResultLine.parse(line.toString());
        assertThat(back).containsEntry("msgs_per_s", "1234.6").containsEntry("mb_per_s", "NA").hasSize(6);
        assertThat(Bench.succeeded(Map.of("bench", "echo", "errors", "0", "messages", "5"))).isTrue();
        assertThat(Bench.succeeded(Map.of("bench", "echo", "errors", "1", "messages", "5"))).isFalse();
        assertThat(Bench.succeeded(Map.of("bench", "echo", "errors", "0", "messages", "0"))).isFalse();
        assertThat(Bench.succeeded(Map.of("bench", "hold", "errors", "0", "connections", "3", "opened", "3"))).isTrue();
        assertThat(Bench.succeeded(Map.of("bench", "hold", "errors", "0", "connections", "3", "opened", "2"))).isFalse();
    }

    @Test
    void procParsing() {
        String stat = "1234 (java (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 30 0 1000 0 0";
        assertThat(ProcStats.parseCpuTicks(stat)).isEqualTo(325);
        assertThat(ProcStats.parseRssKb("Name:\tjava\nVmPeak:\t 1 kB\nVmRSS:\t  123456 kB\nThreads: 3\n")).hasValue(123456);
        assertThat(ProcStats.parseRssKb("Name:\tkthread\n")).isEmpty();
        String g1 = """
                 garbage-first heap   total 262144K, used 12345K [0x0000000700000000, 0x0000000800000000)
                  region size 1024K, 3 young (3072K), 0 survivors (0K)
                 Metaspace       used 1060K, committed 1216K, reserved 1114112K
                """;
        assertThat(ProcStats.parseHeapUsedKb(g1)).hasValue(12345);
        String g1Jdk25 = """
                 garbage-first heap   total reserved 1048576K, committed 1048576K, used 6286K [0x00000000c0000000, 0x0000000100000000)
                  region size 1024K, 5 young (5120K), 0 survivors (0K)
                 Metaspace       used 1060K, committed 1216K, reserved 1114112K
                """;
        assertThat(ProcStats.parseHeapUsedKb(g1Jdk25)).hasValue(6286);
        String serial = """
                DefNew     total 116224K, used 5104K [0x0000000687400000, 0x000000068f210000, 0x0000000704d50000)
                 eden space 103360K,   4% used [0x0000000687400000, 0x00000006878fc148, 0x000000068d8f0000)
                Tenured    total 258048K, used 15920K [0x0000000704d50000, 0x0000000714950000, 0x0000000800000000)
                """;
        assertThat(ProcStats.parseHeapUsedKb(serial)).hasValue(5104 + 15920);
        assertThat(ProcStats.parseHeapUsedKb(" ZHeap           used 24M, capacity 64M, max capacity 1024M")).hasValue(24 * 1024);
        assertThat(ProcStats.parseHeapUsedKb("garbage")).isEmpty();
    }

    @Test
    void heapIsReadOnlyFromJvms() throws Exception {
        assertThat(ProcStats.isJava(ProcessHandle.current().pid())).isTrue();
        Process sleep = new ProcessBuilder("sleep", "30").start();
        try {
            assertThat(ProcStats.isJava(sleep.pid())).isFalse();
            assertThat(ProcStats.heapUsedKbAfterGc(sleep.pid())).isEmpty();
            assertThat(sleep.isAlive()).as("no SIGQUIT sent to a process that is not a JVM").isTrue();
        } finally {
            sleep.destroyForcibly();
        }
    }

    @Test
    void alsoUrlIsRepeatableOrACommaListAndTheUrlsStartWithTheFirst() {
        BenchOptions one = parse("bench", "broadcast", "--url", "ws://a:1/broadcast");
        assertThat(one.alsoUrls()).isEmpty();
        assertThat(one.urls()).extracting(Object::toString).containsExactly("ws://a:1/broadcast");
        BenchOptions o = parse("bench", "broadcast", "--url", "ws://a:1/broadcast", "--also-url", "ws://b:2/broadcast",
                "--also-url=ws://c:3/broadcast, ws://[::1]:4/broadcast-all?x=1");
        assertThat(o.urls()).extracting(Object::toString).containsExactly("ws://a:1/broadcast", "ws://b:2/broadcast",
                "ws://c:3/broadcast", "ws://[::1]:4/broadcast-all?x=1");
        assertThat(o.url().toString()).isEqualTo("ws://a:1/broadcast");
        java.net.URI last = o.alsoUrls().get(2);
        assertThat(BenchOptions.hostHeader(last)).isEqualTo("[::1]:4");
        assertThat(BenchOptions.resource(last)).isEqualTo("/broadcast-all?x=1");
        assertThat(BenchOptions.port(last)).isEqualTo(4);
        assertThat(BenchOptions.port(java.net.URI.create("ws://b/x"))).isEqualTo(80);
    }

    @Test
    void alsoUrlIsRefusedWhenBadOrOutsideBroadcast() {
        assertThatThrownBy(() -> parse("bench", "echo", "--url", "ws://a:1/", "--also-url", "ws://b:2/"))
                .hasMessage("--also-url is for bench broadcast only");
        assertThatThrownBy(() -> parse("bench", "broadcast", "--url", "ws://a:1/", "--also-url", "http://b:2/"))
                .hasMessage("--also-url must be ws://HOST:PORT/PATH (wss is not supported): http://b:2/");
        assertThatThrownBy(() -> parse("bench", "broadcast", "--url", "ws://a:1/", "--also-url", "ws://b:2/,"))
                .hasMessage("--also-url has an empty URL: ws://b:2/,");
        assertThatThrownBy(() -> parse("bench", "broadcast", "--url", "ws://a:1/", "--also-url", "ws://b c/"))
                .hasMessage("--also-url is not a URI: ws://b c/");
        assertThatThrownBy(() -> parse("bench", "broadcast", "--url", "ws://a:1/", "--also-url"))
                .hasMessage("--also-url needs a value");
        assertThatThrownBy(() -> parse("bench", "broadcast", "--url", "ws:///x"))
                .hasMessage("--url has no host: ws:///x");
    }

    @Test
    void subscribersGoRoundRobinOverTheUrls() {
        int[] seen = new int[3];
        for (int i = 0; i < 10; i++) {
            int g = BenchOptions.groupOf(i, 3);
            assertThat(g).isEqualTo(i % 3);
            seen[g]++;
        }
        assertThat(seen).containsExactly(4, 3, 3);
        for (int g = 0; g < 3; g++) {
            assertThat(BenchOptions.subscribersIn(g, 10, 3)).isEqualTo(seen[g]);
        }
        assertThat(BenchOptions.groupOf(7, 1)).isZero();
        assertThat(BenchOptions.subscribersIn(0, 7, 1)).isEqualTo(7);
        assertThat(BenchOptions.subscribersIn(1, 1, 2)).isZero();
        assertThatThrownBy(() -> BenchOptions.groupOf(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theBroadcastBenchPutsSubscribersRoundRobinAndThePublisherOnTheFirstUrl() throws Exception {
        BenchOptions o = parse("bench", "broadcast", "--url", "ws://127.0.0.1:1/broadcast",
                "--also-url", "ws://127.0.0.1:2/broadcast", "--connections", "5");
        try (BroadcastBench b = new BroadcastBench(o, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))) {
            // ids 0..4 are the subscribers, 5 the publisher, opened after them
            assertThat(java.util.stream.IntStream.range(0, 6).map(b::groupFor).toArray()).containsExactly(0, 1, 0, 1, 0, 0);
        }
    }
}
