package io.loomsocket.io;

import io.loomsocket.SlowConsumerPolicy;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketClosedException;
import io.loomsocket.WebSocketListener;
import io.loomsocket.handshake.HttpRequestHead;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.Connection;
import io.loomsocket.protocol.ConnectionState;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Opcode;
import io.loomsocket.protocol.ProtocolException;
import io.loomsocket.protocol.Role;
import io.loomsocket.protocol.deflate.DeflateOptions;
import io.loomsocket.protocol.deflate.DeflateParams;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One WebSocket connection on a {@link Transport}: the {@link WebSocket} the application holds,
 * put together from the rooms of this package. It owns no lock itself; each room owns its state
 * and its lock (see {@code package-info.java} for the rules):
 *
 * <ul>
 *   <li>{@link ReadLoop}: the reader thread, bytes into the core, events out;
 *   <li>{@link GuardedConnection}: the sans-I/O core and the lock that serialises it;
 *   <li>{@link Inbox}: data messages waiting for {@link #receive} (absent in inline mode);
 *   <li>{@link Outbound}: the queue, its watermarks and the coalescing writer;
 *   <li>{@link Pings}: pings sent and their futures; {@link Keepalive}: pings and idle timeout on
 *       the owner's {@link Timers};
 *   <li>{@link Closing}: the closing handshake, failing, aborting, and the end.
 * </ul>
 */
public final class SocketSession implements WebSocket, BroadcastTarget {

    private final Transport transport;
    private final SessionOptions options;
    private final Timers timers;
    private final String path;
    private final Optional<String> subprotocol;
    private final String extensions;
    private final FrameSharing sharing;
    private final byte[] leftover;
    private final GuardedConnection core;
    private final Outbound outbound;
    private final SessionCounters counters;
    private final Pings pings;
    private final Closing closing;
    // 0 until a slow-consumer close has started; a field updater: one object less per connection.
    private static final AtomicIntegerFieldUpdater<SocketSession> SLOW_CLOSING =
            AtomicIntegerFieldUpdater.newUpdater(SocketSession.class, "slowClosing");
    private volatile int slowClosing;

    private final Budgets budgets;

    // Set once, before the reader starts, by start() or runInline().
    private Inbox inbox; // null in inline mode
    private volatile ReadLoop reader;
    private Thread readerThread;
    private boolean inline;

    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private volatile HttpRequestHead request;
    private volatile Map<String, String> pathParameters = Map.of();

    /**
     * @param connection the core, already {@link Connection#open() open}
     * @param timers the owner's timers: the server's, or {@link Timers#shared()} for a client
     * @param leftover bytes read past the end of the handshake: the first frame bytes
     */
    public SocketSession(Transport transport, Connection connection, SessionOptions options, Timers timers, String path,
                         Optional<String> subprotocol, byte[] leftover) {
        this(transport, connection, options, timers, path, subprotocol, "", leftover);
    }

    /**
     * @param extensions the 101 response's {@code Sec-WebSocket-Extensions} value, "" if none;
     *     the core was built with what it negotiated
     */
    public SocketSession(Transport transport, Connection connection, SessionOptions options, Timers timers, String path,
                         Optional<String> subprotocol, String extensions, byte[] leftover) {
        this(transport, connection, options, timers, path, subprotocol, extensions, leftover, SessionCounters.NONE);
    }

    /**
     * @param counters the owner's traffic counters (a server's), or {@link SessionCounters#NONE}
     */
    public SocketSession(Transport transport, Connection connection, SessionOptions options, Timers timers, String path,
                         Optional<String> subprotocol, String extensions, byte[] leftover, SessionCounters counters) {
        this(transport, connection, options, timers, path, subprotocol, extensions, leftover, counters, Budgets.NONE);
    }

    /**
     * @param budgets the memory budgets the owner's connections share (a server's), or
     *     {@link Budgets#NONE}
     */
    public SocketSession(Transport transport, Connection connection, SessionOptions options, Timers timers, String path,
                         Optional<String> subprotocol, String extensions, byte[] leftover, SessionCounters counters,
                         Budgets budgets) {
        this.budgets = budgets;
        this.counters = counters;
        this.pings = new Pings(counters);
        this.extensions = extensions;
        this.sharing = sharingOf(connection);
        this.transport = transport;
        this.options = options;
        this.timers = timers;
        this.path = path;
        this.subprotocol = subprotocol;
        this.leftover = leftover;
        this.outbound = new Outbound(transport, timers, options.highWatermark(), options.lowWatermark(), this::closeIfDue,
                counters, budgets.outbound());
        this.core = new GuardedConnection(connection, outbound);
        this.closing = new Closing(core, outbound, pings, transport, timers, options.closeTimeout());
    }

    private static FrameSharing sharingOf(Connection connection) {
        if (connection.role() != Role.SERVER) {
            return FrameSharing.PER_CONNECTION;
        }
        return connection.deflate().<FrameSharing>map(p -> {
            if (!p.serverNoContextTakeover() && p.serverMaxWindowBits() == DeflateOptions.MAX_WINDOW_BITS) {
                return FrameSharing.PER_CONNECTION;
            }
            DeflateOptions local = connection.deflateOptions();
            return new FrameSharing.Deflated(local.level(), local.threshold(), p.serverMaxWindowBits());
        }).orElse(FrameSharing.PLAIN);
    }

    private void closeIfDue() {
        closing.closeIfDue();
    }

    /** Pull mode: starts the reader thread, feeding an inbox that {@link #receive} takes from. */
    public void start(String threadName) {
        inbox = new Inbox(options.inboxLimit(), budgets.inbound());
        closing.attach(inbox);
        reader = new ReadLoop(this, transport, core, outbound, pings, closing, timers, options.closeTimeout(), inbox,
                inbox::put, leftover, budgets);
        Thread t = Thread.ofVirtual().name(threadName).unstarted(reader::run);
        readerThread = t;
        t.start();
        Keepalive.start(this, options, timers);
    }

    /**
     * Inline mode: the calling thread becomes the reader and calls {@code listener} itself (see
     * {@link InlineListener}). Returns when the connection is closed, after
     * {@link WebSocketListener#onClose}. From inside a callback, {@link #close} does not wait for
     * the peer's reply (the reader must read it), and {@link #receive} is refused.
     */
    public void runInline(WebSocketListener listener) {
        inline = true;
        readerThread = Thread.currentThread();
        InlineListener calls = new InlineListener(this, listener);
        reader = new ReadLoop(this, transport, core, outbound, pings, closing, timers, options.closeTimeout(), null,
                calls, leftover, budgets);
        Keepalive.start(this, options, timers);
        calls.opened();
        reader.run();
        calls.closed();
    }

    private boolean onInlineReader() {
        return inline && readerThread == Thread.currentThread();
    }

    /** Runs {@code listener} once the connection is closed (at once if it already is). */
    @Override
    public void onClosed(Runnable listener) {
        closing.onClosed(listener);
    }

    /**
     * Queues and writes the close deferred behind earlier messages (the failure of a bad frame,
     * or the reply to the peer's close), once they were handled: from the reader, from
     * {@link #receive} when the application is back for more and the reader has delivered every
     * message before it ({@link Inbox#failureDue}), or from the deferred-close timer. Off the
     * reader, the end is then bounded by the close timeout: the reader may be parked in a read
     * with no timeout, waiting for a peer that never closes.
     */
    void applyPendingClose() {
        if (core.applyPendingClose()) {
            if (inbox != null) {
                inbox.end();
            }
            try {
                outbound.write();
            } catch (IOException e) {
                closing.abort();
            }
            if (Thread.currentThread() != readerThread) {
                closing.abortAfterCloseTimeout();
            }
        }
    }

    SessionCounters counters() {
        return counters;
    }

    /**
     * The reader found that the received bytes fail the connection (once): counted by rule,
     * logged (the rule, never the bytes) and, while a recording wants it, a Flight Recorder event.
     */
    void receiveFailed(RuntimeException failure) {
        if (failure instanceof ProtocolException p) {
            counters.violation(p.violation());
            ConnectionEvents.protocolFailure(this, p);
        }
        ConnectionLog.receiveFailed(this, failure);
    }

    long lastActivityNanos() {
        ReadLoop r = reader;
        long read = r != null ? r.lastReadNanos() : outbound.lastWriteNanos();
        return Math.max(read, outbound.lastWriteNanos());
    }

    // ---------------------------------------------------------------- receiving

    @Override
    public DataMessage receive() throws IOException, InterruptedException {
        return receive(false, 0).orElseThrow();
    }

    @Override
    public Optional<DataMessage> receive(Duration timeout) throws IOException, InterruptedException {
        return receive(true, Math.max(0, timeout.toNanos()));
    }

    private Optional<DataMessage> receive(boolean timed, long timeoutNanos) throws IOException, InterruptedException {
        if (inline) {
            throw new IllegalStateException("this connection delivers its messages to a listener; receive() is not available");
        }
        if (inbox == null) {
            throw new IllegalStateException("the connection's reader has not been started");
        }
        inbox.back();
        if (inbox.failureDue()) {
            applyPendingClose(); // the application has handled every message before the bad frame or close
        }
        DataMessage m = inbox.take(timed, timeoutNanos);
        if (m != null) {
            return Optional.of(m);
        }
        if (timed && !inbox.isDone()) {
            return Optional.empty();
        }
        closing.awaitClosed(options.closeTimeout().multipliedBy(2)); // so that closeCode() is final
        throw closing.closedException();
    }

    @Override
    public Iterator<DataMessage> iterator() {
        return new Iterator<>() {
            private DataMessage next;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (next == null && !done) {
                    try {
                        next = receive();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        done = true;
                    } catch (IOException e) {
                        done = true; // closed
                    }
                }
                return next != null;
            }

            @Override
            public DataMessage next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("connection closed");
                }
                DataMessage m = next;
                next = null;
                return m;
            }
        };
    }

    // ---------------------------------------------------------------- sending

    @Override
    public void sendText(CharSequence text, boolean last) throws IOException {
        send(Opcode.TEXT, text.toString().getBytes(StandardCharsets.UTF_8), last);
    }

    @Override
    public void sendBinary(byte[] data, boolean last) throws IOException {
        send(Opcode.BINARY, data, last);
    }

    /**
     * Queues the frame (waiting while another thread's fragmented message goes out), writes it or
     * leaves it to the active writer, then waits while the queue is over the high watermark.
     */
    private void send(Opcode type, byte[] data, boolean last) throws IOException {
        long ownFramesEnd;
        try {
            ownFramesEnd = core.sendData(type, data, last);
        } catch (GuardedConnection.NotOpen e) {
            throw closing.closedException();
        }
        if (last) {
            counters.messageQueued(); // a message, however many fragments it took
        }
        try {
            outbound.write();
            if (!outbound.awaitBelowHigh() && outbound.writtenTotal() < ownFramesEnd) {
                throw closing.closedException(); // the connection ended before our frames went out
            }
        } catch (WebSocketClosedException | InterruptedIOException e) {
            core.abandonMessage();
            throw e;
        } catch (IOException e) {
            if (outbound.writtenTotal() >= ownFramesEnd) {
                // Our frames went out; what failed was a later frame (say, the reply to the
                // peer's close) that this thread wrote as the active writer. The send succeeded.
                return;
            }
            // The peer went away mid-write (broken pipe, reset): for the application that is
            // the connection closing, not an I/O fault of its own.
            core.abandonMessage();
            WebSocketClosedException closed = closing.closedException();
            closed.initCause(e);
            throw closed;
        }
    }

    @Override
    public boolean sharesFrames() {
        return core.role() == Role.SERVER;
    }

    /**
     * {@link FrameSharing#PER_CONNECTION} on a client (masked frames) and on a server with server
     * context takeover; {@link FrameSharing.Deflated} for a server without it; else plain.
     */
    @Override
    public FrameSharing sharing() {
        return sharing;
    }

    @Override
    public Offer offerFrame(byte[] encodedFrame, SlowConsumerPolicy policy) {
        if (!sharesFrames()) {
            throw new IllegalStateException("a client's frames are masked: they cannot be shared");
        }
        return offered(outbound.offer(encodedFrame), policy);
    }

    @Override
    public Offer offerMessage(Opcode type, byte[] payload, SlowConsumerPolicy policy) {
        return offered(core.offerMessage(type, payload), policy);
    }

    /** The slow-consumer decision for a refused offer: drop the message, or close the receiver once. */
    private Offer offered(Outbound.Offer result, SlowConsumerPolicy policy) {
        return switch (result) {
            case QUEUED -> {
                counters.messageQueued();
                yield Offer.QUEUED;
            }
            case CLOSED -> Offer.CLOSED;
            case FULL -> {
                if (policy == SlowConsumerPolicy.DROP) {
                    counters.slowConsumerDropped(); // counted, not logged: it happens per message
                    yield Offer.DROPPED;
                }
                if (!SLOW_CLOSING.compareAndSet(this, 0, 1)) {
                    yield Offer.CLOSED; // already being closed: counted and logged once
                }
                counters.slowConsumerClosed();
                ConnectionLog.slowConsumerClosed(this, outbound.queuedBytes(), policy.closeCode());
                Thread.ofVirtual().name("loomsocket-slow-close").start(() -> close(policy.closeCode(), "slow consumer"));
                yield Offer.SLOW_CLOSED;
            }
        };
    }

    /** Bytes queued and not yet written. */
    public long queuedBytes() {
        return outbound.queuedBytes();
    }

    /** Bytes written to the transport since the handshake: frames as on the wire. */
    public long bytesSent() {
        return outbound.writtenTotal();
    }

    /**
     * Bytes read from the transport since the handshake. Exact on the reader thread (a close
     * listener) or once the connection is closed; from another thread while it is open, a value
     * that may lag.
     */
    public long bytesReceived() {
        ReadLoop r = reader;
        return r == null ? 0 : r.bytesRead();
    }

    /** Pongs replaced by a newer one before they went out (a ping flood; see {@link Outbound}). */
    long coalescedPongs() {
        return outbound.coalescedPongs();
    }

    /** Whether a thread is writing this connection's queue now. */
    boolean writing() {
        return outbound.isWriting();
    }

    /** Received messages waiting for {@link #receive}; 0 in inline mode. */
    int inboxCount() {
        Inbox i = inbox;
        return i == null ? 0 : i.count();
    }

    /** Their size (bytes of binary, chars of text); 0 in inline mode. */
    long inboxSize() {
        Inbox i = inbox;
        return i == null ? 0 : i.size();
    }

    @Override
    public CompletableFuture<Duration> ping() throws IOException {
        CompletableFuture<Duration> future = new CompletableFuture<>();
        byte[] payload = pings.register(timers.nanoTime(), future);
        try {
            core.sendPing(payload);
        } catch (GuardedConnection.NotOpen e) {
            pings.unregister(payload);
            throw closing.closedException();
        }
        outbound.write();
        return future;
    }

    /** Whether a ping sent before {@code nanos} is still unanswered (for the keepalive). */
    boolean hasPingOlderThan(long nanos) {
        return pings.hasPingOlderThan(nanos);
    }

    @Override
    public Optional<Duration> lastRoundTrip() {
        return Optional.ofNullable(pings.lastRoundTrip());
    }

    // ---------------------------------------------------------------- closing

    @Override
    public void close(CloseCode code, String reason) {
        closing.close(code, reason, !onInlineReader()); // the inline reader reads the reply once the callback returns
    }

    @Override
    public void abort() {
        closing.abort();
    }

    /**
     * Fails the connection (§7.1.7): sends a close frame with {@code code} if it can within the
     * close timeout, then closes the TCP connection. Does not wait.
     */
    public void fail(CloseCode code, String reason) {
        closing.fail(code, reason);
    }

    @Override
    public boolean awaitClosed(Duration timeout) throws InterruptedException {
        if (onInlineReader()) {
            return closing.isClosed(); // waiting here would stop the reader that closes it
        }
        Inbox in = inbox;
        if (in == null) {
            return closing.awaitClosed(timeout);
        }
        // The application waits for the end rather than answering: a close deferred behind the
        // messages it has not handled goes out now (or as soon as it arrives), not after the close timeout.
        in.awaitingEnd(true);
        try {
            applyPendingClose();
            return closing.awaitClosed(timeout);
        } finally {
            in.awaitingEnd(false);
        }
    }

    @Override
    public ConnectionState state() {
        return core.state();
    }

    @Override
    public boolean isOpen() {
        return core.state() == ConnectionState.OPEN;
    }

    @Override
    public boolean isClosed() {
        return core.state() == ConnectionState.CLOSED;
    }

    @Override
    public CloseCode closeCode() {
        return core.closeCode();
    }

    @Override
    public String closeReason() {
        return core.closeReason();
    }

    // ---------------------------------------------------------------- what the handshake learned

    @Override
    public String path() {
        return path;
    }

    /** Server side: records what the handshake learned, before {@link #start}. */
    public void setRequest(HttpRequestHead head, Map<String, String> pathParameters, Map<String, Object> attributes) {
        this.request = head;
        this.pathParameters = Map.copyOf(pathParameters);
        this.attributes.putAll(attributes);
    }

    @Override
    public Optional<HttpRequestHead> request() {
        return Optional.ofNullable(request);
    }

    @Override
    public Map<String, String> pathParameters() {
        return pathParameters;
    }

    @Override
    public Map<String, Object> attributes() {
        return attributes;
    }

    @Override
    public Optional<String> subprotocol() {
        return subprotocol;
    }

    @Override
    public String extensions() {
        return extensions;
    }

    @Override
    public Optional<DeflateParams> deflate() {
        return core.deflate();
    }

    @Override
    public SocketAddress remoteAddress() {
        return transport.remoteAddress();
    }
}
