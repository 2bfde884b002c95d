package io.loomsocket.io;

import io.loomsocket.handshake.AcceptKey;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * A WebSocket peer on a plain socket, for what our own client and server never do: stop reading,
 * never answer pings, show the exact bytes on the wire. Both ends: {@link #connect} is a client,
 * {@link Server} accepts one.
 */
public final class RawPeer implements AutoCloseable {

    public static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    public static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    /** A frame as received; {@code raw} is every byte of it, header included, unmasked or not. */
    public record Frame(boolean fin, int opcode, boolean masked, byte[] payload, byte[] raw) {
        public int closeCode() {
            return (payload[0] & 0xFF) << 8 | payload[1] & 0xFF;
        }

        public String closeReason() {
            return new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        }

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    public final Socket socket;
    public final InputStream in;
    public final OutputStream out;

    private RawPeer(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(10_000); // no test waits longer for a byte: a hang fails, it does not block
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /**
     * A client socket to 127.0.0.1:{@code port}. {@code receiveBuffer} > 0 sets SO_RCVBUF before
     * connecting, so that the TCP window stays that small: a peer that does not read then stops
     * the sender early.
     */
    public static RawPeer connect(int port, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return new RawPeer(s);
    }

    /** Sends an upgrade request for {@code path} and checks the 101. */
    public RawPeer handshake(String path) throws IOException {
        send("GET " + path + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + socket.getPort() + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + KEY + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "\r\n");
        String head = readHead();
        if (!head.startsWith("HTTP/1.1 101") || !head.contains(ACCEPT)) {
            throw new IOException("handshake failed: " + head);
        }
        return this;
    }

    public void send(String ascii) throws IOException {
        send(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads an HTTP head up to CRLF CRLF, one byte at a time so that no frame byte is taken. */
    public String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("EOF in an HTTP head: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
    }

    /** A frame masked with a fixed key, as a client must send it. */
    public static byte[] maskedFrame(int opcode, byte[] payload) {
        byte[] mask = {0x12, 0x34, 0x56, 0x78};
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(0x80 | opcode);
        writeLength(f, 0x80, payload.length);
        f.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            f.write(payload[i] ^ mask[i & 3]);
        }
        return f.toByteArray();
    }

    /** An unmasked frame, as a server sends it. */
    public static byte[] unmaskedFrame(int opcode, byte[] payload) {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(0x80 | opcode);
        writeLength(f, 0, payload.length);
        f.writeBytes(payload);
        return f.toByteArray();
    }

    private static void writeLength(ByteArrayOutputStream f, int maskBit, int length) {
        if (length < 126) {
            f.write(maskBit | length);
        } else if (length < 65_536) {
            f.write(maskBit | 126);
            f.write(length >>> 8);
            f.write(length & 0xFF);
        } else {
            f.write(maskBit | 127);
            for (int i = 7; i >= 0; i--) {
                f.write((int) ((long) length >>> (8 * i)) & 0xFF);
            }
        }
    }

    /** The payload of a close frame. */
    public static byte[] closePayload(int code, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[2 + r.length];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(r, 0, p, 2, r.length);
        return p;
    }

    /** Reads one frame, masked or not, and unmasks its payload. */
    public Frame readFrame() throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        int b0 = readByte(raw);
        int b1 = readByte(raw);
        boolean masked = (b1 & 0x80) != 0;
        long len = b1 & 0x7F;
        if (len == 126) {
            len = (long) readByte(raw) << 8 | readByte(raw);
        } else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; i++) {
                len = len << 8 | readByte(raw);
            }
        }
        byte[] mask = masked ? readN(raw, 4) : null;
        byte[] payload = readN(raw, (int) len);
        if (masked) {
            payload = payload.clone();
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i & 3];
            }
        }
        return new Frame((b0 & 0x80) != 0, b0 & 0x0F, masked, payload, raw.toByteArray());
    }

    private int readByte(ByteArrayOutputStream raw) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("EOF in a frame header");
        }
        raw.write(b);
        return b;
    }

    private byte[] readN(ByteArrayOutputStream raw, int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        if (bytes.length != n) {
            throw new EOFException("EOF in a frame");
        }
        raw.writeBytes(bytes);
        return bytes;
    }

    /** True if the other side closed the connection: EOF (or a reset) before any further byte. */
    public boolean seesEndOfStream() throws IOException {
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

    /** A WebSocket "server" that accepts on 127.0.0.1, answers the handshake and then does nothing. */
    public static final class Server implements AutoCloseable {
        private final ServerSocket serverSocket;

        public Server() throws IOException {
            serverSocket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        }

        public int port() {
            return serverSocket.getLocalPort();
        }

        /** Accepts one connection and answers its upgrade request with a 101. */
        public RawPeer acceptWebSocket() throws IOException {
            serverSocket.setSoTimeout(10_000);
            RawPeer peer = new RawPeer(serverSocket.accept());
            String request = peer.readHead();
            String key = Arrays.stream(request.split("\r\n"))
                    .filter(l -> l.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElseThrow(() -> new IOException("no key in " + request));
            peer.send("HTTP/1.1 101 Switching Protocols\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + AcceptKey.of(key) + "\r\n"
                    + "\r\n");
            return peer;
        }

        @Override
        public void close() throws IOException {
            serverSocket.close();
        }
    }
}
