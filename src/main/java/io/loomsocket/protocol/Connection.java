package io.loomsocket.protocol;

import io.loomsocket.protocol.deflate.DeflateOptions;
import io.loomsocket.protocol.deflate.DeflateParams;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Optional;

/**
 * The WebSocket connection as a state machine (RFC 6455 §5–§7), with no I/O: the socket layer
 * feeds it received bytes and writes out the bytes it produces.
 *
 * <pre>{@code
 * connection.receiveData(buf, 0, n);          // bytes from the socket
 * for (Message m; (m = connection.nextEvent()) != null; ) { ... }   // what they meant
 * connection.sendText("hi");                  // queue frames
 * for (byte[] b; (b = connection.nextOutgoing()) != null; ) write(b);
 * if (connection.shouldCloseTransport()) closeSocket();
 * }</pre>
 *
 * <p>What it does by itself, as the RFC requires:
 * <ul>
 *   <li>answers every ping with a pong carrying the same payload (§5.5.2, §5.5.3);
 *   <li>answers a close with a close that echoes the peer's status code (§5.5.1), and after a
 *       received close discards all further input (§1.4);
 *   <li>fails the connection on any broken rule, sending a close frame with the code of the
 *       violation (§7.1.7). Errors become close codes in one place, {@link #closeBodyFor}: 1002
 *       for protocol errors, 1007 for invalid UTF-8, 1009 for messages too big, and 1011 with no
 *       detail for anything unexpected.
 * </ul>
 *
 * <p>With permessage-deflate negotiated (RFC 7692), messages with RSV1 set are inflated and
 * messages at or above the threshold are sent compressed. Every decision of the extension (which
 * frames may and do carry RSV1, the way of a payload through the codec of {@code
 * protocol.deflate}) is its {@code CompressionStage}'s; without the extension there is none.
 * {@link #releaseCompression()} ends the native zlib contexts, and {@link #receiveEof()} calls it.
 *
 * <p>Not thread-safe: the socket layer serialises access (one reader thread, sends under a lock).
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-7">RFC 6455 §7</a>
 */
public final class Connection {

    private static final int MAX_CONTROL_PAYLOAD = 125;

    private final Role role;
    private final ConnectionConfig config;
    private final FrameDecoder decoder;
    private final FrameEncoder encoder;
    private final MessageAssembler assembler;
    private final ArrayDeque<Message> events = new ArrayDeque<>(2); // small: most reads yield one or two
    private final ArrayDeque<byte[]> outgoing = new ArrayDeque<>(2); // grows when needed; idle connections hold little
    private final CompressionStage compression; // permessage-deflate, when negotiated; else null

    private ConnectionState state = ConnectionState.CONNECTING;
    // The frame being received.
    private Opcode frameOpcode;
    private boolean frameFin;
    private byte[] control; // the control frame payload, allocated at the first control frame
    private int controlLength;
    // The message being sent, if it is fragmented: TEXT or BINARY, else null.
    private Opcode sendingType;
    private Utf8Validator sendingUtf8;
    // Closing.
    private CloseBody closeSent;
    private CloseBody closeReceived;
    private boolean failed;
    private boolean eof;
    private boolean deferCloses;
    private CloseBody pendingFailure; // a violation found while closes are deferred
    private CloseBody pendingReply; // the reply owed to the peer's close, while closes are deferred
    private RuntimeException receiveFailure; // what failed the received bytes, for the socket layer to report

    public Connection(Role role, ConnectionConfig config) {
        this(role, config, null, null);
    }

    /**
     * A connection with permessage-deflate, or without if {@code deflate} is null.
     *
     * @param deflate what the handshake negotiated, or null
     * @param local this side's level and threshold (its flags and window bits were negotiated
     *     into {@code deflate}); {@link DeflateOptions#defaults()} if null
     */
    public Connection(Role role, ConnectionConfig config, DeflateParams deflate, DeflateOptions local) {
        this.role = role;
        this.config = config;
        this.decoder = new FrameDecoder(new Receiver());
        this.encoder = new FrameEncoder(role, config.maskKeys());
        this.assembler = new MessageAssembler(config.maxMessageSize());
        this.compression = deflate == null ? null
                : new CompressionStage(deflate, local, role, config.maxMessageSize(), encoder, assembler);
    }

    /** The permessage-deflate parameters negotiated, if any. */
    public Optional<DeflateParams> deflate() {
        return compression == null ? Optional.empty() : Optional.of(compression.params());
    }

    /** This side's permessage-deflate settings (level, threshold), or null without the extension. */
    public DeflateOptions deflateOptions() {
        return compression == null ? null : compression.options();
    }

    /**
     * Ends the native zlib contexts of permessage-deflate (if any); afterwards messages are sent
     * uncompressed and a compressed one received fails the connection with 1011. The socket layer
     * calls it, through {@link #receiveEof()}, when the connection is torn down. Idempotent.
     */
    public void releaseCompression() {
        if (compression != null) {
            compression.release();
        }
    }

    public Role role() {
        return role;
    }

    public ConnectionConfig config() {
        return config;
    }

    public ConnectionState state() {
        return state;
    }

    /** The opening handshake succeeded: CONNECTING → OPEN. */
    public void open() {
        if (state != ConnectionState.CONNECTING) {
            throw new IllegalStateException("open() in state " + state);
        }
        state = ConnectionState.OPEN;
    }

    // ---------------------------------------------------------------- receiving

    /**
     * Bytes received from the peer. Payload bytes are unmasked in place in {@code buf}. Input after
     * a received close frame, after a failure or after EOF is discarded.
     */
    public void receiveData(byte[] buf, int off, int len) {
        if (state == ConnectionState.CONNECTING) {
            throw new IllegalStateException("receiveData() before the handshake completed");
        }
        if (closeReceived != null || failed || eof || pendingFailure != null) {
            return; // §1.4: after a close frame the peer sends nothing more; anything else is ignored
        }
        try {
            decoder.feed(buf, off, len);
        } catch (RuntimeException e) {
            receiveFailure = e;
            if (deferCloses) {
                pendingFailure = closeBodyFor(e);
            } else {
                fail(closeBodyFor(e));
            }
        }
    }

    /**
     * With {@code true}, the close frame that received bytes make this side owe is not queued at
     * once but waits for {@link #applyPendingClose()}: the failure of a bad frame, and the reply
     * to the peer's close. Input stops at that frame either way. The messages that arrived
     * before it are valid and delivered, and while the close waits the connection stays OPEN, so
     * a socket layer can let the application handle them, and answer them, before the close goes
     * out: frames are acted on in the order they arrived. Off by default (the close is queued as
     * soon as it is decoded).
     */
    public void deferCloses(boolean defer) {
        this.deferCloses = defer;
    }

    /**
     * What the received bytes failed with, or null: a {@link ProtocolException} when the peer
     * broke a rule (the connection is failed, or will be, with its violation's close code), any
     * other exception for a fault of ours (failed with 1011). Found once: input stops there. For
     * the socket layer to report (the rule, never the payload); deferred or not.
     */
    public RuntimeException receiveFailure() {
        return receiveFailure;
    }

    /**
     * Whether a close frame is owed and waits for {@link #applyPendingClose()}: a deferred
     * failure, or the reply to a close received (see {@link #deferCloses}).
     */
    public boolean hasPendingClose() {
        return pendingFailure != null || pendingReply != null;
    }

    /** Whether the deferred close is a failure (not the reply to the peer's close). */
    public boolean hasPendingFailure() {
        return pendingFailure != null;
    }

    /**
     * Queues the deferred close, if one waits: fails the connection with the violation's close
     * code, or replies to the peer's close (then CLOSING; a server's transport is then due to
     * close, §7.1.1). Does nothing if a close frame went out meanwhile (the application closed:
     * that frame is the reply) or the transport is gone.
     */
    public void applyPendingClose() {
        CloseBody failure = pendingFailure;
        CloseBody reply = pendingReply;
        pendingFailure = null;
        pendingReply = null;
        if (failure != null) {
            fail(failure);
        } else if (reply != null && closeSent == null && state == ConnectionState.OPEN) {
            queueClose(reply);
        }
    }

    /**
     * The transport closed (the peer's EOF, or the socket closed for any reason). The state is
     * CLOSED afterwards. If no close frame was received, {@link #closeCode()} is 1006.
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-7.1.4">RFC 6455 §7.1.4</a>
     */
    public void receiveEof() {
        eof = true;
        assembler.reset();
        state = ConnectionState.CLOSED;
        releaseCompression();
    }

    /**
     * The bytes this connection holds for the message being received (its chunks, not what its
     * header announced): what the socket layer draws from a server-wide budget.
     */
    public long bufferedBytes() {
        return assembler.bufferCapacity();
    }

    /**
     * With {@code false}, a frame is never allocated at its header, only as its bytes arrive (see
     * {@link MessageAssembler#eagerAllocation}): for the socket layer while memory is short.
     */
    public void eagerAllocation(boolean on) {
        assembler.eagerAllocation(on);
    }

    /** The next event received, or {@code null} when there is none. */
    public Message nextEvent() {
        return events.poll();
    }

    public boolean hasEvents() {
        return !events.isEmpty();
    }

    // ---------------------------------------------------------------- sending

    /** Queues a text message in one frame. */
    public void sendText(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        sendFrame(Opcode.TEXT, bytes, 0, bytes.length, true);
    }

    /** Queues a binary message in one frame. */
    public void sendBinary(byte[] data) {
        sendFrame(Opcode.BINARY, data, 0, data.length, true);
    }

    /** Queues a ping (at most 125 bytes of payload). */
    public void sendPing(byte[] payload) {
        sendFrame(Opcode.PING, payload, 0, payload.length, true);
    }

    /** Queues an unsolicited pong, which serves as a one-way heartbeat (§5.5.3). */
    public void sendPong(byte[] payload) {
        sendFrame(Opcode.PONG, payload, 0, payload.length, true);
    }

    /**
     * Queues one frame. Data frames must follow §5.4: {@code TEXT} or {@code BINARY} starts a
     * message, {@code CONTINUATION} continues the message in progress, {@code fin} ends it.
     * Control frames may go between fragments. Text fragments must together be valid UTF-8.
     *
     * @throws IllegalStateException when the connection is not OPEN, or the frame does not fit
     *     the message in progress
     * @throws IllegalArgumentException for a fragmented or over-long control frame, or text that
     *     is not valid UTF-8
     */
    public void sendFrame(Opcode opcode, byte[] payload, int off, int len, boolean fin) {
        requireOpen();
        byte[] compressedFrame = null; // encoded by the compression stage, if it compressed the payload
        switch (opcode) {
            case TEXT, BINARY -> {
                if (sendingType != null) {
                    throw new IllegalStateException("a fragmented " + sendingType + " message is in progress");
                }
                if (opcode == Opcode.TEXT) {
                    checkOutgoingText(payload, off, len, fin, true);
                }
                sendingType = fin ? null : opcode;
                if (compression != null) {
                    compressedFrame = compression.firstFrame(opcode, payload, off, len, fin);
                }
            }
            case CONTINUATION -> {
                if (sendingType == null) {
                    throw new IllegalStateException("no fragmented message to continue");
                }
                if (sendingType == Opcode.TEXT) {
                    checkOutgoingText(payload, off, len, fin, false);
                }
                if (fin) {
                    sendingType = null;
                }
                if (compression != null) {
                    compressedFrame = compression.continuationFrame(payload, off, len, fin);
                }
            }
            case PING, PONG, CLOSE -> {
                if (!fin || len > MAX_CONTROL_PAYLOAD) {
                    throw new IllegalArgumentException("control frames must be final and carry at most 125 bytes");
                }
                if (opcode == Opcode.CLOSE) {
                    CloseBody body;
                    try {
                        body = CloseBody.parse(payload, off, len);
                    } catch (ProtocolException e) {
                        throw new IllegalArgumentException("invalid close body: " + e.reason(), e);
                    }
                    sendClose(body.code(), body.reason());
                    return;
                }
            }
        }
        outgoing.add(compressedFrame != null ? compressedFrame : encoder.encode(fin, 0, opcode, payload, off, len));
    }

    /**
     * Encodes a whole data message as one frame of this connection (masked on a client) without
     * queueing it, for a caller that queues frames itself and keeps §5.4's order (a broadcast:
     * after any fragmented message in progress, never inside it).
     *
     * A TEXT payload must be valid UTF-8, as {@code String.getBytes(UTF_8)} always is; it is not
     * checked again here. With permessage-deflate it is compressed by this connection's own
     * compressor (in the order of this call), unless a fragmented message is being compressed
     * right now, which the compressor cannot interleave with another: then it goes uncompressed.
     *
     * @throws IllegalStateException when the connection is not OPEN
     * @throws IllegalArgumentException for a type other than TEXT or BINARY
     */
    public byte[] encodeMessage(Opcode type, byte[] payload) {
        requireOpen();
        if (type != Opcode.TEXT && type != Opcode.BINARY) {
            throw new IllegalArgumentException("not a data message type: " + type);
        }
        byte[] compressedFrame = compression == null ? null : compression.wholeMessage(type, payload);
        return compressedFrame != null ? compressedFrame : encoder.encode(true, 0, type, payload, 0, payload.length);
    }

    /**
     * Starts the closing handshake: queues a close frame and moves to CLOSING. Does nothing if a
     * close frame was already sent.
     *
     * @throws IllegalArgumentException for a code not valid on the wire or a reason over 123 bytes
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-7.1.2">RFC 6455 §7.1.2</a>
     */
    public void sendClose(CloseCode code, String reason) {
        CloseBody body = new CloseBody(code, reason == null ? "" : reason);
        body.encode(); // validate before changing any state
        if (state == ConnectionState.CONNECTING) {
            throw new IllegalStateException("sendClose() before the handshake completed");
        }
        if (closeSent != null || state == ConnectionState.CLOSED) {
            return;
        }
        queueClose(body);
    }

    /**
     * Fails the connection (§7.1.7): queues a close frame with {@code code} if none was sent yet,
     * and from then on discards input. The socket layer then closes the transport.
     */
    public void fail(CloseCode code, String reason) {
        fail(new CloseBody(code, truncate(reason == null ? "" : reason)));
    }

    /** The next encoded frame to write, or {@code null} when there is none. */
    public byte[] nextOutgoing() {
        return outgoing.poll();
    }

    public boolean hasOutgoing() {
        return !outgoing.isEmpty();
    }

    // ---------------------------------------------------------------- closing

    /**
     * Whether the socket layer should close the TCP connection once the queued bytes are written.
     * True after a failure, and for a server once close frames went both ways: "the server MUST
     * close the underlying TCP connection immediately" (§7.1.1 says the server closes first, so
     * that it holds the TIME_WAIT state). A client waits for the server to close, within a
     * timeout of its own.
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-7.1.1">RFC 6455 §7.1.1</a>
     */
    public boolean shouldCloseTransport() {
        if (state == ConnectionState.CLOSED) {
            return false;
        }
        return failed || (role == Role.SERVER && isClosingHandshakeDone());
    }

    /** Whether close frames went both ways. */
    public boolean isClosingHandshakeDone() {
        return closeSent != null && closeReceived != null;
    }

    /** Whether the connection was failed (by a violation, or by {@link #fail}). */
    public boolean isFailed() {
        return failed;
    }

    /** The close frame we sent, or null. */
    public CloseBody closeSent() {
        return closeSent;
    }

    /** The close frame we received, or null. */
    public CloseBody closeReceived() {
        return closeReceived;
    }

    /**
     * "The WebSocket Connection Close Code": the code of the close frame received, 1005 if it had
     * none, or 1006 if the connection closed without one. After a failure, the code we sent.
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-7.1.5">RFC 6455 §7.1.5</a>
     */
    public CloseCode closeCode() {
        if (closeReceived != null) {
            return closeReceived.code();
        }
        if (failed && closeSent != null) {
            return closeSent.code();
        }
        return CloseCode.ABNORMAL_CLOSURE;
    }

    /**
     * The one place where errors become close frames: a {@link ProtocolException} closes with its
     * violation's code (1002, 1007, 1009) and its message; anything else with 1011 and no detail,
     * so that internals never reach the peer.
     */
    static CloseBody closeBodyFor(Throwable error) {
        return switch (error) {
            case ProtocolException e -> new CloseBody(e.closeCode(), truncate(e.reason()));
            default -> new CloseBody(CloseCode.INTERNAL_ERROR, "");
        };
    }

    // ---------------------------------------------------------------- internals

    private void fail(CloseBody body) {
        if (failed || state == ConnectionState.CLOSED) {
            return;
        }
        failed = true;
        assembler.reset();
        if (closeSent == null && state == ConnectionState.OPEN) {
            queueClose(body);
        }
        state = ConnectionState.CLOSING;
    }

    private void queueClose(CloseBody body) {
        pendingReply = null; // a close of ours answers the peer's close
        byte[] payload = body.encode();
        outgoing.add(encoder.encode(true, 0, Opcode.CLOSE, payload, 0, payload.length));
        closeSent = body;
        sendingType = null;
        if (compression != null) {
            compression.sendingEnded();
        }
        state = ConnectionState.CLOSING;
    }

    private void requireOpen() {
        if (state != ConnectionState.OPEN) {
            throw new IllegalStateException("cannot send: connection is " + state);
        }
    }

    private void checkOutgoingText(byte[] payload, int off, int len, boolean fin, boolean first) {
        if (first) {
            if (sendingUtf8 == null) {
                sendingUtf8 = new Utf8Validator();
            }
            sendingUtf8.reset();
        }
        try {
            sendingUtf8.update(payload, off, len);
            if (fin) {
                sendingUtf8.finish();
            }
        } catch (ProtocolException e) {
            throw new IllegalArgumentException("text frame is not valid UTF-8: " + e.reason(), e);
        }
    }

    /** Whether the message being received is compressed, so its payload is to be inflated. */
    private boolean inflating() {
        return compression != null && compression.inflating();
    }

    private static String truncate(String reason) {
        byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= CloseBody.MAX_REASON_BYTES) {
            return reason;
        }
        int end = CloseBody.MAX_REASON_BYTES;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--; // don't cut a UTF-8 sequence in half
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    /** The rule checks of §5.1–§5.5, applied to each frame as the decoder finds it. */
    private final class Receiver implements FrameDecoder.Listener {

        @Override
        public void onHeader(boolean fin, int rsv, Opcode opcode, boolean masked, long payloadLength) {
            // §5.1: "a client MUST mask all frames that it sends to the server" and "a server MUST
            // NOT mask any frames that it sends to the client".
            if (masked != role.expectsMaskedIncoming()) {
                throw new ProtocolException(masked ? Violation.MASKED_SERVER_FRAME : Violation.UNMASKED_CLIENT_FRAME,
                        masked ? "masked frame from the server" : "unmasked frame from the client");
            }
            checkReservedBits(rsv, opcode);
            frameOpcode = opcode;
            frameFin = fin;
            // §5.4 fragmentation and §5.5 control frames, for every kind of frame.
            switch (opcode) {
                case TEXT, BINARY -> {
                    checkFrameSize(payloadLength);
                    if (rsv == CompressionStage.RSV1) { // checkReservedBits: only with a compression stage
                        compression.startMessage(opcode, payloadLength);
                    } else {
                        assembler.startMessage(opcode, payloadLength);
                    }
                }
                case CONTINUATION -> {
                    checkFrameSize(payloadLength);
                    assembler.continueMessage(inflating() ? 0 : payloadLength);
                }
                case CLOSE, PING, PONG -> {
                    if (!fin) {
                        throw new ProtocolException(Violation.FRAGMENTED_CONTROL_FRAME, "fragmented " + opcode + " frame");
                    }
                    if (payloadLength > MAX_CONTROL_PAYLOAD) {
                        throw new ProtocolException(Violation.CONTROL_FRAME_TOO_LONG, opcode + " frame of " + payloadLength + " bytes; at most 125 allowed");
                    }
                    if (opcode == Opcode.CLOSE && payloadLength == 1) {
                        throw new ProtocolException(Violation.CLOSE_PAYLOAD_TOO_SHORT, "close frame body of 1 byte");
                    }
                    if (control == null) {
                        control = new byte[MAX_CONTROL_PAYLOAD];
                    }
                    controlLength = 0;
                }
            }
        }

        /**
         * §5.2: "If a nonzero value is received and none of the negotiated extensions defines the
         * meaning of such a nonzero value, the receiving endpoint MUST _Fail_". Without an
         * extension every nonzero value fails; with permessage-deflate its stage decides
         * ({@link CompressionStage#checkReservedBits}, RFC 7692 §6.1).
         *
         * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-5.2">RFC 6455 §5.2</a>
         */
        private void checkReservedBits(int rsv, Opcode opcode) {
            if (rsv == 0) {
                return;
            }
            if (compression == null) {
                throw new ProtocolException(Violation.RESERVED_BITS, "reserved bits set: " + Integer.toBinaryString(rsv)
                        + " with no extension negotiated");
            }
            compression.checkReservedBits(rsv, opcode);
        }

        private void checkFrameSize(long payloadLength) {
            if (payloadLength > config.maxFrameSize()) {
                throw new ProtocolException(Violation.FRAME_TOO_BIG,
                        "frame of " + payloadLength + " bytes exceeds the limit of " + config.maxFrameSize());
            }
        }

        @Override
        public void onPayload(byte[] buf, int off, int len) {
            if (frameOpcode.isControl()) {
                System.arraycopy(buf, off, control, controlLength, len);
                controlLength += len;
            } else if (inflating()) {
                compression.inflate(buf, off, len);
            } else {
                assembler.append(buf, off, len);
            }
        }

        @Override
        public boolean onFrameEnd() {
            switch (frameOpcode) {
                case TEXT, BINARY, CONTINUATION -> {
                    if (frameFin && inflating()) {
                        compression.endMessage(); // RFC 7692 §7.2.2: append 00 00 ff ff, inflate
                    }
                    Message message = assembler.endFrame(frameFin);
                    if (message != null) {
                        events.add(message);
                    }
                }
                case PING -> {
                    byte[] payload = Arrays.copyOf(control, controlLength);
                    events.add(new Message.Ping(payload));
                    // §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in
                    // response [...] The Pong frame MUST have identical "Application data"". Not
                    // after our own close, after which we send nothing but the close.
                    if (state == ConnectionState.OPEN) {
                        outgoing.add(encoder.encode(true, 0, Opcode.PONG, payload, 0, payload.length));
                    }
                }
                case PONG -> events.add(new Message.Pong(Arrays.copyOf(control, controlLength)));
                case CLOSE -> {
                    onClose(CloseBody.parse(control, 0, controlLength));
                    return false; // nothing after a close frame is read
                }
            }
            return true;
        }

        /**
         * §5.5.1: "If an endpoint receives a Close frame and did not previously send a Close
         * frame, the endpoint MUST send a Close frame in response. (When sending a Close frame in
         * response, the endpoint typically echos the status code it received.) It SHOULD do so as
         * soon as practical. An endpoint MAY delay sending a Close frame until its current message
         * is sent". With {@link #deferCloses} the reply waits for {@link #applyPendingClose()}, so
         * that answers to the messages received before the close go out first.
         *
         * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-5.5.1">RFC 6455 §5.5.1</a>
         */
        private void onClose(CloseBody body) {
            closeReceived = body;
            assembler.reset();
            events.add(new Message.Close(body.code(), body.reason()));
            if (closeSent != null) {
                state = ConnectionState.CLOSING; // the reply to our close: the handshake is done
                return;
            }
            CloseBody reply = body.code().equals(CloseCode.NO_STATUS_RCVD) ? CloseBody.EMPTY : new CloseBody(body.code(), "");
            if (deferCloses) {
                pendingReply = reply; // OPEN until it is applied: the messages before the close may be answered
            } else {
                queueClose(reply);
            }
        }
    }
}
