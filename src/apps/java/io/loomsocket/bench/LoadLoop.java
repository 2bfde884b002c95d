package io.loomsocket.bench;

import io.loomsocket.handshake.ClientHandshake;
import io.loomsocket.handshake.ExtensionOffer;
import io.loomsocket.handshake.HttpHeaders;
import io.loomsocket.handshake.HttpHeadParser;
import io.loomsocket.protocol.FrameDecoder;
import io.loomsocket.protocol.FrameEncoder;
import io.loomsocket.protocol.MaskKeySource;
import io.loomsocket.protocol.Masking;
import io.loomsocket.protocol.Opcode;
import io.loomsocket.protocol.PayloadLength;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * The engine under every bench mode: one thread, one {@link Selector}, non-blocking client
 * connections that do the HTTP upgrade and then speak RFC 6455 as a client (masked frames).
 *
 * <p>Reads go into one shared buffer (a single thread needs no more); the {@link FrameDecoder}
 * of each connection keeps its own parse state, so frames split across reads and many frames per
 * read both work, and payload is handed to the workload in place, unmasked. Writes are tried at
 * once; what the socket does not take stays in the connection's buffer until {@code OP_WRITE}.
 * Pings are answered with pongs, a close frame with a close frame. Nothing is allocated per
 * message except what the JDK's channels allocate; with {@code --deflate} a {@link ConnDeflate}
 * per connection compresses what is sent (one new array per message) and inflates what arrives
 * before the workload sees it. Bytes read and written after the handshake are counted
 * ({@link #wireIn}, {@link #wireOut}), so a workload can report what crossed the wire.
 *
 * <p>Subclasses are the workloads: they get each connection when it opens, each message's
 * payload piece by piece, each message's end, and a {@link #tick} after every select.
 */
abstract class LoadLoop implements AutoCloseable {

    enum State { NEW, CONNECTING, HANDSHAKE, OPEN, CLOSING, CLOSED }

    /** Client frames: a fast non-cryptographic mask key is enough for a load generator. */
    private static final class XorShiftKeys implements MaskKeySource {
        private long s = 0x9E3779B97F4A7C15L;

        @Override
        public int nextKey() {
            s ^= s << 13;
            s ^= s >>> 7;
            s ^= s << 17;
            return (int) (s >>> 16);
        }
    }

    /** One client connection and its parse state; the fields below "workload" are the workloads' to use. */
    static final class Conn implements FrameDecoder.Listener {
        final LoadLoop loop;
        final int id;
        /** Which of {@link BenchOptions#urls()} it connects to. */
        final int group;
        SocketChannel ch;
        SelectionKey key;
        State state = State.NEW;
        long startedAt;
        ClientHandshake handshake;
        HttpHeadParser head;
        final FrameDecoder decoder = new FrameDecoder(this);
        ConnDeflate deflate; // null unless permessage-deflate was negotiated

        byte[] out = new byte[512];
        ByteBuffer outBuffer = ByteBuffer.wrap(out);
        int outStart;
        int outEnd;
        boolean writeInterest;

        Opcode frameOpcode;
        boolean frameFin;
        boolean inMessage;
        Opcode messageOpcode;
        long messagePos;
        final byte[] control = new byte[125];
        int controlLen;
        boolean closeSent;

        // workload state
        long nextSeq;
        long expectSeq;
        boolean bad;
        long[] ringSeq;
        long[] ringTime;
        int ringHead;
        int ringSize;
        boolean synced;
        final byte[] header = new byte[16];

        Conn(LoadLoop loop, int id, int group) {
            this.loop = loop;
            this.id = id;
            this.group = group;
        }

        boolean isOpen() {
            return state == State.OPEN;
        }

        @Override
        public void onHeader(boolean fin, int rsv, Opcode opcode, boolean masked, long payloadLength) {
            if (masked) {
                throw new IllegalStateException("the server sent a masked frame");
            }
            boolean firstFrame = !opcode.isControl() && opcode != Opcode.CONTINUATION;
            if (rsv != 0 && deflate == null) {
                throw new IllegalStateException("the server set RSV bits without an extension");
            }
            if (deflate != null && (opcode.isControl() ? rsv != 0 : !deflate.acceptRsv(rsv, firstFrame))) {
                throw new IllegalStateException("the server set RSV bits " + rsv + " on a " + opcode
                        + (firstFrame ? "" : " frame of a message") + " frame, which permessage-deflate does not allow");
            }
            frameOpcode = opcode;
            frameFin = fin;
            if (opcode.isControl()) {
                if (payloadLength > 125 || !fin) {
                    throw new IllegalStateException("bad control frame from the server");
                }
                controlLen = 0;
            } else if (opcode == Opcode.CONTINUATION) {
                if (!inMessage) {
                    throw new IllegalStateException("continuation frame without a message");
                }
            } else {
                if (inMessage) {
                    throw new IllegalStateException("new message inside a fragmented message");
                }
                inMessage = true;
                messageOpcode = opcode;
                messagePos = 0;
                loop.onMessageStart(this, opcode);
            }
        }

        @Override
        public void onPayload(byte[] buf, int off, int len) {
            if (frameOpcode.isControl()) {
                System.arraycopy(buf, off, control, controlLen, len);
                controlLen += len;
            } else if (deflate != null && deflate.receiving()) {
                deflate.inflate(buf, off, len); // inflated bytes reach the workload through the deflate's sink
            } else {
                loop.onData(this, buf, off, len, messagePos);
                messagePos += len;
            }
        }

        @Override
        public boolean onFrameEnd() {
            switch (frameOpcode) {
                case PING -> {
                    loop.send(this, Opcode.PONG, control, 0, controlLen);
                    return true;
                }
                case PONG -> {
                    return true;
                }
                case CLOSE -> {
                    loop.onCloseFrame(this);
                    return false;
                }
                default -> {
                    if (frameFin) {
                        inMessage = false;
                        if (deflate != null) {
                            deflate.endMessage();
                        }
                        loop.onMessage(this, messageOpcode, messagePos, System.nanoTime());
                    }
                    return true;
                }
            }
        }
    }

    final BenchOptions options;
    final PrintStream err;
    final Selector selector;
    /** One per URL group ({@link BenchOptions#urls()}); index 0 is {@code --url}. */
    final InetSocketAddress[] addresses;
    final List<java.net.URI> urls;
    final List<Conn> conns = new ArrayList<>();
    private final ArrayDeque<Conn> toConnect = new ArrayDeque<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(256 * 1024);
    private final FrameEncoder encoder = new FrameEncoder(io.loomsocket.protocol.Role.CLIENT, new XorShiftKeys());
    private final MaskKeySource keys = new XorShiftKeys();
    private final SplittableRandom random = new SplittableRandom(42);
    private final byte[] closeBody = {0x03, (byte) 0xE8}; // 1000
    private final io.loomsocket.protocol.deflate.DeflateOptions deflateLocal;
    private final ExtensionOffer deflateOffer; // null: no offer
    private byte[] scratch = new byte[0]; // a message's two parts joined, to be compressed
    private int handshaking;
    private boolean shuttingDown;

    long errors;
    /** Bytes read and written on open connections (after the handshake), all connections together. */
    long wireIn;
    long wireOut;
    /** What the server answered to the offer: the first connection's, or "mixed" if they differ. */
    String negotiated;
    int opened;
    int openNow;
    private int errorsPrinted;

    LoadLoop(BenchOptions options, PrintStream err) throws IOException {
        this.options = options;
        this.err = err;
        this.selector = Selector.open();
        this.urls = options.urls();
        this.addresses = new InetSocketAddress[urls.size()];
        for (int g = 0; g < urls.size(); g++) {
            addresses[g] = new InetSocketAddress(urls.get(g).getHost(), BenchOptions.port(urls.get(g)));
        }
        this.deflateLocal = ConnDeflate.local(options.deflate());
        this.deflateOffer = ConnDeflate.offer(deflateLocal);
    }

    /** The RESULT line's {@code deflate} value: off, declined, the negotiated header (no spaces) or mixed. */
    String deflateResult() {
        if (deflateOffer == null) {
            return "off";
        }
        return negotiated == null || negotiated.isEmpty() ? "declined" : negotiated.replace(" ", "");
    }

    // ---- workload hooks ----

    void onOpen(Conn c) {}

    void onMessageStart(Conn c, Opcode opcode) {}

    void onData(Conn c, byte[] buf, int off, int len, long pos) {}

    void onMessage(Conn c, Opcode opcode, long length, long now) {}

    /** A connection closed: by us at the end ({@code unexpected == false}) or not. */
    void onClosed(Conn c, boolean unexpected) {}

    /** The URL group of the connection about to be added as {@code conns.get(id)}; 0 by default. */
    int groupFor(int id) {
        return 0;
    }

    /** After every select. */
    void tick(long now) {}

    /** The next instant (nanoTime) {@link #tick} must run at, or Long.MAX_VALUE. */
    long nextDeadline(long now) {
        return Long.MAX_VALUE;
    }

    // ---- connections ----

    /** Adds {@code n} connections, to be opened with at most --handshakes handshakes in flight. */
    List<Conn> connect(int n) {
        List<Conn> added = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Conn c = new Conn(this, conns.size(), groupFor(conns.size()));
            conns.add(c);
            toConnect.add(c);
            added.add(c);
        }
        startConnects();
        return added;
    }

    boolean connectsPending() {
        return !toConnect.isEmpty() || handshaking > 0;
    }

    private boolean starting;

    private void startConnects() {
        if (starting) {
            return; // a failed connect calls back in here; the loop below goes on
        }
        starting = true;
        try {
            startConnectsNow();
        } finally {
            starting = false;
        }
    }

    private void startConnectsNow() {
        while (handshaking < options.maxHandshakesInFlight() && !toConnect.isEmpty()) {
            Conn c = toConnect.poll();
            handshaking++;
            c.startedAt = System.nanoTime();
            try {
                c.ch = SocketChannel.open();
                c.ch.configureBlocking(false);
                c.ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                c.state = State.CONNECTING;
                boolean connected = c.ch.connect(addresses[c.group]);
                c.key = c.ch.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, c);
                if (connected) {
                    startHandshake(c);
                }
            } catch (IOException | RuntimeException e) {
                fail(c, "connect: " + e);
            }
        }
    }

    private void startHandshake(Conn c) {
        c.state = State.HANDSHAKE;
        java.net.URI url = urls.get(c.group);
        c.handshake = deflateOffer == null
                ? new ClientHandshake(BenchOptions.hostHeader(url), BenchOptions.resource(url), random.split())
                : new ClientHandshake(BenchOptions.hostHeader(url), BenchOptions.resource(url), List.of(),
                        List.of(deflateOffer), HttpHeaders.empty(), random.split());
        c.head = HttpHeadParser.forResponse();
        byte[] request = c.handshake.requestBytes();
        append(c, request, 0, request.length);
        c.key.interestOps(SelectionKey.OP_READ);
        flush(c);
    }

    private void handshakeDone(Conn c) {
        ClientHandshake.Result result = c.handshake.validate(c.head.response());
        if (deflateOffer != null) {
            c.deflate = ConnDeflate.negotiate(c, result.extensions(), deflateOffer, deflateLocal);
            String answer = ExtensionOffer.toHeaderValue(result.extensions());
            negotiated = negotiated == null || negotiated.equals(answer) ? answer : "mixed";
        }
        c.handshake = null;
        c.head = null;
        c.state = State.OPEN;
        handshaking--;
        opened++;
        openNow++;
        startConnects();
        onOpen(c);
    }

    /** Counts an error, prints the first few, closes the connection. */
    void fail(Conn c, String why) {
        errors++;
        if (errorsPrinted < 5) {
            errorsPrinted++;
            err.println("[" + options.mode().id() + "] connection " + c.id + ": " + why);
        } else if (errorsPrinted == 5) {
            errorsPrinted++;
            err.println("[" + options.mode().id() + "] (more errors not shown)");
        }
        closeChannel(c, true);
    }

    /** Counts an error that is not a connection's failure (a lost or corrupt message). */
    void error(String why) {
        errors++;
        if (errorsPrinted < 5) {
            errorsPrinted++;
            err.println("[" + options.mode().id() + "] " + why);
        }
    }

    private void closeChannel(Conn c, boolean unexpected) {
        if (c.state == State.CLOSED) {
            return;
        }
        State was = c.state;
        c.state = State.CLOSED;
        if (was == State.CONNECTING || was == State.HANDSHAKE) {
            handshaking--;
            startConnects();
        } else if (was == State.OPEN || was == State.CLOSING) {
            openNow--;
        }
        if (c.key != null) {
            c.key.cancel();
        }
        if (c.ch != null) {
            try {
                c.ch.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        if (c.deflate != null) {
            c.deflate.release();
        }
        c.out = new byte[0];
        c.outBuffer = ByteBuffer.wrap(c.out);
        c.outStart = c.outEnd = 0;
        if (was == State.OPEN || was == State.CLOSING) {
            onClosed(c, unexpected);
        }
    }

    private void onCloseFrame(Conn c) {
        if (c.closeSent) {
            closeChannel(c, false);
            return;
        }
        boolean expected = shuttingDown;
        if (!expected) {
            int code = c.controlLen >= 2 ? (c.control[0] & 0xFF) << 8 | (c.control[1] & 0xFF) : 1005;
            fail(c, "the server closed the connection (" + code + ")");
            return;
        }
        send(c, Opcode.CLOSE, closeBody, 0, 2);
        closeChannel(c, false);
    }

    /**
     * Sends a close frame on every open connection and runs the loop until the server has
     * answered them all (or {@code timeoutNanos}), then closes every channel.
     */
    void closeAll(long timeoutNanos) throws IOException {
        shuttingDown = true;
        toConnect.clear();
        for (Conn c : conns) {
            if (c.state == State.OPEN) {
                c.closeSent = true;
                c.state = State.CLOSING;
                send(c, Opcode.CLOSE, closeBody, 0, 2);
            }
        }
        runUntil(System.nanoTime() + timeoutNanos, () -> conns.stream().allMatch(c -> c.state != State.CLOSING), null);
        for (Conn c : conns) {
            closeChannel(c, false);
        }
    }

    // ---- sending ----

    private void ensureSpace(Conn c, int n) {
        if (c.outEnd + n <= c.out.length) {
            return;
        }
        int pending = c.outEnd - c.outStart;
        byte[] target = pending + n <= c.out.length ? c.out : new byte[Math.max(pending + n, 2 * c.out.length)];
        System.arraycopy(c.out, c.outStart, target, 0, pending);
        if (target != c.out) {
            c.out = target;
            c.outBuffer = ByteBuffer.wrap(target);
        }
        c.outStart = 0;
        c.outEnd = pending;
    }

    private void append(Conn c, byte[] b, int off, int len) {
        ensureSpace(c, len);
        System.arraycopy(b, off, c.out, c.outEnd, len);
        c.outEnd += len;
    }

    /** Sends one whole frame. */
    void send(Conn c, Opcode opcode, byte[] payload, int off, int len) {
        if (c.state != State.OPEN && c.state != State.CLOSING) {
            return;
        }
        ensureSpace(c, encoder.encodedSize(len));
        c.outEnd += encoder.encode(true, 0, opcode, payload, off, len, c.out, c.outEnd);
        if (!c.writeInterest) {
            flush(c);
        }
    }

    /**
     * Sends one frame whose payload is {@code a[aOff, aOff+aLen)} then {@code b[bOff, bOff+bLen)},
     * masked in one pass; compressed first (RSV1) if permessage-deflate was negotiated and the
     * message is not below the threshold.
     */
    void send(Conn c, Opcode opcode, byte[] a, int aOff, int aLen, byte[] b, int bOff, int bLen) {
        if (c.state != State.OPEN) {
            return;
        }
        int len = aLen + bLen;
        if (c.deflate != null && c.deflate.compresses(len)) {
            if (scratch.length < len) {
                scratch = new byte[len];
            }
            System.arraycopy(a, aOff, scratch, 0, aLen);
            System.arraycopy(b, bOff, scratch, aLen, bLen);
            byte[] z = c.deflate.compress(scratch, 0, len);
            ensureSpace(c, PayloadLength.headerSize(z.length, true) + z.length);
            int key = keys.nextKey();
            int p = c.outEnd;
            p += FrameEncoder.writeHeader(c.out, p, true, io.loomsocket.protocol.Frame.RSV1, opcode, z.length, true, key);
            Masking.maskCopy(z, 0, c.out, p, z.length, key, 0);
            c.outEnd = p + z.length;
            if (!c.writeInterest) {
                flush(c);
            }
            return;
        }
        ensureSpace(c, PayloadLength.headerSize(len, true) + len);
        int key = keys.nextKey();
        int p = c.outEnd;
        p += FrameEncoder.writeHeader(c.out, p, true, 0, opcode, len, true, key);
        int keyIndex = Masking.maskCopy(a, aOff, c.out, p, aLen, key, 0);
        Masking.maskCopy(b, bOff, c.out, p + aLen, bLen, key, keyIndex);
        c.outEnd = p + len;
        if (!c.writeInterest) {
            flush(c);
        }
    }

    private void flush(Conn c) {
        try {
            ByteBuffer bb = c.outBuffer;
            bb.clear();
            bb.limit(c.outEnd).position(c.outStart);
            int w = c.ch.write(bb);
            if (c.state == State.OPEN || c.state == State.CLOSING) {
                wireOut += w; // the handshake request is written in HANDSHAKE state and not counted
            }
            c.outStart += w;
            if (c.outStart == c.outEnd) {
                c.outStart = c.outEnd = 0;
                if (c.writeInterest) {
                    c.writeInterest = false;
                    c.key.interestOps(SelectionKey.OP_READ);
                }
            } else if (!c.writeInterest) {
                c.writeInterest = true;
                c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
        } catch (IOException | RuntimeException e) {
            fail(c, "write: " + e);
        }
    }

    // ---- the loop ----

    private void handle(SelectionKey key) {
        Conn c = (Conn) key.attachment();
        try {
            if (!key.isValid()) {
                return;
            }
            int ready = key.readyOps();
            if ((ready & SelectionKey.OP_CONNECT) != 0) {
                if (c.ch.finishConnect()) {
                    startHandshake(c);
                }
                return;
            }
            if ((ready & SelectionKey.OP_WRITE) != 0) {
                flush(c);
            }
            if ((ready & SelectionKey.OP_READ) != 0 && c.state != State.CLOSED) {
                read(c);
            }
        } catch (IOException | RuntimeException e) {
            if (c.state != State.CLOSED) {
                fail(c, e.toString());
            }
        }
    }

    private void read(Conn c) throws IOException {
        ByteBuffer rb = readBuffer;
        byte[] b = rb.array();
        while (c.state != State.CLOSED) {
            rb.clear();
            int n = c.ch.read(rb);
            if (n < 0) {
                if (c.state == State.CLOSING) {
                    closeChannel(c, false);
                } else {
                    fail(c, "the server closed the TCP connection");
                }
                return;
            }
            if (n == 0) {
                return;
            }
            int off = 0;
            if (c.state == State.HANDSHAKE) {
                off = c.head.feed(b, 0, n);
                if (!c.head.isComplete()) {
                    continue;
                }
                handshakeDone(c);
            }
            if ((c.state == State.OPEN || c.state == State.CLOSING) && off < n) {
                wireIn += n - off;
                c.decoder.feed(b, off, n - off);
            }
            if (n < rb.capacity()) {
                return;
            }
        }
    }

    /**
     * Runs the loop until {@code deadline} (nanoTime) or until {@code done} is true, calling
     * {@code everySecond} (if not null) once a second with the seconds elapsed.
     */
    void runUntil(long deadline, BooleanSupplier done, java.util.function.LongConsumer everySecond) throws IOException {
        long start = System.nanoTime();
        long nextSecond = start + 1_000_000_000L;
        while (true) {
            long now = System.nanoTime();
            if (now >= deadline || (done != null && done.getAsBoolean())) {
                return;
            }
            long wake = Math.min(deadline, Math.min(nextSecond, nextDeadline(now)));
            long waitNanos = wake - now;
            if (waitNanos <= 0) {
                selector.selectNow(this::handle);
            } else {
                selector.select(this::handle, Math.max(1, waitNanos / 1_000_000));
            }
            now = System.nanoTime();
            tick(now);
            if (now >= nextSecond) {
                checkHandshakeTimeouts(now);
                if (everySecond != null) {
                    everySecond.accept(Math.round((now - start) / 1e9));
                }
                nextSecond += 1_000_000_000L;
                if (nextSecond < now) {
                    nextSecond = now + 1_000_000_000L;
                }
            }
        }
    }

    private void checkHandshakeTimeouts(long now) {
        if (handshaking == 0) {
            return;
        }
        for (Conn c : conns) {
            if ((c.state == State.CONNECTING || c.state == State.HANDSHAKE) && now - c.startedAt > 15_000_000_000L) {
                fail(c, "no handshake within 15 s");
            }
        }
    }

    /** Opens {@code n} connections and runs the loop until all are open or failed (or the timeout). */
    List<Conn> openConnections(int n, long timeoutNanos, java.util.function.LongConsumer everySecond) throws IOException {
        List<Conn> added = connect(n);
        runUntil(System.nanoTime() + timeoutNanos, () -> !connectsPending(), everySecond);
        for (Conn c : added) {
            if (c.state != State.OPEN && c.state != State.CLOSED) {
                fail(c, "not open in time");
            }
        }
        return added;
    }

    @Override
    public void close() throws IOException {
        for (Conn c : conns) {
            if (c.ch != null) {
                c.ch.close();
            }
        }
        selector.close();
    }
}
