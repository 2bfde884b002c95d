package io.loomsocket.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server-wide memory budgets, for real (issue 16): a server in a child JVM with a small heap
 * ({@code -Xmx128m}, {@code -XX:+ExitOnOutOfMemoryError}: an OutOfMemoryError ends it) and the
 * default budgets ({@link MemoryBudgetServer}) is made to hold far more than its heap: hundreds of
 * raw peers each send all but the last byte of a 1 MiB message (in one frame, or in 64 KiB
 * fragments) and then wait; or never read what a broadcast sends them. Throughout, a normal
 * client's echo round trips must succeed within {@link #ROUND_TRIP_BOUND}, the budgets must hold
 * (inbound: readers pause, then 1013; outbound: offers refused, slow consumers closed), the process
 * must live; once the peers are gone, the budgets are given back and the heap after a GC is back
 * at its baseline.
 *
 * <p>The original defect: in a 256 MiB heap, ~140 such peers exhausted the heap for good.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class MemoryBudgetIT {

    private static final int KIB = 1024;
    private static final int MIB = 1024 * KIB;
    private static final String HEAP = "-Xmx128m";
    /** 450 MiB of partial messages announced and almost all sent: 3.5 times the heap. */
    private static final int PEERS = 450;
    private static final int FRAGMENT = 64 * KIB;
    private static final int SUBSCRIBERS = 150;
    private static final int BROADCASTS = 400;
    private static final int BROADCAST_SIZE = 64 * KIB;
    /** A 64 KiB binary frame as the server sends it: 2 + 8 header bytes. */
    private static final int BROADCAST_FRAME = BROADCAST_SIZE + 10;
    private static final Duration ROUND_TRIP_BOUND = Duration.ofSeconds(2);
    /** The default grace of the inbound budget. */
    private static final Duration GRACE = Duration.ofSeconds(5);
    private static final long HEAP_SLACK = 16 * MIB;
    /** The reader's largest read buffer (ReadLoop.MAX_READ_BUFFER) and the assembler's smallest chunk. */
    private static final long MAX_READ = 64 * KIB;
    private static final long MIN_CHUNK = 4 * KIB;

    private Process child;
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private int port;
    private WebSocket statsClient;
    private final List<Peer> peers = new ArrayList<>();
    private Prober prober;

    @BeforeEach
    void startChild() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = location(WebSocketServer.class) + File.pathSeparator + location(MemoryBudgetServer.class);
        child = new ProcessBuilder(java, HEAP, "-XX:+ExitOnOutOfMemoryError", "-cp", classpath,
                MemoryBudgetServer.class.getName()).start();
        lines(child.getErrorStream(), stderr::add);
        CompletableFuture<Integer> p = new CompletableFuture<>();
        lines(child.getInputStream(), line -> {
            if (line.startsWith("PORT ")) {
                p.complete(Integer.parseInt(line.substring(5).trim()));
            }
        });
        port = p.get(30, TimeUnit.SECONDS);
        statsClient = WebSocketClient.builder().handshakeTimeout(Duration.ofSeconds(10)).connect(uri("/stats"));
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (prober != null) {
            prober.stop();
        }
        closeAll(peers);
        if (statsClient != null) {
            statsClient.abort();
        }
        if (child != null) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void peersHoldingAlmostAWholeFrameEachStayWithinTheInboundBudget() throws Exception {
        byte[] frame = RawClient.maskedFrame(true, 0x2, new byte[MIB]);
        holdAndRelease("1 MiB frames", Arrays.copyOf(frame, frame.length - 1));
    }

    @Test
    void peersHoldingAlmostAWholeFragmentedMessageEachStayWithinTheInboundBudget() throws Exception {
        ByteArrayOutputStream fragments = new ByteArrayOutputStream();
        int count = MIB / FRAGMENT;
        for (int i = 0; i < count; i++) {
            byte[] f = RawClient.maskedFrame(false, i == 0 ? 0x2 : 0x0, new byte[FRAGMENT]);
            fragments.write(f, 0, i == count - 1 ? f.length - 1 : f.length); // no FIN; the last one short of a byte
        }
        holdAndRelease(count + " fragments of 64 KiB", fragments.toByteArray());
    }

    @Test
    void subscribersThatNeverReadStayWithinTheOutboundBudget() throws Exception {
        Map<String, Long> baseline = gc();
        prober = new Prober(uri("/echo"));
        List<Peer> subscribers = new ArrayList<>();
        for (int i = 0; i < SUBSCRIBERS; i++) {
            Peer s = new Peer(port, "/sub", 4 * KIB); // never reads: its window stays small
            peers.add(s);
            subscribers.add(s);
        }
        awaitStats("all subscribed", s -> s.get("subscribers") == SUBSCRIBERS, Duration.ofSeconds(20));
        stats("reset");

        WebSocket publisher = WebSocketClient.builder().handshakeTimeout(Duration.ofSeconds(10)).connect(uri("/pub"));
        CompletableFuture<Void> published = CompletableFuture.runAsync(() -> {
            try {
                byte[] payload = new byte[BROADCAST_SIZE];
                for (int i = 0; i < BROADCASTS; i++) {
                    payload[0] = (byte) i;
                    publisher.sendBinary(payload);
                }
                publisher.sendText("done");
                Optional<DataMessage> done = publisher.receive(Duration.ofSeconds(60));
                assertThat(done).contains(new Message.Text("done"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }, command -> Thread.ofVirtual().start(command));
        long maxQueued = 0;
        Map<String, Long> s = stats("stats");
        long outboundBudget = s.get("outboundBudget");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!published.isDone() && System.nanoTime() < deadline) {
            s = stats("stats");
            maxQueued = Math.max(maxQueued, s.get("queuedBytes"));
            Thread.sleep(20);
        }
        published.get(1, TimeUnit.SECONDS);
        for (int i = 0; i < 20; i++) { // what stays queued while the slow consumers' closes time out
            s = stats("stats");
            maxQueued = Math.max(maxQueued, s.get("queuedBytes"));
            Thread.sleep(50);
        }
        Map<String, Long> held = stats("stats");
        maxQueued = Math.max(maxQueued, held.get("maxQueuedAfterBroadcast"));
        assertThat(child.isAlive()).as("the server survived; stderr: %s", stderr()).isTrue();
        // Before the budget is spent, one broadcast at a time adds one frame per receiver: the sum
        // passes the budget by at most one frame. Once it is spent, only a receiver with nothing
        // queued is offered a frame: one more frame each at most. (And the probes' small echoes.)
        long bound = outboundBudget + (SUBSCRIBERS + 1L) * BROADCAST_FRAME + 64 * KIB;
        assertThat(maxQueued).as("queued bytes at most %d (budget %d)", bound, outboundBudget).isLessThanOrEqualTo(bound);
        assertThat(held.get("slowConsumerCloses")).as("subscribers that never read were closed").isPositive();

        closeAll(subscribers);
        peers.removeAll(subscribers);
        publisher.close(CloseCode.NORMAL_CLOSURE, "");
        assertThat(publisher.awaitClosed(Duration.ofSeconds(5))).isTrue();
        Map<String, Long> after = awaitBaseline(baseline);
        prober.roundTrips(20);
        prober.stop();
        report("broadcast: " + SUBSCRIBERS + " subscribers never reading, " + BROADCASTS + " broadcasts of "
                + BROADCAST_SIZE / KIB + " KiB (" + (long) SUBSCRIBERS * BROADCASTS * BROADCAST_SIZE / MIB
                + " MiB offered)", baseline, held, after,
                "max queuedBytes " + maxQueued + " (outbound budget " + outboundBudget + ", bound " + bound + ")"
                        + ", slow-consumer closes " + held.get("slowConsumerCloses")
                        + ", deliveries refused " + held.get("registryRefused"));
    }

    /**
     * {@link #PEERS} peers each send {@code bytes} (a message but for its last byte) and hold; the
     * inbound budget must hold, readers must pause and, after the grace, be closed with 1013; once
     * the peers are gone, everything held must be given back.
     */
    private void holdAndRelease(String what, byte[] bytes) throws Exception {
        Map<String, Long> baseline = gc();
        prober = new Prober(uri("/echo"));
        stats("reset");
        for (int i = 0; i < PEERS; i++) {
            peers.add(new Peer(port, "/raw", 0));
        }
        long start = System.nanoTime();
        for (Peer p : peers) {
            p.startReading();
            p.startWriting(bytes);
        }
        Map<String, Long> s = stats("stats");
        long budget = s.get("inboundBudget");
        long maxBuffered = 0;
        long deadline = start + TimeUnit.SECONDS.toNanos(40);
        // Hold past the grace, until some reader waited it out and its peer got the 1013.
        while (System.nanoTime() < deadline
                && (s.get("budgetCloses") == 0 || peers.stream().noneMatch(Peer::closedTryAgainLater)
                        || System.nanoTime() - start < GRACE.toNanos() + TimeUnit.SECONDS.toNanos(2))) {
            Thread.sleep(50);
            s = stats("stats");
            maxBuffered = Math.max(maxBuffered, s.get("inboundBuffered"));
            assertThat(child.isAlive()).as("the server survived; stderr: %s", stderr()).isTrue();
        }
        Map<String, Long> held = s;
        long heldAfterGc = gc().get("usedAfterGc"); // what the held partial messages cost the heap
        long closedByServer = peers.stream().filter(p -> p.closeCode.isDone()).count();
        long tryAgainLater = peers.stream().filter(Peer::closedTryAgainLater).count();
        assertThat(child.isAlive()).as("the server survived; stderr: %s", stderr()).isTrue();
        assertThat(held.get("budgetPauses")).as("readers paused").isPositive();
        assertThat(held.get("budgetCloses")).as("readers closed after the grace").isPositive();
        assertThat(tryAgainLater).as("peers that read a 1013").isPositive();
        assertThat(peers.stream().filter(p -> p.closeCode.isDone()).map(p -> p.closeCode.getNow(-1)))
                .as("every close the peers read").containsOnly(CloseCode.TRY_AGAIN_LATER.code());
        assertThat(peers.stream().filter(p -> p.closeCode.isDone()).map(p -> p.closeReason))
                .containsOnly("server memory budget for incoming messages is spent; try again later");
        // Each reader checks the budget before each read, and then takes at most one step: one read
        // (at most 64 KiB) makes it allocate at most what it held already (chunks double), or the
        // frame's array (when at least half of it is held), at most MIN_CHUNK more than 64 KiB
        // when it held little. So over the budget by at most the budget again, plus one read and
        // one chunk per connection.
        long bound = 2 * budget + PEERS * (MAX_READ + MIN_CHUNK);
        assertThat(maxBuffered).as("inbound bytes held at most %d (budget %d)", bound, budget).isLessThanOrEqualTo(bound);

        closeAll(peers);
        peers.clear();
        Map<String, Long> after = awaitBaseline(baseline);
        prober.roundTrips(20);
        prober.stop();
        report(what + ": " + PEERS + " peers x " + bytes.length + " bytes = " + (long) PEERS * bytes.length / MIB
                + " MiB sent", baseline, held, after,
                "max inboundBuffered " + maxBuffered + " (inbound budget " + budget + ", bound " + bound + ")"
                        + ", used after GC while held " + heldAfterGc / MIB + " MiB"
                        + ", peers closed by the server " + closedByServer + ", with 1013 " + tryAgainLater);
    }

    /** Polls until the connections are gone, the budgets given back and the heap after GC is at its baseline. */
    private Map<String, Long> awaitBaseline(Map<String, Long> baseline) throws Exception {
        long heapBound = baseline.get("usedAfterGc") + HEAP_SLACK;
        long openBound = baseline.get("openConnections") + 1; // the prober
        Map<String, Long> after = awaitStatsGc("back at the baseline " + baseline,
                s -> s.get("openConnections") <= openBound && s.get("inboundBuffered") == 0
                        && s.get("queuedBytes") == 0 && s.get("usedAfterGc") <= heapBound,
                Duration.ofSeconds(30));
        assertThat(child.isAlive()).as("the server survived; stderr: %s", stderr()).isTrue();
        return after;
    }

    private void report(String scenario, Map<String, Long> baseline, Map<String, Long> held, Map<String, Long> after,
                        String extra) {
        assertThat(prober.failures).as("round trips that failed").isEmpty();
        System.out.printf("MemoryBudgetIT %s; heap %d MiB; used after GC: baseline %.1f MiB, after %.1f MiB;"
                        + " peak used %.1f MiB; budget pauses %d, budget closes (1013) %d; %s;"
                        + " round trips %d, max %d ms%n",
                scenario, baseline.get("maxHeap") / MIB, baseline.get("usedAfterGc") / (double) MIB,
                after.get("usedAfterGc") / (double) MIB, held.get("peakUsed") / (double) MIB,
                held.get("budgetPauses"), held.get("budgetCloses"), extra, prober.count.get(),
                TimeUnit.NANOSECONDS.toMillis(prober.maxNanos.get()));
        assertThat(prober.maxNanos.get()).isLessThanOrEqualTo(ROUND_TRIP_BOUND.toNanos());
    }

    // --- the child's statistics

    private Map<String, Long> gc() throws Exception {
        return stats("gc");
    }

    private Map<String, Long> stats(String command) throws Exception {
        Optional<DataMessage> m;
        try {
            statsClient.sendText(command);
            m = statsClient.receive(Duration.ofSeconds(10));
        } catch (IOException e) {
            boolean exited = child.waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError("the child stopped answering (" + e + "); "
                    + (exited ? "exited with " + child.exitValue() : "still alive") + "; stderr: " + stderr(), e);
        }
        assertThat(m).as("the child answers %s; stderr: %s", command, stderr()).isPresent();
        Map<String, Long> values = new HashMap<>();
        for (String pair : ((Message.Text) m.get()).text().split(" ")) {
            int eq = pair.indexOf('=');
            values.put(pair.substring(0, eq), Long.parseLong(pair.substring(eq + 1)));
        }
        return values;
    }

    private Map<String, Long> awaitStats(String what, Predicate<Map<String, Long>> done, Duration timeout) throws Exception {
        return poll(what, "stats", done, timeout);
    }

    private Map<String, Long> awaitStatsGc(String what, Predicate<Map<String, Long>> done, Duration timeout) throws Exception {
        return poll(what, "gc", done, timeout);
    }

    private Map<String, Long> poll(String what, String command, Predicate<Map<String, Long>> done, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Long> s = stats(command);
        while (!done.test(s)) {
            assertThat(System.nanoTime() < deadline).as("%s within %s; last: %s; stderr: %s", what, timeout, s, stderr())
                    .isTrue();
            Thread.sleep(100);
            s = stats(command);
        }
        return s;
    }

    // --- peers

    /** A raw peer: its handshake done; a virtual thread writes, another reads until the server closes. */
    private static final class Peer {
        final RawClient raw;
        final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        volatile String closeReason;

        Peer(int port, String path, int receiveBuffer) throws IOException {
            raw = new RawClient(port, receiveBuffer);
            raw.handshake(path);
            raw.socket.setSoTimeout(120_000); // closed by the test at the latest
        }

        /** Writes {@code bytes} on a virtual thread: may block (backpressure) until the socket is closed. */
        void startWriting(byte[] bytes) {
            Thread.ofVirtual().start(() -> {
                try {
                    raw.send(bytes);
                } catch (IOException closed) {
                    // the server failed the connection, or the test closed it
                }
            });
        }

        /** Reads frames on a virtual thread until a close frame (its code kept) or the end. */
        void startReading() {
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        RawClient.Frame f = raw.readFrame();
                        if (f.opcode() == 0x8) {
                            if (f.payload().length >= 2) {
                                closeReason = f.closeReason();
                            }
                            closeCode.complete(f.payload().length >= 2 ? f.closeCode() : 1005);
                            raw.close();
                            return;
                        }
                    }
                } catch (IOException ended) {
                    // closed by the test, or by the server without a close frame
                }
            });
        }

        boolean closedTryAgainLater() {
            return closeCode.getNow(-1) == CloseCode.TRY_AGAIN_LATER.code();
        }
    }

    private static void closeAll(List<Peer> peers) throws IOException {
        for (Peer p : peers) {
            p.raw.close();
        }
    }

    /** A normal client: echo round trips of small messages, one after the other, each bounded. */
    private static final class Prober {
        final WebSocket ws;
        final AtomicLong count = new AtomicLong();
        final AtomicLong maxNanos = new AtomicLong();
        final List<String> failures = new CopyOnWriteArrayList<>();
        private volatile boolean stopped;
        private final Thread thread;

        Prober(URI uri) throws IOException {
            ws = WebSocketClient.builder().handshakeTimeout(Duration.ofSeconds(10)).connect(uri);
            thread = Thread.ofVirtual().start(() -> {
                while (!stopped && failures.isEmpty()) {
                    roundTrip();
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        private void roundTrip() {
            long n = count.incrementAndGet();
            String text = "round trip " + n;
            long t0 = System.nanoTime();
            try {
                ws.sendText(text);
                Optional<DataMessage> m = ws.receive(ROUND_TRIP_BOUND);
                long took = System.nanoTime() - t0;
                maxNanos.accumulateAndGet(took, Math::max);
                if (m.isEmpty() || !m.get().equals(new Message.Text(text))) {
                    failures.add(text + ": " + m);
                }
            } catch (IOException e) {
                failures.add(text + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Waits until {@code more} further round trips were done (or one failed). */
        void roundTrips(int more) throws InterruptedException {
            long target = count.get() + more;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (count.get() < target && failures.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(count.get()).as("round trips after the peers left; failures: %s", failures)
                    .isGreaterThanOrEqualTo(target);
        }

        void stop() throws InterruptedException {
            stopped = true;
            thread.join(5_000);
            ws.abort();
        }
    }

    // --- the child

    /** The child's last lines on stderr (an OutOfMemoryError is reported there). */
    private String stderr() {
        List<String> all = List.copyOf(stderr);
        return String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
    }

    private URI uri(String path) {
        return URI.create("ws://127.0.0.1:" + port + path);
    }

    private static String location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /** Reads {@code in} line by line on a daemon thread. */
    private static void lines(InputStream in, Consumer<String> each) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    each.accept(line);
                }
            } catch (IOException ended) {
                // the child is gone
            }
        }, "child-output");
        t.setDaemon(true);
        t.start();
    }
}
