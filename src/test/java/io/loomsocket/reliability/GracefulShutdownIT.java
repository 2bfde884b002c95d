package io.loomsocket.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocketClosedException;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.server.WebSocketServer;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Graceful shutdown loses nothing it accepted: 100 handlers each send 1,000 messages of 8 KB as
 * fast as backpressure lets them (watermarks 16/4 KiB; the clients' receive buffers are 16 KiB,
 * which turns Linux's autotuning off; 8 MB is more than the server's socket send buffer takes on
 * loopback, a few MB, so every handler is held back mid-stream). The
 * clients start reading once every handler is under way, and {@code stop(timeout)} is called
 * right then: the handlers are blocked mid-stream with frames queued. Each client counts the
 * messages it receives before the server's 1001, each handler the sends that returned normally;
 * they must be equal on every connection: a send either reached its client before the close, or
 * failed in the sender's hands.
 *
 * <p>The clients are raw sockets (for the receive buffer) that answer the close as a client does.
 * Sizes: {@code reliability.shutdown.clients} (100; full 500), {@code reliability.shutdown.messages} (1,000).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class GracefulShutdownIT {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    /** Sent before the clients read: fits in the buffers on the way. */
    private static final int UNDERWAY = 5;
    private static final int RECEIVE_BUFFER = 16 * 1024;

    @Test
    void everyMessageAcceptedForSendingBeforeStopIsDeliveredBeforeThe1001() throws Exception {
        Channel channel = Channel.configured();
        int clients = Sizes.of("shutdown.clients", 100, 500);
        int messages = Sizes.of("shutdown.messages", 1_000, 1_000);
        String padding = "p".repeat(8000);

        AtomicIntegerArray accepted = new AtomicIntegerArray(clients); // sends that returned normally
        AtomicIntegerArray refused = new AtomicIntegerArray(clients); // sends that threw
        AtomicReferenceArray<String> refusals = new AtomicReferenceArray<>(clients);
        CountDownLatch underway = new CountDownLatch(clients);
        CountDownLatch connected = new CountDownLatch(clients);
        CountDownLatch go = new CountDownLatch(1); // the clients may read

        try (LogWatch logs = new LogWatch()) {
            WebSocketServer server = channel.serverBuilder()
                    .handler(ws -> {
                        int id = Integer.parseInt(ws.path().substring(ws.path().lastIndexOf('/') + 1));
                        for (int i = 0; i < messages; i++) {
                            try {
                                ws.sendText(id + ":" + i + ":" + padding);
                            } catch (WebSocketClosedException e) {
                                refused.incrementAndGet(id);
                                refusals.set(id, e.code() + " " + e.getMessage());
                                break;
                            }
                            accepted.incrementAndGet(id);
                            if (i == UNDERWAY) {
                                underway.countDown();
                            }
                        }
                        for (DataMessage ignored : ws) {
                            // until the connection ends
                        }
                    })
                    .noDeflate()
                    .noKeepalive()
                    .watermarks(16 * 1024, 4 * 1024)
                    .closeTimeout(Duration.ofSeconds(15))
                    .start();

            int[] received = new int[clients];
            int[] codes = new int[clients];
            List<String> failures = new CopyOnWriteArrayList<>();
            List<Thread> readers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int id = c;
                readers.add(Thread.ofVirtual().name("shutdown-client-" + c).start(() -> {
                    try (Socket s = channel.open(server.port(), false, 30_000, RECEIVE_BUFFER)) {
                        s.getOutputStream().write(Wire.ascii(Wire.upgradeRequest("/shutdown/" + id)));
                        Wire.Reader in = new Wire.Reader(s, System.nanoTime() + TimeUnit.SECONDS.toNanos(90));
                        String head = in.readHead();
                        if (head == null || !head.startsWith("HTTP/1.1 101")) {
                            failures.add("client " + id + ": " + head);
                            return;
                        }
                        connected.countDown();
                        go.await();
                        while (true) {
                            Wire.Frame f = in.readFrame();
                            if (f == null) {
                                failures.add("client " + id + ": the stream ended without a close frame after "
                                        + received[id] + " messages");
                                return;
                            }
                            if (f.opcode() == Wire.CLOSE) {
                                codes[id] = f.closeCode();
                                // Answer as a client does, then wait for the server to close the TCP connection.
                                s.getOutputStream().write(Wire.frame(Wire.CLOSE, Wire.closePayload(f.closeCode(), new byte[0])));
                                if (!in.atEnd()) {
                                    failures.add("client " + id + ": bytes after the close frame");
                                }
                                return;
                            }
                            String expected = id + ":" + received[id] + ":";
                            if (f.opcode() != Wire.TEXT || !f.fin() || !f.text().startsWith(expected)) {
                                failures.add("client " + id + ": expected " + expected + "..., got opcode " + f.opcode());
                                return;
                            }
                            received[id]++;
                        }
                    } catch (Exception e) {
                        failures.add("client " + id + ": " + e);
                    } finally {
                        connected.countDown(); // no-op past zero; wakes the test if this client failed early
                    }
                }));
            }
            assertThat(connected.await(60, TimeUnit.SECONDS)).as("every client connected").isTrue();
            assertThat(underway.await(60, TimeUnit.SECONDS)).as("every handler is sending (failures: %s)", failures).isTrue();

            go.countDown();
            long t0 = System.nanoTime();
            server.stop(STOP_TIMEOUT);
            double stopSeconds = (System.nanoTime() - t0) / 1e9;
            for (Thread t : readers) {
                assertThat(t.join(Duration.ofSeconds(60))).as(t.getName() + " ended").isTrue();
            }

            long totalAccepted = 0;
            long totalReceived = 0;
            int cutShort = 0;
            int refusedSends = 0;
            List<String> lost = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                totalAccepted += accepted.get(c);
                totalReceived += received[c];
                if (accepted.get(c) < messages) {
                    cutShort++;
                }
                refusedSends += refused.get(c);
                if (received[c] != accepted.get(c)) {
                    lost.add("connection " + c + ": accepted " + accepted.get(c) + ", received " + received[c]
                            + ", close " + codes[c] + ", refusal " + refusals.get(c));
                }
            }
            String report = String.format("Graceful shutdown (%s): %d connections, each handler sending %,d messages of ~8 KB "
                            + "(watermarks 16/4 KiB, client SO_RCVBUF 16 KiB); stop(%d s) called as the clients began to read, "
                            + "every handler having sent at least %d; it returned in %.2f s%n"
                            + "  sends accepted %,d, received before the 1001 %,d, lost %d; connections cut short by the stop %d, "
                            + "sends refused with WebSocketClosedException %d%n",
                    channel, clients, messages, STOP_TIMEOUT.toSeconds(), UNDERWAY + 1, stopSeconds,
                    totalAccepted, totalReceived, lost.size(), cutShort, refusedSends);
            System.out.println(report);
            Figures.write("graceful-shutdown.txt", report);

            assertThat(failures).as("clients").isEmpty();
            assertThat(lost).as("connections where an accepted send never arrived (or more arrived)").isEmpty();
            assertThat(codes).as("the close code each client got").containsOnly(1001);
            assertThat(cutShort).as("connections that stop() interrupted mid-stream").isGreaterThan(clients / 2);
            assertThat(stopSeconds).as("stop() within its timeout").isLessThan(STOP_TIMEOUT.toSeconds() + 2);
            assertThat(logs.lines()).as("warnings and errors the library logged").isEmpty();
        }
    }
}
