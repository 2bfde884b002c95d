package io.loomsocket.protocol.deflate;

import io.loomsocket.protocol.ProtocolException;
import io.loomsocket.protocol.Role;
import io.loomsocket.protocol.Violation;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decompresses the messages the peer sent with RSV1 set (RFC 7692 §7.2.2): "Append 4 octets of
 * 0x00 0x00 0xff 0xff to the tail end of the payload of the message [and] Decompress the
 * resulting data using DEFLATE."
 *
 * <p>Bytes are inflated as they arrive, frame by frame and piece by piece, so input may be split
 * anywhere, and the output goes to a {@link Sink} in chunks of at most {@value #CHUNK} bytes. The
 * size limit applies to the <b>inflated</b> size and is checked chunk by chunk while inflating:
 * a decompression bomb ends with {@link Violation#INFLATED_MESSAGE_TOO_BIG} (1009) once the limit
 * is passed, having produced at most the limit plus one chunk. Data that does not inflate fails
 * with {@link Violation#INVALID_COMPRESSED_DATA} (1007).
 *
 * <p>An empty message arrives as the single octet 0x00 (§7.2.3.6), uncompressed, or, from
 * lenient senders, as an empty payload with RSV1 set: all three are an empty message.
 * Data after the end of a DEFLATE block with BFINAL set is ignored (§7.2.3.4's example ends
 * with such an octet), and the context is reset at that message's end.
 *
 * <p>Context: with the peer's context takeover the inflater is this connection's own, created
 * at the first compressed message; without it ("the peer MUST start compressing each new message
 * with an empty LZ77 sliding window") one is borrowed from {@code ZlibContexts} per message.
 * Not thread-safe: the core lock orders its use. {@link #release()} ends the native context.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7692#section-7.2.2">RFC 7692 §7.2.2</a>
 */
public final class MessageInflater {

    /** Where inflated bytes go; the array is reused after the call returns. */
    @FunctionalInterface
    public interface Sink {
        void accept(byte[] buf, int off, int len);
    }

    static final int CHUNK = 8192;
    private static final byte[] TRAILER = {0x00, 0x00, (byte) 0xff, (byte) 0xff};

    private final boolean resetPerMessage;
    private final long maxMessageSize;

    private Inflater inflater;
    private byte[] chunk;
    private long inflated; // bytes of the current message so far
    private boolean streamEnded; // a BFINAL block ended: the rest of the message is ignored
    private long compressed; // payload bytes of the current message so far
    private boolean released;

    /**
     * @param peerNoContextTakeover whether the peer resets its compressor after each message
     * @param maxMessageSize the largest inflated message accepted
     */
    public MessageInflater(boolean peerNoContextTakeover, long maxMessageSize) {
        this.resetPerMessage = peerNoContextTakeover;
        this.maxMessageSize = maxMessageSize;
    }

    /** The receiving half of {@code params} for {@code receiver}. */
    public static MessageInflater forReceiver(DeflateParams params, Role receiver, long maxMessageSize) {
        Role peer = receiver == Role.SERVER ? Role.CLIENT : Role.SERVER;
        return new MessageInflater(params.noContextTakeover(peer), maxMessageSize);
    }

    /** A compressed message begins. */
    public void startMessage() {
        if (released) {
            throw new IllegalStateException("released");
        }
        inflated = 0;
        compressed = 0;
        streamEnded = false;
        if (inflater == null) {
            inflater = resetPerMessage ? ZlibContexts.borrowInflater() : ZlibContexts.newInflater();
            chunk = new byte[CHUNK];
        }
    }

    /**
     * Compressed payload bytes of the current message, in order; all of them are consumed
     * before this returns.
     *
     * @throws ProtocolException 1007 for data that does not inflate, 1009 over the size limit
     */
    public void inflate(byte[] buf, int off, int len, Sink sink) {
        compressed += len;
        if (streamEnded || len == 0) {
            return;
        }
        inflater.setInput(buf, off, len);
        drain(sink);
    }

    /**
     * The message's final frame ended: inflates the trailer and ends the message.
     *
     * @throws ProtocolException as {@link #inflate}
     */
    public void endMessage(Sink sink) {
        // An empty payload with RSV1 set is taken as an empty message: the trailer alone would
        // open a stored block that never ends and garble the next message of the context.
        if (!streamEnded && compressed > 0) {
            inflater.setInput(TRAILER);
            drain(sink);
        }
        if (streamEnded) {
            inflater.reset(); // a new DEFLATE stream follows a BFINAL block
        }
        if (resetPerMessage) {
            ZlibContexts.giveBack(inflater);
            inflater = null;
            chunk = null;
        }
    }

    private void drain(Sink sink) {
        try {
            while (true) {
                int n = inflater.inflate(chunk);
                if (n > 0) {
                    inflated += n;
                    if (inflated > maxMessageSize) {
                        throw new ProtocolException(Violation.INFLATED_MESSAGE_TOO_BIG,
                                "message inflates to more than the limit of " + maxMessageSize + " bytes");
                    }
                    sink.accept(chunk, 0, n);
                } else if (inflater.finished()) {
                    streamEnded = true; // §7.2.3.4: what follows a final block is ignored
                    return;
                } else if (inflater.needsInput()) {
                    return;
                } else {
                    // A raw stream never asks for a dictionary; stopping with input left would keep
                    // a reference to the caller's buffer, so anything else is refused.
                    throw new ProtocolException(Violation.INVALID_COMPRESSED_DATA, "compressed data does not inflate");
                }
            }
        } catch (DataFormatException e) {
            throw new ProtocolException(Violation.INVALID_COMPRESSED_DATA, "invalid compressed data: " + e.getMessage());
        }
    }

    /** Whether a native context is held between messages. */
    public boolean holdsContext() {
        return inflater != null;
    }

    /** Ends the native context. Idempotent. */
    public void release() {
        released = true;
        if (inflater != null) {
            ZlibContexts.end(inflater); // mid-message state is unknown: never pooled
            inflater = null;
            chunk = null;
        }
    }
}
