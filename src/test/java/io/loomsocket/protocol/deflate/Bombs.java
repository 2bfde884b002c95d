package io.loomsocket.protocol.deflate;

/** Decompression bombs for tests in other packages. */
public final class Bombs {

    private Bombs() {}

    /** {@code zeros} zero bytes compressed as a permessage-deflate payload, streamed: never in memory whole. */
    public static byte[] zerosCompressed(long zeros) {
        return MessageCodecTest.zerosCompressed(zeros);
    }
}
