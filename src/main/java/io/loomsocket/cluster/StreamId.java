package io.loomsocket.cluster;

/**
 * A Redis stream entry id, {@code ms-seq}: the offset of a message in a resumable topic's
 * history across nodes ({@link RedisResumableTopics}). Ordered as Redis orders them.
 */
public record StreamId(long ms, long seq) implements Comparable<StreamId> {

    public static final StreamId ZERO = new StreamId(0, 0);

    /**
     * Reads {@code ms-seq}.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static StreamId parse(String id) {
        int dash = id == null ? -1 : id.indexOf('-');
        if (dash <= 0 || dash == id.length() - 1) {
            throw new IllegalArgumentException("a stream id is ms-seq, not " + (id == null ? "null" : "\"" + id + "\""));
        }
        try {
            return new StreamId(Long.parseUnsignedLong(id.substring(0, dash)), Long.parseUnsignedLong(id.substring(dash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a stream id is ms-seq, not \"" + id + "\"", e);
        }
    }

    @Override
    public int compareTo(StreamId o) {
        int c = Long.compareUnsigned(ms, o.ms);
        return c != 0 ? c : Long.compareUnsigned(seq, o.seq);
    }

    @Override
    public String toString() {
        return Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq);
    }
}
