package io.loomsocket.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Our client against our server over loopback, many connections at once, each on its own virtual
 * thread on both sides.
 */
class RoundTripTest {

    private static final int CONNECTIONS = 1_000;
    private static final int MESSAGES_PER_CONNECTION = 6;
    private static final int MIB = 1 << 20;
    /** Connections that send one 1 MiB message, as their first: a handful in all. */
    private static final Set<Integer> LARGE = Set.of(0, 199, 421, 777, 998);
    private static final long SEED = 0x6455_2011L;
    /** Thread names of connections, both sides. The acceptor ("loomsocket-accept-") is not one. */
    private static final List<String> CONNECTION_THREADS = List.of("loomsocket-conn-", "loomsocket-read-", "loomsocket-client-read-");

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aThousandConcurrentConnectionsExchangeRandomMessagesByteExactAndCloseCleanly() throws Exception {
        if (Leftovers.canCountFileDescriptors()) {
            // Both ends of every connection live in this JVM: two descriptors per connection.
            long needed = 2L * CONNECTIONS + 256;
            assertThat(Leftovers.openFileLimit())
                    .as("this test needs %d open files (ulimit -n); raise the limit rather than lowering CONNECTIONS", needed)
                    .isGreaterThanOrEqualTo(needed);
        }
        CountDownLatch handlersStarted = new CountDownLatch(CONNECTIONS + 1);
        Queue<CloseCode> serverCloseCodes = new ConcurrentLinkedQueue<>();
        CountDownLatch handlersEnded = new CountDownLatch(CONNECTIONS + 1);
        WebSocketServer server = WebSocketServer.builder()
                .host("127.0.0.1")
                .port(0)
                .backlog(CONNECTIONS)
                .maxSize(2L * MIB) // a 1 MiB message plus headroom
                .handler(ws -> {
                    handlersStarted.countDown();
                    try {
                        for (Message m : ws) {
                            switch (m) {
                                case Message.Text t -> ws.sendText(t.text());
                                case Message.Binary b -> ws.sendBinary(b.data());
                                default -> {}
                            }
                        }
                        ws.awaitClosed(Duration.ofSeconds(10));
                        serverCloseCodes.add(ws.closeCode());
                    } finally {
                        handlersEnded.countDown();
                    }
                })
                .start();
        try {
            WebSocketClient.Builder options = WebSocketClient.builder().maxSize(2L * MIB);
            URI uri = URI.create(server.url() + "/round-trip");

            // A warm-up connection, so that classes, jars and the poller are loaded before the
            // baseline of descriptors and threads is taken.
            exchange(options.connect(uri), new Random(SEED - 1), false);
            assertThat(Leftovers.eventually(Duration.ofSeconds(10), () -> server.connectionCount() == 0)).isTrue();
            long fdsBefore = Leftovers.canCountFileDescriptors() ? Leftovers.openFileDescriptors() : 0;
            int threadsBefore = Leftovers.liveThreadsNamed(CONNECTION_THREADS).size();

            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                // 1. Open every connection. At most 64 handshakes at a time, so that the accept
                // queue never overflows into SYN retries; all stay open until every one is.
                Semaphore handshakes = new Semaphore(64);
                List<Future<WebSocket>> opening = new ArrayList<>();
                for (int i = 0; i < CONNECTIONS; i++) {
                    opening.add(pool.submit(() -> {
                        handshakes.acquire();
                        try {
                            return options.connect(uri);
                        } finally {
                            handshakes.release();
                        }
                    }));
                }
                List<WebSocket> clients = new ArrayList<>();
                for (Future<WebSocket> f : opening) {
                    clients.add(f.get());
                }
                assertThat(handlersStarted.await(20, TimeUnit.SECONDS)).isTrue();
                // A handler starts after its session is registered, and none has ended yet.
                assertThat(server.connectionCount()).as("connections open at once").isEqualTo(CONNECTIONS);
                // The leftover checks below can see what they look for: a serve and a reader
                // thread per connection on the server, a reader per client, and two descriptors.
                assertThat(Leftovers.liveThreadsNamed(CONNECTION_THREADS)).hasSizeGreaterThanOrEqualTo(threadsBefore + 3 * CONNECTIONS);
                if (Leftovers.canCountFileDescriptors()) {
                    assertThat(Leftovers.openFileDescriptors()).isGreaterThanOrEqualTo(fdsBefore + 2L * CONNECTIONS);
                }

                // 2. Every connection exchanges its messages at the same time, then closes.
                List<Future<CloseCode>> exchanges = new ArrayList<>();
                for (int i = 0; i < CONNECTIONS; i++) {
                    WebSocket ws = clients.get(i);
                    Random random = new Random(SEED + i);
                    boolean large = LARGE.contains(i);
                    exchanges.add(pool.submit(() -> exchange(ws, random, large)));
                }
                for (Future<CloseCode> f : exchanges) {
                    assertThat(f.get()).as("close code seen by the client").isEqualTo(CloseCode.NORMAL_CLOSURE);
                }
            }

            assertThat(handlersEnded.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(serverCloseCodes).hasSize(CONNECTIONS + 1).containsOnly(CloseCode.NORMAL_CLOSURE);

            // 3. Nothing left behind. Each of these changes just after the closing handshakes the
            // test waited for (the server unregisters a session when its handler thread ends, a
            // reader thread ends after counting down its "closed" latch, a descriptor is freed when
            // the last thread blocked on the socket lets go), so each is polled until it holds,
            // bounded. Descriptors get a tolerance of 5 for the JVM's own (a jar opened lazily).
            assertThat(Leftovers.eventually(Duration.ofSeconds(10), () -> server.connectionCount() == 0))
                    .as("server.connectionCount() drops to 0, is %d", server.connectionCount())
                    .isTrue();
            assertThat(Leftovers.eventually(Duration.ofSeconds(10),
                    () -> Leftovers.liveThreadsNamed(CONNECTION_THREADS).size() <= threadsBefore))
                    .as("connection threads left: %s", Leftovers.liveThreadsNamed(CONNECTION_THREADS))
                    .isTrue();
            if (Leftovers.canCountFileDescriptors()) {
                assertThat(Leftovers.eventually(Duration.ofSeconds(10), () -> Leftovers.openFileDescriptors() <= fdsBefore + 5))
                        .as("open descriptors: %d before, %d after", fdsBefore, Leftovers.openFileDescriptors())
                        .isTrue();
            }
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
    }

    /**
     * Sends and receives back {@link #MESSAGES_PER_CONNECTION} messages of random kind and size,
     * checks each byte for byte, closes, and returns the close code the client saw.
     */
    private static CloseCode exchange(WebSocket ws, Random random, boolean large) throws Exception {
        for (int k = 0; k < MESSAGES_PER_CONNECTION; k++) {
            int size = large && k == 0 ? MIB : randomSize(random);
            if (random.nextBoolean()) {
                String text = randomText(random, size);
                ws.sendText(text);
                Message echoed = ws.receive();
                if (!(echoed instanceof Message.Text t) || !t.text().equals(text)) {
                    throw new AssertionError("text message " + k + " of " + text.length() + " chars came back as " + echoed);
                }
            } else {
                byte[] data = new byte[size];
                random.nextBytes(data);
                ws.sendBinary(data);
                Message echoed = ws.receive();
                if (!(echoed instanceof Message.Binary b) || !Arrays.equals(b.data(), data)) {
                    throw new AssertionError("binary message " + k + " of " + size + " bytes came back as " + echoed);
                }
            }
        }
        ws.close();
        return ws.closeCode();
    }

    /** Mostly small: 90% under 2 KiB, the rest under 64 KiB. */
    private static int randomSize(Random random) {
        return random.nextInt(10) < 9 ? random.nextInt(2048) : 2048 + random.nextInt(62 * 1024);
    }

    /** {@code bytes} bytes (give or take 3) of UTF-8 text mixing 1-, 2-, 3- and 4-byte characters. */
    private static String randomText(Random random, int bytes) {
        StringBuilder b = new StringBuilder();
        int used = 0;
        while (used < bytes) {
            switch (random.nextInt(8)) {
                case 0 -> {
                    b.append('é');
                    used += 2;
                }
                case 1 -> {
                    b.append('€');
                    used += 3;
                }
                case 2 -> {
                    b.appendCodePoint(0x1F600 + random.nextInt(64)); // an emoji: a surrogate pair
                    used += 4;
                }
                default -> {
                    b.append((char) ('a' + random.nextInt(26)));
                    used += 1;
                }
            }
        }
        return b.toString();
    }
}
