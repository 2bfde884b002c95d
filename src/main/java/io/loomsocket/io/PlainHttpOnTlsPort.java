package io.loomsocket.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A plain HTTP request that reached a TLS port: a {@code ws://} client (or a browser on
 * {@code http://}) talking to a {@code wss://} server. A TLS record starts with its content type
 * (22 for a handshake, RFC 8446 §5.1), an HTTP request with its method, an upper-case token; so
 * the first byte tells them apart. The request is answered {@code 400 Bad Request} in plain text
 * that says to use {@code wss://}, as other servers do, instead of a TLS alert its sender cannot
 * read.
 */
final class PlainHttpOnTlsPort {

    /** What is read and dropped of the request before closing, at most. */
    private static final int DRAIN_LIMIT = 64 * 1024;

    private static final byte[] ANSWER;

    static {
        String body = "This port speaks TLS: connect with wss:// (or https://).\n";
        ANSWER = ("HTTP/1.1 400 Bad Request\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length() + "\r\n"
                + "Connection: close\r\n"
                + "\r\n" + body).getBytes(StandardCharsets.US_ASCII);
    }

    private PlainHttpOnTlsPort() {}

    /** Whether the first byte from a client is the start of an HTTP method (RFC 9110 §9.1), not of a TLS record. */
    static boolean looksLikeHttp(int first) {
        return first >= 'A' && first <= 'Z';
    }

    /**
     * Writes the 400 answer and FIN, then reads what the client still sends until its end, at
     * most {@link #DRAIN_LIMIT} bytes: closing with unread input would send RST, which can
     * destroy the answer before the client reads it. Bounded by the caller's read timeout and
     * handshake deadline.
     */
    static void refuse(Socket socket, InputStream in) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(ANSWER);
        out.flush();
        socket.shutdownOutput();
        byte[] buf = new byte[4096];
        int total = 0;
        try {
            for (int n; total < DRAIN_LIMIT && (n = in.read(buf)) >= 0; ) {
                total += n;
            }
        } catch (IOException e) {
            // the timeout, or the client reset: either way the answer was sent
        }
    }
}
