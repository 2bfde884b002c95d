package io.loomsocket.protocol;

/**
 * Limits and settings of one {@link Connection}.
 *
 * @param maxFrameSize the largest payload accepted in one frame; larger fails with 1009
 * @param maxMessageSize the largest reassembled message accepted; larger fails with 1009
 * @param maskKeys where a client's mask keys come from (unused by servers)
 */
public record ConnectionConfig(long maxFrameSize, long maxMessageSize, MaskKeySource maskKeys) {

    /** 1 MiB frames and messages: a safe default for servers facing the open internet. */
    public static final long DEFAULT_MAX_SIZE = 1L << 20;

    /** Arrays cannot hold more; messages are assembled into one array. */
    public static final long LARGEST_MESSAGE = Integer.MAX_VALUE - 16;

    public ConnectionConfig {
        if (maxFrameSize < 125 || maxMessageSize < 125) {
            throw new IllegalArgumentException("limits must allow at least a control frame's 125 bytes");
        }
        if (maxMessageSize > LARGEST_MESSAGE) {
            throw new IllegalArgumentException("maxMessageSize above " + LARGEST_MESSAGE);
        }
        if (maskKeys == null) {
            throw new NullPointerException("maskKeys");
        }
    }

    public static ConnectionConfig defaults() {
        return new ConnectionConfig(DEFAULT_MAX_SIZE, DEFAULT_MAX_SIZE, MaskKeySource.secure());
    }

    public ConnectionConfig withMaxFrameSize(long bytes) {
        return new ConnectionConfig(bytes, maxMessageSize, maskKeys);
    }

    public ConnectionConfig withMaxMessageSize(long bytes) {
        return new ConnectionConfig(maxFrameSize, bytes, maskKeys);
    }

    /** Both limits at once. */
    public ConnectionConfig withMaxSize(long bytes) {
        return new ConnectionConfig(bytes, bytes, maskKeys);
    }

    public ConnectionConfig withMaskKeys(MaskKeySource keys) {
        return new ConnectionConfig(maxFrameSize, maxMessageSize, keys);
    }
}
