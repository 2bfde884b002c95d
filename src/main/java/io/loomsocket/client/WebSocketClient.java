package io.loomsocket.client;

import io.loomsocket.WebSocket;
import io.loomsocket.handshake.ClientHandshake;
import io.loomsocket.handshake.HttpHeadParser;
import io.loomsocket.handshake.HttpHeaders;
import io.loomsocket.io.HandshakeReader;
import io.loomsocket.io.SessionOptions;
import io.loomsocket.io.SocketSession;
import io.loomsocket.io.SocketTransport;
import io.loomsocket.io.Timers;
import io.loomsocket.io.TlsContexts;
import io.loomsocket.io.TlsTransport;
import io.loomsocket.io.Transport;
import io.loomsocket.protocol.Connection;
import io.loomsocket.protocol.ConnectionConfig;
import io.loomsocket.protocol.deflate.DeflateNegotiation;
import io.loomsocket.protocol.deflate.DeflateOptions;
import io.loomsocket.protocol.deflate.DeflateParams;
import io.loomsocket.handshake.ExtensionOffer;
import io.loomsocket.protocol.MaskKeySource;
import io.loomsocket.protocol.Role;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * Opens client connections to {@code ws://} and {@code wss://} URIs. For {@code wss://} the
 * server's certificate must be trusted (by the JDK's default trust store unless {@link
 * Builder#trustStore} or {@link Builder#sslContext} says otherwise) and be for the URI's host.
 *
 * <pre>{@code
 * try (WebSocket ws = WebSocketClient.connect(URI.create("ws://127.0.0.1:9001/"))) {
 *     ws.sendText("hello");
 *     System.out.println(ws.receive());
 * }
 * }</pre>
 *
 * <p>Every frame is masked with a fresh key from {@link MaskKeySource#secure()}: keys drawn from
 * {@link SecureRandom} in blocks, so no frame waits on the entropy source.
 */
public final class WebSocketClient {

    private static final AtomicLong IDS = new AtomicLong();
    private static final SecureRandom KEYS = new SecureRandom();

    private WebSocketClient() {}

    /** Connects with the default settings. */
    public static WebSocket connect(URI uri) throws IOException {
        return builder().connect(uri);
    }

    /**
     * Connections to {@code uri} with the default settings, re-established with backoff when
     * they end; see {@link Reconnecting}.
     *
     * <pre>{@code
     * try (Reconnecting connections = WebSocketClient.reconnecting(uri)) {
     *     for (WebSocket ws : connections) { ... }
     * }
     * }</pre>
     */
    public static Reconnecting reconnecting(URI uri) {
        return builder().reconnecting(uri);
    }

    /**
     * Settings for connections, then {@link Builder#connect(URI)}; the same names as the server
     * builder's where the setting is the same.
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Client settings, then {@link #connect(URI)}; one builder may connect many times. Defaults:
     * 10 s connect, handshake and close timeouts, 1 MiB frames and messages, 64 messages waiting
     * for {@code receive()}, outbound watermarks 1 MiB / 256 KiB, a keepalive ping every 20 s with
     * a 20 s pong timeout, no idle timeout. Keepalive and idle timers of every client connection
     * run on one shared timer thread.
     */
    public static final class Builder {
        private final HttpHeaders.Builder headers = HttpHeaders.builder();
        private final List<String> subprotocols = new ArrayList<>();
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration closeTimeout = SessionOptions.DEFAULT_CLOSE_TIMEOUT;
        private DeflateOptions deflate; // null: no offer
        private long maxFrameSize = ConnectionConfig.DEFAULT_MAX_SIZE;
        private long maxMessageSize = ConnectionConfig.DEFAULT_MAX_SIZE;
        private int inboxLimit = SessionOptions.DEFAULT_INBOX_LIMIT;
        private Duration pingInterval = SessionOptions.DEFAULT_PING_INTERVAL;
        private Duration pingTimeout = SessionOptions.DEFAULT_PING_TIMEOUT;
        private Duration idleTimeout;
        private long highWatermark = SessionOptions.DEFAULT_HIGH_WATERMARK;
        private long lowWatermark = SessionOptions.DEFAULT_LOW_WATERMARK;
        private SSLContext sslContext; // for wss://; null: SSLContext.getDefault()
        private boolean insecureTls;

        private Builder() {}

        /** An extra request header, such as {@code Authorization} or {@code Origin}. */
        public Builder header(String name, String value) {
            headers.add(name, value);
            return this;
        }

        /** A subprotocol to offer, most preferred first. */
        public Builder subprotocol(String name) {
            subprotocols.add(name);
            return this;
        }

        /**
         * Offers permessage-deflate (RFC 7692) with {@link DeflateOptions#defaults()}: {@code
         * permessage-deflate; client_max_window_bits}. Off by default.
         */
        public Builder deflate() {
            return deflate(DeflateOptions.defaults());
        }

        /** Offers permessage-deflate with these settings ({@link DeflateNegotiation#offer}). */
        public Builder deflate(DeflateOptions options) {
            this.deflate = java.util.Objects.requireNonNull(options, "options");
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = timeout;
            return this;
        }

        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = timeout;
            return this;
        }

        public Builder maxFrameSize(long bytes) {
            this.maxFrameSize = bytes;
            return this;
        }

        public Builder maxMessageSize(long bytes) {
            this.maxMessageSize = bytes;
            return this;
        }

        public Builder maxSize(long bytes) {
            return maxFrameSize(bytes).maxMessageSize(bytes);
        }

        /** Keepalive: a ping every {@code interval}; no pong within {@code timeout} closes with 1011. */
        public Builder keepalive(Duration interval, Duration timeout) {
            this.pingInterval = interval;
            this.pingTimeout = timeout;
            return this;
        }

        /** No keepalive pings (the default is a ping every 20 s with a 20 s timeout). */
        public Builder noKeepalive() {
            this.pingInterval = null;
            return this;
        }

        /** How many received messages may wait for {@code receive()} before the reader stops reading. */
        public Builder inboxLimit(int messages) {
            this.inboxLimit = messages;
            return this;
        }

        /**
         * Outbound queue bounds: a sender waits while more than {@code high} bytes are queued,
         * until fewer than {@code low} are.
         */
        public Builder watermarks(long high, long low) {
            this.highWatermark = high;
            this.lowWatermark = low;
            return this;
        }

        /** Close (1001, "idle timeout") a connection with no traffic either way for this long. */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = timeout;
            return this;
        }

        /**
         * For {@code wss://}: the TLS context whose trust managers decide which server
         * certificates are trusted (and whose key managers, if any, give a client certificate).
         * The host name is still checked against the certificate. Default: the JDK's
         * {@link SSLContext#getDefault()}, which trusts its {@code cacerts} (or the
         * {@code javax.net.ssl.trustStore} system property's store).
         */
        public Builder sslContext(SSLContext context) {
            this.sslContext = java.util.Objects.requireNonNull(context, "context");
            this.insecureTls = false;
            return this;
        }

        /**
         * For {@code wss://}: trust exactly the certificates in this PKCS12 trust store (such as
         * a server's self-signed certificate, imported with {@code keytool -importcert
         * -storetype PKCS12}); the host name is still checked. Loaded now.
         *
         * @throws IOException naming the file if it cannot be read, is not PKCS12, the password is
         *     wrong, or it holds no certificate
         */
        public Builder trustStore(Path pkcs12TrustStore, char[] password) throws IOException {
            return sslContext(TlsContexts.trusting(pkcs12TrustStore, password));
        }

        /**
         * FOR TESTS ONLY: for {@code wss://}, accept any certificate from any server and check
         * no host name. The connection is encrypted but not authenticated: anyone on the path can
         * intercept it. Meant for a test server with a throwaway certificate; never in
         * production. {@link #sslContext} or {@link #trustStore} turn it off again.
         */
        public Builder insecureTls() {
            this.sslContext = TlsContexts.insecure();
            this.insecureTls = true;
            return this;
        }

        /**
         * Connections to {@code uri} with these options, re-established with backoff when they
         * end; see {@link Reconnecting}. Each attempt uses the options as they are then.
         *
         * @throws IllegalArgumentException for a URI that is not {@code ws://host...} or {@code wss://host...}
         */
        public Reconnecting reconnecting(URI uri) {
            return new Reconnecting(this, uri);
        }

        /**
         * Connects, performs the TLS handshake for {@code wss://} and the opening handshake, and
         * starts the connection's reader thread. The handshake timeout bounds the TLS handshake
         * and the opening handshake together.
         *
         * @throws IllegalArgumentException for a URI that is not {@code ws[s]://host[:port][/path]}
         * @throws io.loomsocket.handshake.HandshakeException if the server refuses or answers
         *     wrongly (its status, e.g. 401 or 404, is in the exception)
         * @throws javax.net.ssl.SSLHandshakeException if the TLS handshake fails; the message
         *     says why (a certificate that is not trusted, or not for the host, ...)
         */
        public WebSocket connect(URI uri) throws IOException {
            WebSocketUri target = WebSocketUri.parse(uri);
            int port = target.port();
            String path = target.path();
            ConnectionConfig config = new ConnectionConfig(maxFrameSize, maxMessageSize, MaskKeySource.secure());
            SessionOptions sessionOptions = new SessionOptions(config, closeTimeout, inboxLimit, highWatermark, lowWatermark,
                    pingInterval, pingTimeout, idleTimeout); // validates the settings before connecting
            ExtensionOffer deflateOffer = deflate == null ? null : DeflateNegotiation.offer(deflate);
            ClientHandshake handshake = new ClientHandshake(target.hostHeader(), target.resource(), subprotocols,
                    deflateOffer == null ? List.of() : List.of(deflateOffer), headers.build(), KEYS);

            Socket socket = new Socket();
            boolean ok = false;
            try {
                socket.setTcpNoDelay(true);
                try {
                    socket.connect(new InetSocketAddress(uri.getHost(), port), (int) connectTimeout.toMillis());
                } catch (java.net.ConnectException | java.net.SocketTimeoutException | java.net.UnknownHostException e) {
                    IOException named = e instanceof java.net.SocketTimeoutException
                            ? new java.net.SocketTimeoutException("cannot connect to " + uri.getHost() + " port " + port
                                    + ": no answer within " + connectTimeout.toMillis() + " ms")
                            : e instanceof java.net.UnknownHostException
                                    ? new java.net.UnknownHostException("cannot connect: unknown host " + uri.getHost())
                                    : new java.net.ConnectException("cannot connect to " + uri.getHost() + " port " + port
                                            + ": " + e.getMessage() + " (is a server listening there?)");
                    named.initCause(e);
                    throw named;
                }
                long handshakeStart = System.nanoTime();
                Transport transport = target.secure()
                        ? TlsTransport.connect(socket, tlsContext(), uri.getHost(), port, !insecureTls, handshakeTimeout,
                                Timers.shared())
                        : new SocketTransport(socket);
                byte[] request = handshake.requestBytes();
                transport.write(request, 0, request.length);
                HandshakeReader.Result read = HandshakeReader.read(transport, HttpHeadParser.forResponse(),
                        handshakeTimeout.minusNanos(System.nanoTime() - handshakeStart));
                ClientHandshake.Result result = handshake.validate(read.parser().response());
                // RFC 7692 §7.1: a response that breaks the offer fails the connection (HandshakeException).
                DeflateParams params = deflateOffer == null
                        ? null : DeflateNegotiation.validateResponse(result.extensions(), deflateOffer).orElse(null);
                Connection conn = new Connection(Role.CLIENT, config, params, deflate);
                conn.open();
                SocketSession session = new SocketSession(transport, conn, sessionOptions, Timers.shared(), path,
                        result.subprotocol(), ExtensionOffer.toHeaderValue(result.extensions()), read.leftover());
                session.start("loomsocket-client-read-" + IDS.incrementAndGet());
                ok = true;
                return session;
            } finally {
                if (!ok) {
                    socket.close();
                }
            }
        }

        private SSLContext tlsContext() throws IOException {
            if (sslContext != null) {
                return sslContext;
            }
            try {
                return SSLContext.getDefault();
            } catch (NoSuchAlgorithmException e) {
                throw new IOException("no default TLS context in this JDK", e);
            }
        }
    }
}
