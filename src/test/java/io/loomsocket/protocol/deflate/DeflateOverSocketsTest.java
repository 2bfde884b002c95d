package io.loomsocket.protocol.deflate;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.broadcast.BroadcastRegistry;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.io.BroadcastTarget;
import io.loomsocket.io.Eventually;
import io.loomsocket.io.FrameSharing;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** permessage-deflate between our server and our client, over loopback. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeflateOverSocketsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    /** An echo server that also hands each server-side connection to the test. */
    private static WebSocketServer echo(WebSocketServer.Builder builder, BlockingQueue<WebSocket> serverSide) throws Exception {
        return builder.maxSize(8L << 20).handler(ws -> {
            serverSide.add(ws);
            for (DataMessage m : ws) {
                switch (m) {
                    case Message.Text t -> ws.sendText(t.text());
                    case Message.Binary b -> ws.sendBinary(b.data());
                }
            }
        }).start();
    }

    private static DeflateOptions options(String spec) {
        DeflateOptions o = DeflateOptions.defaults().withThreshold(0);
        for (String part : spec.split(" ")) {
            switch (part) {
                case "-" -> {}
                case "snct" -> o = o.withServerNoContextTakeover(true);
                case "cnct" -> o = o.withClientNoContextTakeover(true);
                default -> {
                    String[] kv = part.split("=");
                    o = kv[0].equals("smwb") ? o.withServerMaxWindowBits(Integer.parseInt(kv[1]))
                            : o.withClientMaxWindowBits(Integer.parseInt(kv[1]));
                }
            }
        }
        return o;
    }

    /** Client options, server options: the response both sides report, and messages of every size, byte-exact. */
    @ParameterizedTest(name = "client [{0}] server [{1}]")
    @CsvSource(delimiter = '|', value = {
            "-         | -         | permessage-deflate",
            "snct      | -         | permessage-deflate; server_no_context_takeover",
            "cnct      | -         | permessage-deflate; client_no_context_takeover",
            "smwb=8    | -         | permessage-deflate; server_no_context_takeover; server_max_window_bits=8",
            "smwb=15   | -         | permessage-deflate",
            "cmwb=8    | -         | permessage-deflate; client_max_window_bits=8",
            "snct cnct smwb=8 cmwb=8 | - | permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8; client_max_window_bits=8",
            "-         | snct cnct | permessage-deflate; server_no_context_takeover; client_no_context_takeover",
            "-         | smwb=9 cmwb=10 | permessage-deflate; server_no_context_takeover; server_max_window_bits=9; client_max_window_bits=10",
    })
    void negotiatesAndRoundTripsByteExact(String client, String server, String expected) throws Exception {
        BlockingQueue<WebSocket> serverSide = new LinkedBlockingQueue<>();
        try (WebSocketServer s = echo(WebSocketServer.builder().deflate(options(server)), serverSide);
             WebSocket ws = WebSocketClient.builder().maxSize(8L << 20).deflate(options(client))
                     .connect(URI.create(s.url() + "/"))) {
            WebSocket peer = serverSide.poll(20, TimeUnit.SECONDS);
            assertThat(ws.extensions()).isEqualTo(expected);
            assertThat(peer.extensions()).isEqualTo(expected);
            assertThat(ws.deflate()).isEqualTo(peer.deflate()).isPresent();
            Random r = new Random(expected.hashCode());
            for (int size : new int[] {0, 1, 100, 256, 257, 5000, 65536, 1 << 20, 4 << 20}) {
                byte[] binary = new byte[size];
                r.nextBytes(binary);
                String text = ("message of " + size + " bytes ").repeat(size / 10 + 1).substring(0, size);
                ws.sendBinary(binary);
                ws.sendText(text);
                ws.sendText(text);
                assertThat(ws.receive()).isEqualTo(new Message.Binary(binary));
                assertThat(ws.receive()).isEqualTo(new Message.Text(text));
                assertThat(ws.receive()).isEqualTo(new Message.Text(text));
            }
            ws.sendText("fragmented and compressed, ".repeat(10), false);
            ws.sendText("the end", true);
            assertThat(ws.receive()).isEqualTo(new Message.Text("fragmented and compressed, ".repeat(10) + "the end"));
            ws.close(CloseCode.NORMAL_CLOSURE, "done");
            assertThat(ws.awaitClosed(WAIT)).isTrue();
            assertThat(ws.closeCode()).isEqualTo(CloseCode.NORMAL_CLOSURE);
        }
    }

    @Test
    void withoutAnOfferTheServerAnswersNoExtensionAsBefore() throws Exception {
        BlockingQueue<WebSocket> serverSide = new LinkedBlockingQueue<>();
        try (WebSocketServer s = echo(WebSocketServer.builder(), serverSide);
             WebSocket ws = WebSocketClient.connect(URI.create(s.url() + "/"))) {
            assertThat(ws.extensions()).isEmpty();
            assertThat(ws.deflate()).isEmpty();
            assertThat(serverSide.poll(20, TimeUnit.SECONDS).extensions()).isEmpty();
            ws.sendText("x".repeat(1000));
            assertThat(ws.receive()).isEqualTo(new Message.Text("x".repeat(1000)));
        }
    }

    @Test
    void noDeflateDeclinesEveryOffer() throws Exception {
        BlockingQueue<WebSocket> serverSide = new LinkedBlockingQueue<>();
        try (WebSocketServer s = echo(WebSocketServer.builder().noDeflate(), serverSide);
             WebSocket ws = WebSocketClient.builder().deflate().connect(URI.create(s.url() + "/"))) {
            assertThat(s.options().deflate()).isNull();
            assertThat(ws.extensions()).isEmpty();
            assertThat(ws.deflate()).isEmpty();
            ws.sendText("y".repeat(1000));
            assertThat(ws.receive()).isEqualTo(new Message.Text("y".repeat(1000)));
        }
    }

    /**
     * One broadcast to plain, no-takeover and takeover receivers: each gets it byte-exact; the
     * plain and no-takeover receivers share one encoding each, the takeover one is compressed by
     * its own connection.
     */
    @Test
    void aBroadcastReachesMixedReceiversByteExact() throws Exception {
        BroadcastRegistry registry = new BroadcastRegistry();
        BlockingQueue<WebSocket> serverSide = new LinkedBlockingQueue<>();
        try (WebSocketServer s = WebSocketServer.builder().handler(ws -> {
            registry.subscribe("all", ws);
            serverSide.add(ws);
            for (DataMessage ignored : ws) {
                // receive until closed
            }
        }).start()) {
            URI uri = URI.create(s.url() + "/");
            List<WebSocket> clients = new ArrayList<>();
            List<FrameSharing> keys = new ArrayList<>();
            WebSocketClient.Builder[] kinds = {
                    WebSocketClient.builder(),
                    WebSocketClient.builder().deflate(DeflateOptions.defaults().withServerNoContextTakeover(true)),
                    WebSocketClient.builder().deflate(DeflateOptions.defaults().withServerNoContextTakeover(true)),
                    WebSocketClient.builder().deflate(),
                    WebSocketClient.builder().deflate(),
            };
            for (WebSocketClient.Builder kind : kinds) {
                clients.add(kind.connect(uri));
                keys.add(((BroadcastTarget) serverSide.poll(20, TimeUnit.SECONDS)).sharing());
            }
            assertThat(keys).containsExactly(FrameSharing.PLAIN, new FrameSharing.Deflated(6, 64, 15),
                    new FrameSharing.Deflated(6, 64, 15), FrameSharing.PER_CONNECTION, FrameSharing.PER_CONNECTION);
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String text = ("broadcast " + i + " ").repeat(i * 10 + 1);
                sent.add(text);
                assertThat(registry.broadcast("all", text, null)).isEqualTo(5);
            }
            byte[] binary = new byte[100_000];
            new Random(7).nextBytes(binary);
            assertThat(registry.broadcast("all", binary, null)).isEqualTo(5);
            // The static broadcast, to client-side connections too (masked and compressed per connection).
            assertThat(BroadcastRegistry.broadcast(List.of(clients.get(3)), "to a client's peer: masked, compressed by that client",
                    io.loomsocket.SlowConsumerPolicy.DROP)).isEqualTo(1);
            for (WebSocket c : clients) {
                for (String text : sent) {
                    assertThat(c.receive()).isEqualTo(new Message.Text(text));
                }
                assertThat(c.receive()).isEqualTo(new Message.Binary(binary));
            }
            for (WebSocket c : clients) {
                c.close();
            }
        }
    }

    /**
     * Many connections with compression in both directions, opened and closed: every native zlib
     * context is ended or back in the bounded pool afterwards.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void everyDeflaterAndInflaterIsReleasedAfterManyConnections() throws Exception {
        int connections = 20_000;
        int parallel = 16;
        BlockingQueue<WebSocket> ignored = new LinkedBlockingQueue<>() {
            @Override
            public boolean add(WebSocket ws) {
                return true;
            }
        };
        long before = ZlibContexts.inUse();
        long createdBefore = ZlibContexts.created();
        try (WebSocketServer s = echo(WebSocketServer.builder().noKeepalive().backlog(1024), ignored)) {
            URI uri = URI.create(s.url() + "/");
            WebSocketClient.Builder[] kinds = {
                    WebSocketClient.builder().noKeepalive().deflate(),
                    WebSocketClient.builder().noKeepalive().deflate(DeflateOptions.defaults()
                            .withServerNoContextTakeover(true).withClientNoContextTakeover(true)),
            };
            AtomicInteger next = new AtomicInteger();
            AtomicInteger done = new AtomicInteger();
            String message = "compress me, ".repeat(20);
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int t = 0; t < parallel; t++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    for (int i; (i = next.getAndIncrement()) < connections; ) {
                        try (WebSocket ws = kinds[i % 2].connect(uri)) {
                            ws.sendText(message);
                            if (!ws.receive().equals(new Message.Text(message))) {
                                throw new AssertionError("echo differs");
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                            return;
                        }
                        done.incrementAndGet();
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertThat(failures).isEmpty();
            assertThat(done.get()).isEqualTo(connections);
            Eventually.await("server connections closed", WAIT, () -> s.connectionCount() == 0);
        }
        // Half the connections keep contexts of their own (takeover), 2 per side: 4 per connection.
        assertThat(ZlibContexts.created() - createdBefore).isGreaterThanOrEqualTo(2L * connections);
        Eventually.await("zlib contexts in use back to where they were", WAIT, () -> ZlibContexts.inUse() == before);
        assertThat(ZlibContexts.idle()).isLessThanOrEqualTo(10L * ZlibContexts.IDLE_LIMIT + ZlibContexts.IDLE_LIMIT);
    }
}
