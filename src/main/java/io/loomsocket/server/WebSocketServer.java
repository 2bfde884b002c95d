package io.loomsocket.server;

import io.loomsocket.SlowConsumerPolicy;
import io.loomsocket.WebSocketClosedException;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.handshake.HandshakeException;
import io.loomsocket.handshake.HttpHeadParser;
import io.loomsocket.handshake.HttpLimits;
import io.loomsocket.handshake.ServerHandshake;
import io.loomsocket.io.HandshakeReader;
import io.loomsocket.io.SessionOptions;
import io.loomsocket.io.SocketSession;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.Connection;
import io.loomsocket.protocol.ConnectionConfig;
import io.loomsocket.protocol.ConnectionState;
import io.loomsocket.protocol.MaskKeySource;
import io.loomsocket.protocol.Role;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A WebSocket server on a {@link ServerSocket}: an accept loop that gives every connection its
 * own virtual thread, which performs the opening handshake and then runs the handler.
 *
 * <pre>{@code
 * try (var server = WebSocketServer.builder().port(9001).handler(ws -> {
 *         for (Message m : ws) {
 *             if (m instanceof Message.Text t) ws.sendText(t.text());
 *         }
 *     }).start()) {
 *     server.awaitStop();
 * }
 * }</pre>
 */
public final class WebSocketServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(WebSocketServer.class.getName());

    private final Options options;
    private final ServerSocket serverSocket;
    private final Set<SocketSession> sessions = ConcurrentHashMap.newKeySet();
    private final Set<Socket> handshaking = ConcurrentHashMap.newKeySet();
    private final AtomicLong connectionIds = new AtomicLong();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread acceptor;
    private volatile boolean stopping;

    /**
     * Server settings. Defaults: host 127.0.0.1, an ephemeral port, backlog 1024, 1 MiB frames
     * and messages, 10 s handshake timeout, 10 s close timeout, 64 messages waiting per
     * connection, outbound watermarks 1 MiB / 256 KiB, slow consumers closed with 1013, no
     * keepalive pings and no idle timeout unless set.
     */
    public record Options(String host, int port, int backlog, long maxFrameSize, long maxMessageSize,
                          Duration handshakeTimeout, Duration closeTimeout, int inboxLimit,
                          long highWatermark, long lowWatermark, SlowConsumerPolicy slowConsumerPolicy,
                          Duration pingInterval, Duration pingTimeout, Duration idleTimeout,
                          HttpLimits httpLimits, WebSocketHandler handler) {}

    public static Builder builder() {
        return new Builder();
    }

    private WebSocketServer(Options options) throws IOException {
        this.options = options;
        this.serverSocket = new ServerSocket();
        serverSocket.setReuseAddress(true);
        serverSocket.bind(new InetSocketAddress(InetAddress.getByName(options.host()), options.port()), options.backlog());
        this.acceptor = Thread.ofVirtual().name("loomsocket-accept-" + serverSocket.getLocalPort()).unstarted(this::acceptLoop);
    }

    /** The port the server listens on (the real one when 0 was asked for). */
    public int port() {
        return serverSocket.getLocalPort();
    }

    public String host() {
        return options.host();
    }

    /** {@code ws://host:port}. */
    public String url() {
        String h = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return "ws://" + h + ":" + port();
    }

    public Options options() {
        return options;
    }

    /** Connections that completed the handshake and are not yet closed. */
    public int connectionCount() {
        return sessions.size();
    }

    private void acceptLoop() {
        while (!stopping) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!stopping) {
                    LOG.log(System.Logger.Level.ERROR, "accept failed; server stops", e);
                }
                break;
            }
            long id = connectionIds.incrementAndGet();
            Thread.ofVirtual().name("loomsocket-conn-" + id).start(() -> serve(socket, id));
        }
    }

    /** The life of one connection, on its own virtual thread. */
    private void serve(Socket socket, long id) {
        SocketSession session = null;
        handshaking.add(socket);
        try {
            if (stopping) {
                return;
            }
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            ServerHandshake.Offer offer;
            HandshakeReader.Result read;
            try {
                read = HandshakeReader.read(socket, HttpHeadParser.forRequest(options.httpLimits()), options.handshakeTimeout());
                offer = ServerHandshake.validate(read.parser().request());
            } catch (HandshakeException e) {
                LOG.log(System.Logger.Level.DEBUG, "handshake rejected ({0}): {1}", e.status(), e.getMessage());
                out.write(e.toHttpResponse());
                out.flush();
                return;
            }
            out.write(ServerHandshake.accept(offer));
            out.flush();
            ConnectionConfig config = new ConnectionConfig(options.maxFrameSize(), options.maxMessageSize(), MaskKeySource.fixed(0));
            Connection conn = new Connection(Role.SERVER, config);
            conn.open();
            session = new SocketSession(socket, conn,
                    new SessionOptions(config, options.closeTimeout(), options.inboxLimit(), options.highWatermark(),
                            options.lowWatermark(), options.pingInterval(), options.pingTimeout(), options.idleTimeout()),
                    offer.head().path(), Optional.empty(), read.leftover());
            sessions.add(session);
            handshaking.remove(socket);
            session.start("loomsocket-read-" + id);
            runHandler(session);
        } catch (SocketTimeoutException e) {
            LOG.log(System.Logger.Level.DEBUG, "handshake timed out");
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "connection {0}: {1}", id, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            handshaking.remove(socket);
            if (session == null) {
                closeQuietly(socket);
            } else {
                session.abort();
                sessions.remove(session);
            }
        }
    }

    private void runHandler(SocketSession session) throws InterruptedException {
        try {
            options.handler().handle(session);
            session.close(CloseCode.NORMAL_CLOSURE, "");
        } catch (InterruptedException e) {
            throw e;
        } catch (WebSocketClosedException e) {
            // The peer closed while the handler was sending: a normal end, not a handler failure.
            LOG.log(System.Logger.Level.DEBUG, "handler ended: {0}", e.getMessage());
        } catch (Exception | Error e) {
            // The handler's own failure closes only its connection; the detail stays in the log.
            LOG.log(System.Logger.Level.WARNING, "handler failed; closing its connection with 1011", e);
            session.close(CloseCode.INTERNAL_ERROR, "");
        }
        session.awaitClosed(options.closeTimeout());
    }

    /**
     * Stops the server: stops accepting, sends 1001 (Going Away) to every open connection, waits
     * for their closing handshakes up to {@code timeout}, then aborts the rest.
     */
    public void stop(Duration timeout) throws InterruptedException {
        if (stopping) {
            stopped.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return;
        }
        stopping = true;
        closeQuietly(serverSocket);
        for (Socket s : handshaking) {
            closeQuietly(s);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Thread> closers = new ArrayList<>();
        for (SocketSession s : sessions) {
            closers.add(Thread.ofVirtual().start(() -> {
                try {
                    if (s.state() == ConnectionState.OPEN) {
                        s.close(CloseCode.GOING_AWAY, "server stopping");
                    }
                } catch (InterruptedException e) {
                    s.abort();
                }
            }));
        }
        for (Thread t : closers) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                break;
            }
        }
        for (SocketSession s : sessions) {
            s.abort();
        }
        acceptor.join(Duration.ofSeconds(5));
        stopped.countDown();
    }

    /** Blocks until {@link #stop} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** {@code stop(closeTimeout)}. */
    @Override
    public void close() throws InterruptedException {
        stop(options.closeTimeout());
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "close: {0}", e.toString());
        }
    }

    /** Builds and starts a server. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 0;
        private int backlog = 1024;
        private long maxFrameSize = ConnectionConfig.DEFAULT_MAX_SIZE;
        private long maxMessageSize = ConnectionConfig.DEFAULT_MAX_SIZE;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration closeTimeout = SessionOptions.DEFAULT_CLOSE_TIMEOUT;
        private int inboxLimit = SessionOptions.DEFAULT_INBOX_LIMIT;
        private long highWatermark = SessionOptions.DEFAULT_HIGH_WATERMARK;
        private long lowWatermark = SessionOptions.DEFAULT_LOW_WATERMARK;
        private SlowConsumerPolicy slowConsumerPolicy = SlowConsumerPolicy.CLOSE_TRY_AGAIN_LATER;
        private Duration pingInterval;
        private Duration pingTimeout = SessionOptions.DEFAULT_PING_TIMEOUT;
        private Duration idleTimeout;
        private HttpLimits httpLimits = HttpLimits.DEFAULT;
        private WebSocketHandler handler;

        private Builder() {}

        /** The address to bind: default 127.0.0.1; "0.0.0.0" for every interface. */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** The port; 0 (the default) for an ephemeral one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder backlog(int backlog) {
            this.backlog = backlog;
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

        /** Frame and message limit at once. */
        public Builder maxSize(long bytes) {
            return maxFrameSize(bytes).maxMessageSize(bytes);
        }

        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = timeout;
            return this;
        }

        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = timeout;
            return this;
        }

        public Builder inboxLimit(int messages) {
            this.inboxLimit = messages;
            return this;
        }

        /**
         * Outbound queue bounds: a sender waits while more than {@code high} bytes are queued,
         * until fewer than {@code low} are; broadcasts then apply the slow-consumer policy.
         */
        public Builder watermarks(long high, long low) {
            this.highWatermark = high;
            this.lowWatermark = low;
            return this;
        }

        /** What broadcasts do to a receiver over its high watermark. */
        public Builder slowConsumerPolicy(SlowConsumerPolicy policy) {
            this.slowConsumerPolicy = policy;
            return this;
        }

        /**
         * Keepalive: a ping every {@code interval}; no pong within {@code timeout} closes the
         * connection with 1011 ("keepalive ping timeout"). Typical: 20 s and 20 s.
         */
        public Builder keepalive(Duration interval, Duration timeout) {
            this.pingInterval = interval;
            this.pingTimeout = timeout;
            return this;
        }

        /** Close (1001, "idle timeout") connections with no traffic either way for this long. */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = timeout;
            return this;
        }

        public Builder httpLimits(HttpLimits limits) {
            this.httpLimits = limits;
            return this;
        }

        public Builder handler(WebSocketHandler handler) {
            this.handler = handler;
            return this;
        }

        /** Binds and starts accepting. */
        public WebSocketServer start() throws IOException {
            if (handler == null) {
                throw new IllegalStateException("a handler is required");
            }
            ConnectionConfig config = new ConnectionConfig(maxFrameSize, maxMessageSize, MaskKeySource.fixed(0));
            new SessionOptions(config, closeTimeout, inboxLimit, highWatermark, lowWatermark, pingInterval, pingTimeout,
                    idleTimeout); // validates the settings before binding
            WebSocketServer server = new WebSocketServer(new Options(host, port, backlog, maxFrameSize, maxMessageSize,
                    handshakeTimeout, closeTimeout, inboxLimit, highWatermark, lowWatermark, slowConsumerPolicy,
                    pingInterval, pingTimeout, idleTimeout, httpLimits, handler));
            server.acceptor.start();
            return server;
        }
    }
}
