package io.loomsocket.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * RESP2 and RESP3 from bytes, sans I/O: {@link #feed} whatever arrived, then call {@link #next}
 * until it returns null (a value is incomplete). Bytes may be cut anywhere, even inside a CRLF.
 *
 * <p>Cost: each byte is copied once into the internal buffer, and a bulk string's body once more
 * into its own array (or straight into it, when it arrives while the buffer is empty: a 16 MiB
 * bulk fed in 64 KiB chunks is copied once, never rescanned). Only a line that is not complete
 * yet (a header, a simple string) is looked at again, from where the last look stopped. An
 * incomplete aggregate keeps the items read so far, so a long array arriving in pieces is not
 * parsed again either.
 *
 * <p>Limits: a bulk string's length ({@code maxBulkBytes}; its array is allocated when its header
 * arrives), the nesting of aggregates ({@code maxDepth}), and a line's length (64 KiB, before its
 * CRLF). Whatever breaks one, or is not RESP, ends in a {@link RespProtocolException}; the parser
 * then fails every later call with it, since the stream cannot be resynchronised.
 *
 * <p>Threads: none of its own and no lock; one thread at a time (the connection's reader).
 */
public final class RespParser {

    /** The default {@code maxBulkBytes}: 512 MiB, Redis' own largest string ({@code proto-max-bulk-len}). */
    public static final int DEFAULT_MAX_BULK_BYTES = 512 * 1024 * 1024;
    /** The default {@code maxDepth}. */
    public static final int DEFAULT_MAX_DEPTH = 32;
    /** The longest line (type byte and text, before CRLF) accepted: 64 KiB. */
    public static final int MAX_LINE = 64 * 1024;

    private static final int INITIAL_BUFFER = 16 * 1024;
    private static final int KEPT_BUFFER = 1024 * 1024;

    private final int maxBulkBytes;
    private final int maxDepth;

    /** Bytes fed and not consumed: {@code buf[start..end)}. */
    private byte[] buf = new byte[INITIAL_BUFFER];
    private int start;
    private int end;
    /** How many bytes of the line at {@code start} are known to hold no CR. */
    private int scanned;

    /** The aggregates being filled, the innermost last. */
    private final ArrayList<Aggregate> open = new ArrayList<>();
    /** The body of the bulk string being read ({@code $}, {@code =} or {@code !}), or null. */
    private byte[] bulk;
    private int bulkFilled;
    private byte bulkType;

    private RespProtocolException failure;

    /** A parser with the default limits: 512 MiB bulk strings, 32 levels of nesting. */
    public RespParser() {
        this(DEFAULT_MAX_BULK_BYTES, DEFAULT_MAX_DEPTH);
    }

    public RespParser(int maxBulkBytes, int maxDepth) {
        if (maxBulkBytes < 0 || maxDepth < 1) {
            throw new IllegalArgumentException("maxBulkBytes must be >= 0 and maxDepth >= 1: " + maxBulkBytes + ", " + maxDepth);
        }
        this.maxBulkBytes = maxBulkBytes;
        this.maxDepth = maxDepth;
    }

    /** Adds {@code len} bytes of {@code src} from {@code off}; nothing is parsed until {@link #next}. */
    public void feed(byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        if (bulk != null && start == end) { // the body of a bulk string: straight into its array
            int n = Math.min(len, bulk.length - bulkFilled);
            System.arraycopy(src, off, bulk, bulkFilled, n);
            bulkFilled += n;
            off += n;
            len -= n;
        }
        if (len > buf.length - end) {
            makeRoom(len);
        }
        System.arraycopy(src, off, buf, end, len);
        end += len;
    }

    /** How many bytes were fed and are not part of a value returned or in progress yet. */
    public int buffered() {
        return end - start;
    }

    /**
     * The next complete value, or null if more bytes are needed.
     *
     * @throws RespProtocolException the bytes are not RESP or break a limit (and every later call throws it too)
     */
    public RespValue next() throws RespProtocolException {
        if (failure != null) {
            throw new RespProtocolException("the stream broke earlier: " + failure.getMessage());
        }
        try {
            while (true) {
                RespValue v;
                if (bulk != null) {
                    v = finishBulk();
                    if (v == null) {
                        return idle(null);
                    }
                } else {
                    int cr = findLineEnd();
                    if (cr < 0) {
                        return idle(null);
                    }
                    v = parseLine(cr);
                    if (v == null) {
                        continue; // an aggregate or a bulk string began, or an attribute ended
                    }
                }
                v = complete(v);
                if (v != null) {
                    return idle(v);
                }
            }
        } catch (RespProtocolException e) {
            failure = e;
            throw e;
        }
    }

    /** Returns {@code v}, after giving back a large buffer once it is empty. */
    private RespValue idle(RespValue v) {
        if (start == end) {
            start = 0;
            end = 0;
            if (buf.length > KEPT_BUFFER) {
                buf = new byte[INITIAL_BUFFER];
            }
        }
        return v;
    }

    private void makeRoom(int len) {
        int live = end - start;
        if ((long) live + len > Integer.MAX_VALUE - 16) {
            throw new OutOfMemoryError("RESP buffer beyond 2 GiB");
        }
        int needed = live + len;
        byte[] target = buf;
        if (needed > buf.length) {
            target = new byte[(int) Math.min(Integer.MAX_VALUE - 16, Math.max(needed, 2L * buf.length))];
        }
        System.arraycopy(buf, start, target, 0, live);
        buf = target;
        start = 0;
        end = live;
    }

    /** The index of the CR ending the line at {@code start}, or -1 if its CRLF has not arrived. */
    private int findLineEnd() throws RespProtocolException {
        if (start == end) {
            return -1;
        }
        if (scanned == 0 && !isType(buf[start])) {
            throw new RespProtocolException(String.format("bad type byte 0x%02x", buf[start] & 0xff));
        }
        int limit = (int) Math.min(end, (long) start + MAX_LINE + 1);
        for (int i = start + scanned; i < limit; i++) {
            byte b = buf[i];
            if (b == '\r') {
                if (i + 1 == end) {
                    scanned = i - start;
                    return -1;
                }
                if (buf[i + 1] != '\n') {
                    throw new RespProtocolException(String.format("CR not followed by LF (0x%02x) in a '%c' line",
                            buf[i + 1] & 0xff, (char) buf[start]));
                }
                return i;
            }
            if (b == '\n') {
                throw new RespProtocolException(String.format("LF without CR in a '%c' line", (char) buf[start]));
            }
        }
        scanned = limit - start;
        if (limit == start + MAX_LINE + 1) {
            throw new RespProtocolException(String.format("line too long: no CRLF within %d bytes (> 64 KiB) of a '%c' line",
                    MAX_LINE, (char) buf[start]));
        }
        return -1;
    }

    private static boolean isType(byte b) {
        return switch (b) {
            case '+', '-', ':', '$', '*', '_', ',', '#', '(', '!', '=', '%', '~', '>', '|' -> true;
            default -> false;
        };
    }

    /** Consumes the line {@code buf[start..cr]} and its LF; a scalar, or null if it opened something. */
    private RespValue parseLine(int cr) throws RespProtocolException {
        byte type = buf[start];
        int from = start + 1;
        start = cr + 2;
        scanned = 0;
        return switch (type) {
            case '+' -> new RespValue.Simple(text(from, cr));
            case '-' -> new RespValue.Error(text(from, cr));
            case ':' -> new RespValue.Int(RespLines.parseLong(buf, from, cr, "integer"));
            case '_' -> {
                if (cr != from) {
                    throw new RespProtocolException("bad null: '_' followed by " + RespLines.quote(buf, from, cr));
                }
                yield RespValue.NULL;
            }
            case ',' -> new RespValue.Double(RespLines.parseDouble(buf, from, cr));
            case '#' -> {
                if (cr - from == 1 && (buf[from] == 't' || buf[from] == 'f')) {
                    yield new RespValue.Bool(buf[from] == 't');
                }
                throw new RespProtocolException("bad boolean " + RespLines.quote(buf, from, cr) + " (t or f)");
            }
            case '(' -> new RespValue.BigNumber(RespLines.parseBigNumber(buf, from, cr));
            case '$', '=', '!' -> beginBulk(type, from, cr);
            default -> beginAggregate(type, from, cr); // '*', '~', '>', '%', '|' (isType checked the rest)
        };
    }

    private RespValue beginBulk(byte type, int from, int cr) throws RespProtocolException {
        long len = RespLines.parseLong(buf, from, cr, "length");
        if (len == -1 && type == '$') {
            return RespValue.NULL;
        }
        if (len < 0) {
            throw new RespProtocolException("bad length " + len + " of a '" + (char) type + "' string");
        }
        if (len > maxBulkBytes) {
            throw new RespProtocolException("bulk too large: " + len + " bytes (max " + maxBulkBytes + ")");
        }
        if (type == '=' && len < 4) {
            throw new RespProtocolException("bad length " + len + " of a verbatim string (it starts with 4 bytes such as txt:)");
        }
        bulk = new byte[(int) len];
        bulkFilled = 0;
        bulkType = type;
        return null;
    }

    /** Takes the bulk string's body and CRLF from the buffer; its value once complete, else null. */
    private RespValue finishBulk() throws RespProtocolException {
        int n = Math.min(bulk.length - bulkFilled, end - start);
        System.arraycopy(buf, start, bulk, bulkFilled, n);
        bulkFilled += n;
        start += n;
        if (bulkFilled < bulk.length || end - start < 2) {
            return null;
        }
        if (buf[start] != '\r' || buf[start + 1] != '\n') {
            throw new RespProtocolException(String.format("a string of %d bytes is followed by 0x%02x 0x%02x, not CRLF",
                    bulk.length, buf[start] & 0xff, buf[start + 1] & 0xff));
        }
        start += 2;
        byte[] body = bulk;
        bulk = null;
        return switch (bulkType) {
            case '$' -> new RespValue.Bulk(body);
            case '!' -> new RespValue.Error(new String(body, StandardCharsets.UTF_8));
            default -> { // '='
                if (body[3] != ':') {
                    throw new RespProtocolException("bad verbatim string: no ':' after its 3-byte format");
                }
                yield new RespValue.Bulk(java.util.Arrays.copyOfRange(body, 4, body.length));
            }
        };
    }

    private RespValue beginAggregate(byte type, int from, int cr) throws RespProtocolException {
        long n = RespLines.parseLong(buf, from, cr, "length");
        if (n == -1 && type == '*') {
            return RespValue.NULL;
        }
        if (n < 0 || n > Integer.MAX_VALUE) {
            throw new RespProtocolException("bad length " + n + " of a '" + (char) type + "' aggregate");
        }
        long items = (type == '%' || type == '|') ? 2 * n : n;
        if (items == 0) {
            return type == '|' ? null : Aggregate.build(type, List.of());
        }
        if (open.size() >= maxDepth) {
            throw new RespProtocolException("depth exceeded: aggregates nested deeper than " + maxDepth);
        }
        open.add(new Aggregate(type, items));
        return null;
    }

    /** Puts {@code v} into the innermost open aggregate; the top-level value once one is complete, else null. */
    private RespValue complete(RespValue v) {
        while (!open.isEmpty()) {
            Aggregate a = open.get(open.size() - 1);
            a.items.add(v);
            if (--a.remaining > 0) {
                return null;
            }
            open.remove(open.size() - 1);
            if (a.type == '|') {
                return null; // an attribute: dropped; the value it annotates comes next
            }
            v = Aggregate.build(a.type, a.items);
        }
        return v;
    }

    private String text(int from, int to) {
        return RespLines.text(buf, from, to);
    }

    /** An aggregate being filled: its type byte, how many items it still needs, those it has. */
    private static final class Aggregate {
        final byte type;
        long remaining;
        final List<RespValue> items;

        Aggregate(byte type, long remaining) {
            this.type = type;
            this.remaining = remaining;
            this.items = new ArrayList<>((int) Math.min(remaining, 1024));
        }

        static RespValue build(byte type, List<RespValue> items) {
            return switch (type) {
                case '>' -> new RespValue.Push(items);
                case '%' -> new RespValue.Map(items);
                default -> new RespValue.Array(items); // '*', '~'
            };
        }
    }
}
