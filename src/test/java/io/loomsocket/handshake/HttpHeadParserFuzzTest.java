package io.loomsocket.handshake;

import static io.loomsocket.handshake.Samples.BUSY_REQUEST;
import static io.loomsocket.handshake.Samples.RFC_REQUEST;
import static io.loomsocket.handshake.Samples.RFC_RESPONSE;
import static io.loomsocket.handshake.Samples.bytes;
import static io.loomsocket.handshake.Samples.head;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Feeds the parser random and mutated heads, in random chunks, with a fixed seed. Every input must
 * end in one of three ways: a complete head, a parser waiting for more, or a {@link
 * HandshakeException}. Any other exception fails the test, and the line buffer must stay within
 * the limits. Complete heads also go through {@link ServerHandshake#validate} or {@link
 * ClientHandshake#validate}, with the same rule.
 */
class HttpHeadParserFuzzTest {

    private static final long SEED = 0x6455_2011L;
    private static final int REQUEST_ITERATIONS = 1_000_000;
    private static final int RESPONSE_ITERATIONS = 200_000;

    /** Small limits, so that mutations reach them too. */
    private static final HttpLimits SMALL = new HttpLimits(64, 80, 400, 8);

    private static final List<byte[]> REQUEST_SEEDS = List.of(
            bytes(RFC_REQUEST),
            bytes(BUSY_REQUEST),
            bytes(head("GET / HTTP/1.1", "Host: a", "Upgrade: websocket", "Connection: Upgrade",
                    "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==", "Sec-WebSocket-Version: 13",
                    "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=\"15\", x; y")));

    private static final List<byte[]> RESPONSE_SEEDS = List.of(
            bytes(RFC_RESPONSE),
            bytes(head("HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
                    "Sec-WebSocket-Accept: C/0nmHhBztSRGR1CwL6Tf4ZjwpY=", "Sec-WebSocket-Protocol: chat",
                    "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10")),
            bytes(head("HTTP/1.1 404 Not Found", "Content-Length: 0")));

    /** Bytes that matter to the grammar, inserted more often than chance would. */
    private static final byte[] INTERESTING = {'\r', '\n', 0, ' ', '\t', ':', ',', ';', '=', '"', '\\', (byte) 0x80, (byte) 0xFF, 0x7F};

    private static final ClientHandshake CLIENT = new ClientHandshake(
            "a", "/", List.of("chat"), List.of(ExtensionOffer.of("permessage-deflate")), HttpHeaders.empty(), new SplittableRandom(1));

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // a hang guard: about 15 s on a quiet 2-core machine, 33 s seen with other builds running
    void requestParserOnlyEverCompletesWaitsOrThrowsHandshakeException() {
        Outcomes outcomes = fuzz(REQUEST_ITERATIONS, REQUEST_SEEDS, HttpHeadParser::forRequest,
                parser -> ServerHandshake.validate(parser.request()));

        assertThat(outcomes.completed).isPositive();
        assertThat(outcomes.waiting).isPositive();
        assertThat(outcomes.rejected).isPositive();
        assertThat(outcomes.statuses).containsKeys(400, 405, 414, 431, 505);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void responseParserOnlyEverCompletesWaitsOrThrowsHandshakeException() {
        Outcomes outcomes = fuzz(RESPONSE_ITERATIONS, RESPONSE_SEEDS, HttpHeadParser::forResponse,
                parser -> CLIENT.validate(parser.response()));

        assertThat(outcomes.completed).isPositive();
        assertThat(outcomes.waiting).isPositive();
        assertThat(outcomes.rejected).isPositive();
    }

    private static final class Outcomes {
        long completed;
        long waiting;
        long rejected;
        final Map<Integer, Long> statuses = new TreeMap<>();
    }

    private static Outcomes fuzz(
            int iterations, List<byte[]> seeds, Function<HttpLimits, HttpHeadParser> parsers, Consumer<HttpHeadParser> validate) {
        SplittableRandom random = new SplittableRandom(SEED);
        Outcomes outcomes = new Outcomes();
        for (int i = 0; i < iterations; i++) {
            byte[] input = random.nextInt(20) == 0 ? randomBytes(random) : mutate(seeds.get(random.nextInt(seeds.size())), random);
            HttpLimits limits = random.nextInt(4) == 0 ? SMALL : HttpLimits.DEFAULT;
            HttpHeadParser parser = parsers.apply(limits);
            try {
                int consumed = feedInChunks(parser, input, random, limits);
                if (parser.isComplete()) {
                    check(consumed >= 4 && endsWithCrLfCrLf(input, consumed), "a complete head ends with CRLF CRLF");
                    outcomes.completed++;
                    validate.accept(parser);
                } else {
                    check(consumed == input.length, "an incomplete head consumes everything");
                    outcomes.waiting++;
                }
            } catch (HandshakeException e) {
                outcomes.rejected++;
                outcomes.statuses.merge(e.status(), 1L, Long::sum);
                check(parser.bufferCapacity() <= longestLine(limits), "buffer within limits after a failure");
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError("iteration " + i + ", input " + HexFormat.of().formatHex(input), e);
            }
        }
        return outcomes;
    }

    /** Feeds {@code input} in random chunks until it is used up or the head is complete. */
    private static int feedInChunks(HttpHeadParser parser, byte[] input, SplittableRandom random, HttpLimits limits) {
        int offset = 0;
        while (offset < input.length && !parser.isComplete()) {
            int chunk = 1 + random.nextInt(input.length - offset);
            int consumed = parser.feed(input, offset, chunk);
            check(consumed == chunk || (parser.isComplete() && consumed >= 0 && consumed < chunk),
                    "consumed " + consumed + " of " + chunk);
            check(parser.bufferCapacity() <= longestLine(limits), "buffer within limits");
            offset += consumed;
        }
        return offset;
    }

    private static boolean endsWithCrLfCrLf(byte[] b, int end) {
        return b[end - 4] == '\r' && b[end - 3] == '\n' && b[end - 2] == '\r' && b[end - 1] == '\n';
    }

    /** A plain check: AssertJ in this loop would cost more than the parsing. */
    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    private static int longestLine(HttpLimits limits) {
        return Math.max(limits.maxStartLineBytes(), limits.maxHeaderLineBytes());
    }

    private static byte[] randomBytes(SplittableRandom random) {
        byte[] b = new byte[random.nextInt(200)];
        random.nextBytes(b);
        return b;
    }

    /** One to four mutations of a valid head, with trailing bytes now and then. */
    private static byte[] mutate(byte[] seed, SplittableRandom random) {
        byte[] b = seed.clone();
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations && b.length > 0; m++) {
            int at = random.nextInt(b.length);
            b = switch (random.nextInt(8)) {
                case 0 -> flip(b, at, (byte) random.nextInt(256));
                case 1 -> flip(b, at, INTERESTING[random.nextInt(INTERESTING.length)]);
                case 2 -> insert(b, at, new byte[] {INTERESTING[random.nextInt(INTERESTING.length)]});
                case 3 -> remove(b, at, 1 + random.nextInt(Math.min(8, b.length - at)));
                case 4 -> Arrays.copyOf(b, at); // truncate
                case 5 -> insert(b, at, Arrays.copyOfRange(b, at, Math.min(b.length, at + 1 + random.nextInt(64)))); // duplicate a slice
                case 6 -> insert(b, at, repeat((byte) 'a', random.nextInt(2) == 0 ? 70 : 9000)); // a long line
                default -> insert(b, at, bytes(("X-" + m + ": v\r\n").repeat(1 + random.nextInt(12)))); // many headers
            };
        }
        if (random.nextInt(8) == 0) {
            b = insert(b, b.length, new byte[] {(byte) 0x81, 0x00}); // frame bytes after the head
        }
        return b;
    }

    private static byte[] flip(byte[] b, int at, byte value) {
        b[at] = value;
        return b;
    }

    private static byte[] insert(byte[] b, int at, byte[] piece) {
        byte[] out = new byte[b.length + piece.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(piece, 0, out, at, piece.length);
        System.arraycopy(b, at, out, at + piece.length, b.length - at);
        return out;
    }

    private static byte[] remove(byte[] b, int at, int count) {
        byte[] out = new byte[b.length - count];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(b, at + count, out, at, b.length - at - count);
        return out;
    }

    private static byte[] repeat(byte value, int count) {
        byte[] b = new byte[count];
        Arrays.fill(b, value);
        return b;
    }
}
