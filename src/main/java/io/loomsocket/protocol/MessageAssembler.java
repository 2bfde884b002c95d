package io.loomsocket.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reassembles a fragmented data message (§5.4) and enforces the maximum message size before the
 * bytes are buffered. Text is validated as UTF-8 piece by piece, so an invalid byte fails the
 * connection as soon as it arrives, not when the message ends.
 *
 * <p>"A fragmented message consists of a single frame with the FIN bit clear and an opcode other
 * than 0, followed by zero or more frames with the FIN bit clear and the opcode set to 0, and
 * terminated by a single frame with the FIN bit set and an opcode of 0."
 *
 * <p>The buffer is allocated when a message starts, never for an idle connection. A message that
 * arrives in one frame is read into an array of exactly its size and handed over without a copy;
 * a fragmented one grows by doubling and is trimmed once at its end.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-5.4">RFC 6455 §5.4</a>
 */
public final class MessageAssembler {

    /** Frames announced larger than this are buffered as their bytes arrive, not up front. */
    private static final int EAGER_ALLOCATION_LIMIT = 64 * 1024;

    private final long maxMessageSize;
    private final Utf8Validator utf8 = new Utf8Validator();

    private Opcode type; // TEXT or BINARY while a message is in progress, else null
    private byte[] buf;
    private int size;
    private long frameEnd; // size the buffer will reach at the end of the current frame
    private boolean fragmented; // a continuation frame has begun

    public MessageAssembler(long maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    /** Whether a fragmented message has started and not yet ended. */
    public boolean inProgress() {
        return type != null;
    }

    /**
     * A text or binary frame begins.
     *
     * @throws ProtocolException {@link Violation#EXPECTED_CONTINUATION} inside a fragmented
     *     message; {@link Violation#MESSAGE_TOO_BIG} over the limit
     */
    public void startMessage(Opcode opcode, long frameLength) {
        if (type != null) {
            throw new ProtocolException(Violation.EXPECTED_CONTINUATION,
                    "new " + opcode + " frame inside a fragmented " + type + " message");
        }
        checkSize(frameLength);
        type = opcode;
        size = 0;
        fragmented = false;
        utf8.reset();
        frameEnd = frameLength;
        buf = new byte[(int) Math.min(frameLength, EAGER_ALLOCATION_LIMIT)];
    }

    /**
     * The first frame of a compressed message begins (RFC 7692): what {@link #append} receives is
     * inflated, of a size no header announces, so the buffer grows by doubling from a guess, and
     * the caller bounds the size while inflating. A continuation frame of such a message is
     * announced with {@code continueMessage(0)}.
     *
     * @throws ProtocolException {@link Violation#EXPECTED_CONTINUATION} inside a fragmented message
     */
    public void startCompressedMessage(Opcode opcode, long frameLength) {
        if (type != null) {
            throw new ProtocolException(Violation.EXPECTED_CONTINUATION,
                    "new " + opcode + " frame inside a fragmented " + type + " message");
        }
        type = opcode;
        size = 0;
        fragmented = true; // grow by doubling up to the limit
        utf8.reset();
        frameEnd = 0;
        long guess = Math.max(256, frameLength * 3);
        buf = new byte[(int) Math.min(guess, Math.min(maxMessageSize, EAGER_ALLOCATION_LIMIT))];
    }

    /**
     * A continuation frame begins.
     *
     * @throws ProtocolException {@link Violation#UNEXPECTED_CONTINUATION} with no message in
     *     progress; {@link Violation#MESSAGE_TOO_BIG} over the limit
     */
    public void continueMessage(long frameLength) {
        if (type == null) {
            throw new ProtocolException(Violation.UNEXPECTED_CONTINUATION, "continuation frame with no message to continue");
        }
        // Compare by subtraction: size + frameLength can overflow for a 2^63-1 announcement.
        if (frameLength > maxMessageSize - size) {
            throw tooBig(frameLength);
        }
        frameEnd = size + frameLength;
        fragmented = true;
    }

    /** Payload bytes of the current frame, in order. */
    public void append(byte[] src, int off, int len) {
        if (type == Opcode.TEXT) {
            utf8.update(src, off, len);
        }
        if (size + len > buf.length) {
            // Grow by doubling. In a message's first frame, never past what that frame announced,
            // so that a message in one frame ends in an array of exactly its size. In later frames
            // doubling goes on past the current frame (never past the size limit): growing by one
            // frame at a time would copy the message once per fragment, quadratic in its length.
            long doubled = (long) buf.length * 2;
            long cap = fragmented ? Math.min(maxMessageSize, ConnectionConfig.LARGEST_MESSAGE) : frameEnd;
            long wanted = Math.max(size + len, Math.min(doubled, cap));
            buf = Arrays.copyOf(buf, (int) wanted);
        }
        System.arraycopy(src, off, buf, size, len);
        size += len;
    }

    /**
     * The current frame ended. Returns the whole message after its final frame, else null.
     *
     * @throws ProtocolException {@link Violation#INVALID_UTF8} if a text message ends inside a
     *     UTF-8 sequence
     */
    public Message endFrame(boolean fin) {
        if (!fin) {
            return null;
        }
        if (type == Opcode.TEXT) {
            utf8.finish(); // a message may not end inside a UTF-8 sequence
        }
        byte[] data = buf.length == size ? buf : Arrays.copyOf(buf, size);
        Opcode done = type;
        reset();
        return done == Opcode.TEXT ? new Message.Text(new String(data, StandardCharsets.UTF_8)) : new Message.Binary(data);
    }

    /** The bytes held for the message in progress: what it costs now, not what its header announced. */
    int bufferCapacity() {
        return buf == null ? 0 : buf.length;
    }

    /** Drops a message in progress (after a close, or a failure). */
    public void reset() {
        type = null;
        buf = null;
        size = 0;
        frameEnd = 0;
        fragmented = false;
        utf8.reset();
    }

    private void checkSize(long frameLength) {
        if (frameLength > maxMessageSize) {
            throw tooBig(frameLength);
        }
    }

    private ProtocolException tooBig(long frameLength) {
        return new ProtocolException(Violation.MESSAGE_TOO_BIG, "message of " + size + " + " + frameLength
                + " bytes exceeds the limit of " + maxMessageSize);
    }
}
