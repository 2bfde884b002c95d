package io.loomsocket.io;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A {@link Transport} over TLS (the {@code wss://} scheme, RFC 6455 §3 and §4.1: "If /secure/ is
 * true, the client MUST perform a TLS handshake over the connection after opening the connection
 * and before sending the handshake data"): a JSSE {@link SSLSocket} layered on the connected TCP
 * socket, with autoClose, so that closing or shutting the SSL socket acts on the TCP socket.
 *
 * <p>Why SSLSocket and not SSLEngine: every connection already has a blocking virtual thread to
 * read and one active writer at a time, which is the model SSLSocket is made for, and its reads
 * and writes take separate {@link java.util.concurrent.locks.ReentrantLock}s (the application
 * input's read lock and the output record's lock in the JDK's {@code SSLSocketImpl}, as read in
 * JDK 25's source), so the reader and the writer run at once as on a plain socket. An SSLEngine would need our own
 * buffers, wrap/unwrap loops and a lock around the engine for the same result.
 *
 * <p>Threads, as for every transport: {@link #read} by the connection's reader only (the
 * handshake reader first, then the session's reader), {@link #write} by the one active writer,
 * {@link #shutdownOutput} after the last write, {@link #close} and {@link #setReadTimeout} by any
 * thread. The TLS handshake itself runs in {@link #accept} or {@link #connect}, on the thread
 * that will read: the server's connection thread, the client's connecting thread.
 *
 * <p>Closing: {@link #shutdownOutput} is the graceful end: SSLSocket sends the TLS
 * {@code close_notify} alert and then the TCP FIN (JDK 8's SSLSocket refused shutdownOutput; JDK
 * 25's, read and tested, supports it) (RFC 8446 §6.1: "Each party MUST send a
 * close_notify alert before closing its write side of the connection"); reading goes on, as the
 * lingering close needs. When a read reaches the peer's end (its close_notify, or its FIN) before
 * our output was shut, the reader answers with our close_notify and FIN at once, as the JDK
 * already does for TLS 1.2: the client's usual end, since the server closes first (RFC 6455
 * §7.1.1). {@link #close} is abrupt: it closes the TCP socket under the SSLSocket, so that a
 * blocked read or write fails at once, and sends no alert: {@code SSLSocket.close()} would write
 * a close_notify and may wait for the writer's lock or for the peer, and close must never block
 * (timer tasks call it). A connection that is aborted ends without close_notify, which the peer
 * can tell from a complete close.
 */
public final class TlsTransport implements Transport {

    private static final System.Logger LOG = System.getLogger(TlsTransport.class.getName());

    private final Socket socket; // the TCP socket under the SSLSocket
    private final SSLSocket ssl;
    private final InputStream in;
    private final OutputStream out;
    private volatile boolean outputShut;

    private TlsTransport(Socket socket, SSLSocket ssl) throws IOException {
        this.socket = socket;
        this.ssl = ssl;
        this.in = ssl.getInputStream();
        this.out = ssl.getOutputStream();
    }

    /**
     * The server side: performs the TLS handshake on the accepted {@code socket}, on the calling
     * thread, within {@code timeout} for the whole of it (a peer that sends nothing, or a byte at
     * a time, is cut off when it is up: a timer closes the socket). A request in plain HTTP (a
     * {@code ws://} or {@code http://} client on the TLS port) is answered
     * {@code 400 Bad Request} in plain text before the connection is closed, so that its sender
     * learns why.
     *
     * @throws SocketTimeoutException when the handshake is not done in time
     * @throws SSLException when it fails (the message names the peer and the reason)
     * @throws EOFException when the peer closes before sending anything
     */
    public static TlsTransport accept(Socket socket, SSLContext context, Duration timeout, Timers timers)
            throws IOException {
        Watchdog watchdog = new Watchdog(socket, timeout, timers);
        try {
            socket.setSoTimeout(watchdog.millis());
            InputStream raw = socket.getInputStream();
            int first = raw.read();
            if (first < 0) {
                throw new EOFException("connection closed before the TLS handshake");
            }
            if (PlainHttpOnTlsPort.looksLikeHttp(first)) {
                PlainHttpOnTlsPort.refuse(socket, raw);
                throw new SSLException("a plain HTTP request on the TLS port from " + socket.getRemoteSocketAddress()
                        + " (a ws:// or http:// client); answered 400");
            }
            // The byte read to tell HTTP from TLS goes back in front of the stream (server mode).
            SSLSocket ssl = (SSLSocket) context.getSocketFactory()
                    .createSocket(socket, new ByteArrayInputStream(new byte[] {(byte) first}), true);
            ssl.startHandshake();
            watchdog.done();
            return established(socket, ssl);
        } catch (IOException e) {
            String what = "TLS handshake with " + socket.getRemoteSocketAddress();
            if (watchdog.timedOut(e)) {
                throw watchdog.timeout(what, e);
            }
            throw e instanceof SSLHandshakeException ? failed(what, e.getMessage(), e) : e;
        } finally {
            watchdog.cancel();
        }
    }

    /**
     * The client side: performs the TLS handshake on the connected {@code socket} within
     * {@code timeout}, sending {@code host} as the server name (SNI, RFC 6066 §3, unless it is an
     * IP address, which SNI does not allow) and, with {@code verifyHostname}, checking that the
     * server's certificate is for {@code host} (endpoint identification "HTTPS", RFC 2818 §3.1;
     * the certificate chain is checked by the context's trust managers).
     *
     * @throws javax.net.ssl.SSLHandshakeException naming what failed: a certificate that is not
     *     trusted, or not for {@code host}, or no TLS at all on the other end
     * @throws SocketTimeoutException when the handshake is not done in time
     */
    public static TlsTransport connect(Socket socket, SSLContext context, String host, int port, boolean verifyHostname,
                                       Duration timeout, Timers timers) throws IOException {
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        Watchdog watchdog = new Watchdog(socket, timeout, timers);
        try {
            socket.setSoTimeout(watchdog.millis());
            SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(socket, name, port, true);
            SSLParameters parameters = ssl.getSSLParameters();
            if (verifyHostname) {
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
            } else {
                parameters.setEndpointIdentificationAlgorithm(null);
            }
            if (!isIpLiteral(name)) {
                parameters.setServerNames(List.of(new SNIHostName(name.endsWith(".") ? name.substring(0, name.length() - 1) : name)));
            }
            ssl.setSSLParameters(parameters);
            ssl.startHandshake();
            watchdog.done();
            return established(socket, ssl);
        } catch (IOException e) {
            String what = "TLS handshake with " + name + " port " + port;
            if (watchdog.timedOut(e)) {
                throw watchdog.timeout(what, e);
            }
            throw e instanceof SSLException ssl ? failed(what, TlsFailures.describe(ssl, name), e) : e;
        } finally {
            watchdog.cancel();
        }
    }

    private static SSLHandshakeException failed(String what, String why, IOException cause) {
        SSLHandshakeException named = new SSLHandshakeException(what + " failed: " + why);
        named.initCause(cause);
        return named;
    }

    private static TlsTransport established(Socket socket, SSLSocket ssl) throws IOException {
        ssl.setSoTimeout(0);
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "TLS with {0}: {1} {2}", socket.getRemoteSocketAddress(),
                    ssl.getSession().getProtocol(), ssl.getSession().getCipherSuite());
        }
        return new TlsTransport(socket, ssl);
    }

    /** Whether {@code host} is an IPv4 or IPv6 literal (which may not be sent as SNI). */
    static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    }

    /** The negotiated protocol and cipher suite, such as {@code TLSv1.3 TLS_AES_256_GCM_SHA384}. */
    public String describe() {
        return ssl.getSession().getProtocol() + " " + ssl.getSession().getCipherSuite();
    }

    @Override
    public int read(byte[] buf) throws IOException {
        int n = in.read(buf);
        if (n < 0 && !outputShut) {
            // The peer has ended its side (close_notify or FIN) first: answer with ours.
            try {
                shutdownOutput();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "close_notify after the peer''s: {0}", e.toString());
            }
        }
        return n;
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
        out.write(buf, off, len);
    }

    /** close_notify, then FIN; reading goes on. */
    @Override
    public void shutdownOutput() throws IOException {
        outputShut = true;
        if (!ssl.isOutputShutdown()) {
            ssl.shutdownOutput();
        }
    }

    /** Closes the TCP socket at once, without close_notify (see the class comment). Never throws. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "close: {0}", e.toString());
        }
    }

    @Override
    public void setReadTimeout(long millis) throws IOException {
        ssl.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(0, millis)));
    }

    @Override
    public SocketAddress remoteAddress() {
        return socket.getRemoteSocketAddress();
    }

    /**
     * Bounds a whole TLS handshake: each read waits at most the time left ({@code SO_TIMEOUT}),
     * and a timer closes the socket when the time is up, for a peer that keeps sending a byte
     * now and then.
     */
    private static final class Watchdog implements Runnable {
        private final Socket socket;
        private final Duration timeout;
        private final Timers.Task task;
        private volatile boolean fired;

        Watchdog(Socket socket, Duration timeout, Timers timers) {
            this.socket = socket;
            this.timeout = timeout;
            this.task = timers.schedule(timeout, this);
        }

        @Override
        public void run() {
            fired = true;
            try {
                socket.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "close: {0}", e.toString());
            }
        }

        int millis() {
            return (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        }

        void cancel() {
            task.cancel();
        }

        /** After the handshake: the timer closed the socket meanwhile, then it is a timeout after all. */
        void done() throws SocketTimeoutException {
            task.cancel();
            if (fired) {
                throw new SocketTimeoutException("the time was up as the handshake ended");
            }
        }

        /** Whether {@code e} comes from the time being up: a read timeout, or the timer's close. */
        boolean timedOut(IOException e) {
            return fired || e instanceof SocketTimeoutException;
        }

        SocketTimeoutException timeout(String what, IOException cause) {
            SocketTimeoutException timedOut = new SocketTimeoutException(what + " not complete within "
                    + timeout.toMillis() + " ms");
            timedOut.initCause(cause);
            return timedOut;
        }
    }
}
