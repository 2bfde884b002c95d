package io.loomsocket.io;

import io.loomsocket.handshake.HttpHeadParser;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;

/** Reads an HTTP head from a transport; keeps the bytes that follow it (the first frames). */
public final class HandshakeReader {

    private static final byte[] NOTHING = new byte[0];

    private HandshakeReader() {}

    /** What was read: the parser holds the head, {@code leftover} the bytes after it. */
    public record Result(HttpHeadParser parser, byte[] leftover) {}

    /**
     * Feeds the parser until the head is complete. The parser's limits bound what is buffered;
     * {@code timeout} bounds the whole head, not each read, so a peer that trickles a byte at a
     * time is cut off too. The read timeout is left at 0 (none) afterwards.
     *
     * @throws io.loomsocket.handshake.HandshakeException for a malformed or oversized head
     * @throws SocketTimeoutException when the head is not complete in time; its message says it
     *     was the handshake
     * @throws EOFException if the peer closes before the head is complete
     */
    public static Result read(Transport transport, HttpHeadParser parser, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        // Small: a typical upgrade request is a few hundred bytes, and every byte allocated per
        // connection counts when a server holds tens of thousands (docs/benchmarks.md).
        byte[] buf = new byte[512];
        while (true) {
            long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMillis <= 0) {
                throw new SocketTimeoutException("opening handshake not complete within " + timeout.toMillis() + " ms");
            }
            transport.setReadTimeout(leftMillis);
            int n;
            try {
                n = transport.read(buf);
            } catch (SocketTimeoutException e) {
                throw new SocketTimeoutException("opening handshake not complete within " + timeout.toMillis() + " ms");
            }
            if (n < 0) {
                throw new EOFException("connection closed during the opening handshake");
            }
            int used = parser.feed(buf, 0, n);
            if (parser.isComplete()) {
                transport.setReadTimeout(0);
                return new Result(parser, used == n ? NOTHING : Arrays.copyOfRange(buf, used, n));
            }
        }
    }
}
