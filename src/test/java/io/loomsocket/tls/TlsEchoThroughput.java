package io.loomsocket.tls;

import io.loomsocket.WebSocket;
import io.loomsocket.bench.ProcStats;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS ({@code wss://}) against plain ({@code ws://}): echo throughput and latency, server CPU per
 * message, the connection rate (sequential connect + close) and the server's memory per idle
 * connection, measured in one run with plain and TLS rounds interleaved. A {@code main}, not a
 * test: nothing runs it in CI. Results: {@code docs/bench/tls-results.txt}.
 *
 * <p>Run from a built tree ({@code mvn -o -q -P '!jmh,!peers' -DskipTests package} and {@code
 * test-compile}), with a Java 21+ {@code java}, the load pinned to CPU 1:
 *
 * <pre>
 * taskset -c 1 java -Xms2g -Xmx2g -XX:+UseG1GC -cp target/classes:target/test-classes \
 *     io.loomsocket.tls.TlsEchoThroughput [--rounds 3] [--duration 4] [--warmup 3] [--connections 50] \
 *     [--sizes 64,4096,65536] [--handshakes 300] [--handshake-warmup 200] [--idle 2000] [--server-cpu 0] [--jar target/loomsocket.jar] \
 *     [--server-jvm-flags "-Xms1g -Xmx1g -XX:+UseG1GC"] [--quiet-below 0.25] [--quiet-wait 20]
 * </pre>
 *
 * <p>Each round starts a fresh {@code bench-server} process for each mode (pinned with {@code
 * taskset -c <server-cpu>}, the same JVM flags for both, the {@code java} of this JVM's {@code
 * java.home}); the order alternates (plain first in odd rounds, TLS first in even ones). On each
 * server, in this order:
 * <ol>
 *   <li>idle memory, on the fresh process after 20 connections (so the TLS classes are loaded):
 *       the server's heap after a full GC ({@code jcmd GC.run}, {@code GC.heap_info}) and its
 *       VmRSS; then {@code --idle} connections opened (50 at a time; for TLS with the shared
 *       client context, so mostly resumed handshakes: full ones run at well under 100/s here)
 *       and held 2 s; then VmRSS and heap after GC again; the differences divided by the count;
 *   <li>echo, for each size: {@code --connections} connections, each on its own virtual thread
 *       sending a binary message of random bytes, receiving the echo, checking it byte for byte,
 *       and again; {@code --warmup} s not counted, then {@code --duration} s counted. msgs/s,
 *       MB/s (10^6 B of payload one way per second: as much again goes back), the round trip's
 *       p50 and p99, server and client CPU per message (utime + stime from /proc), and the CPU
 *       the rest of the machine used meanwhile (from /proc/stat, minus this JVM and the server);
 *   <li>connection rate, last (when the JIT has compiled the most): {@code --handshake-warmup}
 *       connections not counted, then {@code --handshakes} sequential connect + close. For TLS
 *       twice: with a fresh client {@link SSLContext} per connection, so that every connection
 *       is a full handshake (as from distinct clients), and with one shared context, so that the
 *       JDK client may resume the session. Full handshakes are counted (the trust manager sees
 *       the server's certificate only in a full one) and printed.
 * </ol>
 * Before each counted echo phase and each connection-rate measurement it waits (up to {@code
 * --quiet-wait} s, default 20) for a second in which the rest of the machine used less than
 * {@code --quiet-below} CPUs (default 0.25): on a shared machine a measurement that runs into
 * someone else's burst says little. Each value is printed with what the rest of the machine used
 * while it was measured, and the summary table gives the medians of all rounds and of the quiet
 * ones (the idle-memory figures count as quiet: they are heap and RSS, not time).
 *
 * <p>The client verifies the server's certificate and host name as any client should (a trust
 * store holding the test certificate made by {@link TestCertificates} with the JDK's keytool).
 * The negotiated protocol and cipher suite are read from the handshake session by the client's
 * trust manager and printed at the end.
 */
public final class TlsEchoThroughput {

    private static final String PASSWORD_ENV = "LOOMSOCKET_TLS_PASSWORD";
    private static final long CLK_TCK = clockTicks();

    private final Options opt;
    private final PrintStream out = System.out;
    private final Recorder recorder;
    private final SSLContext sharedTls;
    private final TrustManager[] trustManagers;
    private final Path keystore;

    /** metric name -> mode -> one value per round, with the CPU other processes used while it was measured */
    private final Map<String, Map<String, List<Value>>> results = new LinkedHashMap<>();

    /** A measured value, and the CPUs the rest of the machine used meanwhile (NaN: not CPU-bound, always quiet). */
    private record Value(double value, double otherCpus) {}

    private TlsEchoThroughput(Options opt) throws Exception {
        this.opt = opt;
        TestCertificates certs = TestCertificates.get();
        this.keystore = certs.keystore();
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(certs.trustStore())) {
            trust.load(in, TestCertificates.PASSWORD);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        X509ExtendedTrustManager inner = null;
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                inner = x;
            }
        }
        if (inner == null) {
            throw new IllegalStateException("no X509ExtendedTrustManager from " + tmf.getAlgorithm());
        }
        this.recorder = new Recorder(inner);
        this.trustManagers = new TrustManager[] {recorder};
        this.sharedTls = newClientContext();
    }

    private SSLContext newClientContext() throws Exception {
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, trustManagers, null);
        return c;
    }

    public static void main(String[] args) throws Exception {
        Options opt = Options.parse(args);
        new TlsEchoThroughput(opt).run(args);
    }

    private void run(String[] args) throws Exception {
        Path jar = Path.of(opt.jar);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("no " + jar + ": build it first (mvn -o -q -P '!jmh,!peers' -DskipTests package)");
        }
        out.println("# TlsEchoThroughput " + String.join(" ", args));
        out.println("# client command: " + ProcessHandle.current().info().commandLine().orElse("?"));
        out.println("# date: " + DateTimeFormatter.ISO_INSTANT.format(Instant.now().atOffset(ZoneOffset.UTC)));
        out.println("# machine: " + cpuCount() + " CPUs (/proc/cpuinfo), model \"" + cpuModel() + "\", "
                + memTotal() + "; kernel " + System.getProperty("os.version"));
        out.println("# jdk: " + System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.home") + ")");
        out.println("# client: this JVM, CPUs allowed " + cpusAllowed(ProcessHandle.current().pid())
                + ", availableProcessors " + Runtime.getRuntime().availableProcessors());
        out.println("# server: taskset -c " + opt.serverCpu + " java " + opt.serverJvmFlags + " -jar " + opt.jar
                + " bench-server --port 0 [--tls-keystore <TestCertificates keystore> --tls-password-env " + PASSWORD_ENV + "]");
        out.println("# settings: rounds=" + opt.rounds + " connections=" + opt.connections + " sizes=" + opt.sizes
                + " warmup=" + opt.warmup + "s duration=" + opt.duration + "s handshakes=" + opt.handshakes
                + " (after " + opt.handshakeWarmup + " warm-up) idle=" + opt.idle + " quiet-below=" + opt.quietBelow
                + " CPUs quiet-wait=" + opt.quietWait + "s");
        out.println("# loadavg at start: " + loadavg());
        out.flush();

        for (int round = 1; round <= opt.rounds; round++) {
            List<String> order = round % 2 == 1 ? List.of("plain", "tls") : List.of("tls", "plain");
            for (String mode : order) {
                serverRun(round, mode);
            }
        }

        out.println();
        out.println("# loadavg at end: " + loadavg());
        out.println("# negotiated (seen by the client's trust manager in full handshakes): " + recorder.seen);
        out.println("# full handshakes seen in total: " + recorder.total.get());
        out.println();
        summary();
        out.flush();
    }

    // ---------------------------------------------------------------- one server process

    private void serverRun(int round, String mode) throws Exception {
        boolean tls = mode.equals("tls");
        Server server = Server.start(opt, tls, keystore);
        try {
            URI uri = server.uri;
            out.println();
            out.println("== round " + round + " " + mode + ": server pid " + server.pid() + " at " + uri
                    + " (CPUs allowed " + cpusAllowed(server.pid()) + "), loadavg " + loadavg());
            out.flush();

            // 1. idle memory, on a fresh process (after a few connections, so that the TLS classes are loaded)
            sequentialConnections(uri, tls ? this::sharedTlsBuilder : this::plainBuilder, 20);
            idleMemory(server, mode, round, tls);

            // 2. echo
            for (int size : opt.sizes) {
                Echo e = echo(server, uri, tls ? this::sharedTlsBuilder : this::plainBuilder, size);
                out.printf(Locale.ROOT, "%-6s round %d echo %dx%d: %.0f msgs/s, %.1f MB/s, p50 %.0f us, p99 %.0f us,"
                                + " server CPU %.2f us/msg, client CPU %.2f us/msg, other processes %.2f CPUs (%d msgs, %d errors)%n",
                        mode, round, opt.connections, size, e.msgsPerSecond(), e.mbPerSecond(size), e.p50, e.p99,
                        e.serverCpuPerMsg(), e.clientCpuPerMsg(), e.otherCpus, e.count, e.errors);
                String w = "echo " + opt.connections + "x" + sizeName(size) + ", ";
                put(w + "msgs/s", mode, e.msgsPerSecond(), e.otherCpus);
                put(w + "MB/s", mode, e.mbPerSecond(size), e.otherCpus);
                put(w + "p50 us", mode, e.p50, e.otherCpus);
                put(w + "p99 us", mode, e.p99, e.otherCpus);
                put(w + "server CPU us/msg", mode, e.serverCpuPerMsg(), e.otherCpus);
                put(w + "client CPU us/msg", mode, e.clientCpuPerMsg(), e.otherCpus);
                put(w + "other processes, CPUs", mode, e.otherCpus, e.otherCpus);
                if (e.errors > 0) {
                    out.println("!! " + e.errors + " echo error(s): " + e.firstError);
                }
            }
            // 3. connection rate, last: the JIT has compiled the most by then
            sequentialConnections(uri, tls ? this::freshTlsBuilder : this::plainBuilder, opt.handshakeWarmup);
            recorder.fullHandshakes.set(0);
            Rate full = connectionRate(server, uri, tls ? this::freshTlsBuilder : this::plainBuilder);
            long fullCount = recorder.fullHandshakes.getAndSet(0);
            out.printf(Locale.ROOT, "%-6s round %d connect+close%s: %d in %.2f s = %.0f conn/s, server CPU %.0f us/conn,"
                            + " client CPU %.0f us/conn, other processes %.2f CPUs%s%n",
                    mode, round, tls ? " (fresh client context each)" : "", opt.handshakes, full.seconds(), full.perSecond(),
                    full.serverCpuPer(), full.clientCpuPer(), full.otherCpus(),
                    tls ? " (full TLS handshakes seen: " + fullCount + ")" : "");
            put("connect+close, conn/s (TLS: full handshake)", mode, full.perSecond(), full.otherCpus());
            put("connect+close, server CPU us/conn (TLS: full)", mode, full.serverCpuPer(), full.otherCpus());
            if (tls) {
                Rate resumed = connectionRate(server, uri, this::sharedTlsBuilder);
                long resumedFull = recorder.fullHandshakes.getAndSet(0);
                out.printf(Locale.ROOT, "%-6s round %d connect+close (one shared client context): %d in %.2f s = %.0f conn/s,"
                                + " server CPU %.0f us/conn, client CPU %.0f us/conn, other processes %.2f CPUs"
                                + " (full TLS handshakes among them: %d, the rest resumed)%n",
                        mode, round, opt.handshakes, resumed.seconds(), resumed.perSecond(), resumed.serverCpuPer(),
                        resumed.clientCpuPer(), resumed.otherCpus(), resumedFull);
                put("connect+close, conn/s (TLS: shared client context)", mode, resumed.perSecond(), resumed.otherCpus());
                put("connect+close, server CPU us/conn (TLS: shared context)", mode, resumed.serverCpuPer(), resumed.otherCpus());
            } else {
                put("connect+close, conn/s (TLS: shared client context)", mode, full.perSecond(), full.otherCpus());
                put("connect+close, server CPU us/conn (TLS: shared context)", mode, full.serverCpuPer(), full.otherCpus());
            }

            out.flush();
        } finally {
            server.stop();
        }
        String log = server.log();
        out.println("   server output: " + server.connectionLogLines + " lines of the connection log (INFO), "
                + server.otherLines + " other line(s)" + (log.isBlank() ? "" : ":\n   | " + log.strip().replace("\n", "\n   | ")));
    }

    private WebSocketClient.Builder plainBuilder() {
        return WebSocketClient.builder().noKeepalive();
    }

    private WebSocketClient.Builder sharedTlsBuilder() {
        return WebSocketClient.builder().noKeepalive().sslContext(sharedTls);
    }

    private WebSocketClient.Builder freshTlsBuilder() {
        try {
            return WebSocketClient.builder().noKeepalive().sslContext(newClientContext());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void put(String metric, String mode, double value, double otherCpus) {
        results.computeIfAbsent(metric, k -> new LinkedHashMap<>())
                .computeIfAbsent(mode, k -> new ArrayList<>()).add(new Value(value, otherCpus));
    }

    private boolean quiet(Value v) {
        return Double.isNaN(v.otherCpus) || v.otherCpus < opt.quietBelow;
    }

    /**
     * Waits, up to {@code --quiet-wait} seconds, for a second in which the rest of the machine
     * used less than {@code --quiet-below} CPUs, so that a measurement does not start in the
     * middle of someone else's burst (it may still meet one: each value says how much it met).
     */
    private void awaitQuiet(Server server, String what) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + (long) (opt.quietWait * 1e9);
        long start = System.nanoTime();
        double other;
        do {
            Meter m = Meter.start(server);
            Thread.sleep(1000);
            m.stop();
            other = m.otherCpus;
        } while (other >= opt.quietBelow && System.nanoTime() < deadline);
        double waited = (System.nanoTime() - start) / 1e9;
        if (waited > 1.5 || other >= opt.quietBelow) {
            out.printf(Locale.ROOT, "   (waited %.0f s for a quiet machine before %s: other processes %.2f CPUs in the last second%s)%n",
                    waited, what, other, other >= opt.quietBelow ? ", gave up" : "");
        }
    }

    // ---------------------------------------------------------------- connection rate

    private interface Builders {
        WebSocketClient.Builder get();
    }

    private record Rate(int count, double seconds, long serverCpuMicros, long clientCpuMicros, double otherCpus) {
        double perSecond() {
            return count / seconds;
        }

        double serverCpuPer() {
            return serverCpuMicros / (double) count;
        }

        double clientCpuPer() {
            return clientCpuMicros / (double) count;
        }
    }

    private static void sequentialConnections(URI uri, Builders builders, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            WebSocket ws = builders.get().connect(uri);
            ws.close();
        }
    }

    private Rate connectionRate(Server server, URI uri, Builders builders) throws IOException, InterruptedException {
        awaitQuiet(server, "connect+close");
        Meter m = Meter.start(server);
        sequentialConnections(uri, builders, opt.handshakes);
        m.stop();
        return new Rate(opt.handshakes, m.seconds, m.serverCpuMicros, m.clientCpuMicros, m.otherCpus);
    }

    // ---------------------------------------------------------------- idle memory

    private void idleMemory(Server server, String mode, int round, boolean tls) throws Exception {
        long pid = server.pid();
        recorder.fullHandshakes.set(0);
        OptionalLong heap0 = ProcStats.heapUsedKbAfterGc(pid);
        OptionalLong rss0 = ProcStats.rssKb(pid);
        List<WebSocket> held = new ArrayList<>(opt.idle);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long t0 = System.nanoTime();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Semaphore inFlight = new Semaphore(50);
            List<Future<WebSocket>> opening = new ArrayList<>(opt.idle);
            for (int i = 0; i < opt.idle; i++) {
                inFlight.acquire();
                opening.add(threads.submit(() -> {
                    try {
                        return (tls ? sharedTlsBuilder() : plainBuilder()).connect(server.uri);
                    } finally {
                        inFlight.release();
                    }
                }));
            }
            for (Future<WebSocket> f : opening) {
                try {
                    held.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    failure.compareAndSet(null, e.getCause());
                }
            }
        }
        double openSeconds = (System.nanoTime() - t0) / 1e9;
        long fullHandshakes = recorder.fullHandshakes.getAndSet(0);
        Thread.sleep(2000);
        OptionalLong rss1 = ProcStats.rssKb(pid);
        OptionalLong heap1 = ProcStats.heapUsedKbAfterGc(pid);
        long stillOpen = held.stream().filter(WebSocket::isOpen).count();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (WebSocket ws : held) {
                threads.execute(ws::close);
            }
        }
        int n = held.size();
        double rssPer = rss0.isPresent() && rss1.isPresent() ? (rss1.getAsLong() - rss0.getAsLong()) / (double) n : Double.NaN;
        double heapPer = heap0.isPresent() && heap1.isPresent() ? (heap1.getAsLong() - heap0.getAsLong()) / (double) n : Double.NaN;
        out.printf(Locale.ROOT, "%-6s round %d idle: %d opened in %.1f s (%d still open after 2 s), server RSS %s -> %s kB = %.2f kB/conn,"
                        + " heap after GC %s -> %s kB = %.2f kB/conn%s%s%n",
                mode, round, n, openSeconds, stillOpen, str(rss0), str(rss1), rssPer, str(heap0), str(heap1), heapPer,
                tls ? " (full TLS handshakes among the opened: " + fullHandshakes + ", the rest resumed)" : "",
                failure.get() == null ? "" : "; first failure: " + failure.get());
        put("idle " + opt.idle + ": server RSS kB/conn", mode, rssPer, Double.NaN);
        put("idle " + opt.idle + ": server heap kB/conn (after GC)", mode, heapPer, Double.NaN);
    }

    private static String str(OptionalLong v) {
        return v.isPresent() ? Long.toString(v.getAsLong()) : "n/a";
    }

    // ---------------------------------------------------------------- echo

    private static final class Echo {
        long count;
        long errors;
        String firstError;
        double seconds;
        long serverCpuMicros;
        long clientCpuMicros;
        double otherCpus;
        double p50;
        double p99;

        double msgsPerSecond() {
            return count / seconds;
        }

        double mbPerSecond(int size) {
            return count * (double) size / seconds / 1e6;
        }

        double serverCpuPerMsg() {
            return serverCpuMicros / (double) count;
        }

        double clientCpuPerMsg() {
            return clientCpuMicros / (double) count;
        }
    }

    /** One echoing connection: its counts and round trips (ns) of the counted phase. */
    private static final class Worker {
        long count;
        long[] rtt = new long[1 << 14];
        int n;
        Throwable error;

        void record(long nanos) {
            if (n == rtt.length) {
                rtt = Arrays.copyOf(rtt, n * 2);
            }
            rtt[n++] = nanos;
            count++;
        }
    }

    private static final int WARMUP = 0;
    private static final int COUNTED = 1;
    private static final int STOP = 2;

    private Echo echo(Server server, URI uri, Builders builders, int size) throws Exception {
        int conns = opt.connections;
        List<WebSocket> sockets = new ArrayList<>(conns);
        for (int i = 0; i < conns; i++) {
            sockets.add(builders.get().connect(uri));
        }
        Worker[] workers = new Worker[conns];
        java.util.concurrent.atomic.AtomicInteger phase = new java.util.concurrent.atomic.AtomicInteger(WARMUP);
        CountDownLatch done = new CountDownLatch(conns);
        SecureRandom random = new SecureRandom();
        List<Thread> threads = new ArrayList<>(conns);
        for (int i = 0; i < conns; i++) {
            Worker w = workers[i] = new Worker();
            WebSocket ws = sockets.get(i);
            byte[] payload = new byte[size];
            random.nextBytes(payload); // different on every connection: a mix-up would not echo equal
            threads.add(Thread.ofVirtual().name("echo-" + i).start(() -> {
                try {
                    while (phase.get() != STOP) {
                        long t0 = System.nanoTime();
                        boolean countedAtStart = phase.get() == COUNTED;
                        ws.sendBinary(payload);
                        DataMessage m = ws.receive();
                        long t1 = System.nanoTime();
                        if (!(m instanceof Message.Binary b) || !Arrays.equals(b.data(), payload)) {
                            throw new IOException("echo differs: " + m);
                        }
                        if (countedAtStart && phase.get() == COUNTED) {
                            w.record(t1 - t0);
                        }
                    }
                } catch (Throwable t) {
                    w.error = t;
                } finally {
                    done.countDown();
                }
            }));
        }
        Thread.sleep((long) (opt.warmup * 1000));
        awaitQuiet(server, "echo " + size + " B (the connections keep echoing, uncounted)");
        Meter meter = Meter.start(server);
        phase.set(COUNTED);
        Thread.sleep((long) (opt.duration * 1000));
        phase.set(STOP);
        meter.stop();
        if (!done.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("echo connections did not stop within 30 s");
        }
        for (WebSocket ws : sockets) {
            ws.close();
        }
        Echo e = new Echo();
        e.seconds = meter.seconds;
        e.serverCpuMicros = meter.serverCpuMicros;
        e.clientCpuMicros = meter.clientCpuMicros;
        e.otherCpus = meter.otherCpus;
        int total = 0;
        for (Worker w : workers) {
            e.count += w.count;
            total += w.n;
            if (w.error != null) {
                e.errors++;
                if (e.firstError == null) {
                    e.firstError = w.error.toString();
                }
            }
        }
        long[] all = new long[total];
        int at = 0;
        for (Worker w : workers) {
            System.arraycopy(w.rtt, 0, all, at, w.n);
            at += w.n;
        }
        Arrays.sort(all);
        e.p50 = percentile(all, 0.50) / 1e3;
        e.p99 = percentile(all, 0.99) / 1e3;
        return e;
    }

    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    // ---------------------------------------------------------------- summary

    private void summary() {
        out.println("## medians of " + opt.rounds + " rounds (each round's values in brackets; * = measured while other"
                + " processes used " + opt.quietBelow + " CPUs or more)");
        out.println();
        out.println("| metric | plain | TLS | TLS / plain | quiet rounds only: plain, TLS (rounds) | TLS / plain |");
        out.println("|---|---|---|---|---|---|");
        for (Map.Entry<String, Map<String, List<Value>>> m : results.entrySet()) {
            List<Value> plain = m.getValue().getOrDefault("plain", List.of());
            List<Value> tls = m.getValue().getOrDefault("tls", List.of());
            double p = median(plain, false);
            double t = median(tls, false);
            double qp = median(plain, true);
            double qt = median(tls, true);
            boolean context = m.getKey().endsWith("other processes, CPUs"); // the conditions, not a result
            out.println("| " + m.getKey() + " | " + fmt(p) + " (" + list(plain) + ") | " + fmt(t) + " (" + list(tls) + ") | "
                    + (context ? "-" : ratio(t, p)) + " | " + fmt(qp) + ", " + fmt(qt) + " (" + plain.stream().filter(this::quiet).count() + ", "
                    + tls.stream().filter(this::quiet).count() + ") | " + (context ? "-" : ratio(qt, qp)) + " |");
        }
    }

    private static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) ? "n/a" : String.format(Locale.ROOT, "%.2f", a / b);
    }

    private double median(List<Value> values, boolean quietOnly) {
        double[] v = values.stream().filter(x -> !quietOnly || quiet(x)).mapToDouble(Value::value).sorted().toArray();
        int n = v.length;
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private String list(List<Value> values) {
        return String.join("; ", values.stream().map(v -> fmt(v.value) + (quiet(v) ? "" : "*")).toList());
    }

    private static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        return a >= 1000 ? String.format(Locale.ROOT, "%,.0f", v)
                : a >= 100 ? String.format(Locale.ROOT, "%.0f", v)
                : a >= 10 ? String.format(Locale.ROOT, "%.1f", v)
                : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String sizeName(int size) {
        return size % 1024 == 0 ? size / 1024 + "k" : Integer.toString(size);
    }

    // ---------------------------------------------------------------- the server process

    private static final class Server {
        private static final Pattern URL = Pattern.compile("listening on (wss?://\\S+?)/? ");

        final Process process;
        final URI uri;
        private final StringBuilder log = new StringBuilder();
        private volatile long connectionLogLines;
        private volatile int otherLines;

        private Server(Process process, URI uri) {
            this.process = process;
            this.uri = uri;
        }

        static Server start(Options opt, boolean tls, Path keystore) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(List.of("taskset", "-c", opt.serverCpu,
                    Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            command.addAll(Arrays.asList(opt.serverJvmFlags.trim().split("\\s+")));
            command.addAll(List.of("-jar", opt.jar, "bench-server", "--port", "0"));
            if (tls) {
                command.addAll(List.of("--tls-keystore", keystore.toString(), "--tls-password-env", PASSWORD_ENV));
            }
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().put(PASSWORD_ENV, TestCertificates.PASSWORD_TEXT);
            Process p = pb.start(); // taskset execs java: the same pid
            p.getOutputStream().close();
            BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder early = new StringBuilder();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String line;
            URI uri = null;
            while (System.nanoTime() < deadline && (line = lines.readLine()) != null) {
                Matcher m = URL.matcher(line);
                if (m.find()) {
                    uri = URI.create(m.group(1) + "/echo");
                    break;
                }
                early.append(line).append('\n');
            }
            if (uri == null) {
                p.destroyForcibly();
                throw new IOException("bench-server did not say where it listens: " + command + "\n" + early);
            }
            Server s = new Server(p, uri);
            s.log.append(early);
            Thread.ofPlatform().daemon().name("server-output").start(() -> {
                try {
                    String l;
                    while ((l = lines.readLine()) != null) {
                        if (l.contains("io.loomsocket.io.ConnectionLog") || l.startsWith("INFO: connection open: ")
                                || l.startsWith("INFO: connection closed: ")) {
                            s.connectionLogLines++; // bench-server logs every connection at INFO (as in bench/compare.sh)
                            continue;
                        }
                        synchronized (s.log) {
                            if (s.otherLines++ < 40) {
                                s.log.append(l).append('\n');
                            }
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            return s;
        }

        long pid() {
            return process.pid();
        }

        long cpuMicros() {
            return ProcStats.cpuMicros(pid()).orElseThrow(() -> new IllegalStateException("cannot read /proc/" + pid() + "/stat"));
        }

        void stop() throws InterruptedException {
            process.destroy(); // SIGTERM: the server stops gracefully
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }

        String log() {
            synchronized (log) {
                return log.toString();
            }
        }
    }

    // ---------------------------------------------------------------- TLS parameters

    /**
     * Delegates to the JDK's trust manager (certificate and host name checks) and notes the
     * protocol and cipher suite of each full handshake from the socket's handshake session.
     */
    private static final class Recorder extends X509ExtendedTrustManager {
        final X509ExtendedTrustManager inner;
        final AtomicLong fullHandshakes = new AtomicLong();
        final AtomicLong total = new AtomicLong();
        final Set<String> seen = ConcurrentHashMap.newKeySet();

        Recorder(X509ExtendedTrustManager inner) {
            this.inner = inner;
        }

        private void note(X509Certificate[] chain, String authType, SSLSession session) {
            fullHandshakes.incrementAndGet();
            total.incrementAndGet();
            if (session != null) {
                seen.add(session.getProtocol() + " " + session.getCipherSuite() + ", server certificate "
                        + chain[0].getPublicKey().getAlgorithm() + " (" + chain[0].getSigAlgName() + "), authType " + authType);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            inner.checkServerTrusted(chain, authType, socket);
            note(chain, authType, socket instanceof SSLSocket s ? s.getHandshakeSession() : null);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            inner.checkServerTrusted(chain, authType, engine);
            note(chain, authType, engine.getHandshakeSession());
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            inner.checkServerTrusted(chain, authType);
            note(chain, authType, null);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            inner.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            inner.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            inner.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return inner.getAcceptedIssuers();
        }
    }

    // ---------------------------------------------------------------- the machine

    /**
     * Elapsed time, the server's and this JVM's CPU time, and the CPU the rest of the machine
     * used meanwhile: busy ticks of /proc/stat minus the two processes', in CPUs (of nproc).
     */
    private static final class Meter {
        private final Server server;
        private final long t0;
        private final long server0;
        private final long client0;
        private final long busy0;
        double seconds;
        long serverCpuMicros;
        long clientCpuMicros;
        double otherCpus;

        private Meter(Server server) throws IOException {
            this.server = server;
            this.busy0 = machineTicks()[0];
            this.server0 = server.cpuMicros();
            this.client0 = clientCpuMicros();
            this.t0 = System.nanoTime();
        }

        static Meter start(Server server) throws IOException {
            return new Meter(server);
        }

        void stop() throws IOException {
            seconds = (System.nanoTime() - t0) / 1e9;
            serverCpuMicros = server.cpuMicros() - server0;
            clientCpuMicros = clientCpuMicros() - client0;
            double busySeconds = (machineTicks()[0] - busy0) / (double) CLK_TCK;
            otherCpus = (busySeconds - (serverCpuMicros + clientCpuMicros) / 1e6) / seconds;
        }

        private static long clientCpuMicros() {
            return ProcStats.cpuMicros(ProcessHandle.current().pid()).orElse(0);
        }
    }

    /** {busy ticks (all CPUs: user+nice+system+irq+softirq+steal), total ticks} from /proc/stat. */
    private static long[] machineTicks() throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0); // "cpu  user nice system idle iowait irq softirq steal ..."
        String[] f = cpu.trim().split("\\s+");
        long total = 0;
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        for (int i = 1; i <= 8 && i < f.length; i++) {
            total += Long.parseLong(f[i]);
        }
        return new long[] {total - idle, total};
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            return Long.parseLong(s);
        } catch (Exception e) {
            return 100;
        }
    }

    private static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    private static long cpuCount() throws IOException {
        return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("processor")).count();
    }

    private static String cpuModel() throws IOException {
        return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("?");
    }

    private static String memTotal() throws IOException {
        return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                .map(l -> l.replaceAll("\\s+", " ")).findFirst().orElse("MemTotal ?");
    }

    private static String cpusAllowed(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(l -> l.startsWith("Cpus_allowed_list:")).map(l -> l.substring(18).trim()).findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    // ---------------------------------------------------------------- options

    private static final class Options {
        int rounds = 3;
        double duration = 4;
        double warmup = 3;
        int connections = 50;
        List<Integer> sizes = List.of(64, 4096, 65536);
        int handshakes = 300;
        int handshakeWarmup = 200;
        int idle = 2000;
        String serverCpu = "0";
        String jar = "target/loomsocket.jar";
        String serverJvmFlags = "-Xms1g -Xmx1g -XX:+UseG1GC";
        double quietBelow = 0.25;
        double quietWait = 20;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                String v = args[++i];
                switch (name) {
                    case "--rounds" -> o.rounds = Integer.parseInt(v);
                    case "--duration" -> o.duration = Double.parseDouble(v);
                    case "--warmup" -> o.warmup = Double.parseDouble(v);
                    case "--connections" -> o.connections = Integer.parseInt(v);
                    case "--sizes" -> o.sizes = Arrays.stream(v.split(",")).map(String::trim).map(Integer::parseInt).toList();
                    case "--handshakes" -> o.handshakes = Integer.parseInt(v);
                    case "--handshake-warmup" -> o.handshakeWarmup = Integer.parseInt(v);
                    case "--idle" -> o.idle = Integer.parseInt(v);
                    case "--server-cpu" -> o.serverCpu = v;
                    case "--jar" -> o.jar = v;
                    case "--server-jvm-flags" -> o.serverJvmFlags = v;
                    case "--quiet-below" -> o.quietBelow = Double.parseDouble(v);
                    case "--quiet-wait" -> o.quietWait = Double.parseDouble(v);
                    default -> throw new IllegalArgumentException("unknown option " + name);
                }
            }
            return o;
        }
    }
}
