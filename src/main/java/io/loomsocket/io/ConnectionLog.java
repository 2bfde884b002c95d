package io.loomsocket.io;

import io.loomsocket.WebSocket;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.ProtocolException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;

/**
 * The log lines of a connection's life, all on one {@link System.Logger} named
 * {@value #NAME}, so they can be turned up, down or off together:
 *
 * <ul>
 *   <li>INFO: a server connection opened, closed (code, reason, how long), a handshake refused
 *       (status and why);
 *   <li>WARNING: the peer broke a protocol rule (the rule, its section and the close code), a
 *       slow consumer was closed;
 *   <li>ERROR: reading failed on a fault of ours (closed with 1011), with the stack trace;
 *   <li>DEBUG: a handshake that timed out or ended before it was complete.
 * </ul>
 *
 * Each line names the peer ({@code host:port}; behind a trusted proxy the client it forwarded
 * first: {@code 203.0.113.7 via 127.0.0.1:50312}) and the path, never the query (it may carry a
 * token), the headers or any payload. Text that comes from the peer (path, close reason) is
 * escaped: no line breaks or control characters reach the log. Never per message.
 */
public final class ConnectionLog {

    /** The logger's name. */
    public static final String NAME = "io.loomsocket.connections";

    private static final System.Logger LOG = System.getLogger(NAME);

    private ConnectionLog() {}

    /**
     * {@code connection open: 127.0.0.1:50312 /chat}, or with the client a trusted proxy forwarded
     * ({@code client} not null): {@code connection open: 203.0.113.7 via 127.0.0.1:50312 /chat}.
     */
    public static void opened(WebSocket ws, InetAddress client) {
        if (LOG.isLoggable(System.Logger.Level.INFO)) {
            LOG.log(System.Logger.Level.INFO, "connection open: " + peer(ws, client) + " " + clean(ws.path()));
        }
    }

    /**
     * {@code connection closed: 127.0.0.1:50312 /chat code=1000 reason="bye" after 2.503 s}, naming
     * a forwarded client ({@code client} not null) as {@link #opened(WebSocket, InetAddress)} does.
     */
    public static void closed(WebSocket ws, InetAddress client, long lifetimeNanos) {
        if (LOG.isLoggable(System.Logger.Level.INFO)) {
            LOG.log(System.Logger.Level.INFO, "connection closed: " + peer(ws, client) + " " + clean(ws.path())
                    + " code=" + ws.closeCode().code() + " reason=" + quote(ws.closeReason())
                    + " after " + seconds(lifetimeNanos));
        }
    }

    /** {@code handshake refused: 127.0.0.1:50312 GET /nope -> 404 (no WebSocket endpoint at /nope)}. */
    public static void refused(SocketAddress remote, String method, String path, int status, String why) {
        if (LOG.isLoggable(System.Logger.Level.INFO)) {
            LOG.log(System.Logger.Level.INFO, "handshake refused: " + address(remote)
                    + (path == null ? "" : " " + clean(method) + " " + clean(path))
                    + " -> " + status + " (" + clean(why) + ")");
        }
    }

    /** A handshake that ended before it was complete: timed out, closed, reset, a TLS failure. */
    public static void handshakeFailed(SocketAddress remote, String reason, Exception e) {
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "handshake failed (" + reason + "): " + address(remote) + ": " + e);
        }
    }

    /**
     * The received bytes failed the connection: the peer broke a rule (WARNING, with the rule),
     * or our own code failed on them (ERROR, with the stack trace; the peer got 1011 and no detail).
     */
    public static void receiveFailed(WebSocket ws, RuntimeException failure) {
        if (failure instanceof ProtocolException p) {
            if (LOG.isLoggable(System.Logger.Level.WARNING)) {
                LOG.log(System.Logger.Level.WARNING, "protocol violation: " + address(ws.remoteAddress()) + " "
                        + clean(ws.path()) + ": " + clean(p.getMessage()) + "; failing the connection with "
                        + p.closeCode().code());
            }
        } else {
            LOG.log(System.Logger.Level.ERROR, "internal error on the bytes from " + address(ws.remoteAddress()) + " "
                    + clean(ws.path()) + "; failing the connection with 1011", failure);
        }
    }

    /** A broadcast found the receiver's queue over the high watermark and closes it. */
    public static void slowConsumerClosed(WebSocket ws, long queuedBytes, CloseCode code) {
        if (LOG.isLoggable(System.Logger.Level.WARNING)) {
            LOG.log(System.Logger.Level.WARNING, "slow consumer: " + address(ws.remoteAddress()) + " " + clean(ws.path())
                    + ": " + queuedBytes + " bytes queued; closing with " + code.code());
        }
    }

    /** {@code 127.0.0.1:50312}, or {@code 203.0.113.7 via 127.0.0.1:50312} with a forwarded client. */
    private static String peer(WebSocket ws, InetAddress client) {
        String peer = address(ws.remoteAddress());
        return client == null ? peer : client.getHostAddress() + " via " + peer;
    }

    /** {@code 127.0.0.1:50312}, {@code [::1]:50312}; the literal address, never a name lookup. */
    static String address(SocketAddress remote) {
        if (remote instanceof InetSocketAddress a) {
            String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
        }
        return String.valueOf(remote);
    }

    /** {@code "text"}, with {@code "} and {@code \} escaped and control characters as {@code \\uXXXX}. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (Character.isISOControl(c)) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    /** {@code s} with control characters (CR, LF, ...) as {@code \\uXXXX}: one log line stays one line. */
    static String clean(String s) {
        if (s == null) {
            return "";
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                String q = quote(s);
                return q.substring(1, q.length() - 1);
            }
        }
        return s;
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.3f s", nanos / 1e9);
    }
}
