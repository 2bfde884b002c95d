package io.loomsocket.reliability;

import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Well-behaved clients beside an attack: each sends a text message at a steady pace, waits for
 * its echo, checks it byte for byte and records the round trip under the current
 * {@linkplain #phase phase}. A wrong echo, a missing one (10 s) or a connection that ends is
 * recorded as a failure, never retried.
 */
final class EchoLoad implements AutoCloseable {

    private final List<WebSocket> sockets = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Map<String, List<Long>> rtts = new ConcurrentHashMap<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final AtomicLong echoes = new AtomicLong();
    private final long paceNanos;
    private volatile String phase = "warmup";
    private volatile boolean running = true;

    private EchoLoad(Duration pace) {
        this.paceNanos = pace.toNanos();
    }

    /** Connects {@code clients} clients to {@code port} and starts them, one message per {@code pace} each. */
    static EchoLoad start(Channel channel, int port, int clients, Duration pace, long seed) throws IOException {
        EchoLoad load = new EchoLoad(pace);
        try {
            for (int i = 0; i < clients; i++) {
                load.sockets.add(channel.client(WebSocketClient.builder()).noKeepalive()
                        .closeTimeout(Duration.ofSeconds(5)).connect(channel.uri(port, "/echo")));
            }
        } catch (IOException | RuntimeException e) {
            load.close();
            throw e;
        }
        for (int i = 0; i < clients; i++) {
            int id = i;
            WebSocket ws = load.sockets.get(i);
            SplittableRandom random = new SplittableRandom(seed + i);
            load.threads.add(Thread.ofVirtual().name("echo-load-" + i).start(() -> load.run(id, ws, random)));
        }
        return load;
    }

    /** From now on, round trips are recorded under {@code name}. */
    void phase(String name) {
        phase = name;
    }

    private void run(int id, WebSocket ws, SplittableRandom random) {
        long next = System.nanoTime();
        for (long seq = 0; running; seq++) {
            char[] body = new char[8 + random.nextInt(120)];
            for (int i = 0; i < body.length; i++) {
                body[i] = (char) (random.nextInt(4) == 0 ? 0x400 + random.nextInt(0x300) : 'a' + random.nextInt(26));
            }
            String text = "client " + id + " #" + seq + " " + new String(body);
            String recordedPhase = phase;
            long t0 = System.nanoTime();
            try {
                ws.sendText(text);
                Optional<DataMessage> echo = ws.receive(Duration.ofSeconds(10));
                long rtt = System.nanoTime() - t0;
                if (echo.isEmpty()) {
                    failures.add("client " + id + ": no echo of #" + seq + " within 10 s");
                    return;
                }
                if (!(echo.get() instanceof Message.Text t) || !t.text().equals(text)) {
                    failures.add("client " + id + ": wrong echo of #" + seq + ": " + echo.get());
                    return;
                }
                echoes.incrementAndGet();
                rtts.computeIfAbsent(recordedPhase, k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(rtt);
            } catch (IOException | InterruptedException e) {
                if (running) {
                    failures.add("client " + id + ": " + e);
                }
                return;
            }
            next += paceNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            } else {
                next = System.nanoTime(); // behind: no burst to catch up
            }
        }
    }

    long echoes() {
        return echoes.get();
    }

    List<String> failures() {
        return failures;
    }

    /** Round trips of {@code phase}, sorted, in nanoseconds. */
    long[] rtts(String phase) {
        List<Long> list = rtts.getOrDefault(phase, List.of());
        long[] a;
        synchronized (list) {
            a = list.stream().mapToLong(Long::longValue).toArray();
        }
        Arrays.sort(a);
        return a;
    }

    /** The {@code q} quantile (0..1) of a sorted array, nearest rank. */
    static long quantile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }

    /** "n=…, p50=… ms, p99=… ms, max=… ms" for a phase. */
    String summary(String phase) {
        long[] a = rtts(phase);
        return String.format("n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms", a.length, quantile(a, 0.5) / 1e6,
                quantile(a, 0.99) / 1e6, a.length == 0 ? 0 : a[a.length - 1] / 1e6);
    }

    Map<String, Integer> phaseCounts() {
        Map<String, Integer> m = new TreeMap<>();
        rtts.forEach((k, v) -> m.put(k, v.size()));
        return m;
    }

    /** Stops the clients and closes their connections (closing handshake, 5 s at most). */
    @Override
    public void close() {
        running = false;
        for (Thread t : threads) {
            try {
                if (!t.join(Duration.ofSeconds(15))) {
                    failures.add(t.getName() + " did not stop");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<Thread> closers = new ArrayList<>();
        for (WebSocket ws : sockets) {
            closers.add(Thread.ofVirtual().start(ws::close));
        }
        for (Thread t : closers) {
            try {
                t.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }
}
