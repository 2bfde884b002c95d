package io.loomsocket.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.server.WebSocketServer;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many connections in one server process: the server runs in a JVM of its own
 * ({@link HoldServerMain}; a process may open 20,000 files here, and each connection costs a
 * descriptor on both sides), the clients are raw sockets in this JVM. Every connection completes
 * its handshake, then answers a ping with its own payload. The server's heap (after GC) and RSS
 * per connection are reported, and written to target/reliability/many-connections.txt.
 *
 * <p>Sizes: {@code reliability.connections} (10,000; full 18,000, under the 20,000 descriptors
 * of either process).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ManyConnectionsIT {

    private static final int CONNECTORS = 64;
    private static final int WARMUP = 500;

    @Test
    void tenThousandConnectionsEachAnswerAPing() throws Exception {
        Channel channel = Channel.configured();
        int count = Sizes.of("connections", 10_000, 18_000);
        try (ServerProcess server = ServerProcess.start(channel)) {
            // Warm up: class loading and JIT are not per-connection costs.
            List<Socket> warm = connectAll(channel, server.port, WARMUP);
            pingAll(warm);
            closeAll(warm);
            server.awaitCount(0);
            Map<String, Long> before = server.measure();
            long rssBefore = server.rssKb();

            long t0 = System.nanoTime();
            List<Socket> sockets = connectAll(channel, server.port, count);
            double connectSeconds = (System.nanoTime() - t0) / 1e9;
            try {
                long t1 = System.nanoTime();
                pingAll(sockets);
                double pingSeconds = (System.nanoTime() - t1) / 1e9;
                Map<String, Long> held = server.measure();
                long rssHeld = server.rssKb();

                double heapPer = (held.get("heap") - before.get("heap")) / (double) count;
                double rssPer = (rssHeld - rssBefore) * 1024.0 / count;
                String report = String.format(
                        "Many connections (%s): %,d held at once by one server process (pid %d), connected in %.1f s "
                                + "(%d connectors), every one answered a ping: %,d pongs in %.2f s%n"
                                + "  server before: %s, RSS %,d KiB%n"
                                + "  server with %,d: %s, RSS %,d KiB%n"
                                + "  per connection: heap after GC %,.0f bytes, RSS %,.0f bytes "
                                + "(server JVM -Xmx1g, default GC; no keepalive pings)%n",
                        channel, count, server.pid, connectSeconds, CONNECTORS, count, pingSeconds,
                        before, rssBefore, count, held, rssHeld, heapPer, rssPer);
                System.out.println(report);
                Figures.write("many-connections.txt", report);

                assertThat(held.get("connections")).as("connections the server holds").isEqualTo((long) count);
            } finally {
                closeAll(sockets);
            }
            server.awaitCount(0);
            long stopMillis = server.stop();
            assertThat(stopMillis).as("stop with no connection left, ms").isLessThan(10_000);
        }
    }

    /** Opens {@code n} connections, {@link #CONNECTORS} at a time, each past a checked 101. */
    private static List<Socket> connectAll(Channel channel, int port, int n) throws Exception {
        Socket[] sockets = new Socket[n];
        List<String> failures = new CopyOnWriteArrayList<>();
        AtomicInteger next = new AtomicInteger();
        byte[] request = Wire.ascii(Wire.upgradeRequest("/hold"));
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < CONNECTORS; c++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i; (i = next.getAndIncrement()) < n && failures.isEmpty(); ) {
                    try {
                        Socket s = channel.open(port, true, 30_000);
                        sockets[i] = s;
                        s.getOutputStream().write(request);
                        // The server sends nothing after its 101 until we ping: the reader may read in chunks.
                        String head = new Wire.Reader(s, System.nanoTime() + TimeUnit.SECONDS.toNanos(30)).readHead();
                        if (head == null || !head.startsWith("HTTP/1.1 101") || !head.contains(Wire.ACCEPT)) {
                            failures.add("connection " + i + ": " + head);
                        }
                    } catch (IOException e) {
                        failures.add("connection " + i + ": " + e);
                    }
                }
            }));
        }
        for (Thread t : threads) {
            assertThat(t.join(Duration.ofMinutes(5))).isTrue();
        }
        List<Socket> list = new ArrayList<>(n);
        for (Socket s : sockets) {
            if (s != null) {
                list.add(s);
            }
        }
        if (!failures.isEmpty()) {
            closeAll(list);
        }
        assertThat(failures).as("connections that failed (%d of %d)", failures.size(), n).isEmpty();
        return list;
    }

    /** A ping with its own 8-byte payload on every connection, then every pong read and checked. */
    private static void pingAll(List<Socket> sockets) throws IOException {
        for (int i = 0; i < sockets.size(); i++) {
            OutputStream out = sockets.get(i).getOutputStream();
            out.write(Wire.frame(Wire.PING, ByteBuffer.allocate(8).putLong(i).array()));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int i = 0; i < sockets.size(); i++) {
            Wire.Frame f = new Wire.Reader(sockets.get(i), deadline).readFrame();
            assertThat(f).as("pong on connection " + i).isNotNull();
            assertThat(f.opcode()).as("opcode on connection " + i).isEqualTo(Wire.PONG);
            assertThat(ByteBuffer.wrap(f.payload()).getLong()).as("pong payload on connection " + i).isEqualTo(i);
        }
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close(); // SO_LINGER 0: RST, nothing left in TIME_WAIT
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    /** {@link HoldServerMain} in a child JVM on this JVM's java, its stdout lines queued. */
    private static final class ServerProcess implements AutoCloseable {
        final Process process;
        final int port;
        final long pid;
        final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final StringBuilder output = new StringBuilder();
        final PrintStream commands;

        private ServerProcess(Process process) throws Exception {
            this.process = process;
            this.commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
            Thread.ofVirtual().name("hold-server-stdout").start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        synchronized (output) {
                            output.append(line).append('\n');
                        }
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("READ FAILED " + e);
                }
            });
            String[] first = awaitLine("PORT ").split(" ");
            this.port = Integer.parseInt(first[1]);
            this.pid = Long.parseLong(first[3]);
        }

        static ServerProcess start(Channel channel) throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String classPath = codeSource(WebSocketServer.class) + File.pathSeparator + codeSource(HoldServerMain.class);
            List<String> command = List.of(java, "-Xmx1g", "-XX:+UseG1GC", "-cp", classPath,
                    HoldServerMain.class.getName(), channel.name());
            return new ServerProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
        }

        private static String codeSource(Class<?> c) throws Exception {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        }

        String awaitLine(String prefix) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                long left = deadline - System.nanoTime();
                String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
                if (line == null) {
                    synchronized (output) {
                        throw new AssertionError("no `" + prefix + "` line from the server process within 60 s; output:\n" + output);
                    }
                }
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        }

        /** {@code measure}: connections, heap (after GC), fds, platform threads. */
        Map<String, Long> measure() throws InterruptedException {
            commands.println("measure");
            Map<String, Long> m = new HashMap<>();
            for (String kv : awaitLine("MEASURE ").substring("MEASURE ".length()).split(" ")) {
                String[] p = kv.split("=");
                m.put(p[0], Long.parseLong(p[1]));
            }
            return m;
        }

        void awaitCount(long n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                commands.println("count");
                long c = Long.parseLong(awaitLine("COUNT ").substring("COUNT ".length()));
                if (c == n) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the server still counts " + c + " connections, not " + n);
                }
                Thread.sleep(20); // a poll of a count in another process: there is no event to wait on
            }
        }

        /** VmRSS of the server process, KiB. */
        long rssKb() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
            throw new IOException("no VmRSS in /proc/" + pid + "/status");
        }

        long stop() throws InterruptedException {
            commands.println("stop");
            long millis = Long.parseLong(awaitLine("STOPPED ").substring("STOPPED ".length()));
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the server process ended").isTrue();
            return millis;
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }
    }
}
