package io.loomsocket.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.io.Eventually;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Churn: connect, echo, close, many thousand times, from 16 threads at once, with abrupt ends
 * mixed in (resets in the middle of the handshake, of a frame, of the server's reply; aborts;
 * FIN without a close frame). Afterwards the server holds no connection and none of its
 * threads, and the process's platform threads, descriptors and heap are back to what they
 * were after a warm-up, within a tolerance.
 *
 * <p>Sizes: {@code reliability.churn.cycles} (20,000; full 100,000).
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class ChurnIT {

    private static final long SEED = Sizes.seed(0xC4_0211L);
    private static final int WORKERS = 16;
    private static final int WARMUP = 1_000;
    /** Tolerances of the comparison with the baseline. */
    private static final int PLATFORM_THREADS_TOLERANCE = 4;
    private static final long FDS_TOLERANCE = 8;
    private static final long HEAP_TOLERANCE = 4L * 1024 * 1024; // 200 bytes a cycle over 20,000 cycles

    enum Cycle {
        /** The library's client: connect, echo a text, close handshake. */
        ECHO_AND_CLOSE(55),
        /** The library's client: echo a binary message, then abort (no close frame, the TCP connection dropped). */
        ECHO_AND_ABORT(10),
        /** Raw: part of the upgrade request, then RST. */
        RESET_MID_HANDSHAKE(10),
        /** Raw: the handshake, part of a frame, then RST. */
        RESET_MID_FRAME(10),
        /** Raw: a 256 KiB message, RST while the server is still writing its echo. */
        RESET_MID_REPLY(5),
        /** Raw: a message, its echo, then FIN without a close frame. */
        FIN_WITHOUT_CLOSE(10);

        final int percent;

        Cycle(int percent) {
            this.percent = percent;
        }
    }

    @Test
    void thousandsOfShortLivedConnectionsLeaveNothingBehind() throws Exception {
        Channel channel = Channel.configured();
        int cycles = Sizes.of("churn.cycles", 20_000, 100_000);
        Map<Cycle, LongAdder> done = new EnumMap<>(Cycle.class);
        for (Cycle c : Cycle.values()) {
            done.put(c, new LongAdder());
        }
        List<String> failures = new CopyOnWriteArrayList<>();

        try (LogWatch logs = new LogWatch()) {
            WebSocketServer server = channel.serverBuilder()
                    .handler(HostileInputIT.ECHO)
                    .maxSize(1024 * 1024)
                    .handshakeTimeout(Duration.ofSeconds(5))
                    .closeTimeout(Duration.ofSeconds(2))
                    .start();
            try {
                run(channel, server.port(), 0, WARMUP, done, failures);
                assertThat(failures).as("warm-up").isEmpty();
                settle(server);
                Resources baseline = Resources.measure();

                long t0 = System.nanoTime();
                run(channel, server.port(), WARMUP, cycles, done, failures);
                double seconds = (System.nanoTime() - t0) / 1e9;
                assertThat(failures).as("cycles that failed (first ones)").isEmpty();

                long settleStart = System.nanoTime();
                settle(server);
                Eventually.await("descriptors back to the baseline", Duration.ofSeconds(15), Resources::countOpenFds,
                        n -> n <= baseline.openFds() + FDS_TOLERANCE);
                Eventually.await("platform threads back to the baseline", Duration.ofSeconds(40),
                        () -> Thread.getAllStackTraces().size(), n -> n <= baseline.platformThreads() + PLATFORM_THREADS_TOLERANCE);
                double settleSeconds = (System.nanoTime() - settleStart) / 1e9;
                Resources after = Resources.measure();

                StringBuilder mix = new StringBuilder();
                done.forEach((c, n) -> mix.append(String.format("%s %,d; ", c, n.sum())));
                String report = String.format("Churn (%s): %,d cycles in %.1f s (%,.0f cycles/s), %d threads, after %,d warm-up "
                                + "cycles; settled in %.1f s%n  mix: %s%n  baseline: %s%n  after:    %s%n"
                                + "  deltas: platform threads %+d, descriptors %+d, heap after GC %+.2f MiB (%+.1f bytes per cycle)%n",
                        channel, cycles, seconds, cycles / seconds, WORKERS, WARMUP, settleSeconds, mix, baseline, after,
                        after.platformThreads() - baseline.platformThreads(), after.openFds() - baseline.openFds(),
                        (after.heapUsed() - baseline.heapUsed()) / 1048576.0,
                        (after.heapUsed() - baseline.heapUsed()) / (double) cycles);
                System.out.println(report);
                Figures.write("churn.txt", report);

                assertThat(after.libraryThreads()).as("library threads after the churn").isEqualTo(baseline.libraryThreads());
                assertThat(after.platformThreads()).isLessThanOrEqualTo(baseline.platformThreads() + PLATFORM_THREADS_TOLERANCE);
                assertThat(after.openFds()).isLessThanOrEqualTo(baseline.openFds() + FDS_TOLERANCE);
                assertThat(after.heapUsed()).as("heap after GC, bytes").isLessThanOrEqualTo(baseline.heapUsed() + HEAP_TOLERANCE);
                assertThat(logs.lines()).as("warnings and errors the library logged").isEmpty();
            } finally {
                server.stop(Duration.ofSeconds(5));
            }
        }
    }

    /** Until the server holds no connection, and none of its connections' threads runs. */
    private static void settle(WebSocketServer server) throws InterruptedException {
        Eventually.await("connection count back to 0", Duration.ofSeconds(15), server::connectionCount, n -> n == 0);
        Eventually.await("no connection thread left", Duration.ofSeconds(15), Resources::liveLibraryThreads,
                m -> m.keySet().stream().noneMatch(k -> k.equals("loomsocket-conn") || k.equals("loomsocket-read")
                        || k.equals("loomsocket-client-read") || k.equals("loomsocket-write") || k.equals("loomsocket-fail")));
    }

    private static void run(Channel channel, int port, long from, long count, Map<Cycle, LongAdder> done,
                            List<String> failures) throws InterruptedException {
        AtomicLong next = new AtomicLong(from);
        long end = from + count;
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            threads.add(Thread.ofVirtual().name("churn-" + w).start(() -> {
                for (long i; (i = next.getAndIncrement()) < end && failures.size() < 20; ) {
                    SplittableRandom r = new SplittableRandom(SEED ^ (i * 0x9E37_79B9_7F4A_7C15L));
                    Cycle cycle = pick(r);
                    try {
                        play(channel, port, cycle, r, i);
                        done.get(cycle).increment();
                    } catch (Exception | AssertionError e) {
                        failures.add("cycle " + i + " " + cycle + ": " + e);
                    }
                }
            }));
        }
        for (Thread t : threads) {
            assertThat(t.join(Duration.ofMinutes(25))).as(t.getName() + " finished").isTrue();
        }
    }

    private static Cycle pick(SplittableRandom r) {
        int p = r.nextInt(100);
        for (Cycle c : Cycle.values()) {
            if (p < c.percent) {
                return c;
            }
            p -= c.percent;
        }
        throw new IllegalStateException("shares do not add up to 100");
    }

    private static void play(Channel channel, int port, Cycle cycle, SplittableRandom r, long i) throws Exception {
        switch (cycle) {
            case ECHO_AND_CLOSE -> {
                WebSocket ws = client(channel, port);
                String text = "cycle " + i + " " + new String(HostileCases.randomText(r, r.nextInt(200)), java.nio.charset.StandardCharsets.UTF_8);
                ws.sendText(text);
                assertThat(echo(ws)).isInstanceOfSatisfying(Message.Text.class, t -> assertThat(t.text()).isEqualTo(text));
                ws.close();
                assertThat(ws.awaitClosed(Duration.ofSeconds(5))).as("closed").isTrue();
            }
            case ECHO_AND_ABORT -> {
                WebSocket ws = client(channel, port);
                byte[] data = HostileCases.randomBytes(r, r.nextInt(2000));
                ws.sendBinary(data);
                assertThat(echo(ws)).isInstanceOfSatisfying(Message.Binary.class, b -> assertThat(b.data()).isEqualTo(data));
                ws.abort();
            }
            case RESET_MID_HANDSHAKE -> {
                try (Socket s = channel.open(port, true, 5_000)) {
                    byte[] request = Wire.ascii(Wire.upgradeRequest("/churn"));
                    s.getOutputStream().write(request, 0, 1 + r.nextInt(request.length - 1));
                }
            }
            case RESET_MID_FRAME -> {
                try (Socket s = rawUpgraded(channel, port)) {
                    byte[] frame = Wire.frame(true, 0, Wire.BINARY, true, r.nextInt(), HostileCases.randomBytes(r, 10 + r.nextInt(5000)));
                    s.getOutputStream().write(frame, 0, 1 + r.nextInt(frame.length - 1));
                }
            }
            case RESET_MID_REPLY -> {
                try (Socket s = rawUpgraded(channel, port)) {
                    s.getOutputStream().write(Wire.frame(true, 0, Wire.BINARY, true, r.nextInt(), HostileCases.randomBytes(r, 256 * 1024)));
                    Wire.Reader in = new Wire.Reader(s, System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
                    in.atEnd(); // the first bytes of the echo, then RST with the rest unread
                }
            }
            case FIN_WITHOUT_CLOSE -> {
                try (Socket s = rawUpgraded(channel, port)) {
                    byte[] text = HostileCases.randomText(r, r.nextInt(100));
                    s.getOutputStream().write(Wire.frame(true, 0, Wire.TEXT, true, r.nextInt(), text));
                    Wire.Reader in = new Wire.Reader(s, System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
                    Wire.Frame f = in.readFrame();
                    assertThat(f).isNotNull();
                    assertThat(f.payload()).isEqualTo(text);
                    s.shutdownOutput();
                    assertThat(in.readFrame()).as("the server closes at our FIN, with no more frames").isNull();
                }
            }
        }
    }

    private static WebSocket client(Channel channel, int port) throws IOException {
        return channel.client(WebSocketClient.builder()).noKeepalive().closeTimeout(Duration.ofSeconds(5))
                .connect(channel.uri(port, "/churn"));
    }

    private static DataMessage echo(WebSocket ws) throws Exception {
        Optional<DataMessage> m = ws.receive(Duration.ofSeconds(10));
        if (m.isEmpty()) {
            ws.abort();
            throw new AssertionError("no echo within 10 s");
        }
        return m.get();
    }

    /** A raw connection past a checked 101; closing it sends RST. */
    private static Socket rawUpgraded(Channel channel, int port) throws IOException {
        Socket s = channel.open(port, true, 5_000);
        try {
            OutputStream out = s.getOutputStream();
            out.write(Wire.ascii(Wire.upgradeRequest("/churn")));
            byte[] head = readHead(s);
            String h = new String(head, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (!h.startsWith("HTTP/1.1 101") || !h.contains(Wire.ACCEPT)) {
                throw new IOException("no 101: " + h);
            }
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** The response head, read a byte at a time so that no frame byte is taken. */
    private static byte[] readHead(Socket s) throws IOException {
        s.setSoTimeout(10_000);
        byte[] b = new byte[1024];
        int n = 0;
        var in = s.getInputStream();
        while (n < 4 || !(b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n')) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("EOF in the response head");
            }
            if (n == b.length) {
                b = Arrays.copyOf(b, n * 2);
            }
            b[n++] = (byte) c;
        }
        return Arrays.copyOf(b, n);
    }
}
