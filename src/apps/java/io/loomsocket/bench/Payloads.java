package io.loomsocket.bench;

import java.util.SplittableRandom;

/** Deterministic payload contents that can be checked without keeping what was sent. */
final class Payloads {

    /** Distinct fillers: a message's filler starts at {@code pattern[seq & 255]}. */
    static final int SHIFTS = 256;

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

    /** Where the filler of message {@code seq} starts in the pattern. */
    static int shift(long seq) {
        return (int) (seq & (SHIFTS - 1));
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
