package io.loomsocket.io;

import io.loomsocket.SlowConsumerPolicy;
import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketClosedException;
import io.loomsocket.WebSocketListener;
import io.loomsocket.handshake.HttpRequestHead;
import io.loomsocket.protocol.CloseBody;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.Connection;
import io.loomsocket.protocol.ConnectionState;
import io.loomsocket.protocol.Message;
import io.loomsocket.protocol.Opcode;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A WebSocket connection on a {@link Socket}: the thin layer between the socket and the sans-I/O
 * {@link Connection}.
 *
 * <p>Threads:
 * <ul>
 *   <li>One virtual thread, the reader, reads in large chunks and feeds the core. The core's
 *       automatic replies (pong, close) are queued at once, so pings are answered while the
 *       application is busy; data messages go to a bounded inbox. In inline mode
 *       ({@link #runInline}) there is no inbox: the reader itself calls the application's
 *       listener, so a connection has one thread, and no hand-off between threads per message.
 *   <li>Frames to send are queued in protocol order. At most one thread at a time is the
 *       <em>writer</em>: the first thread that finds frames queued and nobody writing becomes it
 *       and writes everything queued — its own frames and any queued by others meanwhile — in as
 *       few socket writes as possible, until the queue is empty. Nobody ever waits to become the
 *       writer: a thread that finds a writer active leaves its frames to it. So the reader never
 *       blocks behind a sender stuck on a full socket, and two peers both sending large messages
 *       cannot deadlock.
 *   <li>The queue is bounded in bytes by watermarks: a sender waits while more than the high
 *       watermark is queued and resumes under the low one — backpressure. {@link #offer}, used by
 *       broadcasts, never waits: over the high watermark it applies the
 *       {@link SlowConsumerPolicy}.
 * </ul>
 *
 * <p>One {@link ReentrantLock} guards the core, the inbox and the queue. It is never held during
 * I/O or while application code runs. (A virtual thread blocked in I/O while holding a Java
 * monitor would pin its carrier thread on JDK 21.)
 */
public final class SocketSession implements WebSocket {

    private static final System.Logger LOG = System.getLogger(SocketSession.class.getName());
    // An idle connection's reader is parked in read() holding its buffer, so the buffer starts
    // small; it grows (x4) while reads fill it and shrinks back after a run of small reads.
    private static final int MIN_READ_BUFFER = 512;
    private static final int MAX_READ_BUFFER = 64 * 1024;
    private static final int SMALL_READS_BEFORE_SHRINK = 64;
    private static final int COALESCE_LIMIT = WriteBuffers.SIZE;
    /** Received bytes that may wait for the application before the reader stops reading. */
    private static final long INBOX_BYTE_LIMIT = 8L * 1024 * 1024;
    private static final AtomicLong DROPPED = new AtomicLong();
    private static final AtomicLong SLOW_CLOSED = new AtomicLong();

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Connection conn;
    private final SessionOptions options;
    private final String path;
    private final Optional<String> subprotocol;
    private final byte[] leftover;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition inboxNotEmpty = lock.newCondition();
    private final Condition inboxNotFull = lock.newCondition();
    private final Condition drained = lock.newCondition(); // queue fell under the low watermark
    // Small initial capacities: they grow when used, and most connections use them lightly.
    private final ArrayDeque<Message> inbox = new ArrayDeque<>(2);
    private final ArrayDeque<byte[]> outQueue = new ArrayDeque<>(2);
    private final ArrayDeque<byte[]> deferred = new ArrayDeque<>(1); // offered during a fragmented send
    private final ArrayDeque<PendingPing> pings = new ArrayDeque<>(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final List<Runnable> closeListeners = new CopyOnWriteArrayList<>();

    // Guarded by lock.
    private long queuedBytes;
    private long enqueuedTotal; // bytes ever put on outQueue, in order
    private boolean writing;
    private long inboxBytes;
    private boolean receivingDone; // no more data messages will arrive
    private boolean aborted;
    private boolean outputShut;
    private boolean slowClosing;
    private long pingCounter;
    private Opcode fragmenting; // the type of the message being sent in fragments, else null
    private String localFailure; // why we failed the connection, for closeReason()

    // The frames taken for one write; reused, not allocated per batch. Handed from one writer to the
    // next through `lock` (the `writing` flag), so every writer sees it cleared.
    private final ArrayList<byte[]> writeBatch = new ArrayList<>();
    private volatile long writtenTotal; // bytes ever written: a prefix of what was enqueued
    private volatile Duration lastRoundTrip;
    private volatile long lastActivityNanos = System.nanoTime();
    private final ReentrantLock messageLock = new ReentrantLock(); // held across a fragmented send

    // Inline mode (runInline): the reader thread itself calls the listener; no inbox, no second thread.
    private WebSocketListener inline;
    private Thread readerThread;
    private ArrayList<Message> dispatch; // the reader's messages to hand to the inline listener
    private boolean listenerFailed;

    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private volatile HttpRequestHead request;
    private volatile Map<String, String> pathParameters = Map.of();

    private record PendingPing(long id, long sentNanos, CompletableFuture<Duration> future) {}

    /**
     * @param connection the core, already {@link Connection#open() open}
     * @param leftover bytes read past the end of the handshake: the first frame bytes
     */
    public SocketSession(Socket socket, Connection connection, SessionOptions options, String path,
                         Optional<String> subprotocol, byte[] leftover) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.conn = connection;
        this.options = options;
        this.path = path;
        this.subprotocol = subprotocol;
        this.leftover = leftover;
        // Messages that arrived before a bad frame reach the application, and may be answered,
        // before the close goes out (Autobahn's "strict" behaviour, e.g. cases 3.2 and 5.15).
        connection.deferFailures(true);
    }

    /** Starts the reader thread and, if configured, the keepalive. */
    public void start(String threadName) {
        Thread t = Thread.ofVirtual().name(threadName).unstarted(this::readLoop);
        readerThread = t;
        t.start();
        Keepalive.schedule(this, options);
    }

    /**
     * Inline mode: the calling thread becomes the reader and calls {@code listener} itself, in
     * order, with no lock held — one thread per connection instead of two, and no hand-off
     * between threads per message. Returns when the connection is closed, after
     * {@link WebSocketListener#onClose}. A callback that blocks (say, in a send waiting for the
     * peer to read) stops reading meanwhile, which is TCP backpressure on the peer. From inside a
     * callback, {@link #close} does not wait for the peer's reply (the reader must read it), and
     * {@link #receive} is refused.
     */
    public void runInline(WebSocketListener listener) {
        inline = listener;
        readerThread = Thread.currentThread();
        dispatch = new ArrayList<>(4);
        Keepalive.schedule(this, options);
        try {
            listener.onOpen(this);
        } catch (Exception e) {
            listenerFailed(e);
        }
        readLoop();
        try {
            listener.onClose(this, closeCode(), closeReason());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "onClose failed", e);
        }
    }

    private boolean onReaderThread() {
        return readerThread == Thread.currentThread() && inline != null;
    }

    /** Hands the messages of one read to the inline listener; a callback's failure closes with 1011. */
    private void dispatchInline() {
        for (int i = 0; i < dispatch.size(); i++) {
            Message m = dispatch.get(i);
            if (listenerFailed) {
                break;
            }
            try {
                switch (m) {
                    case Message.Text t -> inline.onText(this, t.text());
                    case Message.Binary b -> inline.onBinary(this, b.data());
                    default -> {}
                }
            } catch (WebSocketClosedException e) {
                LOG.log(System.Logger.Level.DEBUG, "listener ended: {0}", e.getMessage());
            } catch (Exception e) {
                listenerFailed(e);
            }
        }
        dispatch.clear();
    }

    private void listenerFailed(Exception e) {
        listenerFailed = true;
        LOG.log(System.Logger.Level.WARNING, "listener failed; closing its connection with 1011", e);
        try {
            inline.onError(this, e);
        } catch (RuntimeException again) {
            LOG.log(System.Logger.Level.WARNING, "onError failed", again);
        }
        try {
            close(CloseCode.INTERNAL_ERROR, "");
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@code listener} once the connection is closed (at once if it already is). */
    public void onClosed(Runnable listener) {
        closeListeners.add(listener);
        if (closed.getCount() == 0 && closeListeners.remove(listener)) {
            listener.run();
        }
    }

    // ---------------------------------------------------------------- the reader

    private void readLoop() {
        try {
            if (leftover.length > 0 && !process(leftover, leftover.length)) {
                return;
            }
            byte[] buf = new byte[MIN_READ_BUFFER];
            int smallReads = 0;
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                lastActivityNanos = System.nanoTime();
                long writtenBefore = writtenTotal;
                if (!process(buf, n)) {
                    break;
                }
                if (n < buf.length && writtenTotal != writtenBefore) {
                    // We read all there was and answered on this connection: request/response
                    // traffic. Reading again at once would nearly always find nothing, and cost a
                    // read (EAGAIN), an epoll_ctl and a park. Letting the other connections'
                    // threads run first often gives the peer time to answer, so the next read
                    // finds data: 1.06 reads per echoed message instead of 1.41 (strace), and less
                    // server CPU per message (docs/benchmarks.md).
                    Thread.yield();
                }
                if (n == buf.length && buf.length < MAX_READ_BUFFER) {
                    buf = new byte[Math.min(buf.length * 4, MAX_READ_BUFFER)]; // busy: read in larger chunks
                    smallReads = 0;
                } else if (buf.length > MIN_READ_BUFFER && n <= MIN_READ_BUFFER
                        && ++smallReads >= SMALL_READS_BEFORE_SHRINK) {
                    buf = new byte[MIN_READ_BUFFER]; // quiet again: don't hold a large buffer while parked
                    smallReads = 0;
                }
            }
        } catch (SocketTimeoutException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing handshake timed out; aborting");
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "connection ended: {0}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "unexpected error in the reader", e);
        } finally {
            finish();
        }
    }

    /** Feeds bytes to the core and acts on the result. Returns false when the reader should stop. */
    private boolean process(byte[] buf, int n) throws IOException, InterruptedException {
        List<PendingPing> answered = null;
        boolean closeTransport;
        boolean closing;
        lock.lock();
        try {
            conn.receiveData(buf, 0, n);
            drainOutgoing();
            closeTransport = conn.shouldCloseTransport();
            closing = conn.state() != ConnectionState.OPEN;
            for (Message m; (m = conn.nextEvent()) != null; ) {
                switch (m) {
                    case Message.Text t -> deliver(t);
                    case Message.Binary b -> deliver(b);
                    case Message.Ping p -> {}
                    case Message.Pong p -> answered = matchPong(p, answered);
                    case Message.Close c -> {
                        receivingDone = true;
                        inboxNotEmpty.signalAll();
                    }
                }
            }
            if (conn.hasPendingFailure() && (dispatch == null || dispatch.isEmpty())) {
                if (inbox.isEmpty()) {
                    applyPendingFailureLocked();
                } else {
                    // The application takes the earlier messages first; receive() applies the
                    // failure when it finds the inbox empty, and a timer within the close timeout.
                    Thread.ofVirtual().name("loomsocket-fail-timer").start(this::applyPendingFailureLater);
                }
                closeTransport = conn.shouldCloseTransport();
            }
        } finally {
            lock.unlock();
        }
        // Pongs and close replies: written now, or by the writer already at work. Never waits.
        writeQueued();
        completePings(answered);
        if (dispatch != null && !dispatch.isEmpty()) {
            dispatchInline();
            // Messages before a bad frame have been handled (and answered); now the failure.
            lock.lock();
            try {
                if (conn.hasPendingFailure()) {
                    applyPendingFailureLocked();
                }
                closeTransport = conn.shouldCloseTransport();
                closing = conn.state() != ConnectionState.OPEN;
            } finally {
                lock.unlock();
            }
            writeQueued();
        }
        if (closeTransport) {
            // A lingering close: the close frame goes out, then FIN; we read on (the core discards
            // it) until the peer's EOF or the close timeout. Closing with unread input would make
            // the kernel send RST, which can destroy our close frame before the peer reads it.
            awaitWriterIdle();
            halfClose();
            socket.setSoTimeout((int) Math.max(1, options.closeTimeout().toMillis()));
            return true;
        }
        if (closing) {
            // Waiting for the peer's close frame or its EOF: bounded by the close timeout.
            socket.setSoTimeout((int) Math.max(1, options.closeTimeout().toMillis()));
        }
        return true;
    }

    /**
     * Under lock: queues a data message for the application. While the inbox is full the reader
     * waits (and stops reading, so TCP slows the peer) — unless we have sent our close: then the
     * application is not going to read on, and the reader must go on to read the peer's reply.
     */
    private void deliver(Message m) throws InterruptedException {
        if (dispatch != null) {
            dispatch.add(m); // inline mode: the reader hands it to the listener after unlocking
            return;
        }
        while (!inbox.isEmpty() && (inbox.size() >= options.inboxLimit() || inboxBytes >= INBOX_BYTE_LIMIT)
                && !receivingDone && !aborted && conn.closeSent() == null) {
            inboxNotFull.await();
        }
        inbox.add(m);
        inboxBytes += sizeOf(m);
        inboxNotEmpty.signal();
    }

    /** Under lock. */
    private void applyPendingFailureLocked() {
        conn.applyPendingFailure();
        drainOutgoing();
        receivingDone = true;
        inboxNotEmpty.signalAll();
    }

    private void applyPendingFailureLater() {
        try {
            Thread.sleep(options.closeTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lock.lock();
        try {
            if (!conn.hasPendingFailure()) {
                return;
            }
            applyPendingFailureLocked();
        } finally {
            lock.unlock();
        }
        try {
            writeQueued();
        } catch (IOException e) {
            closeSocket();
        }
    }

    private static long sizeOf(Message m) {
        return switch (m) {
            case Message.Text t -> t.text().length();
            case Message.Binary b -> b.data().length;
            default -> 0;
        };
    }

    private void finish() {
        closeSocket();
        List<PendingPing> orphaned;
        lock.lock();
        try {
            conn.receiveEof();
            receivingDone = true;
            inboxNotEmpty.signalAll();
            inboxNotFull.signalAll();
            drained.signalAll();
            orphaned = new ArrayList<>(pings);
            pings.clear();
        } finally {
            lock.unlock();
        }
        closed.countDown();
        WebSocketClosedException reason = new WebSocketClosedException(closeCode(), closeReason());
        for (PendingPing p : orphaned) {
            p.future.completeExceptionally(reason);
        }
        for (Runnable listener : closeListeners) {
            if (closeListeners.remove(listener)) {
                try {
                    listener.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "close listener failed", e);
                }
            }
        }
    }

    // ---------------------------------------------------------------- receiving

    @Override
    public Message receive() throws IOException, InterruptedException {
        return receive(false, 0).orElseThrow();
    }

    @Override
    public Optional<Message> receive(Duration timeout) throws IOException, InterruptedException {
        return receive(true, Math.max(0, timeout.toNanos()));
    }

    private Optional<Message> receive(boolean timed, long timeoutNanos) throws IOException, InterruptedException {
        if (inline != null) {
            throw new IllegalStateException("this connection delivers its messages to a listener; receive() is not available");
        }
        boolean failNow = false;
        lock.lock();
        try {
            if (inbox.isEmpty() && conn.hasPendingFailure()) {
                applyPendingFailureLocked(); // the application has taken every message before the bad frame
                failNow = true;
            }
        } finally {
            lock.unlock();
        }
        if (failNow) {
            writeQueued();
        }
        lock.lock();
        try {
            long left = timeoutNanos;
            while (inbox.isEmpty() && !receivingDone) {
                if (!timed) {
                    inboxNotEmpty.await();
                } else {
                    if (left <= 0) {
                        return Optional.empty();
                    }
                    left = inboxNotEmpty.awaitNanos(left);
                }
            }
            Message m = inbox.poll();
            if (m != null) {
                inboxBytes -= sizeOf(m);
                inboxNotFull.signal();
                return Optional.of(m);
            }
        } finally {
            lock.unlock();
        }
        awaitClosed(options.closeTimeout().multipliedBy(2)); // so that closeCode() is final
        throw new WebSocketClosedException(closeCode(), closeReason());
    }

    @Override
    public Iterator<Message> iterator() {
        return new Iterator<>() {
            private Message next;
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
            public Message next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("connection closed");
                }
                Message m = next;
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

    private void send(Opcode type, byte[] data, boolean last) throws IOException {
        acquireMessageLock();
        boolean connectionBroken = false;
        long ownFramesEnd;
        try {
            lock.lock();
            try {
                if (conn.state() != ConnectionState.OPEN) {
                    connectionBroken = true;
                    throw closedException();
                }
                if (fragmenting != null && fragmenting != type) {
                    // Refused before anything changed: the fragmented message can still go on.
                    throw new IllegalStateException("a fragmented " + fragmenting + " message is in progress");
                }
                conn.sendFrame(fragmenting != null ? Opcode.CONTINUATION : type, data, 0, data.length, last);
                fragmenting = last ? null : type;
                drainOutgoing();
                ownFramesEnd = enqueuedTotal;
                if (last && !deferred.isEmpty()) {
                    for (byte[] b : deferred) { // broadcasts that waited for this message to end
                        outQueue.add(b);
                        enqueuedTotal += b.length;
                    }
                    deferred.clear();
                }
            } finally {
                lock.unlock();
            }
            try {
                writeQueued();
                awaitDrained();
            } catch (WebSocketClosedException | InterruptedIOException e) {
                connectionBroken = true;
                throw e;
            } catch (IOException e) {
                if (writtenTotal >= ownFramesEnd) {
                    // Our frames went out; what failed was a later frame (say, the reply to the
                    // peer's close) that this thread wrote as the active writer. The send succeeded.
                    return;
                }
                // The peer went away mid-write (broken pipe, reset): for the application that is
                // the connection closing, not an I/O fault of its own.
                connectionBroken = true;
                WebSocketClosedException closedEx = closedException();
                closedEx.initCause(e);
                throw closedEx;
            }
        } finally {
            if (connectionBroken) {
                lock.lock();
                try {
                    fragmenting = null; // the connection is gone; so is the message
                } finally {
                    lock.unlock();
                }
            }
            if (fragmenting == null && messageLock.isHeldByCurrentThread()) {
                messageLock.unlock();
            }
        }
    }

    /** Waits for other threads' fragmented messages to end, but not past the connection's end. */
    private void acquireMessageLock() throws IOException {
        if (messageLock.isHeldByCurrentThread()) {
            return; // this thread is in the middle of its own fragmented message
        }
        try {
            while (!messageLock.tryLock(100, TimeUnit.MILLISECONDS)) {
                if (closed.getCount() == 0) {
                    throw closedException();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to send");
        }
    }

    /** Backpressure: waits while more than the high watermark is queued, until under the low one. */
    private void awaitDrained() throws IOException {
        lock.lock();
        try {
            if (queuedBytes <= options.highWatermark()) {
                return;
            }
            while (queuedBytes > options.lowWatermark() && closed.getCount() > 0) {
                drained.await();
            }
            if (closed.getCount() == 0) {
                throw closedException();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the peer to read");
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues an already encoded server frame without waiting — the broadcast path: one encoding
     * shared by every receiver. Returns false if the frame was not queued: the connection is not
     * open, or it is over its high watermark and the policy dropped the frame or closed the
     * connection.
     */
    public boolean offer(byte[] encodedFrame, SlowConsumerPolicy policy) {
        boolean startWriter;
        lock.lock();
        try {
            if (conn.state() != ConnectionState.OPEN) {
                return false;
            }
            if (queuedBytes + encodedFrame.length > options.highWatermark() && queuedBytes > 0) {
                return slowConsumer(policy);
            }
            queuedBytes += encodedFrame.length;
            if (fragmenting != null) {
                // §5.4: another message's fragments are going out; this frame follows them.
                deferred.add(encodedFrame);
                return true;
            }
            outQueue.add(encodedFrame);
            enqueuedTotal += encodedFrame.length;
            startWriter = !writing;
            if (startWriter) {
                writing = true;
            }
        } finally {
            lock.unlock();
        }
        if (startWriter) {
            Thread.ofVirtual().name("loomsocket-write").start(this::writeLoopQuietly);
        }
        return true;
    }

    /** Under lock. */
    private boolean slowConsumer(SlowConsumerPolicy policy) {
        switch (policy) {
            case DROP -> {
                long n = DROPPED.incrementAndGet();
                LOG.log(System.Logger.Level.DEBUG, "slow consumer {0}: message dropped ({1} dropped in all)", remoteAddress(), n);
            }
            case CLOSE_TRY_AGAIN_LATER, CLOSE_POLICY_VIOLATION -> {
                if (slowClosing) {
                    return false; // already being closed: counted and logged once
                }
                slowClosing = true;
                long n = SLOW_CLOSED.incrementAndGet();
                LOG.log(System.Logger.Level.INFO, "slow consumer {0}: {1} bytes queued; closing with {2} ({3} closed in all)",
                        remoteAddress(), queuedBytes, policy.closeCode(), n);
                Thread.ofVirtual().name("loomsocket-slow-close").start(() -> {
                    try {
                        close(policy.closeCode(), "slow consumer");
                    } catch (InterruptedException e) {
                        abort();
                    }
                });
            }
        }
        return false;
    }

    /** How many messages were dropped, and connections closed, as slow consumers, in this JVM. */
    public static long droppedCount() {
        return DROPPED.get();
    }

    public static long slowConsumerClosedCount() {
        return SLOW_CLOSED.get();
    }

    /** Whether this is the server's end of the connection (its frames are unmasked). */
    public boolean isServerSide() {
        return conn.role() == io.loomsocket.protocol.Role.SERVER;
    }

    /** Bytes queued and not yet written. */
    public long queuedBytes() {
        lock.lock();
        try {
            return queuedBytes;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CompletableFuture<Duration> ping() throws IOException {
        CompletableFuture<Duration> future = new CompletableFuture<>();
        lock.lock();
        try {
            if (conn.state() != ConnectionState.OPEN) {
                throw closedException();
            }
            long id = ++pingCounter;
            byte[] payload = new byte[8];
            for (int i = 0; i < 8; i++) {
                payload[i] = (byte) (id >>> (56 - 8 * i));
            }
            pings.add(new PendingPing(id, System.nanoTime(), future));
            conn.sendPing(payload);
            drainOutgoing();
        } finally {
            lock.unlock();
        }
        writeQueued();
        return future;
    }

    /** Whether a ping sent before {@code nanos} is still unanswered (for the keepalive). */
    boolean hasPingOlderThan(long nanos) {
        lock.lock();
        try {
            PendingPing oldest = pings.peek();
            return oldest != null && oldest.sentNanos - nanos <= 0;
        } finally {
            lock.unlock();
        }
    }

    long lastActivityNanos() {
        return lastActivityNanos;
    }

    /**
     * Under lock: a pong answers the matching ping and every earlier one ("A response to an
     * unsolicited Pong frame is not expected"; a peer may answer only the most recent ping).
     */
    private List<PendingPing> matchPong(Message.Pong pong, List<PendingPing> answered) {
        if (pong.data().length != 8) {
            return answered; // unsolicited, or not ours
        }
        long id = 0;
        for (byte b : pong.data()) {
            id = id << 8 | (b & 0xFF);
        }
        final long matched = id;
        if (pings.stream().noneMatch(p -> p.id == matched)) {
            return answered;
        }
        List<PendingPing> done = answered != null ? answered : new ArrayList<>();
        while (!pings.isEmpty() && pings.peek().id <= matched) {
            done.add(pings.poll());
        }
        return done;
    }

    /**
     * Completes answered pings on a thread of their own: a future's dependent actions run in the
     * completing thread, and application code there (say, {@code ping().thenRun(ws::close)}) must
     * not block the reader.
     */
    private void completePings(List<PendingPing> answered) {
        if (answered == null) {
            return;
        }
        long now = System.nanoTime();
        lastRoundTrip = Duration.ofNanos(now - answered.get(answered.size() - 1).sentNanos);
        Thread.ofVirtual().name("loomsocket-pong").start(() -> {
            for (PendingPing p : answered) {
                p.future.complete(Duration.ofNanos(now - p.sentNanos));
            }
        });
    }

    @Override
    public Optional<Duration> lastRoundTrip() {
        return Optional.ofNullable(lastRoundTrip);
    }

    // ---------------------------------------------------------------- closing

    @Override
    public void close(CloseCode code, String reason) throws InterruptedException {
        lock.lock();
        try {
            if (conn.state() == ConnectionState.OPEN) {
                conn.sendClose(code, reason);
                drainOutgoing();
                inboxNotFull.signalAll(); // a reader waiting for inbox space must read the reply
            }
        } finally {
            lock.unlock();
        }
        try {
            writeQueued();
        } catch (IOException e) {
            abort();
        }
        if (onReaderThread()) {
            return; // the reader reads the peer's reply once the callback returns
        }
        if (!closed.await(options.closeTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
            LOG.log(System.Logger.Level.DEBUG, "peer did not complete the closing handshake; aborting");
            abort();
        }
    }

    @Override
    public void abort() {
        closeSocket();
        lock.lock();
        try {
            aborted = true;
            inboxNotFull.signalAll(); // a reader waiting for inbox space must see the end
            drained.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Fails the connection (§7.1.7): sends a close frame with {@code code} if it can within the
     * close timeout, then closes the TCP connection. Does not wait.
     */
    public void fail(CloseCode code, String reason) {
        lock.lock();
        try {
            if (conn.state() == ConnectionState.OPEN) {
                localFailure = reason;
            }
            conn.fail(code, reason);
            drainOutgoing();
        } finally {
            lock.unlock();
        }
        Thread.ofVirtual().name("loomsocket-fail").start(() -> {
            try {
                writeQueued();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "could not send the close frame: {0}", e.toString());
            }
            closeIfDue();
            try {
                if (!closed.await(options.closeTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
                    abort();
                }
            } catch (InterruptedException e) {
                abort();
            }
        });
    }

    @Override
    public boolean awaitClosed(Duration timeout) throws InterruptedException {
        if (onReaderThread()) {
            return closed.getCount() == 0; // waiting here would stop the reader that closes it
        }
        return closed.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public ConnectionState state() {
        lock.lock();
        try {
            return conn.state();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CloseCode closeCode() {
        lock.lock();
        try {
            return conn.closeCode();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String closeReason() {
        lock.lock();
        try {
            CloseBody received = conn.closeReceived();
            if (received != null) {
                return received.reason();
            }
            if (localFailure != null) {
                return localFailure;
            }
            return conn.isFailed() && conn.closeSent() != null ? conn.closeSent().reason() : "";
        } finally {
            lock.unlock();
        }
    }

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
    public SocketAddress remoteAddress() {
        return socket.getRemoteSocketAddress();
    }

    // ---------------------------------------------------------------- writing

    /** Under lock: moves the core's encoded frames to the write queue, in order. */
    private void drainOutgoing() {
        for (byte[] b; (b = conn.nextOutgoing()) != null; ) {
            outQueue.add(b);
            queuedBytes += b.length;
            enqueuedTotal += b.length;
        }
    }

    /**
     * Becomes the writer if frames are queued and nobody is writing, and writes until the queue
     * is empty. Returns at once if another thread is the writer: it will write what we queued.
     */
    private void writeQueued() throws IOException {
        lock.lock();
        try {
            if (writing || outQueue.isEmpty()) {
                return;
            }
            writing = true;
        } finally {
            lock.unlock();
        }
        writeLoop();
    }

    private void writeLoopQuietly() {
        try {
            writeLoop();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "write failed: {0}", e.toString());
        }
    }

    /** The writer's loop; the caller has set {@code writing}. */
    private void writeLoop() throws IOException {
        boolean done = false;
        try {
            while (true) {
                List<byte[]> batch = writeBatch; // only the one active writer touches it
                batch.clear();
                long bytes = 0;
                lock.lock();
                try {
                    if (outQueue.isEmpty()) {
                        writing = false;
                        done = true;
                        drained.signalAll(); // also wakes awaitWriterIdle
                        return;
                    }
                    for (byte[] b; (b = outQueue.poll()) != null; ) {
                        batch.add(b);
                    }
                } finally {
                    lock.unlock();
                }
                for (byte[] b : batch) {
                    bytes += b.length;
                }
                writeBatch(batch);
                writtenTotal += bytes; // only the active writer updates it
                lastActivityNanos = System.nanoTime();
                lock.lock();
                try {
                    queuedBytes -= bytes;
                    if (queuedBytes <= options.lowWatermark()) {
                        drained.signalAll();
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            closeSocket();
            throw e;
        } finally {
            if (!done) {
                lock.lock();
                try {
                    writing = false;
                    writeBatch.clear();
                    outQueue.clear();
                    deferred.clear();
                    queuedBytes = 0;
                    drained.signalAll();
                } finally {
                    lock.unlock();
                }
            }
            closeIfDue();
        }
    }

    /** Writes a batch, copying runs of small frames into one buffer so they go in one write. */
    private void writeBatch(List<byte[]> batch) throws IOException {
        if (batch.size() == 1) {
            out.write(batch.get(0));
            return;
        }
        int i = 0;
        while (i < batch.size()) {
            byte[] first = batch.get(i);
            if (first.length >= COALESCE_LIMIT / 2) {
                out.write(first);
                i++;
                continue;
            }
            byte[] writeBuffer = WriteBuffers.take(); // shared pool: idle connections hold none
            try {
                int used = 0;
                while (i < batch.size() && used + batch.get(i).length <= COALESCE_LIMIT) {
                    byte[] b = batch.get(i++);
                    System.arraycopy(b, 0, writeBuffer, used, b.length);
                    used += b.length;
                }
                out.write(writeBuffer, 0, used);
            } finally {
                WriteBuffers.give(writeBuffer);
            }
        }
    }

    /**
     * Ends our side of TCP once everything queued is written, if the core says so: after a
     * failure, or for a server whose closing handshake is done ("the server MUST close the
     * underlying TCP connection immediately", §7.1.1 — the server sends FIN first, so it holds
     * TIME_WAIT).
     */
    private void closeIfDue() {
        boolean close;
        lock.lock();
        try {
            close = !writing && outQueue.isEmpty() && conn.shouldCloseTransport();
        } finally {
            lock.unlock();
        }
        if (close) {
            halfClose();
        }
    }

    /** Sends FIN after everything written; the reader closes the socket at the peer's EOF. */
    private void halfClose() {
        lock.lock();
        try {
            if (outputShut) {
                return;
            }
            outputShut = true;
        } finally {
            lock.unlock();
        }
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            closeSocket();
        }
    }

    /** Waits, at most the close timeout, until no thread is writing. */
    private void awaitWriterIdle() throws InterruptedException {
        long left = options.closeTimeout().toNanos();
        lock.lock();
        try {
            while (writing && left > 0 && !aborted) {
                left = drained.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "close: {0}", e.toString());
        }
    }

    private WebSocketClosedException closedException() {
        return new WebSocketClosedException(closeCode(), closeReason());
    }
}
