package io.loomsocket.reliability;

import io.loomsocket.client.WebSocketClient;
import io.loomsocket.server.WebSocketServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;

/**
 * How the reliability tests reach a server: the one place that knows the transport. Every test
 * builds its server through {@link #server}, its library clients through {@link #client} and
 * {@link #uri}, and its raw sockets through {@link #open}, so {@code -Dreliability.channel=TLS} runs every test over wss://.
 */
enum Channel {

    /** ws:// over plain TCP. */
    PLAIN {
        @Override
        WebSocketServer.Builder server(WebSocketServer.Builder builder) {
            return builder;
        }

        @Override
        WebSocketClient.Builder client(WebSocketClient.Builder builder) {
            return builder;
        }

        @Override
        String scheme() {
            return "ws";
        }

        @Override
        Socket wrap(Socket connected) {
            return connected;
        }
    },

    /**
     * wss:// over JSSE: the server with a certificate made at test time (TestCertificates, in this
     * JVM; a child JVM makes its own), the clients trusting any certificate (what is measured is
     * the server under TLS, not certificate checks, which TlsTest covers). Raw sockets are
     * SSLSockets layered on the TCP socket, their TLS handshake done before they are returned.
     */
    TLS {
        @Override
        WebSocketServer.Builder server(WebSocketServer.Builder builder) {
            try {
                return builder.tls(io.loomsocket.tls.TestCertificates.get().serverContext());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        WebSocketClient.Builder client(WebSocketClient.Builder builder) {
            return builder.insecureTls();
        }

        @Override
        String scheme() {
            return "wss";
        }

        @Override
        Socket wrap(Socket connected) throws IOException {
            javax.net.ssl.SSLSocket ssl = (javax.net.ssl.SSLSocket) io.loomsocket.io.TlsContexts.insecure().getSocketFactory()
                    .createSocket(connected, "127.0.0.1", connected.getPort(), true);
            ssl.startHandshake();
            return ssl;
        }
    };

    /** The server builder, bound to 127.0.0.1 on an ephemeral port, with this transport. */
    abstract WebSocketServer.Builder server(WebSocketServer.Builder builder);

    /** A client builder with this transport. */
    abstract WebSocketClient.Builder client(WebSocketClient.Builder builder);

    abstract String scheme();

    /** The transport layer over a connected TCP socket (the socket itself for plain TCP). */
    abstract Socket wrap(Socket connected) throws IOException;

    /** A new server builder: loopback, ephemeral port, this transport. */
    WebSocketServer.Builder serverBuilder() {
        return server(WebSocketServer.builder().host("127.0.0.1").port(0));
    }

    URI uri(int port, String path) {
        return URI.create(scheme() + "://127.0.0.1:" + port + path);
    }

    /** The channel the suite runs over: {@code -Dreliability.channel=PLAIN} (the default) or {@code TLS}. */
    static Channel configured() {
        return valueOf(System.getProperty("reliability.channel", "PLAIN").trim().toUpperCase(java.util.Locale.ROOT));
    }

    /**
     * A raw connection to 127.0.0.1:{@code port}: TCP_NODELAY, and with {@code reset} SO_LINGER 0,
     * so that closing it sends RST and leaves no TIME_WAIT behind (thousands of cases a second).
     */
    Socket open(int port, boolean reset, int connectTimeoutMillis) throws IOException {
        return open(port, reset, connectTimeoutMillis, 0);
    }

    /**
     * As {@link #open(int, boolean, int)}; {@code receiveBuffer} > 0 sets SO_RCVBUF before
     * connecting, which also turns Linux's receive-buffer autotuning off: a client that reads
     * slowly then holds the server's sends back early.
     */
    Socket open(int port, boolean reset, int connectTimeoutMillis, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        boolean ok = false;
        try {
            if (receiveBuffer > 0) {
                s.setReceiveBufferSize(receiveBuffer);
            }
            s.setTcpNoDelay(true);
            if (reset) {
                s.setSoLinger(true, 0);
            }
            s.connect(new InetSocketAddress("127.0.0.1", port), connectTimeoutMillis);
            Socket wrapped = wrap(s);
            ok = true;
            return wrapped;
        } finally {
            if (!ok) {
                s.close();
            }
        }
    }
}
