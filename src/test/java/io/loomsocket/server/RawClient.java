package io.loomsocket.server;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A WebSocket peer on a plain socket, byte by byte: for what our own client will not do (send
 * garbage, send unmasked frames, never answer).
 */
final class RawClient implements AutoCloseable {

    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    /** A frame as the server sent it. */
    record Frame(boolean fin, int opcode, byte[] payload) {
        int closeCode() {
            return (payload[0] & 0xFF) << 8 | payload[1] & 0xFF;
        }

        String closeReason() {
            return new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        }
    }

    /** An HTTP response head, field names lower-cased. */
    record Response(String statusLine, Map<String, String> headers, String body) {}

    final Socket socket;
    final InputStream in;
    final OutputStream out;

    RawClient(int port) throws IOException {
        this(port, 0);
    }

    /** With {@code receiveBuffer > 0}: that SO_RCVBUF, set before connecting (a peer slow to read). */
    RawClient(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000); // no test waits longer for a byte; a hang fails, not blocks
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    static String upgradeRequest(int port) {
        return upgradeRequest(port, "/raw");
    }

    static String upgradeRequest(int port, String path) {
        return "GET " + path + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + KEY + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "\r\n";
    }

    /** Performs the opening handshake and checks the 101. */
    RawClient handshake() throws IOException {
        return handshake("/raw");
    }

    /** Performs the opening handshake for {@code path} and checks the 101. */
    RawClient handshake(String path) throws IOException {
        send(upgradeRequest(socket.getPort(), path));
        Response r = readResponseHead();
        if (!r.statusLine().startsWith("HTTP/1.1 101") || !ACCEPT.equals(r.headers().get("sec-websocket-accept"))) {
            throw new IOException("handshake failed: " + r);
        }
        return this;
    }

    void send(String ascii) throws IOException {
        send(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads a response head (up to CRLF CRLF), one byte at a time so no frame byte is taken. */
    Response readResponseHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("EOF in the response head: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                break;
            }
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        return new Response(lines[0], headers, "");
    }

    /** Reads a whole error response: its head, then the body until the server closes. */
    Response readErrorResponse() throws IOException {
        Response head = readResponseHead();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            in.transferTo(body);
        } catch (SocketException reset) {
            // A reset after the response is still the end of the connection.
        }
        return new Response(head.statusLine(), head.headers(), body.toString(StandardCharsets.UTF_8));
    }

    /** A masked frame, as a client must send it. */
    static byte[] maskedFrame(boolean fin, int opcode, byte[] payload) {
        return frame(fin, opcode, payload, new byte[] {0x12, 0x34, 0x56, 0x78});
    }

    /** An unmasked frame: a protocol violation from a client. */
    static byte[] unmaskedFrame(boolean fin, int opcode, byte[] payload) {
        return frame(fin, opcode, payload, null);
    }

    private static byte[] frame(boolean fin, int opcode, byte[] payload, byte[] mask) {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write((fin ? 0x80 : 0) | opcode);
        int maskBit = mask != null ? 0x80 : 0;
        if (payload.length < 126) {
            f.write(maskBit | payload.length);
        } else if (payload.length < 65_536) {
            f.write(maskBit | 126);
            f.write(payload.length >>> 8);
            f.write(payload.length & 0xFF);
        } else {
            f.write(maskBit | 127);
            for (int i = 7; i >= 0; i--) {
                f.write((int) ((long) payload.length >>> (8 * i)) & 0xFF);
            }
        }
        if (mask != null) {
            f.writeBytes(mask);
            for (int i = 0; i < payload.length; i++) {
                f.write(payload[i] ^ mask[i & 3]);
            }
        } else {
            f.writeBytes(payload);
        }
        return f.toByteArray();
    }

    /** Reads one frame from the server, which must not be masked. */
    Frame readFrame() throws IOException {
        int b0 = readByte();
        int b1 = readByte();
        if ((b1 & 0x80) != 0) {
            throw new IOException("the server masked a frame");
        }
        long len = b1 & 0x7F;
        if (len == 126) {
            len = (long) readByte() << 8 | readByte();
        } else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; i++) {
                len = len << 8 | readByte();
            }
        }
        byte[] payload = in.readNBytes((int) len);
        if (payload.length != len) {
            throw new EOFException("EOF in a frame payload");
        }
        return new Frame((b0 & 0x80) != 0, b0 & 0x0F, payload);
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("EOF in a frame header");
        }
        return b;
    }

    /** True if the server closed the connection: EOF (or a reset) before any further byte. */
    boolean seesEndOfStream() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketException reset) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
