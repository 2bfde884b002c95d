package io.loomsocket.client;

import io.loomsocket.WebSocket;
import io.loomsocket.handshake.ClientHandshake;
import io.loomsocket.handshake.HttpHeadParser;
import io.loomsocket.handshake.HttpHeaders;
import io.loomsocket.io.HandshakeReader;
import io.loomsocket.io.SessionOptions;
import io.loomsocket.io.SocketSession;
import io.loomsocket.protocol.Connection;
import io.loomsocket.protocol.ConnectionConfig;
import io.loomsocket.protocol.MaskKeySource;
import io.loomsocket.protocol.Role;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Opens client connections to {@code ws://} URIs.
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

    /** Connects with default options. */
    public static WebSocket connect(URI uri) throws IOException {
        return options().connect(uri);
    }

    /**
     * Connections to {@code uri} with default options, re-established with backoff when they
     * end; see {@link Reconnecting}.
     *
     * <pre>{@code
     * try (Reconnecting connections = WebSocketClient.reconnecting(uri)) {
     *     for (WebSocket ws : connections) { ... }
     * }
     * }</pre>
     */
    public static Reconnecting reconnecting(URI uri) {
        return options().reconnecting(uri);
    }

    public static Options options() {
        return new Options();
    }

    /**
     * Client settings, then {@link #connect(URI)}. Defaults: 10 s timeouts, 1 MiB limits, a
     * keepalive ping every 20 s with a 20 s pong timeout.
     */
    public static final class Options {
        private final HttpHeaders.Builder headers = HttpHeaders.builder();
        private final List<String> subprotocols = new ArrayList<>();
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration closeTimeout = SessionOptions.DEFAULT_CLOSE_TIMEOUT;
        private long maxFrameSize = ConnectionConfig.DEFAULT_MAX_SIZE;
        private long maxMessageSize = ConnectionConfig.DEFAULT_MAX_SIZE;
        private int inboxLimit = SessionOptions.DEFAULT_INBOX_LIMIT;
        private Duration pingInterval = SessionOptions.DEFAULT_PING_INTERVAL;
        private Duration pingTimeout = SessionOptions.DEFAULT_PING_TIMEOUT;

        private Options() {}

        /** An extra request header, such as {@code Authorization} or {@code Origin}. */
        public Options header(String name, String value) {
            headers.add(name, value);
            return this;
        }

        /** A subprotocol to offer, most preferred first. */
        public Options subprotocol(String name) {
            subprotocols.add(name);
            return this;
        }

        public Options connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        public Options handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = timeout;
            return this;
        }

        public Options closeTimeout(Duration timeout) {
            this.closeTimeout = timeout;
            return this;
        }

        public Options maxFrameSize(long bytes) {
            this.maxFrameSize = bytes;
            return this;
        }

        public Options maxMessageSize(long bytes) {
            this.maxMessageSize = bytes;
            return this;
        }

        public Options maxSize(long bytes) {
            return maxFrameSize(bytes).maxMessageSize(bytes);
        }

        /** Keepalive: a ping every {@code interval}; no pong within {@code timeout} closes with 1011. */
        public Options keepalive(Duration interval, Duration timeout) {
            this.pingInterval = interval;
            this.pingTimeout = timeout;
            return this;
        }

        /** No keepalive pings (the default is a ping every 20 s with a 20 s timeout). */
        public Options noKeepalive() {
            this.pingInterval = null;
            return this;
        }

        public Options inboxLimit(int messages) {
            this.inboxLimit = messages;
            return this;
        }

        /**
         * Connections to {@code uri} with these options, re-established with backoff when they
         * end; see {@link Reconnecting}. Each attempt uses the options as they are then.
         *
         * @throws IllegalArgumentException for a URI that is not {@code ws://host...}
         */
        public Reconnecting reconnecting(URI uri) {
            return new Reconnecting(this, uri);
        }

        /**
         * Connects, performs the opening handshake and starts the connection's reader thread.
         *
         * @throws IllegalArgumentException for a URI that is not {@code ws://host[:port][/path]}
         * @throws io.loomsocket.handshake.HandshakeException if the server refuses or answers
         *     wrongly (its status, e.g. 401 or 404, is in the exception)
         */
        public WebSocket connect(URI uri) throws IOException {
            if (!"ws".equalsIgnoreCase(uri.getScheme())) {
                throw new IllegalArgumentException("only ws:// URIs are supported: " + uri);
            }
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("no host in " + uri);
            }
            if (uri.getFragment() != null) {
                // RFC 6455 §3: "Fragment identifiers are meaningless in the context of WebSocket URIs".
                throw new IllegalArgumentException("a WebSocket URI has no fragment: " + uri);
            }
            int port = uri.getPort() == -1 ? 80 : uri.getPort();
            String hostHeader = (uri.getHost().contains(":") ? "[" + uri.getHost() + "]" : uri.getHost())
                    + (uri.getPort() == -1 ? "" : ":" + port);
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            String resource = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
            ConnectionConfig config = new ConnectionConfig(maxFrameSize, maxMessageSize, MaskKeySource.secure());
            ClientHandshake handshake = new ClientHandshake(hostHeader, resource, subprotocols, List.of(), headers.build(), KEYS);

            Socket socket = new Socket();
            boolean ok = false;
            try {
                socket.setTcpNoDelay(true);
                socket.connect(new InetSocketAddress(uri.getHost(), port), (int) connectTimeout.toMillis());
                socket.getOutputStream().write(handshake.requestBytes());
                socket.getOutputStream().flush();
                HandshakeReader.Result read = HandshakeReader.read(socket, HttpHeadParser.forResponse(), handshakeTimeout);
                ClientHandshake.Result result = handshake.validate(read.parser().response());
                Connection conn = new Connection(Role.CLIENT, config);
                conn.open();
                SocketSession session = new SocketSession(socket, conn,
                        new SessionOptions(config, closeTimeout, inboxLimit, SessionOptions.DEFAULT_HIGH_WATERMARK,
                                SessionOptions.DEFAULT_LOW_WATERMARK, pingInterval, pingTimeout, null), path, result.subprotocol(), read.leftover());
                session.start("loomsocket-client-read-" + IDS.incrementAndGet());
                ok = true;
                return session;
            } finally {
                if (!ok) {
                    socket.close();
                }
            }
        }
    }
}
