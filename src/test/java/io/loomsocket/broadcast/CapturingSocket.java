package io.loomsocket.broadcast;

import io.loomsocket.io.SessionOptions;
import io.loomsocket.io.SocketSession;
import io.loomsocket.io.SocketTransport;
import io.loomsocket.io.Timers;
import io.loomsocket.protocol.Connection;
import io.loomsocket.protocol.ConnectionConfig;
import io.loomsocket.protocol.MaskKeySource;
import io.loomsocket.protocol.Role;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A socket that is no socket: it hands every array written to it to the test, as is, so that a
 * test can see <em>which</em> byte array a session writes, and it can hold writes until released
 * (a peer that does not read). Its session's reader is never started.
 */
final class CapturingSocket extends Socket {

    /** Every array passed to a write, the very instance. */
    final BlockingQueue<byte[]> writes = new LinkedBlockingQueue<>();
    private final CountDownLatch writesAllowed;

    private CapturingSocket(boolean blocked) {
        this.writesAllowed = new CountDownLatch(blocked ? 1 : 0);
    }

    /** A server-side session on a capturing socket; {@code blocked}: writes wait for {@link #release}. */
    static SocketSession session(boolean blocked) throws IOException {
        return session(new CapturingSocket(blocked));
    }

    static SocketSession session(CapturingSocket socket) throws IOException {
        ConnectionConfig config = new ConnectionConfig(ConnectionConfig.DEFAULT_MAX_SIZE, ConnectionConfig.DEFAULT_MAX_SIZE,
                MaskKeySource.none());
        Connection conn = new Connection(Role.SERVER, config);
        conn.open();
        return new SocketSession(new SocketTransport(socket), conn, SessionOptions.of(config, Duration.ofSeconds(1), 64), Timers.shared(), "/", Optional.empty(),
                new byte[0]);
    }

    static CapturingSocket blocked() {
        return new CapturingSocket(true);
    }

    static CapturingSocket open() {
        return new CapturingSocket(false);
    }

    void release() {
        writesAllowed.countDown();
    }

    @Override
    public OutputStream getOutputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b) throws IOException {
                write(b, 0, b.length);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                try {
                    writesAllowed.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                writes.add(off == 0 && len == b.length ? b : Arrays.copyOfRange(b, off, off + len));
            }
        };
    }

    @Override
    public InputStream getInputStream() {
        return InputStream.nullInputStream();
    }

    @Override
    public synchronized void close() {
        release();
    }
}
