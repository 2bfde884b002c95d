package io.loomsocket.protocol.deflate;

/**
 * What one side wants of permessage-deflate (RFC 7692): what a client offers, or what a server
 * accepts. The negotiated outcome is a {@link DeflateParams}; level, threshold and memLevel are
 * local choices that never go on the wire.
 *
 * @param level the {@link java.util.zip.Deflater} level, 0 (store) to 9 (best)
 * @param threshold messages shorter than this many bytes are sent uncompressed (RSV1 clear), which
 *     RFC 7692 §6 allows; 0 compresses every message
 * @param serverNoContextTakeover the server resets its compressor after every message: a client
 *     asks for it, a server grants it unasked
 * @param clientNoContextTakeover the client resets its compressor after every message: a client
 *     promises it, a server asks for it
 * @param serverMaxWindowBits 8..15: the LZ77 window the server compresses with; below 15 a client
 *     asks for it, a server announces it
 * @param clientMaxWindowBits 8..15: the window the client compresses with; below 15 a server asks
 *     for it (only if the client offered {@code client_max_window_bits}), a client sends it as a hint
 * @param memLevel 1..9, zlib's memLevel. <b>Recorded but without effect</b>: {@code
 *     java.util.zip.Deflater} has no memLevel setting and always uses zlib's default, 8
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7692#section-7.1">RFC 7692 §7.1</a>
 */
public record DeflateOptions(int level, int threshold, boolean serverNoContextTakeover, boolean clientNoContextTakeover,
                             int serverMaxWindowBits, int clientMaxWindowBits, int memLevel) {

    /** The smallest LZ77 window a peer may ask for: 2^8 bytes. */
    public static final int MIN_WINDOW_BITS = 8;
    /** The largest LZ77 window, and the only one {@code java.util.zip.Deflater} compresses with. */
    public static final int MAX_WINDOW_BITS = 15;
    /** Messages shorter than this go uncompressed by default: deflate's framing costs more. */
    public static final int DEFAULT_THRESHOLD = 64;
    /** The default level: zlib's default, a good ratio at moderate cost. */
    public static final int DEFAULT_LEVEL = 6;

    public DeflateOptions {
        if (level < 0 || level > 9) {
            throw new IllegalArgumentException("level must be 0..9: " + level);
        }
        if (threshold < 0) {
            throw new IllegalArgumentException("threshold must be >= 0: " + threshold);
        }
        requireWindowBits("serverMaxWindowBits", serverMaxWindowBits);
        requireWindowBits("clientMaxWindowBits", clientMaxWindowBits);
        if (memLevel < 1 || memLevel > 9) {
            throw new IllegalArgumentException("memLevel must be 1..9: " + memLevel);
        }
    }

    /**
     * Level 6, threshold 64 bytes, context takeover both ways, 15-bit windows, memLevel 8.
     */
    public static DeflateOptions defaults() {
        return new DeflateOptions(DEFAULT_LEVEL, DEFAULT_THRESHOLD, false, false, MAX_WINDOW_BITS, MAX_WINDOW_BITS, 8);
    }

    public DeflateOptions withLevel(int level) {
        return new DeflateOptions(level, threshold, serverNoContextTakeover, clientNoContextTakeover,
                serverMaxWindowBits, clientMaxWindowBits, memLevel);
    }

    public DeflateOptions withThreshold(int bytes) {
        return new DeflateOptions(level, bytes, serverNoContextTakeover, clientNoContextTakeover,
                serverMaxWindowBits, clientMaxWindowBits, memLevel);
    }

    public DeflateOptions withServerNoContextTakeover(boolean on) {
        return new DeflateOptions(level, threshold, on, clientNoContextTakeover,
                serverMaxWindowBits, clientMaxWindowBits, memLevel);
    }

    public DeflateOptions withClientNoContextTakeover(boolean on) {
        return new DeflateOptions(level, threshold, serverNoContextTakeover, on,
                serverMaxWindowBits, clientMaxWindowBits, memLevel);
    }

    public DeflateOptions withServerMaxWindowBits(int bits) {
        return new DeflateOptions(level, threshold, serverNoContextTakeover, clientNoContextTakeover,
                bits, clientMaxWindowBits, memLevel);
    }

    public DeflateOptions withClientMaxWindowBits(int bits) {
        return new DeflateOptions(level, threshold, serverNoContextTakeover, clientNoContextTakeover,
                serverMaxWindowBits, bits, memLevel);
    }

    public DeflateOptions withMemLevel(int memLevel) {
        return new DeflateOptions(level, threshold, serverNoContextTakeover, clientNoContextTakeover,
                serverMaxWindowBits, clientMaxWindowBits, memLevel);
    }

    private static void requireWindowBits(String name, int bits) {
        if (bits < MIN_WINDOW_BITS || bits > MAX_WINDOW_BITS) {
            throw new IllegalArgumentException(name + " must be 8..15: " + bits);
        }
    }
}
