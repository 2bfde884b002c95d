package io.loomsocket.bench;

import java.util.Locale;
import java.util.SplittableRandom;

/** Deterministic payload contents that can be checked without keeping what was sent. */
final class Payloads {

    /** Distinct fillers of {@link Kind#RANDOM}: a message's filler starts at {@code pattern[seq & 255]}. */
    static final int SHIFTS = 256;

    /** How far apart consecutive messages start in a JSON corpus (a prime, taken modulo the span). */
    private static final long STRIDE = 1_000_003L;

    /** JSON corpora are at least this long, so messages are not copies of recent ones. */
    private static final int MIN_CORPUS = 1 << 20;

    /** What the messages contain ({@code --payload}). */
    enum Kind {
        /** Random letters and digits: what the uncompressed workloads always sent. */
        RANDOM("random"),
        /** Slices of a stream of JSON chat messages ({@link JsonCorpus#chat}). */
        JSON_CHAT("json-chat"),
        /** Slices of a stream of JSON ticker snapshots ({@link JsonCorpus#ticker}). */
        TICKER("ticker");

        private final String id;

        Kind(String id) {
            this.id = id;
        }

        String id() {
            return id;
        }

        static Kind parse(String value) {
            for (Kind k : values()) {
                if (k.id.equals(value.toLowerCase(Locale.ROOT))) {
                    return k;
                }
            }
            throw new IllegalArgumentException("--payload must be random, json-chat or ticker: " + value);
        }
    }

    /**
     * The bytes messages are cut from: message {@code seq} is (after its header) the bytes of
     * {@code pattern} from {@link #shift}{@code (seq)}. With {@link Kind#RANDOM} the shift is
     * {@code seq & 255} over a random filler; with the JSON kinds it jumps by a large prime
     * through a corpus of at least 1 MiB, so with context takeover a message is not a one-byte
     * shift of the one before (which would compress unrealistically well) but other JSON of the
     * same shape.
     */
    record Source(Kind kind, byte[] pattern, int span) {

        int shift(long seq) {
            return kind == Kind.RANDOM ? (int) (seq & (SHIFTS - 1)) : (int) Math.floorMod(seq * STRIDE, (long) span);
        }
    }

    /** The source of messages of {@code size} bytes. */
    static Source source(Kind kind, int size) {
        int corpus = (int) Math.min(Integer.MAX_VALUE - 16, size + Math.max(MIN_CORPUS, 4L * size));
        return switch (kind) {
            case RANDOM -> new Source(kind, pattern(size + SHIFTS), SHIFTS);
            case JSON_CHAT -> json(kind, JsonCorpus.chat(corpus), size);
            case TICKER -> json(kind, JsonCorpus.ticker(corpus), size);
        };
    }

    private static Source json(Kind kind, byte[] corpus, int size) {
        return new Source(kind, corpus, corpus.length - size + 1);
    }

    private Payloads() {}

    /** {@code length} printable ASCII bytes from a fixed seed (valid UTF-8, so usable as text). */
    static byte[] pattern(int length) {
        byte[] p = new byte[length];
        SplittableRandom r = new SplittableRandom(6455);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        for (int i = 0; i < length; i++) {
            p[i] = (byte) alphabet.charAt(r.nextInt(alphabet.length()));
        }
        return p;
    }

    /** Byte {@code i} (0–7) of the 8-letter ASCII form of {@code seq}: one letter a–p per 4 bits. */
    static byte seqLetter(long seq, int i) {
        return (byte) ('a' + (int) ((seq >>> (4 * (7 - i))) & 15));
    }

    static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long getLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[off + i] & 0xFF);
        }
        return v;
    }
}
