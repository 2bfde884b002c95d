package io.loomsocket.cluster;

import java.nio.charset.StandardCharsets;

/**
 * A message of a resumable topic as Redis publishes it, once its history script has added it to
 * the topic's stream: {@code 'S' epoch ' ' id ' ' n '\n'} then the {@link Envelope} the origin sent
 * ({@code n}: the message's number in its epoch). {@code envelopeAt}: where the envelope starts in
 * the body, read from there without a copy.
 * The epoch and the stream id are what every node renders as the message's offset; the first
 * byte tells it from a plain envelope (whose first byte is {@code 'L'}).
 */
record StreamMessage(String epoch, StreamId id, long n, int envelopeAt) {

    static final byte MARK = 'S';

    /** Reads one; throws IllegalArgumentException naming what is wrong. */
    static StreamMessage decode(byte[] body) {
        if (body.length == 0 || body[0] != MARK) {
            throw new IllegalArgumentException("not a stream message");
        }
        int space = indexOf(body, (byte) ' ', 1);
        int space2 = space < 0 ? -1 : indexOf(body, (byte) ' ', space + 1);
        int newline = space2 < 0 ? -1 : indexOf(body, (byte) '\n', space2 + 1);
        if (space < 0 || space2 < 0 || newline < 0 || space > 64) {
            throw new IllegalArgumentException("a stream message starts 'S' epoch ' ' id ' ' n '\\n'");
        }
        String epoch = new String(body, 1, space - 1, StandardCharsets.US_ASCII);
        StreamId id = StreamId.parse(new String(body, space + 1, space2 - space - 1, StandardCharsets.US_ASCII));
        long n;
        try {
            n = Long.parseLong(new String(body, space2 + 1, newline - space2 - 1, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a stream message's number is not a number", e);
        }
        return new StreamMessage(epoch, id, n, newline + 1);
    }

    private static int indexOf(byte[] b, byte x, int from) {
        for (int i = from; i < b.length && i < from + 80; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }
}
