package io.loomsocket.redis;

import io.loomsocket.io.SocketTransport;
import io.loomsocket.io.Transport;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One blocking connection to a Redis server over a {@link Transport}: {@link #open} connects and
 * logs in ({@link RedisHandshake}: {@code HELLO 3}, or RESP2's {@code AUTH} and
 * {@code CLIENT SETNAME}); then {@link #call} for request and reply, or {@link #send},
 * {@link #flush} and {@link #read} for pipelining and subscriptions.
 *
 * <p>Reading: the transport is read in chunks of up to 64 KiB into a {@link RespParser}. Writing:
 * {@link #send} only encodes into a buffer ({@link RespWriter}); {@link #flush} writes all of it
 * in one {@link Transport#write}.
 *
 * <p>Threads and locks. <b>One reader at a time</b>: {@link #read} and {@link #call} take the
 * read lock, so concurrent readers queue up; replies come in the order commands were flushed, and
 * it is the callers' business to read them in that order. <b>Writers</b> ({@link #send},
 * {@link #flush}) take the write lock, a different one, so a thread may send while another is
 * blocked in {@link #read}: a subscriber's reader thread waits for pushes while a control thread
 * sends {@code SUBSCRIBE}/{@code UNSUBSCRIBE} with {@code send} + {@code flush}. {@link #call}
 * holds the read lock across its write and its read, so concurrent {@code call}s each get their
 * own reply; but a {@code call} waits for a reader blocked in {@code read}, so on a subscribed
 * connection only {@code send}/{@code flush} are for other threads. {@link #call} also flushes
 * whatever {@code send} buffered, and reads the first reply due: do not mix it with an unfinished
 * pipeline. Both locks are {@link ReentrantLock}s (a virtual thread blocked in a monitor would pin
 * its carrier); the read lock is held while blocked in the transport's read, the write lock while
 * blocked in its write. Lock order: the read lock, then the write lock ({@code call}); never the
 * reverse. {@link #close} takes no lock and may be called by any thread: it fails a
 * blocked read or write.
 *
 * <p>Failures: an I/O error, the end of the stream, or a {@link RespProtocolException} closes the
 * connection before it is thrown; so does a read timeout ({@link #setReadTimeout}) in
 * {@link #call}, whose reply would otherwise be taken for the next one's. A read timeout in
 * {@link #read} leaves the connection open (a subscriber may poll), the value in progress kept.
 * An {@link RespValue.Error} reply is a value: {@link #call} returns it, {@link #callOrThrow}
 * throws a {@link RedisException}.
 */
public final class RedisConnection implements AutoCloseable {

    private static final int READ_CHUNK = 64 * 1024;

    private final Transport transport;
    private final String peer;
    private final RespParser parser;
    private final byte[] readBuffer = new byte[READ_CHUNK];
    private final RespWriter writer = new RespWriter();
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile int protocol = 2;
    private volatile RespValue hello;

    private RedisConnection(Transport transport, String peer, RedisOptions options) {
        this.transport = transport;
        this.peer = peer;
        this.parser = new RespParser(options.maxBulkBytes(), RespParser.DEFAULT_MAX_DEPTH);
    }

    /**
     * Connects to {@code uri}'s server (TCP_NODELAY, within {@code options.connectTimeout()}) and
     * logs in with its credentials.
     *
     * @throws RedisException the server refused the login (its error in the message, never the password)
     * @throws IOException    the connection or the handshake failed
     */
    public static RedisConnection open(RedisUri uri, RedisOptions options) throws IOException {
        String peer = address(uri);
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(uri.host(), uri.port()),
                    (int) Math.min(Integer.MAX_VALUE, Math.max(1, options.connectTimeout().toMillis())));
        } catch (IOException e) {
            socket.close();
            String message = "cannot connect to Redis at " + peer + ": " + e;
            IOException wrapped = e instanceof SocketTimeoutException ? new SocketTimeoutException(message)
                    : new ConnectException(message);
            wrapped.initCause(e);
            throw wrapped;
        }
        return handshake(new SocketTransport(socket), peer, uri, options);
    }

    /**
     * The handshake of {@link #open} on a transport already connected, without credentials.
     * {@link Transport} is not exported: this is for the module itself (its tests, TLS later).
     */
    @SuppressWarnings("exports")
    public static RedisConnection over(Transport transport, RedisOptions options) throws IOException {
        return over(transport, null, options);
    }

    /** {@link #over(Transport, RedisOptions)} with {@code uri}'s credentials (null: none); its host and port name the peer in messages. */
    @SuppressWarnings("exports")
    public static RedisConnection over(Transport transport, RedisUri uri, RedisOptions options) throws IOException {
        return handshake(transport, uri == null ? String.valueOf(transport.remoteAddress()) : address(uri), uri, options);
    }

    private static RedisConnection handshake(Transport transport, String peer, RedisUri uri, RedisOptions options)
            throws IOException {
        RedisConnection c = new RedisConnection(transport, peer, options);
        try {
            c.setReadTimeout(Math.max(1, options.connectTimeout().toMillis()));
            RedisHandshake.Result r = RedisHandshake.run(c, uri, options);
            c.protocol = r.protocol();
            c.hello = r.hello();
            c.setReadTimeout(0);
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private static String address(RedisUri uri) {
        return (uri.host().indexOf(':') >= 0 ? "[" + uri.host() + "]" : uri.host()) + ":" + uri.port();
    }

    /** 3 if {@code HELLO 3} was accepted, else 2. */
    public int protocol() {
        return protocol;
    }

    /** The server's reply to {@code HELLO 3} (a {@link RespValue.Map}: server, version, proto, id, ...), or null under RESP2. */
    public RespValue hello() {
        return hello;
    }

    /**
     * Sends one command (and whatever {@link #send} buffered) and reads one reply. An error reply
     * is returned as a {@link RespValue.Error}. Under RESP3 a push that arrives first is returned
     * too: a connection that subscribes uses {@link #read}.
     */
    public RespValue call(Object... args) throws IOException {
        readLock.lock();
        try {
            send(args);
            flush();
            return readLocked(true);
        } finally {
            readLock.unlock();
        }
    }

    /** {@link #call}, but an error reply throws a {@link RedisException} naming the command. */
    public RespValue callOrThrow(Object... args) throws IOException {
        RespValue v = call(args);
        if (v instanceof RespValue.Error e) {
            throw new RedisException(commandName(args) + " failed on " + peer + ": " + e.message(), e);
        }
        return v;
    }

    /** Appends a command to the write buffer; nothing is written until {@link #flush}. */
    public void send(Object... args) throws IOException {
        writeLock.lock();
        try {
            ensureOpen();
            writer.append(args);
        } finally {
            writeLock.unlock();
        }
    }

    /** Writes everything {@link #send} buffered, in one write. Blocks while the server does not read. */
    public void flush() throws IOException {
        writeLock.lock();
        try {
            ensureOpen();
            if (writer.size() == 0) {
                return;
            }
            try {
                transport.write(writer.array(), 0, writer.size());
            } catch (IOException e) {
                close();
                throw e;
            } finally {
                writer.reset();
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** The next value from the server, a reply or a push; blocks until it is complete. */
    public RespValue read() throws IOException {
        readLock.lock();
        try {
            return readLocked(false);
        } finally {
            readLock.unlock();
        }
    }

    private RespValue readLocked(boolean replyDue) throws IOException {
        ensureOpen();
        try {
            while (true) {
                RespValue v = parser.next();
                if (v != null) {
                    return v;
                }
                int n = transport.read(readBuffer);
                if (n < 0) {
                    close();
                    throw new EOFException("Redis at " + peer + " closed the connection");
                }
                parser.feed(readBuffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            if (replyDue) {
                close();
            }
            throw e;
        } catch (IOException e) {
            close();
            if (e instanceof RespProtocolException || e instanceof EOFException) {
                throw e;
            }
            throw new IOException("reading from Redis at " + peer + " failed: " + e.getMessage(), e);
        }
    }

    /** Bounds each later wait for bytes in {@link #read} and {@link #call}; 0 for none. */
    public void setReadTimeout(long millis) throws IOException {
        transport.setReadTimeout(millis);
    }

    /** Closes the transport; a blocked read or write fails. Idempotent, never throws, any thread. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            transport.close();
        }
    }

    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public String toString() {
        return "RedisConnection[" + peer + ", RESP" + protocol + (isClosed() ? ", closed" : "") + "]";
    }

    private void ensureOpen() throws IOException {
        if (closed.get()) {
            throw new IOException("the connection to Redis at " + peer + " is closed");
        }
    }

    /** Whether a thread is in {@link #read} or {@link #call} (holds the read lock): for tests. */
    boolean isReading() {
        return readLock.isLocked();
    }

    String peer() {
        return peer;
    }

    /** The command's name for messages: its first argument, upper case; never the other arguments. */
    static String commandName(Object... args) {
        if (args.length == 0) {
            return "(no command)";
        }
        Object a = args[0];
        String name = a instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(a);
        return name.toUpperCase(Locale.ROOT);
    }
}
