package io.loomsocket.protocol.deflate;

import java.util.Arrays;

/**
 * A tiny DEFLATE reader (RFC 1951), after zlib's puff.c, for tests only: it inflates a
 * permessage-deflate payload (trailer appended) and reports the longest back-reference distance,
 * which java.util.zip cannot tell. It proves that what a window-limited MessageDeflater sends
 * fits the window it promised.
 */
final class InflateCheck {

    record Result(byte[] output, int maxDistance) {}

    private static final int[] LEN_BASE = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99,
            115, 131, 163, 195, 227, 258};
    private static final int[] LEN_EXTRA = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    private static final int[] DIST_BASE = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025,
            1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    private static final int[] DIST_EXTRA = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12,
            12, 13, 13};
    private static final int[] ORDER = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

    private final byte[] in;
    private int pos;
    private int bitBuf;
    private int bitCount;
    private byte[] out = new byte[1024];
    private int size;
    private int maxDistance;

    private InflateCheck(byte[] in) {
        this.in = in;
    }

    /** Inflates {@code payload} + 00 00 ff ff up to the end of the last sync-flushed block. */
    static Result inflate(byte[] payload) {
        byte[] all = new byte[payload.length + 4];
        System.arraycopy(payload, 0, all, 0, payload.length);
        all[payload.length + 2] = (byte) 0xff;
        all[payload.length + 3] = (byte) 0xff;
        InflateCheck c = new InflateCheck(all);
        boolean last;
        do {
            last = c.bits(1) == 1;
            switch (c.bits(2)) {
                case 0 -> c.stored();
                case 1 -> c.codes(Huffman.fixedLengths(), Huffman.fixedDistances());
                case 2 -> c.dynamic();
                default -> throw new IllegalStateException("invalid block type");
            }
        } while (!last && c.pos < all.length);
        return new Result(Arrays.copyOf(c.out, c.size), c.maxDistance);
    }

    private int bits(int need) {
        int val = bitBuf;
        while (bitCount < need) {
            if (pos >= in.length) {
                throw new IllegalStateException("out of input");
            }
            val |= (in[pos++] & 0xff) << bitCount;
            bitCount += 8;
        }
        bitBuf = val >>> need;
        bitCount -= need;
        return val & ((1 << need) - 1);
    }

    private void stored() {
        bitBuf = 0;
        bitCount = 0;
        int len = (in[pos] & 0xff) | (in[pos + 1] & 0xff) << 8;
        pos += 4;
        for (int i = 0; i < len; i++) {
            emit(in[pos++]);
        }
    }

    private void emit(byte b) {
        if (size == out.length) {
            out = Arrays.copyOf(out, size * 2);
        }
        out[size++] = b;
    }

    private void codes(Huffman lencode, Huffman distcode) {
        while (true) {
            int sym = lencode.decode(this::bits);
            if (sym < 256) {
                emit((byte) sym);
            } else if (sym == 256) {
                return;
            } else {
                sym -= 257;
                int len = LEN_BASE[sym] + bits(LEN_EXTRA[sym]);
                int dsym = distcode.decode(this::bits);
                int dist = DIST_BASE[dsym] + bits(DIST_EXTRA[dsym]);
                maxDistance = Math.max(maxDistance, dist);
                if (dist > size) {
                    throw new IllegalStateException("distance too far back");
                }
                for (int i = 0; i < len; i++) {
                    emit(out[size - dist]);
                }
            }
        }
    }

    private void dynamic() {
        int nlen = bits(5) + 257;
        int ndist = bits(5) + 1;
        int ncode = bits(4) + 4;
        int[] lengths = new int[19];
        for (int i = 0; i < ncode; i++) {
            lengths[ORDER[i]] = bits(3);
        }
        Huffman lencode = new Huffman(lengths, 19);
        int[] all = new int[nlen + ndist];
        int index = 0;
        while (index < nlen + ndist) {
            int sym = lencode.decode(this::bits);
            if (sym < 16) {
                all[index++] = sym;
            } else {
                int len = 0;
                int repeat;
                if (sym == 16) {
                    len = all[index - 1];
                    repeat = 3 + bits(2);
                } else if (sym == 17) {
                    repeat = 3 + bits(3);
                } else {
                    repeat = 11 + bits(7);
                }
                while (repeat-- > 0) {
                    all[index++] = len;
                }
            }
        }
        int[] l = new int[nlen];
        int[] d = new int[ndist];
        System.arraycopy(all, 0, l, 0, nlen);
        System.arraycopy(all, nlen, d, 0, ndist);
        codes(new Huffman(l, nlen), new Huffman(d, ndist));
    }

    /** Canonical Huffman decoding, bit by bit. */
    static final class Huffman {
        private final int[] count = new int[16];
        private final int[] symbol;

        Huffman(int[] lengths, int n) {
            symbol = new int[n];
            for (int i = 0; i < n; i++) {
                count[lengths[i]]++;
            }
            int[] offs = new int[16];
            for (int len = 1; len < 15; len++) {
                offs[len + 1] = offs[len] + count[len];
            }
            for (int i = 0; i < n; i++) {
                if (lengths[i] != 0) {
                    symbol[offs[lengths[i]]++] = i;
                }
            }
        }

        interface Bits {
            int read(int n);
        }

        int decode(Bits bits) {
            int code = 0;
            int first = 0;
            int index = 0;
            for (int len = 1; len <= 15; len++) {
                code |= bits.read(1);
                int c = count[len];
                if (code - c < first) {
                    return symbol[index + (code - first)];
                }
                index += c;
                first += c;
                first <<= 1;
                code <<= 1;
            }
            throw new IllegalStateException("invalid Huffman code");
        }

        static Huffman fixedLengths() {
            int[] l = new int[288];
            for (int i = 0; i < 144; i++) l[i] = 8;
            for (int i = 144; i < 256; i++) l[i] = 9;
            for (int i = 256; i < 280; i++) l[i] = 7;
            for (int i = 280; i < 288; i++) l[i] = 8;
            return new Huffman(l, 288);
        }

        static Huffman fixedDistances() {
            int[] d = new int[30];
            Arrays.fill(d, 5);
            return new Huffman(d, 30);
        }
    }
}
