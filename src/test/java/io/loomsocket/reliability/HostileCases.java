package io.loomsocket.reliability;

import static io.loomsocket.reliability.Wire.BINARY;
import static io.loomsocket.reliability.Wire.CLOSE;
import static io.loomsocket.reliability.Wire.CONTINUATION;
import static io.loomsocket.reliability.Wire.PING;
import static io.loomsocket.reliability.Wire.PONG;
import static io.loomsocket.reliability.Wire.TEXT;
import static io.loomsocket.reliability.Wire.ascii;
import static io.loomsocket.reliability.Wire.concat;
import static io.loomsocket.reliability.Wire.frame;
import static io.loomsocket.reliability.Wire.utf8;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.zip.Deflater;

/**
 * The hostile inputs of {@link HostileInputIT}: case {@code i} is made from its own random
 * stream (the base seed and {@code i}), so any case can be made again alone. Targeted cases say
 * exactly what the server must answer; mutated and random ones only that the answer is legal.
 */
final class HostileCases {

    /** The server's frame and message limit in the test: a lie about a larger size is cheap to tell. */
    static final int MAX_SIZE = 64 * 1024;

    /** Statuses a server may answer a broken upgrade request with. */
    static final Set<Integer> REFUSALS = Set.of(400, 405, 414, 426, 431, 505);

    /** Kinds of case, with their share of the run in percent. */
    enum Kind {
        HANDSHAKE_RANDOM_BYTES(8),
        HANDSHAKE_MUTATED(20),
        HANDSHAKE_TARGETED(10),
        HANDSHAKE_OVERSIZED(2),
        HANDSHAKE_TRUNCATED(4),
        FRAME_TARGETED(20),
        FRAME_AFTER_VALID_MESSAGES(5),
        FRAME_VALID_THEN_CLOSE(3),
        FRAME_MUTATED(20),
        FRAME_RANDOM_BYTES(6),
        DEFLATE_TARGETED(2);

        final int percent;

        Kind(int percent) {
            this.percent = percent;
        }
    }

    /** What the server must do with a case. */
    sealed interface Expect {
        /** An HTTP answer with one of these statuses, then the end of the stream. */
        record Status(Set<Integer> allowed) implements Expect {}

        /** The end of the stream without a byte. */
        record Silent() implements Expect {}

        /**
         * 101, then the echoes (in order; only a prefix of them if {@code echoesMayStop}: the
         * client's close ends the connection), exactly {@code pongs} pongs, a close frame with
         * {@code code}, and the end of the stream.
         */
        record Close(int code, List<Echo> echoes, boolean echoesMayStop, int pongs, boolean deflate) implements Expect {}

        /**
         * Anything legal: with {@code upgrade} a 101 and then legal frames ending in a close frame
         * with a legal code or in the end of the stream; without, that or a refusal from
         * {@link #REFUSALS} or the end of the stream.
         */
        record Legal(boolean upgrade) implements Expect {}
    }

    /** A data message the server echoes. */
    record Echo(int opcode, byte[] payload) {}

    /**
     * One case.
     *
     * @param halfClose send FIN after the bytes: a case cut short must end, not wait for more.
     *     Random and mutated cases always end so; targeted ones every other time (a bad frame
     *     followed by FIN must get its close code all the same)
     */
    record Case(long index, Kind kind, String what, byte[] bytes, boolean halfClose, Expect expect) {}

    private final long seed;
    private final int[] cumulative = new int[Kind.values().length];
    private final byte[] bomb; // a compressed message that inflates far past MAX_SIZE

    HostileCases(long seed) {
        this.seed = seed;
        int sum = 0;
        for (Kind k : Kind.values()) {
            sum += k.percent;
            cumulative[k.ordinal()] = sum;
        }
        if (sum != 100) {
            throw new IllegalStateException("shares add up to " + sum);
        }
        this.bomb = deflateRaw(new byte[4 * MAX_SIZE * 8]);
    }

    Case make(long index) {
        SplittableRandom r = new SplittableRandom(seed ^ (index * 0x9E37_79B9_7F4A_7C15L));
        int p = r.nextInt(100);
        Kind kind = Kind.values()[0];
        for (Kind k : Kind.values()) {
            if (p < cumulative[k.ordinal()]) {
                kind = k;
                break;
            }
        }
        return switch (kind) {
            case HANDSHAKE_RANDOM_BYTES -> handshakeRandom(index, r);
            case HANDSHAKE_MUTATED -> handshakeMutated(index, r);
            case HANDSHAKE_TARGETED -> handshakeTargeted(index, r);
            case HANDSHAKE_OVERSIZED -> handshakeOversized(index, r);
            case HANDSHAKE_TRUNCATED -> handshakeTruncated(index, r);
            case FRAME_TARGETED -> frameTargeted(index, r);
            case FRAME_AFTER_VALID_MESSAGES -> frameAfterValid(index, r);
            case FRAME_VALID_THEN_CLOSE -> validThenClose(index, r);
            case FRAME_MUTATED -> frameMutated(index, r);
            case FRAME_RANDOM_BYTES -> frameRandom(index, r);
            case DEFLATE_TARGETED -> deflateTargeted(index, r);
        };
    }

    // ------------------------------------------------------------------ handshakes

    private static final String[] VALID_LINES = {
        "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: " + Wire.KEY,
        "Sec-WebSocket-Version: 13",
    };

    private static String request(String requestLine, List<String> lines) {
        StringBuilder b = new StringBuilder(requestLine).append("\r\n");
        for (String l : lines) {
            b.append(l).append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    private static List<String> validLines() {
        return new ArrayList<>(List.of(VALID_LINES));
    }

    private static String validRequest(SplittableRandom r) {
        List<String> lines = validLines();
        if (r.nextBoolean()) {
            lines.add("Origin: http://127.0.0.1");
        }
        if (r.nextInt(3) == 0) {
            lines.add("Sec-WebSocket-Protocol: chat, superchat");
        }
        if (r.nextInt(3) == 0) {
            lines.add("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits");
        }
        if (r.nextInt(3) == 0) {
            lines.add("User-Agent: hostile/" + r.nextInt(1000));
        }
        shuffleTail(lines, r);
        return request("GET /" + (r.nextBoolean() ? "" : "chat?x=" + r.nextInt(1000)) + " HTTP/1.1", lines);
    }

    private static void shuffleTail(List<String> lines, SplittableRandom r) {
        for (int i = lines.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            String t = lines.get(i);
            lines.set(i, lines.get(j));
            lines.set(j, t);
        }
    }

    private Case handshakeRandom(long i, SplittableRandom r) {
        byte[] b = randomBytes(r, 1 + r.nextInt(512));
        return new Case(i, Kind.HANDSHAKE_RANDOM_BYTES, b.length + " random bytes", b, true,
                new Expect.Legal(false));
    }

    private Case handshakeMutated(long i, SplittableRandom r) {
        byte[] valid = ascii(validRequest(r));
        StringBuilder what = new StringBuilder("valid request,");
        byte[] b = mutate(valid, 0, r, what);
        return new Case(i, Kind.HANDSHAKE_MUTATED, what.toString(), b, true, new Expect.Legal(false));
    }

    private record Targeted(String what, String request, int status) {}

    private static String with(String lineToReplace, String replacement) {
        List<String> lines = validLines();
        int at = -1;
        for (int k = 0; k < lines.size(); k++) {
            if (lines.get(k).startsWith(lineToReplace)) {
                at = k;
            }
        }
        if (replacement == null) {
            lines.remove(at);
        } else {
            lines.set(at, replacement);
        }
        return request("GET / HTTP/1.1", lines);
    }

    private static String plus(String... extra) {
        List<String> lines = validLines();
        lines.addAll(List.of(extra));
        return request("GET / HTTP/1.1", lines);
    }

    private static String line(String requestLine) {
        return request(requestLine, validLines());
    }

    private static Targeted handshakeTarget(SplittableRandom r) {
        return switch (r.nextInt(14)) {
            case 0 -> {
                String m = pickOf(r, "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE", "get", "Get", "GETS");
                yield new Targeted("method " + m, line(m + " / HTTP/1.1"), 405);
            }
            case 1 -> {
                String v = pickOf(r, "HTTP/1.0", "HTTP/2.0", "HTTP/0.9", "HTTP/3.0", "HTTP/1.2");
                yield new Targeted("version " + v, line("GET / " + v), 505);
            }
            case 2 -> {
                String t = pickOf(r, "*", "chat", "ftp://127.0.0.1/", "/a#b", "/#", "ws://127.0.0.1/");
                yield new Targeted("request-target " + t, line("GET " + t + " HTTP/1.1"), 400);
            }
            case 3 -> switch (r.nextInt(3)) {
                case 0 -> new Targeted("no Host", with("Host:", null), 400);
                case 1 -> new Targeted("two Hosts", plus("Host: example.com"), 400);
                default -> new Targeted("empty Host", with("Host:", "Host:"), 400);
            };
            case 4 -> {
                String u = pickOf(r, null, "Upgrade: h2c", "Upgrade: websockets", "Upgrade: web socket", "Upgrade:");
                yield new Targeted("Upgrade " + u, with("Upgrade:", u), 400);
            }
            case 5 -> {
                String c = pickOf(r, null, "Connection: keep-alive", "Connection: Upgrades", "Connection: close", "Connection:");
                yield new Targeted("Connection " + c, with("Connection:", c), 400);
            }
            case 6 -> {
                String b = pickOf(r, "Content-Length: 7", "Transfer-Encoding: chunked", "Content-Length: 1");
                yield new Targeted("body " + b, plus(b), 400);
            }
            case 7 -> {
                String v = pickOf(r, null, "Sec-WebSocket-Version: 8", "Sec-WebSocket-Version: 12", "Sec-WebSocket-Version: 14",
                        "Sec-WebSocket-Version: 0", "Sec-WebSocket-Version: abc", "Sec-WebSocket-Version: 13, 8");
                yield new Targeted("version header " + v, with("Sec-WebSocket-Version:", v), 426);
            }
            case 8 -> new Targeted("two version headers", plus("Sec-WebSocket-Version: 13"), 400);
            case 9 -> {
                String k = pickOf(r, null, "Sec-WebSocket-Key: dGhlIHNhbXBsZQ==", "Sec-WebSocket-Key: " + Wire.KEY + "AAAA",
                        "Sec-WebSocket-Key: !!!!!!!!!!!!!!!!!!!!!!==", "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAAAA",
                        "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAAA=", "Sec-WebSocket-Key:");
                yield new Targeted("key " + k, with("Sec-WebSocket-Key:", k), 400);
            }
            case 10 -> new Targeted("two keys", plus("Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA=="), 400);
            case 11 -> {
                String h = pickOf(r, "Sec-WebSocket-Protocol: , ,", "Sec-WebSocket-Protocol: chat, chat",
                        "Sec-WebSocket-Protocol: ch@t", "Sec-WebSocket-Extensions: x y",
                        "Sec-WebSocket-Extensions: permessage-deflate; =1", "Sec-WebSocket-Extensions: a; b=\"open",
                        "Origin: http://a", "Origin: http://a\r\nOrigin: http://b");
                // A single Origin is fine: only the repeated one is refused.
                yield h.equals("Origin: http://a") ? new Targeted("origin twice", plus(h, "Origin: http://b"), 400)
                        : new Targeted("header " + h.replace("\r\n", " | "), plus(h), 400);
            }
            case 12 -> {
                String s = pickOf(r, "X-Fold: a\r\n b", "Xyz", "X-Test : 1", "X-T: a\u0001b", "X-T: a\u007Fb", "X T: 1",
                        "X(T): 1", ": empty name", "X-T: a\rb", "X-T: a\u0000b");
                yield new Targeted("header syntax " + escape(s), plus(s), 400);
            }
            default -> switch (r.nextInt(6)) {
                case 0 -> new Targeted("bare LF line end", request("GET / HTTP/1.1", validLines()).replaceFirst("\r\nUpgrade", "\nUpgrade"), 400);
                case 1 -> new Targeted("two spaces in the request line", line("GET  / HTTP/1.1"), 400);
                case 2 -> new Targeted("lower-case version", line("GET / http/1.1"), 400);
                case 3 -> new Targeted("no version", line("GET /"), 400);
                case 4 -> new Targeted("non-ASCII target", line("GET /\u00e9 HTTP/1.1"), 400);
                default -> new Targeted("space in the target", line("GET /a b HTTP/1.1"), 400);
            };
        };
    }

    private Case handshakeTargeted(long i, SplittableRandom r) {
        Targeted t = handshakeTarget(r);
        return new Case(i, Kind.HANDSHAKE_TARGETED, t.what, ascii(t.request), r.nextBoolean(), new Expect.Status(Set.of(t.status)));
    }

    private Case handshakeOversized(long i, SplittableRandom r) {
        switch (r.nextInt(4)) {
            case 0 -> {
                // Endless headers: more than the 16 KiB head limit, and no end of the head.
                StringBuilder b = new StringBuilder("GET / HTTP/1.1\r\n");
                int target = 17_000 + r.nextInt(24_000);
                for (int n = 0; b.length() < target; n++) {
                    b.append("X-Pad-").append(n).append(": ").append("p".repeat(100 + r.nextInt(150))).append("\r\n");
                }
                return new Case(i, Kind.HANDSHAKE_OVERSIZED, "endless headers, " + b.length() + " bytes", ascii(b.toString()),
                        false, new Expect.Status(Set.of(431)));
            }
            case 1 -> {
                List<String> lines = validLines();
                int count = 101 + r.nextInt(200);
                for (int n = lines.size(); n < count; n++) {
                    lines.add("a" + n + ": b");
                }
                return new Case(i, Kind.HANDSHAKE_OVERSIZED, count + " header fields", ascii(request("GET / HTTP/1.1", lines)),
                        false, new Expect.Status(Set.of(431)));
            }
            case 2 -> {
                int len = 8193 + r.nextInt(4000);
                return new Case(i, Kind.HANDSHAKE_OVERSIZED, "header line of " + len + " bytes",
                        ascii(plus("X-Long: " + "v".repeat(len))), false, new Expect.Status(Set.of(431)));
            }
            default -> {
                int len = 8193 + r.nextInt(4000);
                return new Case(i, Kind.HANDSHAKE_OVERSIZED, "request-target of " + len + " bytes",
                        ascii(line("GET /" + "t".repeat(len) + " HTTP/1.1")), false, new Expect.Status(Set.of(414)));
            }
        }
    }

    private Case handshakeTruncated(long i, SplittableRandom r) {
        byte[] valid = ascii(validRequest(r));
        int cut = 1 + r.nextInt(valid.length - 1);
        return new Case(i, Kind.HANDSHAKE_TRUNCATED, "valid request cut at " + cut + " of " + valid.length,
                java.util.Arrays.copyOf(valid, cut), true, new Expect.Silent());
    }

    // ------------------------------------------------------------------ frames

    private static byte[] upgrade() {
        return ascii(Wire.upgradeRequest("/hostile"));
    }

    /** A violation in one or more frames, and the code it must get. */
    private record Bad(String what, byte[] bytes, int code) {}

    private static int maskKey(SplittableRandom r) {
        return r.nextInt();
    }

    private static byte[] masked(boolean fin, int rsv, int opcode, SplittableRandom r, byte[] payload) {
        return frame(fin, rsv, opcode, true, maskKey(r), payload);
    }

    private static final byte[][] BAD_UTF8 = {
        {(byte) 0xC0, (byte) 0x80}, {(byte) 0xC1, (byte) 0xBF}, {(byte) 0xE0, (byte) 0x80, (byte) 0x80},
        {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xED, (byte) 0xBF, (byte) 0xBF},
        {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
        {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xFF}, {(byte) 0xFE}, {(byte) 0x80},
        {(byte) 0xBF}, {(byte) 0xC2, 0x41}, {(byte) 0xE2, (byte) 0x82, 0x41},
    };
    private static final byte[][] CUT_UTF8 = {
        {(byte) 0xC2}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}, {(byte) 0xE2},
    };
    private static final int[] INVALID_CLOSE_CODES = {0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535};

    private static Bad badFrame(SplittableRandom r) {
        switch (r.nextInt(15)) {
            case 0 -> {
                int op = pick(r, TEXT, BINARY, PING, PONG, CLOSE);
                byte[] payload = op == CLOSE ? Wire.closePayload(1000, new byte[0]) : randomAscii(r, r.nextInt(40));
                return new Bad("unmasked opcode " + op, frame(true, 0, op, false, 0, payload), 1002);
            }
            case 1 -> {
                int rsv = 1 + r.nextInt(7);
                int op = pick(r, TEXT, BINARY, PING, PONG);
                return new Bad("rsv " + rsv + " on opcode " + op, masked(true, rsv, op, r, randomAscii(r, r.nextInt(30))), 1002);
            }
            case 2 -> {
                int op = pick(r, 3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF);
                return new Bad("reserved opcode " + op, masked(r.nextBoolean(), 0, op, r, randomBytes(r, r.nextInt(20))), 1002);
            }
            case 3 -> {
                int op = pick(r, PING, PONG, CLOSE);
                if (r.nextBoolean()) {
                    byte[] payload = randomAscii(r, 126 + r.nextInt(200));
                    if (op == CLOSE) {
                        payload[0] = 0x03;
                        payload[1] = (byte) 0xE8;
                    }
                    return new Bad(payload.length + "-byte control frame " + op, masked(true, 0, op, r, payload), 1002);
                }
                long claim = pick(r, 65_536L, 1L << 31, 1L << 62, Long.MAX_VALUE);
                return new Bad("control frame " + op + " claiming " + claim + " bytes",
                        Wire.header(0x80 | op, true, maskKey(r), 127, claim), 1002);
            }
            case 4 -> {
                int op = pick(r, PING, PONG, CLOSE);
                byte[] payload = op == CLOSE ? Wire.closePayload(1000, new byte[0]) : randomAscii(r, r.nextInt(20));
                return new Bad("fragmented control frame " + op, masked(false, 0, op, r, payload), 1002);
            }
            case 5 -> {
                int op = pick(r, TEXT, BINARY, PING, CONTINUATION);
                long claim = Long.MIN_VALUE | (r.nextBoolean() ? 0 : r.nextLong() & Long.MAX_VALUE);
                return new Bad(String.format("length 0x%016x (top bit set) on opcode %d", claim, op),
                        Wire.header(0x80 | op, r.nextBoolean(), maskKey(r), 127, claim), 1002);
            }
            case 6 -> {
                int op = pick(r, TEXT, BINARY, PING);
                boolean sixteen = r.nextBoolean();
                int len = sixteen ? r.nextInt(126) : r.nextInt(op == PING ? 126 : 65_536);
                int key = maskKey(r);
                byte[] payload = randomAscii(r, Math.min(len, 300));
                return new Bad("length " + len + " not minimally encoded in " + (sixteen ? 16 : 64) + " bits",
                        concat(Wire.header(0x80 | op, true, key, sixteen ? 126 : 127, len), Wire.mask(payload, key)), 1002);
            }
            case 7 -> {
                int op = pick(r, TEXT, BINARY);
                long claim = pick(r, (long) MAX_SIZE + 1, 1L << 31, (1L << 32) + 5, 1L << 62, Long.MAX_VALUE,
                        MAX_SIZE + 1 + (r.nextLong() & (Long.MAX_VALUE >>> 1)));
                return new Bad("data frame claiming " + claim + " bytes",
                        Wire.header(0x80 | op, true, maskKey(r), claim < 65_536 ? 126 : 127, claim), 1009);
            }
            case 8 -> {
                int op = pick(r, TEXT, BINARY);
                int first = MAX_SIZE / 2 + r.nextInt(1000);
                int second = MAX_SIZE - first + 1 + r.nextInt(1000);
                return new Bad("message of " + (first + second) + " bytes in two fragments",
                        concat(masked(false, 0, op, r, randomAscii(r, first)), masked(true, 0, CONTINUATION, r, randomAscii(r, second))),
                        1009);
            }
            case 9 -> {
                byte[] bad = BAD_UTF8[r.nextInt(BAD_UTF8.length)];
                byte[] text = concat(randomText(r, r.nextInt(40)), bad, randomText(r, r.nextInt(40)));
                return new Bad("text with invalid UTF-8 " + hex(bad), masked(true, 0, TEXT, r, text), 1007);
            }
            case 10 -> {
                boolean cutAtEnd = r.nextBoolean();
                byte[] bad = cutAtEnd ? CUT_UTF8[r.nextInt(CUT_UTF8.length)] : BAD_UTF8[r.nextInt(BAD_UTF8.length)];
                byte[] second = cutAtEnd ? concat(randomText(r, r.nextInt(20)), bad)
                        : concat(randomText(r, r.nextInt(20)), bad, randomText(r, r.nextInt(20)));
                return new Bad("fragmented text, invalid UTF-8 " + hex(bad) + (cutAtEnd ? " at the end" : " in fragment 2"),
                        concat(masked(false, 0, TEXT, r, randomText(r, 1 + r.nextInt(30))), masked(true, 0, CONTINUATION, r, second)),
                        1007);
            }
            case 11 -> {
                byte[] bad = r.nextBoolean() ? BAD_UTF8[r.nextInt(BAD_UTF8.length)] : CUT_UTF8[r.nextInt(CUT_UTF8.length)];
                return new Bad("close reason with invalid UTF-8 " + hex(bad),
                        masked(true, 0, CLOSE, r, Wire.closePayload(1000, concat(randomAscii(r, r.nextInt(10)), bad))), 1007);
            }
            case 12 -> {
                if (r.nextInt(4) == 0) {
                    return new Bad("close frame with a 1-byte body", masked(true, 0, CLOSE, r, new byte[] {3}), 1002);
                }
                int code = INVALID_CLOSE_CODES[r.nextInt(INVALID_CLOSE_CODES.length)];
                return new Bad("close code " + code, masked(true, 0, CLOSE, r, Wire.closePayload(code, randomAscii(r, r.nextInt(10)))), 1002);
            }
            case 13 -> {
                return new Bad("continuation without a message",
                        masked(r.nextBoolean(), 0, CONTINUATION, r, randomAscii(r, r.nextInt(20))), 1002);
            }
            default -> {
                int first = pick(r, TEXT, BINARY);
                int second = pick(r, TEXT, BINARY);
                return new Bad("new message " + second + " inside fragmented " + first,
                        concat(masked(false, 0, first, r, randomAscii(r, 1 + r.nextInt(20))),
                                masked(r.nextBoolean(), 0, second, r, randomAscii(r, r.nextInt(20)))), 1002);
            }
        }
    }

    private Case frameTargeted(long i, SplittableRandom r) {
        Bad bad = badFrame(r);
        return new Case(i, Kind.FRAME_TARGETED, bad.what, concat(upgrade(), bad.bytes), r.nextBoolean(),
                new Expect.Close(bad.code, List.of(), false, 0, false));
    }

    /** Valid messages (and pings), as sent and as echoed. */
    private record Valid(byte[] bytes, List<Echo> echoes, int pings, String what) {}

    private static Valid validMessages(SplittableRandom r, int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Echo> echoes = new ArrayList<>();
        int pings = 0;
        StringBuilder what = new StringBuilder();
        for (int n = 0; n < count; n++) {
            switch (r.nextInt(5)) {
                case 0, 1 -> {
                    byte[] text = randomText(r, r.nextInt(200));
                    out.writeBytes(masked(true, 0, TEXT, r, text));
                    echoes.add(new Echo(TEXT, text));
                    what.append("text ");
                }
                case 2 -> {
                    byte[] data = randomBytes(r, r.nextInt(300));
                    out.writeBytes(masked(true, 0, BINARY, r, data));
                    echoes.add(new Echo(BINARY, data));
                    what.append("binary ");
                }
                case 3 -> {
                    byte[] a = randomText(r, 1 + r.nextInt(50));
                    byte[] b = randomText(r, r.nextInt(50));
                    out.writeBytes(masked(false, 0, TEXT, r, a));
                    if (r.nextBoolean()) {
                        out.writeBytes(masked(true, 0, PING, r, randomAscii(r, r.nextInt(20)))); // between fragments: allowed
                        pings++;
                    }
                    out.writeBytes(masked(true, 0, CONTINUATION, r, b));
                    echoes.add(new Echo(TEXT, concat(a, b)));
                    what.append("fragmented-text ");
                }
                default -> {
                    out.writeBytes(masked(true, 0, PING, r, randomAscii(r, r.nextInt(126))));
                    pings++;
                    what.append("ping ");
                }
            }
        }
        return new Valid(out.toByteArray(), echoes, pings, what.toString().trim());
    }

    private Case frameAfterValid(long i, SplittableRandom r) {
        Valid valid = validMessages(r, 1 + r.nextInt(4));
        Bad bad = badFrame(r);
        return new Case(i, Kind.FRAME_AFTER_VALID_MESSAGES, valid.what + ", then " + bad.what,
                concat(upgrade(), valid.bytes, bad.bytes), r.nextBoolean(),
                new Expect.Close(bad.code, valid.echoes, false, valid.pings, false));
    }

    private static final int[] VALID_CLOSE_CODES = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999};

    private Case validThenClose(long i, SplittableRandom r) {
        Valid valid = validMessages(r, r.nextInt(5));
        int code = VALID_CLOSE_CODES[r.nextInt(VALID_CLOSE_CODES.length)];
        byte[] close = masked(true, 0, CLOSE, r, Wire.closePayload(code, randomText(r, r.nextInt(30))) /* at most 120 bytes: fits */);
        return new Case(i, Kind.FRAME_VALID_THEN_CLOSE, valid.what + ", then close " + code,
                concat(upgrade(), valid.bytes, close), r.nextBoolean(), new Expect.Close(code, valid.echoes, true, valid.pings, false));
    }

    private Case frameMutated(long i, SplittableRandom r) {
        Valid valid = validMessages(r, 1 + r.nextInt(4));
        byte[] frames = r.nextBoolean() ? valid.bytes
                : concat(valid.bytes, masked(true, 0, CLOSE, r, Wire.closePayload(1000, randomAscii(r, r.nextInt(20)))));
        byte[] up = upgrade();
        StringBuilder what = new StringBuilder(valid.what).append(",");
        byte[] b = mutate(concat(up, frames), up.length, r, what);
        return new Case(i, Kind.FRAME_MUTATED, what.toString(), b, true, new Expect.Legal(true));
    }

    private Case frameRandom(long i, SplittableRandom r) {
        byte[] junk = randomBytes(r, 1 + r.nextInt(256));
        return new Case(i, Kind.FRAME_RANDOM_BYTES, junk.length + " random bytes after the handshake",
                concat(upgrade(), junk), true, new Expect.Legal(true));
    }

    private Case deflateTargeted(long i, SplittableRandom r) {
        byte[] up = ascii(Wire.upgradeRequest("/deflate", "Sec-WebSocket-Extensions: permessage-deflate"));
        Bad bad = switch (r.nextInt(5)) {
            case 0 -> new Bad("compressed (RSV1) " + "ping", masked(true, 4, pick(r, PING, PONG), r, randomAscii(r, 10)), 1002);
            case 1 -> new Bad("RSV1 on a continuation", concat(masked(false, 0, TEXT, r, randomAscii(r, 10)),
                    masked(true, 4, CONTINUATION, r, randomAscii(r, 10))), 1002);
            case 2 -> {
                int rsv = pick(r, 1, 2, 3, 5, 6, 7);
                yield new Bad("RSV " + rsv + " with permessage-deflate", masked(true, rsv, TEXT, r, randomAscii(r, 10)), 1002);
            }
            case 3 -> {
                // BTYPE 11 (reserved) in the first block header: no inflater accepts it.
                byte[] junk = randomBytes(r, 1 + r.nextInt(60));
                junk[0] = (byte) (junk[0] | 0x06);
                yield new Bad("compressed data that does not inflate", masked(true, 4, pick(r, TEXT, BINARY), r, junk), 1007);
            }
            default -> new Bad("a " + bomb.length + "-byte message that inflates to " + (4 * MAX_SIZE * 8) + " bytes",
                    masked(true, 4, BINARY, r, bomb), 1009);
        };
        return new Case(i, Kind.DEFLATE_TARGETED, bad.what, concat(up, bad.bytes), r.nextBoolean(),
                new Expect.Close(bad.code, List.of(), false, 0, true));
    }

    // ------------------------------------------------------------------ mutation

    /** 1 to 3 mutations of {@code b} at or after {@code from}: bit flips, truncation, duplication, ... */
    static byte[] mutate(byte[] b, int from, SplittableRandom r, StringBuilder what) {
        int n = 1 + r.nextInt(3);
        for (int k = 0; k < n && b.length > from; k++) {
            int at = from + r.nextInt(b.length - from);
            switch (r.nextInt(8)) {
                case 0, 1 -> {
                    int bit = r.nextInt(8);
                    b = b.clone();
                    b[at] ^= (byte) (1 << bit);
                    what.append(" bit ").append(bit).append(" flipped at ").append(at);
                }
                case 2 -> {
                    b = java.util.Arrays.copyOf(b, Math.max(from + 1, at));
                    what.append(" truncated at ").append(b.length);
                }
                case 3 -> {
                    int len = 1 + r.nextInt(Math.min(64, b.length - at));
                    b = concat(java.util.Arrays.copyOf(b, at + len), java.util.Arrays.copyOfRange(b, at, b.length));
                    what.append(" ").append(len).append(" bytes duplicated at ").append(at);
                }
                case 4 -> {
                    int len = 1 + r.nextInt(Math.min(8, b.length - at));
                    b = concat(java.util.Arrays.copyOf(b, at), java.util.Arrays.copyOfRange(b, at + len, b.length));
                    what.append(" ").append(len).append(" bytes deleted at ").append(at);
                }
                case 5 -> {
                    byte[] junk = randomBytes(r, 1 + r.nextInt(8));
                    b = concat(java.util.Arrays.copyOf(b, at), junk, java.util.Arrays.copyOfRange(b, at, b.length));
                    what.append(" ").append(junk.length).append(" bytes inserted at ").append(at);
                }
                case 6 -> {
                    byte v = (byte) pick(r, 0x00, 0xFF, 0x7F, 0x80, 0x7E, '\r', '\n', ':', ' ', 0x88, 0x81);
                    b = b.clone();
                    b[at] = v;
                    what.append(String.format(" byte %d set to 0x%02x", at, v & 0xFF));
                }
                default -> {
                    b = concat(b, java.util.Arrays.copyOfRange(b, from, b.length));
                    what.append(" all of it repeated");
                }
            }
        }
        return b;
    }

    // ------------------------------------------------------------------ helpers

    static byte[] randomBytes(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        for (int k = 0; k < n; k++) {
            b[k] = (byte) r.nextInt(256);
        }
        return b;
    }

    static byte[] randomAscii(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        for (int k = 0; k < n; k++) {
            b[k] = (byte) (0x20 + r.nextInt(0x5F));
        }
        return b;
    }

    /** Valid UTF-8 of about {@code n} characters: ASCII, 2-, 3- and 4-byte sequences. */
    static byte[] randomText(SplittableRandom r, int n) {
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < n; k++) {
            switch (r.nextInt(6)) {
                case 0 -> s.append((char) (0x80 + r.nextInt(0x780)));
                case 1 -> s.append((char) (0x800 + r.nextInt(0xD000 - 0x800)));
                case 2 -> s.appendCodePoint(0x10000 + r.nextInt(0x100000));
                default -> s.append((char) (0x20 + r.nextInt(0x5F)));
            }
        }
        return utf8(s.toString());
    }

    @SafeVarargs
    private static <T> T pickOf(SplittableRandom r, T... options) {
        return options[r.nextInt(options.length)];
    }

    private static int pick(SplittableRandom r, int... options) {
        return options[r.nextInt(options.length)];
    }

    private static long pick(SplittableRandom r, long... options) {
        return options[r.nextInt(options.length)];
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x & 0xFF));
        }
        return s.toString();
    }

    private static String escape(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n").replace("\u0000", "\\0").replace("\u0001", "\\1")
                .replace("\u007F", "\\x7f");
    }

    /** A raw DEFLATE stream of {@code data} as permessage-deflate sends it: sync-flushed, without the 00 00 ff ff tail. */
    static byte[] deflateRaw(byte[] data) {
        Deflater d = new Deflater(9, true);
        try {
            d.setInput(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0) {
                out.write(buf, 0, n);
                if (n < buf.length && d.needsInput()) {
                    break;
                }
            }
            byte[] all = out.toByteArray();
            return java.util.Arrays.copyOf(all, all.length - 4);
        } finally {
            d.end();
        }
    }
}
