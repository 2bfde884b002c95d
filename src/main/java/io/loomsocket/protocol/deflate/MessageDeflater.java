package io.loomsocket.protocol.deflate;

import io.loomsocket.protocol.Role;
import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * Compresses the messages one side sends (RFC 7692 §7.2.1), in the order they go out: "Compress
 * all the octets of the payload of the message using DEFLATE", end with a sync flush, and "If the
 * resulting data does not end with an empty DEFLATE block with no compression (the "BTYPE" bits
 * are set to 00), append an empty DEFLATE block with no compression to the tail end. Remove 4
 * octets (that are 0x00 0x00 0xff 0xff) from the tail end."
 *
 * <p>Which messages are compressed ({@link #compresses}): those of at least {@code threshold}
 * bytes, and, when the negotiated window is below 15 bits, only whole messages of at most 2^bits
 * bytes, because {@link Deflater} always uses a 15-bit window; a back-reference inside a message
 * of 2^bits bytes cannot reach farther than that. Everything else goes uncompressed, which §6
 * allows ("An endpoint MAY send a message without compression").
 *
 * <p>Context: with context takeover the compressor is this sender's own, created at the first
 * compressed message. Without it ("the sender MUST start compressing each new message with an
 * empty LZ77 sliding window", §7.1.1.1), and whenever the window is limited, a compressor is
 * borrowed from {@code ZlibContexts} for one message and given back at its end.
 *
 * <p>Not thread-safe: the connection's core lock orders its use. {@link #release()} ends the
 * native context; the connection calls it when it is torn down.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7692#section-7.2.1">RFC 7692 §7.2.1</a>
 */
public final class MessageDeflater {

    private static final int TRAILER = 4; // 0x00 0x00 0xff 0xff

    private final int level;
    private final int threshold;
    private final int maxWindowBits;
    private final boolean resetPerMessage;

    private Deflater deflater; // the own context with takeover, or the one borrowed for a message
    private boolean inMessage; // a fragmented message is being compressed
    private boolean released;

    /**
     * @param noContextTakeover whether this sender must reset after each message
     * @param maxWindowBits the window this sender may use, 8..15
     */
    public MessageDeflater(int level, int threshold, boolean noContextTakeover, int maxWindowBits) {
        this.level = level;
        this.threshold = threshold;
        this.maxWindowBits = maxWindowBits;
        this.resetPerMessage = noContextTakeover || maxWindowBits < DeflateOptions.MAX_WINDOW_BITS;
    }

    /** The sending half of {@code params} for {@code sender}, with the local level and threshold. */
    public static MessageDeflater forSender(DeflateParams params, DeflateOptions local, Role sender) {
        return new MessageDeflater(local.level(), local.threshold(), params.noContextTakeover(sender),
                params.maxWindowBits(sender));
    }

    /**
     * Whether a message starting with {@code length} bytes is to be compressed: {@code whole}
     * when those bytes are the whole message, false for the first fragment of a longer one.
     */
    public boolean compresses(int length, boolean whole) {
        if (released || length < threshold) {
            return false;
        }
        if (maxWindowBits < DeflateOptions.MAX_WINDOW_BITS) {
            return whole && length <= 1 << maxWindowBits;
        }
        return true;
    }

    /** Whether the compressor is in the middle of a fragmented message. */
    public boolean inMessage() {
        return inMessage;
    }

    /** Compresses a whole message; the result has the trailer removed. */
    public byte[] compress(byte[] payload, int off, int len) {
        if (inMessage) {
            throw new IllegalStateException("a fragmented message is being compressed");
        }
        return compressFragment(payload, off, len, true);
    }

    /**
     * Compresses one fragment of a message, the first or a later one: every fragment ends with a
     * sync flush, so the peer can inflate it as it arrives; the final one has the trailer removed.
     */
    public byte[] compressFragment(byte[] payload, int off, int len, boolean fin) {
        if (released) {
            throw new IllegalStateException("released");
        }
        if (deflater == null) {
            deflater = resetPerMessage ? ZlibContexts.borrowDeflater(level) : ZlibContexts.newDeflater(level);
        }
        deflater.setInput(payload, off, len);
        byte[] out = new byte[len + (len >> 10) + 64];
        int size = 0;
        while (true) {
            size += deflater.deflate(out, size, out.length - size, Deflater.SYNC_FLUSH);
            if (size < out.length) {
                break; // all input consumed and flushed: deflate() left room
            }
            out = Arrays.copyOf(out, out.length * 2);
        }
        inMessage = !fin;
        if (fin) {
            size = stripTrailer(out, size);
            if (resetPerMessage) {
                ZlibContexts.giveBack(deflater, level);
                deflater = null;
            }
        }
        return Arrays.copyOf(out, size);
    }

    /**
     * A sync flush ends with the empty stored block 00 00 ff ff, whose last 4 octets the receiver
     * appends again. zlib writes nothing at all when nothing was added since the last flush (an
     * empty final fragment, or an empty message with context takeover); then the payload is the
     * single octet 00, the header of the empty stored block the receiver's 4 octets complete:
     * "the payload [...] is a single octet 0x00" (§7.2.3.6).
     */
    private static int stripTrailer(byte[] out, int size) {
        if (size == 0) {
            out[0] = 0;
            return 1;
        }
        if (size < TRAILER || out[size - 4] != 0 || out[size - 3] != 0 || out[size - 2] != (byte) 0xff || out[size - 1] != (byte) 0xff) {
            throw new IllegalStateException("sync flush did not end with 00 00 ff ff");
        }
        return size - TRAILER;
    }

    /** Whether a native context is held between messages (only with context takeover). */
    public boolean holdsContext() {
        return deflater != null;
    }

    /** Ends the native context; afterwards nothing is compressed. Idempotent. */
    public void release() {
        released = true;
        inMessage = false;
        if (deflater != null) {
            ZlibContexts.end(deflater); // a borrowed one mid-message is in an unknown state: not pooled
            deflater = null;
        }
    }
}
