package io.loomsocket.examples;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A peer on a plain socket, for what our client will not do: plain HTTP requests, and a WebSocket
 * peer that never answers (a dead one).
 */
final class RawPeer implements AutoCloseable {

    /** A whole HTTP response; the server closes the connection after it. */
    record HttpResponse(int status, String head, String body) {
        boolean hasHeader(String name, String valueStart) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)
                        && line.substring(colon + 1).trim().toLowerCase().startsWith(valueStart.toLowerCase())) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A server frame: unmasked, so the payload is as sent. */
    record Frame(int opcode, byte[] payload) {
        static final int CLOSE = 0x8;
        static final int TEXT = 0x1;
        static final int BINARY = 0x2;
        static final int PING = 0x9;
        static final int PONG = 0xA;

        int closeCode() {
            return payload.length >= 2 ? (payload[0] & 0xFF) << 8 | payload[1] & 0xFF : 1005;
        }
    }

    private final Socket socket;
    private final InputStream in;

    RawPeer(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000); // a hang fails the test instead of blocking it
        in = socket.getInputStream();
    }

    void send(String ascii) throws IOException {
        socket.getOutputStream().write(ascii.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** Sends a plain request and reads the response to the end of the connection. */
    static HttpResponse http(int port, String method, String target) throws IOException {
        try (RawPeer p = new RawPeer(port)) {
            p.send(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAccept: */*\r\n\r\n");
            String all = new String(p.in.readAllBytes(), StandardCharsets.UTF_8);
            int end = all.indexOf("\r\n\r\n");
            String head = all.substring(0, end);
            return new HttpResponse(Integer.parseInt(head.substring(9, 12)), head, all.substring(end + 4));
        }
    }

    /** The opening handshake; returns the response head (up to CRLF CRLF, not a byte more). */
    String upgrade(String path) throws IOException {
        send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + socket.getPort() + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = readByte();
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Sends one whole (FIN) frame of {@code opcode}, masked as a client must (payload under 126 bytes). */
    void sendFrame(int opcode, byte[] payload) throws IOException {
        if (payload.length > 125) {
            throw new IllegalArgumentException("payload too long for this helper: " + payload.length);
        }
        byte[] mask = {0x37, (byte) 0xfa, 0x21, 0x3d};
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) (0x80 | opcode);
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        socket.getOutputStream().write(frame);
        socket.getOutputStream().flush();
    }

    /** Everything after what was read so far, to the end of the connection, as UTF-8 (a response body). */
    String rest() throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    /** The next frame, or null at the end of the connection. */
    Frame readFrame() throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            return null;
        }
        int b1 = readByte();
        long len = b1 & 0x7F;
        if (len == 126) {
            len = readByte() << 8 | readByte();
        } else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; i++) {
                len = len << 8 | readByte();
            }
        }
        byte[] payload = in.readNBytes((int) len);
        if (payload.length != len) {
            throw new EOFException("frame cut short");
        }
        return new Frame(b0 & 0x0F, payload);
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException();
        }
        return b;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
