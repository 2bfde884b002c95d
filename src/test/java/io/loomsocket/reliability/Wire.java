package io.loomsocket.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes of the reliability tests, written and read by hand: upgrade requests, client frames
 * with any header (wrong masks, reserved bits and opcodes, lying lengths), and a reader for what
 * the server answers that never blocks past a deadline and reads in chunks (a case costs a few
 * system calls, not one per byte).
 */
final class Wire {

    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    private Wire() {}

    /** A valid upgrade request for {@code path}, with {@code extraLines} ("Name: value") before the end. */
    static String upgradeRequest(String path, String... extraLines) {
        StringBuilder b = new StringBuilder()
                .append("GET ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1\r\n")
                .append("Upgrade: websocket\r\n")
                .append("Connection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(KEY).append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        for (String line : extraLines) {
            b.append(line).append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A final, masked frame with no reserved bits: what a client sends. */
    static byte[] frame(int opcode, byte[] payload) {
        return frame(true, 0, opcode, true, 0x1234_5678, payload);
    }

    /** A frame with the minimal length encoding; masked with {@code maskKey} if {@code masked}. */
    static byte[] frame(boolean fin, int rsv, int opcode, boolean masked, int maskKey, byte[] payload) {
        int len = payload.length;
        int marker = len < 126 ? len : len < 65_536 ? 126 : 127;
        return concat(header((fin ? 0x80 : 0) | (rsv & 7) << 4 | (opcode & 0xF), masked, maskKey, marker, len),
                masked ? mask(payload, maskKey) : payload);
    }

    /**
     * A frame header as given, right or wrong: first byte {@code b0}, the 7-bit length
     * {@code marker} (0-125, or 126 / 127 followed by {@code extended} in 2 / 8 bytes), and a
     * masking key if {@code masked}.
     */
    static byte[] header(int b0, boolean masked, int maskKey, int marker, long extended) {
        ByteArrayOutputStream h = new ByteArrayOutputStream(14);
        h.write(b0);
        h.write((masked ? 0x80 : 0) | marker);
        if (marker == 126) {
            h.write((int) (extended >>> 8) & 0xFF);
            h.write((int) extended & 0xFF);
        } else if (marker == 127) {
            for (int i = 7; i >= 0; i--) {
                h.write((int) (extended >>> (8 * i)) & 0xFF);
            }
        }
        if (masked) {
            h.write(maskKey >>> 24);
            h.write(maskKey >>> 16 & 0xFF);
            h.write(maskKey >>> 8 & 0xFF);
            h.write(maskKey & 0xFF);
        }
        return h.toByteArray();
    }

    static byte[] mask(byte[] payload, int maskKey) {
        byte[] m = payload.clone();
        for (int i = 0; i < m.length; i++) {
            m[i] ^= (byte) (maskKey >>> (8 * (3 - (i & 3))));
        }
        return m;
    }

    static byte[] closePayload(int code, byte[] reason) {
        byte[] p = new byte[2 + reason.length];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(reason, 0, p, 2, reason.length);
        return p;
    }

    /** A frame the server sent. */
    record Frame(boolean fin, int rsv, int opcode, boolean masked, byte[] payload) {
        /** The close code, or 1005 for a close frame without a body. */
        int closeCode() {
            return payload.length < 2 ? 1005 : (payload[0] & 0xFF) << 8 | payload[1] & 0xFF;
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** The server ended the stream in the middle of something (a head or a frame). */
    static final class Truncated extends IOException {
        private static final long serialVersionUID = 1L;

        Truncated(String what) {
            super(what);
        }
    }

    /**
     * Reads what a server sends on one socket, in chunks, within one deadline for everything:
     * a read past it throws {@link SocketTimeoutException} (the server hung). The end of the
     * stream and a reset both read as the end ({@link #reset()} tells which).
     */
    static final class Reader {
        private final Socket socket;
        private final InputStream in;
        private final long deadline;
        private byte[] buf = new byte[4096];
        private int start;
        private int end;
        private boolean eof;
        private boolean reset;
        private long total;

        Reader(Socket socket, long deadlineNanos) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadline = deadlineNanos;
        }

        /** Bytes received so far. */
        long total() {
            return total;
        }

        boolean reset() {
            return reset;
        }

        /** Reads more; false at the end of the stream. */
        private boolean fill() throws IOException {
            if (eof) {
                return false;
            }
            if (start > 0 && start == end) {
                start = end = 0;
            }
            if (end == buf.length) {
                if (start > 0) {
                    System.arraycopy(buf, start, buf, 0, end - start);
                    end -= start;
                    start = 0;
                } else {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                }
            }
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new SocketTimeoutException("deadline passed");
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
            int n;
            try {
                n = in.read(buf, end, buf.length - end);
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (SocketException e) {
                reset = true; // a reset ends the stream too
                n = -1;
            }
            if (n < 0) {
                eof = true;
                return false;
            }
            end += n;
            total += n;
            return true;
        }

        /**
         * An HTTP head up to CRLF CRLF (ISO-8859-1), or null if the stream ends before its first
         * byte.
         *
         * @throws Truncated if it ends in the middle of the head
         */
        String readHead() throws IOException {
            int scanned = start;
            while (true) {
                for (int i = Math.max(start, scanned - 3); i + 3 < end; i++) {
                    if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
                        String head = new String(buf, start, i + 4 - start, StandardCharsets.ISO_8859_1);
                        start = i + 4;
                        return head;
                    }
                }
                scanned = end;
                if (end - start > 64 * 1024) {
                    throw new IOException("response head over 64 KiB");
                }
                if (!fill()) {
                    if (end == start) {
                        return null;
                    }
                    throw new Truncated("stream ended in a response head: "
                            + new String(buf, start, end - start, StandardCharsets.ISO_8859_1));
                }
            }
        }

        /** Discards everything up to the end of the stream (a response body before the close). */
        void drain() throws IOException {
            start = end = 0;
            while (fill()) {
                start = end = 0;
            }
        }

        /** Whether the stream ends here, with no further byte. */
        boolean atEnd() throws IOException {
            return start == end && !fill();
        }

        private boolean need(int n) throws IOException {
            while (end - start < n) {
                if (!fill()) {
                    return false;
                }
            }
            return true;
        }

        /**
         * The next frame, or null if the stream ends on a frame boundary.
         *
         * @throws Truncated if it ends inside a frame
         */
        Frame readFrame() throws IOException {
            if (!need(1)) {
                return null;
            }
            if (!need(2)) {
                throw new Truncated("stream ended in a frame header");
            }
            int b0 = buf[start] & 0xFF;
            int b1 = buf[start + 1] & 0xFF;
            int marker = b1 & 0x7F;
            boolean masked = (b1 & 0x80) != 0;
            int headerLen = 2 + (marker == 126 ? 2 : marker == 127 ? 8 : 0) + (masked ? 4 : 0);
            if (!need(headerLen)) {
                throw new Truncated("stream ended in a frame header");
            }
            long len = marker;
            int p = start + 2;
            if (marker == 126) {
                len = (buf[p] & 0xFF) << 8 | buf[p + 1] & 0xFF;
                p += 2;
            } else if (marker == 127) {
                len = 0;
                for (int i = 0; i < 8; i++) {
                    len = len << 8 | buf[p++] & 0xFF;
                }
            }
            if (len < 0 || len > 16 * 1024 * 1024) {
                throw new IOException("server frame of " + len + " bytes");
            }
            if (!need(headerLen + (int) len)) {
                throw new Truncated("stream ended in a frame payload");
            }
            byte[] payload = Arrays.copyOfRange(buf, start + headerLen, start + headerLen + (int) len);
            if (masked) {
                int key = (buf[p] & 0xFF) << 24 | (buf[p + 1] & 0xFF) << 16 | (buf[p + 2] & 0xFF) << 8 | buf[p + 3] & 0xFF;
                payload = mask(payload, key);
            }
            start += headerLen + (int) len;
            return new Frame((b0 & 0x80) != 0, (b0 >>> 4) & 7, b0 & 0xF, masked, payload);
        }
    }
}
