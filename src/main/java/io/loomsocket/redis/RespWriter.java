package io.loomsocket.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Commands as RESP: each an array of bulk strings, {@code *N CRLF} then {@code $len CRLF bytes
 * CRLF} per argument. An argument is a {@link String} (sent as UTF-8), a {@code byte[]} (sent as
 * is: binary safe), a {@link Joined} (several arrays sent as one bulk string, so that a caller
 * with a header and a payload need not copy them into one array first), or a {@link Long} or
 * {@link Integer} (sent as its decimal digits, the way Redis wants numbers).
 *
 * <p>{@link #command} encodes one command into a new array. An instance is a growable buffer for
 * pipelining: {@link #append} any number of commands, write {@code array()[0..size())} in one
 * go, then {@link #reset}. The buffer is kept between batches, unless it grew beyond 1 MiB (a
 * large value's buffer is dropped rather than kept for the connection's life).
 *
 * <p>Threads: no lock; one thread at a time ({@link RedisConnection} holds its write lock).
 */
public final class RespWriter {

    private static final int INITIAL = 4 * 1024;
    private static final int KEPT = 1024 * 1024;
    private static final byte[] CRLF = {'\r', '\n'};

    private byte[] buf = new byte[INITIAL];
    private int size;

    /** Byte arrays sent one after the other as one bulk string argument; none is copied before the write buffer. */
    public record Joined(byte[]... parts) {
        public Joined {
            for (byte[] p : parts) {
                java.util.Objects.requireNonNull(p, "part");
            }
        }

        long length() {
            long n = 0;
            for (byte[] p : parts) {
                n += p.length;
            }
            return n;
        }
    }

    /** An empty buffer (4 KiB to begin with). */
    public RespWriter() {
    }

    /** One command, encoded. */
    public static byte[] command(Object... args) {
        RespWriter w = new RespWriter();
        w.append(args);
        return Arrays.copyOf(w.buf, w.size);
    }

    /**
     * Appends one command. All arguments are checked before anything is appended.
     *
     * @throws IllegalArgumentException no arguments, a null one, or one of another type (named)
     */
    public void append(Object... args) {
        if (args.length == 0) {
            throw new IllegalArgumentException("a command needs at least its name");
        }
        Object[] encoded = new Object[args.length]; // byte[], or a Joined
        long total = 16;
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof Joined j) {
                encoded[i] = j;
                total += j.length() + 16;
            } else {
                byte[] a = encode(args[i], i);
                encoded[i] = a;
                total += a.length + 16;
            }
        }
        ensure(total);
        header('*', args.length);
        for (Object a : encoded) {
            if (a instanceof Joined j) {
                header('$', (int) j.length());
                for (byte[] part : j.parts()) {
                    put(part);
                }
            } else {
                byte[] b = (byte[]) a;
                header('$', b.length);
                put(b);
            }
            put(CRLF);
        }
    }

    /** How many bytes are buffered. */
    public int size() {
        return size;
    }

    /** The backing array, valid up to {@link #size}; it changes when the buffer grows or is reset. */
    public byte[] array() {
        return buf;
    }

    /** Empties the buffer (and gives back one that grew beyond 1 MiB). */
    public void reset() {
        size = 0;
        if (buf.length > KEPT) {
            buf = new byte[INITIAL];
        }
    }

    private static byte[] encode(Object arg, int index) {
        return switch (arg) {
            case String s -> s.getBytes(StandardCharsets.UTF_8);
            case byte[] b -> b;
            case Long l -> ascii(l);
            case Integer i -> ascii(i);
            case null -> throw new IllegalArgumentException("argument " + index + " is null");
            default -> throw new IllegalArgumentException("argument " + index + " is a " + arg.getClass().getName()
                    + ": only String, byte[], Joined, Long and Integer can be sent");
        };
    }

    private static byte[] ascii(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }

    private void header(char type, int n) {
        buf[size++] = (byte) type;
        put(ascii(n));
        put(CRLF);
    }

    private void put(byte[] b) {
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
    }

    private void ensure(long more) {
        if ((long) size + more > Integer.MAX_VALUE - 16) {
            throw new OutOfMemoryError("RESP write buffer beyond 2 GiB");
        }
        if (size + more > buf.length) { // within an int: checked above
            buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 16, Math.max(size + more, 2L * buf.length)));
        }
    }
}
