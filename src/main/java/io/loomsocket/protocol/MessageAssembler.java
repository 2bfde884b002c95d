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
 * <p>Memory: nothing is held for an idle connection. A small frame (announced at most
 * {@link #EAGER_ALLOCATION_LIMIT}) is read into an array of exactly its size, allocated at its
 * header, and handed over without a copy — unless eager allocation is off
 * ({@link #eagerAllocation}: the socket layer turns it off while memory is short, so that a header
 * alone costs nothing). Anything else is held in chunks allocated as its bytes arrive, each at
 * most as large as what is held already (and at most {@link #MAX_CHUNK}): held bytes never exceed
 * twice the bytes received plus {@link #MIN_CHUNK}, and a fragmented message is held once while
 * it is reassembled, with no copy as it grows; at its end the chunks are joined once into the
 * message's array. A large message in one frame moves, when the next chunk would reach its end,
 * into one array of its announced size, which is then handed over as it is.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-5.4">RFC 6455 §5.4</a>
 */
public final class MessageAssembler {

    /** Frames announced at most this large are allocated whole at their header (when eager). */
    static final int EAGER_ALLOCATION_LIMIT = 64 * 1024;
    /** The smallest chunk, and the largest a chunk may grow to. */
    static final int MIN_CHUNK = 4 * 1024;
    static final int MAX_CHUNK = 1024 * 1024;

    private final long maxMessageSize;
    private final Utf8Validator utf8 = new Utf8Validator();
    private boolean eager = true;

    private Opcode type; // TEXT or BINARY while a message is in progress, else null
    private byte[][] chunks = NO_CHUNKS; // filled chunks, in order, then the one being filled
    private int chunkCount; // chunks in use; the last is being filled
    private int fill; // bytes in the last chunk
    private long capacity; // the chunks' lengths added up: what the message holds now
    private int size;
    private long frameEnd; // size the message will reach at the end of the current frame
    private boolean fragmented; // a continuation frame has begun, or the message is compressed

    private static final byte[][] NO_CHUNKS = new byte[0][];

    public MessageAssembler(long maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    /**
     * With {@code false}, no frame is allocated at its header: every message is held in chunks
     * as its bytes arrive. On by default. For the socket layer while memory is short.
     */
    public void eagerAllocation(boolean on) {
        this.eager = on;
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
        if (eager && frameLength <= EAGER_ALLOCATION_LIMIT) {
            addChunk(new byte[(int) frameLength]);
        }
    }

    /**
     * The first frame of a compressed message begins (RFC 7692): what {@link #append} receives is
     * inflated, of a size no header announces, so it is held in chunks, and the caller bounds the
     * size while inflating. A continuation frame of such a message is
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
        fragmented = true; // chunks up to the limit
        utf8.reset();
        frameEnd = 0;
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
        while (len > 0) {
            byte[] last = chunkCount == 0 ? null : chunks[chunkCount - 1];
            if (last == null || fill == last.length) {
                int next = nextChunkSize(len);
                last = !fragmented && chunkCount > 0 && size + (long) next >= frameEnd
                        ? consolidate() // the last chunk of a message in one frame: its exact array instead
                        : addChunk(new byte[next]);
            }
            int n = Math.min(len, last.length - fill);
            System.arraycopy(src, off, last, fill, n);
            fill += n;
            size += n;
            off += n;
            len -= n;
        }
    }

    /**
     * The next chunk: room for the {@code len} bytes in hand if it can, at least
     * {@link #MIN_CHUNK}, as large as what is held already up to {@link #MAX_CHUNK} (so a large
     * message takes few chunks), and never past what the message can still grow to: the end of
     * the frame in a message's first frame (a message in one frame that arrives in one piece
     * fits one exact chunk), the size limit in later ones.
     */
    private int nextChunkSize(int len) {
        long room = fragmented ? Math.min(maxMessageSize, ConnectionConfig.LARGEST_MESSAGE) - size : frameEnd - size;
        long wanted = Math.max(len, Math.min(Math.max(size, MIN_CHUNK), MAX_CHUNK));
        return (int) Math.max(Math.min(wanted, room), Math.min(len, Integer.MAX_VALUE - 16));
    }

    /**
     * In a message's first frame, when the next chunk would reach the end of the frame: one
     * array of the frame's size, holding what was received so far, so the message needs no join
     * at its end. Costs one copy of at most half the message (the chunks hold at least as much
     * as the next one would).
     */
    private byte[] consolidate() {
        byte[] all = new byte[(int) frameEnd];
        int at = 0;
        for (int i = 0; i < chunkCount; i++) {
            int n = i == chunkCount - 1 ? fill : chunks[i].length;
            System.arraycopy(chunks[i], 0, all, at, n);
            chunks[i] = null;
            at += n;
        }
        chunkCount = 0;
        capacity = 0;
        addChunk(all);
        fill = at;
        return all;
    }

    private byte[] addChunk(byte[] chunk) {
        if (chunkCount == chunks.length) {
            chunks = Arrays.copyOf(chunks, Math.max(2, chunkCount * 2));
        }
        chunks[chunkCount++] = chunk;
        fill = 0;
        capacity += chunk.length;
        return chunk;
    }

    /** The message's bytes in one array of exactly its size: the one chunk if it fits exactly, else the chunks joined. */
    private byte[] joined() {
        if (chunkCount == 1 && fill == size && chunks[0].length == size) {
            return chunks[0];
        }
        byte[] data = new byte[size];
        int at = 0;
        for (int i = 0; i < chunkCount; i++) {
            int n = i == chunkCount - 1 ? fill : chunks[i].length;
            System.arraycopy(chunks[i], 0, data, at, n);
            chunks[i] = null; // the copy is the message now
            at += n;
        }
        return data;
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
        byte[] data = joined();
        Opcode done = type;
        reset();
        return done == Opcode.TEXT ? new Message.Text(new String(data, StandardCharsets.UTF_8)) : new Message.Binary(data);
    }

    /** The bytes held for the message in progress: what it costs now, not what its header announced. */
    public long bufferCapacity() {
        return capacity;
    }

    /** Drops a message in progress (after a close, or a failure). */
    public void reset() {
        type = null;
        if (chunkCount > 0) {
            Arrays.fill(chunks, 0, chunkCount, null);
        }
        if (chunks.length > 8) {
            chunks = NO_CHUNKS; // a large message's table: not kept for the next one
        }
        chunkCount = 0;
        fill = 0;
        capacity = 0;
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
