package io.loomsocket.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.io.Eventually;
import io.loomsocket.protocol.Message;
import io.loomsocket.reliability.HostileCases.Case;
import io.loomsocket.reliability.HostileCases.Echo;
import io.loomsocket.reliability.HostileCases.Expect;
import io.loomsocket.reliability.HostileCases.Kind;
import io.loomsocket.server.WebSocketServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile input over real sockets: broken upgrade requests and frame streams, each on its own
 * connection, from many virtual threads at once, while well-behaved clients echo beside them.
 * Every case must get its answer within 10 s: a refusal with the right HTTP status, a close frame
 * with the right code, or (for the random and mutated ones) any legal answer. Afterwards the
 * server still serves, holds no connection and no thread of a connection, and has logged no
 * warning.
 *
 * <p>Sizes: {@code reliability.hostile.cases} (100,000; full 1,000,000), senders
 * {@code reliability.hostile.senders} (48); one case alone: {@code -Dreliability.hostile.only=17,42}.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class HostileInputIT {

    private static final long SEED = Sizes.seed(0x4057_11E5L);
    private static final Duration CASE_DEADLINE = Duration.ofSeconds(10);

    static final WebSocketHandler ECHO = ws -> {
        for (Message m : ws) {
            switch (m) {
                case Message.Text t -> ws.sendText(t.text());
                case Message.Binary b -> ws.sendBinary(b.data());
                default -> {}
            }
        }
    };

    /** How one case went: a label for the tally, and what was wrong, if anything. */
    private record Verdict(String label, String problem) {
        static Verdict ok(String label) {
            return new Verdict(label, null);
        }
    }

    private final Map<Kind, Map<String, LongAdder>> tally = new EnumMap<>(Kind.class);
    private final List<String> mismatches = new CopyOnWriteArrayList<>();
    private final LongAdder mismatchCount = new LongAdder();

    @Test
    void everyHostileCaseGetsTheRightAnswerWhileNormalClientsKeepEchoing() throws Exception {
        Channel channel = Channel.configured();
        int cases = Sizes.of("hostile.cases", 100_000, 1_000_000);
        int senders = Sizes.of("hostile.senders", 48, 48);
        long[] only = parseOnly(System.getProperty("reliability.hostile.only"));
        HostileCases maker = new HostileCases(SEED);
        for (Kind k : Kind.values()) {
            tally.put(k, new ConcurrentHashMap<>());
        }

        try (LogWatch logs = new LogWatch(true)) {
            WebSocketServer server = channel.serverBuilder()
                    .handler(ECHO)
                    .maxSize(HostileCases.MAX_SIZE)
                    .handshakeTimeout(Duration.ofSeconds(5))
                    .closeTimeout(Duration.ofSeconds(2))
                    .start();
            try {
                EchoLoad normal = EchoLoad.start(channel, server.port(), 4, Duration.ofMillis(5), SEED);
                long t0 = System.nanoTime();
                AtomicLong next = new AtomicLong();
                long total = only != null ? only.length : cases;
                List<Thread> threads = new ArrayList<>();
                for (int s = 0; s < senders; s++) {
                    threads.add(Thread.ofVirtual().name("hostile-" + s).start(() -> {
                        for (long n; (n = next.getAndIncrement()) < total; ) {
                            long index = only != null ? only[(int) n] : n;
                            Case c = maker.make(index);
                            Verdict v = play(channel, server.port(), c);
                            tally.get(c.kind()).computeIfAbsent(v.label, k -> new LongAdder()).increment();
                            if (v.problem != null) {
                                mismatchCount.increment();
                                if (mismatches.size() < 40) {
                                    mismatches.add(describe(c, v));
                                }
                            }
                            if (only != null) {
                                System.out.println("case " + index + ": " + describe(c, v));
                            }
                        }
                    }));
                }
                for (Thread t : threads) {
                    assertThat(t.join(Duration.ofMinutes(25))).as("sender " + t.getName() + " finished").isTrue();
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                long normalEchoes = normal.echoes();
                normal.close();

                String report = report(total, seconds, senders, normalEchoes, channel);
                System.out.println(report);
                Figures.write("hostile-input.txt", report);

                assertThat(mismatches).as(mismatchCount.sum() + " of " + total + " cases got a wrong answer (first ones listed)")
                        .isEmpty();
                assertThat(normal.failures()).as("normal clients during the run").isEmpty();
                assertThat(normalEchoes).as("echoes of the normal clients during the run").isGreaterThan(100);

                // Afterwards: the server still accepts and echoes, and holds nothing of the run.
                try (WebSocket ws = channel.client(WebSocketClient.builder()).connect(channel.uri(server.port(), "/after"))) {
                    ws.sendText("still here");
                    assertThat(ws.receive(Duration.ofSeconds(10))).hasValueSatisfying(m ->
                            assertThat(((Message.Text) m).text()).isEqualTo("still here"));
                }
                Eventually.await("the server's connection count back to 0", Duration.ofSeconds(15),
                        server::connectionCount, n -> n == 0);
                Eventually.await("no connection thread left on the server", Duration.ofSeconds(15),
                        Resources::liveLibraryThreads,
                        m -> m.getOrDefault("loomsocket-conn", 0) == 0 && m.getOrDefault("loomsocket-read", 0) == 0);
                // Each hostile frame stream is reported once as a protocol violation (WARNING, the
                // rule it broke: io.ConnectionLog); those are expected. Nothing else may be logged.
                assertThat(logs.lines().stream().filter(l -> !l.startsWith("WARNING: protocol violation: ")).toList())
                        .as("warnings and errors the library logged, beyond the violations reported").isEmpty();
                assertThat(logs.lines()).as("the violations reported").isNotEmpty();
            } finally {
                server.stop(Duration.ofSeconds(5));
            }
        }
    }

    // ------------------------------------------------------------------ one case

    private static Verdict play(Channel channel, int port, Case c) {
        try (Socket s = channel.open(port, true, 5_000)) {
            long deadline = System.nanoTime() + CASE_DEADLINE.toNanos();
            OutputStream out = s.getOutputStream();
            try {
                out.write(c.bytes());
                out.flush();
            } catch (IOException e) {
                // The server may answer and close before reading everything (a 431 mid-head): read its answer.
            }
            if (c.halfClose()) {
                try {
                    s.shutdownOutput();
                } catch (IOException e) {
                    // already reset by the server: its answer is still readable
                }
            }
            return judge(c, new Wire.Reader(s, deadline));
        } catch (SocketTimeoutException e) {
            return new Verdict("HUNG", "no answer, or no end of the stream, within " + CASE_DEADLINE.toSeconds() + " s");
        } catch (IOException e) {
            return new Verdict("I/O error", e.toString());
        }
    }

    private static Verdict judge(Case c, Wire.Reader in) throws IOException {
        Expect expect = c.expect();
        String head;
        try {
            head = in.readHead();
        } catch (Wire.Truncated e) {
            return new Verdict("half an HTTP head", e.getMessage());
        }
        if (head == null) {
            String label = "closed, no answer";
            return switch (expect) {
                case Expect.Silent s -> Verdict.ok(label);
                case Expect.Legal l when !l.upgrade() -> Verdict.ok(label);
                default -> new Verdict(label, "expected " + expect);
            };
        }
        int status = status(head);
        if (status < 0) {
            return new Verdict("malformed status line", head);
        }
        if (status != 101) {
            String label = "HTTP " + status;
            if (!head.toLowerCase(Locale.ROOT).contains("\r\nconnection: close\r\n")) {
                return new Verdict(label, "a refusal without Connection: close: " + head);
            }
            in.drain(); // the body, up to the end of the stream: the server must close
            return switch (expect) {
                case Expect.Status s when s.allowed().contains(status) -> Verdict.ok(label);
                case Expect.Legal l when !l.upgrade() && HostileCases.REFUSALS.contains(status) -> Verdict.ok(label);
                default -> new Verdict(label, "expected " + expect + "; got " + head.lines().findFirst().orElse(""));
            };
        }
        if (expect instanceof Expect.Status || expect instanceof Expect.Silent) {
            return new Verdict("HTTP 101", "the server accepted it; expected " + expect);
        }
        String lower = head.toLowerCase(Locale.ROOT);
        boolean deflate = lower.contains("\r\nsec-websocket-extensions: permessage-deflate");
        if (expect instanceof Expect.Close close) {
            if (!head.contains("\r\nSec-WebSocket-Accept: " + Wire.ACCEPT + "\r\n")) {
                return new Verdict("HTTP 101", "wrong or missing Sec-WebSocket-Accept: " + head);
            }
            if (close.deflate() != deflate) {
                return new Verdict("HTTP 101", "permessage-deflate " + (deflate ? "" : "not ") + "negotiated: " + head);
            }
        }
        Upgraded u = readUpgraded(in, deflate);
        String label = u.closeCode < 0 ? "101, closed without a close frame" : "101, close " + u.closeCode;
        if (!u.problems.isEmpty()) {
            return new Verdict(label, String.join("; ", u.problems));
        }
        return switch (expect) {
            case Expect.Close e -> {
                if (u.closeCode != e.code()) {
                    yield new Verdict(label, "expected close " + e.code() + " (got " + u.echoes.size() + " echoes, " + u.pongs + " pongs)");
                }
                if (u.pongs != e.pongs()) {
                    yield new Verdict(label, "expected " + e.pongs() + " pongs, got " + u.pongs);
                }
                if (!echoesMatch(e.echoes(), u.echoes, e.echoesMayStop())) {
                    yield new Verdict(label, "expected echoes " + show(e.echoes()) + (e.echoesMayStop() ? " (or a prefix)" : "")
                            + ", got " + show(u.echoes));
                }
                yield Verdict.ok(label);
            }
            case Expect.Legal l -> u.closeCode < 0 || legalCloseCode(u.closeCode)
                    ? Verdict.ok(label) : new Verdict(label, "close code " + u.closeCode + " is not one to send");
            default -> throw new IllegalStateException("unreachable: " + expect);
        };
    }

    /** What the server sent after its 101. */
    private record Upgraded(List<Echo> echoes, int pongs, int closeCode, List<String> problems) {}

    private static Upgraded readUpgraded(Wire.Reader in, boolean deflate) throws IOException {
        List<Echo> echoes = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int pongs = 0;
        int closeCode = -1;
        int messageOpcode = -1;
        java.io.ByteArrayOutputStream message = new java.io.ByteArrayOutputStream();
        while (problems.isEmpty()) {
            Wire.Frame f;
            try {
                f = in.readFrame();
            } catch (Wire.Truncated e) {
                problems.add("the server's last frame was cut short (" + e.getMessage() + ")");
                break;
            }
            if (f == null) {
                break; // the end of the stream, without a close frame
            }
            if (f.masked()) {
                problems.add("the server masked a frame");
            }
            boolean control = f.opcode() >= 8;
            if (control && (!f.fin() || f.payload().length > 125)) {
                problems.add("malformed control frame from the server: " + f);
            }
            boolean compressedFirst = deflate && f.rsv() == 4 && (f.opcode() == Wire.TEXT || f.opcode() == Wire.BINARY);
            if (f.rsv() != 0 && !compressedFirst) {
                problems.add("reserved bits " + f.rsv() + " from the server on opcode " + f.opcode());
            }
            switch (f.opcode()) {
                case Wire.TEXT, Wire.BINARY -> {
                    if (messageOpcode >= 0) {
                        problems.add("the server started a message inside another");
                    }
                    messageOpcode = f.rsv() == 4 ? -2 - f.opcode() : f.opcode(); // negative: compressed, not compared
                    message.reset();
                    message.writeBytes(f.payload());
                }
                case Wire.CONTINUATION -> {
                    if (messageOpcode == -1) {
                        problems.add("a continuation from the server without a message");
                    }
                    message.writeBytes(f.payload());
                }
                case Wire.PING -> {}
                case Wire.PONG -> pongs++;
                case Wire.CLOSE -> {
                    if (f.payload().length == 1) {
                        problems.add("a 1-byte close body from the server");
                    }
                    closeCode = f.closeCode();
                    if (!in.atEnd()) {
                        problems.add("bytes after the server's close frame");
                    }
                    return new Upgraded(echoes, pongs, closeCode, problems);
                }
                default -> problems.add("opcode " + f.opcode() + " from the server");
            }
            if (!control && f.fin() && messageOpcode != -1) {
                if (messageOpcode >= 0) {
                    echoes.add(new Echo(messageOpcode, message.toByteArray()));
                } else {
                    echoes.add(new Echo(messageOpcode, new byte[0]));
                }
                messageOpcode = -1;
            }
        }
        return new Upgraded(echoes, pongs, closeCode, problems);
    }

    private static boolean echoesMatch(List<Echo> expected, List<Echo> got, boolean prefixOk) {
        if (got.size() > expected.size() || (!prefixOk && got.size() != expected.size())) {
            return false;
        }
        for (int k = 0; k < got.size(); k++) {
            if (got.get(k).opcode() != expected.get(k).opcode() || !Arrays.equals(got.get(k).payload(), expected.get(k).payload())) {
                return false;
            }
        }
        return true;
    }

    /** RFC 6455 §7.4: the codes an endpoint may send (1005 stands for a close frame without a body). */
    private static boolean legalCloseCode(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999)
                || code == 1005;
    }

    private static int status(String head) {
        if (head.length() < 12 || !head.startsWith("HTTP/1.1 ") || (head.length() > 12 && head.charAt(12) != ' ' && head.charAt(12) != '\r')) {
            return -1;
        }
        try {
            return Integer.parseInt(head.substring(9, 12));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    // ------------------------------------------------------------------ reporting

    private static String show(List<Echo> echoes) {
        return echoes.stream().map(e -> e.opcode() + ":" + (e.opcode() == Wire.TEXT
                ? '"' + abbreviate(new String(e.payload(), StandardCharsets.UTF_8)) + '"' : e.payload().length + "B")).toList().toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 24 ? s : s.substring(0, 24) + "…";
    }

    private static String describe(Case c, Verdict v) {
        byte[] b = c.bytes();
        return "case " + c.index() + " [" + c.kind() + "] " + c.what() + ": got " + v.label
                + (v.problem == null ? "" : " — " + v.problem)
                + " | " + b.length + " bytes: " + HostileCases.hex(Arrays.copyOf(b, Math.min(b.length, 160)))
                + (b.length > 160 ? "…" : "");
    }

    private String report(long total, double seconds, int senders, long normalEchoes, Channel channel) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("Hostile input (%s): %,d cases in %.1f s (%,.0f cases/s), %d senders, seed %d; "
                        + "4 normal clients echoed %,d messages meanwhile; %d wrong answers%n",
                channel, total, seconds, total / seconds, senders, SEED, normalEchoes, mismatchCount.sum()));
        for (Kind k : Kind.values()) {
            Map<String, Long> byOutcome = new TreeMap<>();
            tally.get(k).forEach((label, n) -> byOutcome.put(label, n.sum()));
            long sum = byOutcome.values().stream().mapToLong(Long::longValue).sum();
            s.append(String.format("  %-27s %,8d  %s%n", k, sum, byOutcome));
        }
        return s.toString();
    }

    private static long[] parseOnly(String v) {
        if (v == null || v.isBlank()) {
            return null;
        }
        return Arrays.stream(v.split(",")).map(String::trim).filter(x -> !x.isEmpty()).mapToLong(Long::parseLong).toArray();
    }
}
