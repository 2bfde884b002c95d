package io.loomsocket.cluster;

import io.loomsocket.protocol.Opcode;
import io.loomsocket.redis.RespWriter;
import java.util.Arrays;

/**
 * What one node publishes to Redis for one broadcast: a small fixed header, then the message's
 * payload (the WebSocket frame body, so that each receiving node encodes one frame for all of its
 * own subscribers).
 *
 * <pre>
 * offset size
 *   0     1   magic 'L' (0x4C)
 *   1     1   version (1)
 *   2     1   kind: 1 text, 2 binary, 9 probe (a node's end-to-end check of its own subscription)
 *   3     1   flags (0)
 *   4     8   origin: the publishing node's id (big-endian)
 *  12     8   sequence: per topic and origin, from 1 (a probe's nonce)
 *  20     8   published at: microseconds since the epoch, the origin's clock
 *  28     n   payload: the message's bytes, as sent (UTF-8 for text)
 * </pre>
 *
 * <p>The origin lets a node drop its own messages when Redis hands them back; the sequence makes
 * every loss on the way visible as a gap; the time gives the cross-node latency (exact on one
 * machine, as good as the clocks' agreement across machines).
 *
 * @param kind {@link #TEXT}, {@link #BINARY} or {@link #PROBE}
 */
public record Envelope(byte kind, long origin, long sequence, long publishedAtMicros, byte[] payload) {

    public static final byte TEXT = 1;
    public static final byte BINARY = 2;
    public static final byte PROBE = 9;

    static final int HEADER = 28;
    private static final byte MAGIC = 'L';
    private static final byte VERSION = 1;

    /** The envelope of a data message. */
    static Envelope of(Opcode type, long origin, long sequence, long publishedAtMicros, byte[] payload) {
        byte kind = switch (type) {
            case TEXT -> TEXT;
            case BINARY -> BINARY;
            default -> throw new IllegalArgumentException("not a data message type: " + type);
        };
        return new Envelope(kind, origin, sequence, publishedAtMicros, payload);
    }

    /** The message type of a data envelope. */
    Opcode type() {
        return switch (kind) {
            case TEXT -> Opcode.TEXT;
            case BINARY -> Opcode.BINARY;
            default -> throw new IllegalStateException("not a data envelope: kind " + kind);
        };
    }

    byte[] encode() {
        byte[] out = Arrays.copyOf(header(), HEADER + payload.length);
        System.arraycopy(payload, 0, out, HEADER, payload.length);
        return out;
    }

    /**
     * The envelope as one Redis argument, its header and the payload sent one after the other
     * without copying the payload first (it may be megabytes, and is shared with the local
     * receivers' frames).
     */
    RespWriter.Joined asArgument() {
        return new RespWriter.Joined(header(), payload);
    }

    /** The 28 bytes before the payload. */
    byte[] header() {
        byte[] out = new byte[HEADER];
        out[0] = MAGIC;
        out[1] = VERSION;
        out[2] = kind;
        out[3] = 0;
        putLong(out, 4, origin);
        putLong(out, 12, sequence);
        putLong(out, 20, publishedAtMicros);
        return out;
    }

    /**
     * Reads an envelope from a Redis message body.
     *
     * @throws IllegalArgumentException naming what is wrong: too short, not ours (magic), a
     *     version or kind this node does not know
     */
    static Envelope decode(byte[] body) {
        return decode(body, 0);
    }

    /** Reads an envelope that starts at {@code from} in {@code b} and runs to its end; errors as {@link #decode(byte[])}. */
    static Envelope decode(byte[] b, int from) {
        int length = b.length - from;
        if (length < HEADER) {
            throw new IllegalArgumentException("message of " + length + " bytes, shorter than the " + HEADER + "-byte header");
        }
        if (b[from] != MAGIC) {
            throw new IllegalArgumentException(String.format("not a Loomsocket envelope (first byte 0x%02x)", b[from] & 0xFF));
        }
        if (b[from + 1] != VERSION) {
            throw new IllegalArgumentException("envelope version " + b[from + 1] + ", this node reads version " + VERSION);
        }
        byte kind = b[from + 2];
        if (kind != TEXT && kind != BINARY && kind != PROBE) {
            throw new IllegalArgumentException("unknown envelope kind " + kind);
        }
        return new Envelope(kind, getLong(b, from + 4), getLong(b, from + 12), getLong(b, from + 20),
                Arrays.copyOfRange(b, from + HEADER, b.length));
    }

    private static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    private static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Envelope e && kind == e.kind && origin == e.origin && sequence == e.sequence
                && publishedAtMicros == e.publishedAtMicros && Arrays.equals(payload, e.payload);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(origin) * 31 + Long.hashCode(sequence);
    }

    @Override
    public String toString() {
        return "Envelope[kind=" + kind + ", origin=" + Long.toHexString(origin) + ", sequence=" + sequence
                + ", payload=" + payload.length + " bytes]";
    }
}
