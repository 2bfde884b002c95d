package io.loomsocket.protocol;

import io.loomsocket.protocol.deflate.DeflateOptions;
import io.loomsocket.protocol.deflate.DeflateParams;
import io.loomsocket.protocol.deflate.MessageDeflater;
import io.loomsocket.protocol.deflate.MessageInflater;

/**
 * permessage-deflate (RFC 7692) as one {@link Connection} applies it to its frames: which frames
 * may carry RSV1, the "Per-Message Compressed" bit, which ones do, and the way of a message's
 * payload through the codec of {@code protocol.deflate} ({@link MessageDeflater},
 * {@link MessageInflater}). A connection without the extension has no stage (its field is null),
 * so it pays nothing for it.
 *
 * <p><b>Receiving.</b> {@link #checkReservedBits} applies §6.1 to a frame with RSV bits set; a
 * message whose first frame has RSV1 starts with {@link #startMessage}, its payload goes through
 * {@link #inflate}, and its final frame ends with {@link #endMessage}. The inflated bytes go to the
 * connection's {@link MessageAssembler}, which checks UTF-8; the inflater bounds the inflated size.
 *
 * <p><b>Sending.</b> {@link #firstFrame}, {@link #continuationFrame} and {@link #wholeMessage}
 * return the frame compressed and encoded with the connection's encoder (the same mask key
 * sequence), or null when the message goes uncompressed; the connection then encodes it as
 * without the extension. The uncompressed answer allocates nothing.
 *
 * <p><b>Ownership.</b> The stage, its compressor and its inflater belong to one connection and,
 * like it, are not thread-safe: the socket layer makes every call into the connection, hence into
 * the stage, under the connection's core lock ({@code io.GuardedConnection}), so messages are
 * compressed in the order they are queued and inflated in the order they arrive. The zlib pool's
 * lock ({@code protocol.deflate.ZlibContexts}), taken when a context is borrowed or given back, is
 * a leaf. {@link #release()} ends the native contexts.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7692#section-6">RFC 7692 §6</a>
 */
final class CompressionStage implements MessageInflater.Sink {

    /** RSV1, the "Per-Message Compressed" bit of RFC 7692 §6, as {@code rsv} bits. */
    static final int RSV1 = Frame.RSV1;

    private final DeflateParams params;
    private final DeflateOptions options;
    private final MessageDeflater deflater;
    private final MessageInflater inflater;
    private final FrameEncoder encoder; // the connection's
    private final MessageAssembler assembler; // the connection's; the inflater's sink is this stage

    private boolean sendingCompressed; // the fragmented message being sent is compressed
    private boolean receivingCompressed; // the message being received had RSV1 on its first frame

    /**
     * @param params what the handshake negotiated
     * @param local this side's level and threshold; {@link DeflateOptions#defaults()} if null
     */
    CompressionStage(DeflateParams params, DeflateOptions local, Role role, long maxMessageSize,
                     FrameEncoder encoder, MessageAssembler assembler) {
        this.params = params;
        this.options = local != null ? local : DeflateOptions.defaults();
        this.deflater = MessageDeflater.forSender(params, options, role);
        this.inflater = MessageInflater.forReceiver(params, role, maxMessageSize);
        this.encoder = encoder;
        this.assembler = assembler;
    }

    DeflateParams params() {
        return params;
    }

    DeflateOptions options() {
        return options;
    }

    /** Ends both native zlib contexts; afterwards nothing is compressed. Idempotent. */
    void release() {
        deflater.release();
        inflater.release();
    }

    // ---------------------------------------------------------------- receiving

    /**
     * The RSV bits of a received frame, when any is set: permessage-deflate defines RSV1, on the
     * first frame of a data message only. RFC 7692 §6.1: "An endpoint MUST NOT set the
     * "Per-Message Compressed" bit of control frames and non-first fragments of a data message."
     *
     * @throws ProtocolException 1002 for RSV2 or RSV3, or RSV1 on a control or continuation frame
     * @see <a href="https://www.rfc-editor.org/rfc/rfc7692#section-6.1">RFC 7692 §6.1</a>
     */
    void checkReservedBits(int rsv, Opcode opcode) {
        if (rsv != RSV1) {
            throw new ProtocolException(Violation.RESERVED_BITS, "reserved bits set: " + Integer.toBinaryString(rsv)
                    + "; permessage-deflate defines RSV1 (100) only");
        }
        if (opcode.isControl()) {
            throw new ProtocolException(Violation.COMPRESSED_CONTROL_FRAME, "RSV1 set on a " + opcode + " frame");
        }
        if (opcode == Opcode.CONTINUATION) {
            throw new ProtocolException(Violation.COMPRESSED_CONTINUATION, "RSV1 set on a continuation frame");
        }
    }

    /**
     * The first frame of a message with RSV1 set begins. Its inflated size is checked as it grows
     * ({@link MessageInflater}), not from the header.
     *
     * @throws ProtocolException {@link Violation#EXPECTED_CONTINUATION} inside a fragmented message
     */
    void startMessage(Opcode opcode, long frameLength) {
        assembler.startCompressedMessage(opcode, frameLength);
        inflater.startMessage();
        receivingCompressed = true;
    }

    /**
     * Whether the message being received is compressed: its payload goes to {@link #inflate}.
     * True from {@link #startMessage} to {@link #endMessage}; an uncompressed message can start
     * only after that, since a new one cannot start inside a fragmented message.
     */
    boolean inflating() {
        return receivingCompressed;
    }

    /**
     * Compressed payload bytes, inflated into the assembler as they arrive.
     *
     * @throws ProtocolException 1007 for data that does not inflate, 1009 over the message limit
     */
    void inflate(byte[] buf, int off, int len) {
        inflater.inflate(buf, off, len, this);
    }

    /**
     * The final frame of the compressed message ended: RFC 7692 §7.2.2, "Append 4 octets of 0x00
     * 0x00 0xff 0xff to the tail end of the payload of the message" and inflate them.
     *
     * @throws ProtocolException as {@link #inflate}
     * @see <a href="https://www.rfc-editor.org/rfc/rfc7692#section-7.2.2">RFC 7692 §7.2.2</a>
     */
    void endMessage() {
        inflater.endMessage(this);
        receivingCompressed = false;
    }

    /** The inflater's sink: inflated bytes go to the assembler. */
    @Override
    public void accept(byte[] buf, int off, int len) {
        assembler.append(buf, off, len);
    }

    // ---------------------------------------------------------------- sending

    /**
     * The first frame of a data message ({@code fin} if it is the whole message), compressed with
     * RSV1 set, or null when the message goes uncompressed: under the threshold, too long for a
     * limited window, fragmented with a limited window ({@link MessageDeflater#compresses}), or
     * after {@link #release()}. §6 allows it: "An endpoint MAY send a message without compression".
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc7692#section-6.1">RFC 7692 §6.1</a>
     */
    byte[] firstFrame(Opcode opcode, byte[] payload, int off, int len, boolean fin) {
        if (!deflater.compresses(len, fin)) {
            return null;
        }
        // RFC 7692 §6.1: the "Per-Message Compressed" bit is set on the first frame only.
        byte[] compressed = deflater.compressFragment(payload, off, len, fin);
        sendingCompressed = !fin;
        return encoder.encode(fin, RSV1, opcode, compressed, 0, compressed.length);
    }

    /**
     * A continuation frame of the message being sent: compressed, with RSV1 clear, if the
     * message's first frame was; else null. RFC 7692 §6.1: "An endpoint MUST NOT set the
     * "Per-Message Compressed" bit of [...] non-first fragments of a data message."
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc7692#section-6.1">RFC 7692 §6.1</a>
     */
    byte[] continuationFrame(byte[] payload, int off, int len, boolean fin) {
        if (!sendingCompressed) {
            return null;
        }
        byte[] compressed = deflater.compressFragment(payload, off, len, fin);
        sendingCompressed = !fin;
        return encoder.encode(fin, 0, Opcode.CONTINUATION, compressed, 0, compressed.length);
    }

    /**
     * A whole message as one frame, compressed with RSV1 set in the order of this call, or null
     * when it goes uncompressed: as {@link #firstFrame}, and also while a fragmented message is
     * being compressed, which the compressor cannot interleave with another.
     */
    byte[] wholeMessage(Opcode type, byte[] payload) {
        if (deflater.inMessage() || !deflater.compresses(payload.length, true)) {
            return null;
        }
        byte[] compressed = deflater.compress(payload, 0, payload.length);
        return encoder.encode(true, RSV1, type, compressed, 0, compressed.length);
    }

    /** A close frame went out: no fragmented message is being sent any more. */
    void sendingEnded() {
        sendingCompressed = false;
    }
}
