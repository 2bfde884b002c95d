package io.loomsocket.io;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * The byte stream under one connection: a plain TCP socket ({@link SocketTransport}) or TLS
 * over one ({@link TlsTransport}). A session talks to this and nothing else, so a new transport is a new class,
 * not a branch in every method.
 *
 * <p>Threads: {@link #read} is called by the connection's one reader thread only (the handshake
 * reader first, then the session's reader); {@link #write} by the one active writer at a time
 * (see {@link Outbound}); {@link #shutdownOutput} after the last write; {@link #close} and
 * {@link #setReadTimeout} by any thread. Implementations need no lock of their own for that.
 */
public interface Transport {

    /** Reads up to {@code buf.length} bytes; -1 at the end of the stream. Blocks. */
    int read(byte[] buf) throws IOException;

    /** Writes all of {@code len} bytes. Blocks while the peer does not read. */
    void write(byte[] buf, int off, int len) throws IOException;

    /**
     * Ends our direction of the stream after everything written (TCP FIN). Reading goes on: a
     * lingering close reads the peer's last bytes and its end of stream.
     */
    void shutdownOutput() throws IOException;

    /** Closes both directions at once; a blocked read or write fails. Never throws. */
    void close();

    /**
     * Bounds each later {@link #read}: a read that waits longer fails with
     * {@link java.net.SocketTimeoutException}. Zero for no bound.
     */
    void setReadTimeout(long millis) throws IOException;

    SocketAddress remoteAddress();
}
