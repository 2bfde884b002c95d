package io.loomsocket.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A resumable frame parser: it takes bytes in pieces of any size, split at any byte, and tells a
 * {@link Listener} what it finds. It parses; it does not judge. The only input it rejects is
 * input it cannot parse: a reserved opcode (there is no frame type to report), a length that is
 * not minimally encoded or has its top bit set (§5.2). Rules about which frames may appear when
 * (§5.1, §5.4, §5.5) are checked by the listener, which sees each header as soon as it is
 * complete: at most 14 bytes, before any payload is buffered.
 *
 * <p>Callbacks for one frame, as a grammar:
 *
 * <pre>
 *   frame := onHeader onPayload* onFrameEnd
 * </pre>
 *
 * <p>When {@code onFrameEnd} returns {@code false} the decoder stops: {@link #feed} returns the
 * count of bytes consumed so far, and every later call consumes nothing.
 *
 * <p>{@code onPayload} receives the payload unmasked, <em>in place in the caller's buffer</em>,
 * in as many pieces as the input arrived in. It may be called zero times (empty payload).
 *
 * <p>States: {@code FIRST_BYTE -> SECOND_BYTE -> EXTENDED_LENGTH? -> MASKING_KEY? -> PAYLOAD?},
 * then back to {@code FIRST_BYTE}. A header that arrives whole is parsed in one step, with the
 * same checks in the same order; the states are for headers split between reads. Nothing is
 * allocated per frame.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-5.2">RFC 6455 §5.2</a>
 */
public final class FrameDecoder {

    /** Receives what the decoder finds. A listener may throw {@link ProtocolException} to stop. */
    public interface Listener {
        /** A complete header. {@code rsv} holds RSV1–3 as bits 2–0. */
        void onHeader(boolean fin, int rsv, Opcode opcode, boolean masked, long payloadLength);

        /** The next piece of the current frame's payload, already unmasked. */
        void onPayload(byte[] buf, int off, int len);

        /**
         * The current frame's payload is complete. Returns whether to go on parsing: {@code false}
         * stops the decoder right after this frame (after a close frame, nothing more is read).
         */
        boolean onFrameEnd();
    }

    enum State { FIRST_BYTE, SECOND_BYTE, EXTENDED_LENGTH, MASKING_KEY, PAYLOAD, STOPPED, FAILED }

    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private final Listener listener;

    private State state = State.FIRST_BYTE;
    private boolean fin;
    private int rsv;
    private Opcode opcode;
    private boolean masked;
    private PayloadLength lengthEncoding;
    private int fieldBytesLeft; // of the extended length or the masking key
    private long fieldValue;
    private long payloadLength;
    private long payloadLeft;
    private int maskKey;
    private int maskIndex;

    public FrameDecoder(Listener listener) {
        this.listener = listener;
    }

    /**
     * Parses {@code buf[off, off+len)}. Payload bytes are unmasked in place.
     *
     * @return the number of bytes consumed: {@code len}, unless the listener stopped the decoder
     * @throws ProtocolException from the decoder or the listener; the decoder is then unusable
     */
    public int feed(byte[] buf, int off, int len) {
        if (state == State.FAILED) {
            throw new IllegalStateException("decoder failed earlier");
        }
        if (state == State.STOPPED) {
            return 0;
        }
        try {
            return parse(buf, off, off + len) - off;
        } catch (RuntimeException e) {
            state = State.FAILED;
            throw e;
        }
    }

    /** Parses the remaining bytes of a heap buffer and advances its position past them. */
    public int feed(ByteBuffer in) {
        if (!in.hasArray()) {
            byte[] copy = new byte[in.remaining()];
            in.duplicate().get(copy);
            int n = feed(copy, 0, copy.length);
            in.position(in.position() + n);
            return n;
        }
        int n = feed(in.array(), in.arrayOffset() + in.position(), in.remaining());
        in.position(in.position() + n);
        return n;
    }

    /** Whether the listener stopped the decoder. */
    public boolean isStopped() {
        return state == State.STOPPED;
    }

    /** Whether the decoder is between frames: the input so far ended on a frame boundary. */
    public boolean isAtFrameBoundary() {
        return state == State.FIRST_BYTE;
    }

    State state() {
        return state;
    }

    private int parse(byte[] buf, int p, int end) {
        while (p < end && state != State.STOPPED) {
            switch (state) {
                case FIRST_BYTE -> {
                    int h = wholeHeader(buf, p, end);
                    if (h > 0) {
                        p += h;
                        headerComplete();
                        continue;
                    }
                    int b = buf[p++] & 0xFF;
                    fin = (b & 0x80) != 0;
                    rsv = (b >>> 4) & 0b111;
                    opcode = Opcode.of(b);
                    state = State.SECOND_BYTE;
                }
                case SECOND_BYTE -> {
                    int b = buf[p++] & 0xFF;
                    masked = (b & 0x80) != 0;
                    int len7 = b & 0x7F;
                    lengthEncoding = PayloadLength.ofMarker(len7);
                    if (lengthEncoding == PayloadLength.SEVEN_BIT) {
                        payloadLength = len7;
                        afterLength();
                    } else {
                        fieldBytesLeft = lengthEncoding.extendedBytes();
                        fieldValue = 0;
                        state = State.EXTENDED_LENGTH;
                    }
                }
                case EXTENDED_LENGTH -> {
                    p = readField(buf, p, end);
                    if (fieldBytesLeft == 0) {
                        payloadLength = fieldValue;
                        lengthEncoding.checkDecoded(payloadLength);
                        afterLength();
                    }
                }
                case MASKING_KEY -> {
                    p = readField(buf, p, end);
                    if (fieldBytesLeft == 0) {
                        maskKey = (int) fieldValue;
                        headerComplete();
                    }
                }
                case PAYLOAD -> {
                    int n = (int) Math.min(payloadLeft, end - p);
                    if (masked) {
                        maskIndex = Masking.mask(buf, p, n, maskKey, maskIndex);
                    }
                    payloadLeft -= n;
                    listener.onPayload(buf, p, n);
                    p += n;
                    if (payloadLeft == 0) {
                        endFrame();
                    }
                }
                case STOPPED, FAILED -> throw new IllegalStateException("unreachable: " + state);
            }
        }
        return p;
    }

    /**
     * The fast path for a header that lies wholly in {@code buf[p, end)}: parses it in one step,
     * with the same checks in the same order as the byte-at-a-time states, and returns its size;
     * returns 0, having changed nothing, when the header is cut by the end of the input (the
     * states then take it byte by byte).
     */
    private int wholeHeader(byte[] buf, int p, int end) {
        if (end - p < 2) {
            return 0;
        }
        int b0 = buf[p] & 0xFF;
        int b1 = buf[p + 1] & 0xFF;
        int len7 = b1 & 0x7F;
        boolean isMasked = (b1 & 0x80) != 0;
        PayloadLength encoding = PayloadLength.ofMarker(len7);
        int size = 2 + encoding.extendedBytes() + (isMasked ? 4 : 0);
        if (end - p < size) {
            return 0;
        }
        fin = (b0 & 0x80) != 0;
        rsv = (b0 >>> 4) & 0b111;
        opcode = Opcode.of(b0); // §5.2: a reserved opcode fails here
        masked = isMasked;
        lengthEncoding = encoding;
        int q = p + 2;
        if (encoding == PayloadLength.SEVEN_BIT) {
            payloadLength = len7;
        } else {
            long value = 0;
            for (int n = encoding.extendedBytes(); n > 0; n--) {
                value = value << 8 | (buf[q++] & 0xFF);
            }
            payloadLength = value;
            encoding.checkDecoded(value); // §5.2: minimal encoding, most significant bit 0
        }
        if (isMasked) {
            maskKey = (int) INT_BE.get(buf, q);
        }
        return size;
    }

    private int readField(byte[] buf, int p, int end) {
        while (fieldBytesLeft > 0 && p < end) {
            fieldValue = fieldValue << 8 | (buf[p++] & 0xFF);
            fieldBytesLeft--;
        }
        return p;
    }

    private void afterLength() {
        if (masked) {
            fieldBytesLeft = 4;
            fieldValue = 0;
            state = State.MASKING_KEY;
        } else {
            headerComplete();
        }
    }

    private void headerComplete() {
        maskIndex = 0;
        payloadLeft = payloadLength;
        // The listener runs its rule checks here and may throw; only then is payload read.
        listener.onHeader(fin, rsv, opcode, masked, payloadLength);
        if (payloadLength == 0) {
            endFrame();
        } else {
            state = State.PAYLOAD;
        }
    }

    private void endFrame() {
        state = State.FIRST_BYTE;
        if (!listener.onFrameEnd()) {
            state = State.STOPPED;
        }
    }
}
