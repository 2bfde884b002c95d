package io.loomsocket.server;

import io.loomsocket.WebSocketClosedException;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.WebSocketListener;
import io.loomsocket.handshake.HandshakeException;
import io.loomsocket.handshake.HttpHeadParser;
import io.loomsocket.handshake.HttpHeaders;
import io.loomsocket.handshake.HttpLimits;
import io.loomsocket.handshake.HttpRequestHead;
import io.loomsocket.handshake.RequestTarget;
import io.loomsocket.handshake.ServerHandshake;
import io.loomsocket.io.Budgets;
import io.loomsocket.io.HandshakeReader;
import io.loomsocket.io.MemoryBudget;
import io.loomsocket.io.SessionOptions;
import io.loomsocket.io.SocketSession;
import io.loomsocket.io.SocketTransport;
import io.loomsocket.io.Timers;
import io.loomsocket.io.TlsContexts;
import io.loomsocket.io.TlsTransport;
import io.loomsocket.io.Transport;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.Connection;
import io.loomsocket.protocol.ConnectionConfig;
import io.loomsocket.protocol.ConnectionState;
import io.loomsocket.protocol.MaskKeySource;
import io.loomsocket.protocol.Role;
import io.loomsocket.protocol.deflate.DeflateNegotiation;
import io.loomsocket.protocol.deflate.DeflateOptions;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * A WebSocket server on a {@link ServerSocket}: an accept loop that gives every connection its
 * own virtual thread, which performs the opening handshake and then runs the handler.
 *
 * <pre>{@code
 * try (var server = WebSocketServer.builder().port(9001).handler(ws -> {
 *         for (DataMessage m : ws) {
 *             switch (m) {
 *                 case Message.Text t -> ws.sendText(t.text());
 *                 case Message.Binary b -> ws.sendBinary(b.data());
 *             }
 *         }
 *     }).start()) {
 *     server.awaitStop();
 * }
 * }</pre>
 */
public final class WebSocketServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(WebSocketServer.class.getName());

    private final Options options;
    private final ForwardedFor forwardedFor; // null: X-Forwarded-For is not believed
    private final Endpoint defaultEndpoint; // for paths no route matches; may be null
    private final Router router;
    private final RequestHook requestHook;
    private final SSLContext tls; // null: plain TCP (ws://)
    private final SessionOptions sessionOptions;
    private final Budgets budgets; // shared by every connection
    private final Timers timers; // keepalive, idle and close deadlines of every connection
    private final ServerSocket serverSocket;
    private final Set<SocketSession> sessions = ConcurrentHashMap.newKeySet();
    private final Set<Socket> handshaking = ConcurrentHashMap.newKeySet();
    private final ServerMetrics metrics = new ServerMetrics();
    private final java.util.List<MetricsSource> metricsSources = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicLong connectionIds = new AtomicLong();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final ConnectionLimit connectionLimit; // handshaking and open connections
    private final BusyResponse busy; // the 503 for connections over the limit
    private final Thread acceptor;
    private volatile boolean stopping;

    /**
     * The server's settings, as built ({@link #options()}); what serves the connections (routes,
     * handlers, the request hook) is not part of them. Defaults: host 127.0.0.1, an ephemeral
     * port, backlog 1024, 1 MiB frames and messages, 10 s handshake timeout, 10 s close timeout,
     * 64 messages waiting per connection, outbound watermarks 1 MiB / 256 KiB (what a broadcast
     * does to a receiver over them is the {@link io.loomsocket.broadcast.BroadcastRegistry}'s
     * policy), a keepalive ping every 20 s with a 20 s pong timeout, and no idle timeout unless
     * set. {@code pingInterval} and {@code idleTimeout} are null when off. {@code deflate} is what
     * permessage-deflate offers the server accepts ({@link DeflateOptions#defaults()} unless set),
     * null when it is off ({@link Builder#noDeflate()}). At most {@code maxConnections} (10,000)
     * connections at once, in the handshake or open; beyond that a connection is answered 503 with
     * {@code Retry-After: retryAfter} (5 s) before its request is read (see docs/limits.md).
     * {@code trustedProxies} are the reverse proxies whose {@code X-Forwarded-For} is believed
     * (none unless set: {@link Builder#trustedProxies}). The connections share an
     * {@code inboundBudget} of received message bytes and an {@code outboundBudget} of queued
     * bytes, a quarter of the maximum heap each unless set; a reader holding part of a message
     * waits up to {@code budgetGrace} (5 s) for room before its connection is closed with 1013
     * ({@link Builder#inboundBudget}, docs/security.md).
     */
    public record Options(String host, int port, int backlog, long maxFrameSize, long maxMessageSize,
                          Duration handshakeTimeout, Duration closeTimeout, int inboxLimit,
                          long highWatermark, long lowWatermark,
                          Duration pingInterval, Duration pingTimeout, Duration idleTimeout,
                          HttpLimits httpLimits, Set<String> allowedOrigins, List<String> subprotocols,
                          boolean subprotocolRequired, DeflateOptions deflate,
                          int maxConnections, Duration retryAfter, Set<InetAddress> trustedProxies,
                          long inboundBudget, long outboundBudget, Duration budgetGrace) {}

    /** {@link Builder#maxConnections}: connections at once, in the handshake or open. */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    /** {@link Builder#retryAfter}: what a 503 over the connection limit asks clients to wait. */
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);

    public static Builder builder() {
        return new Builder();
    }

    private WebSocketServer(Options options, SessionOptions sessionOptions, Endpoint defaultEndpoint, Router router,
                            RequestHook requestHook, SSLContext tls, String metricsPath, ForwardedFor forwardedFor)
            throws IOException {
        this.options = options;
        this.forwardedFor = forwardedFor;
        this.tls = tls;
        this.defaultEndpoint = defaultEndpoint;
        this.router = router;
        this.requestHook = metricsPath == null ? requestHook : new MetricsEndpoint(metricsPath, requestHook, this::metricsText);
        this.sessionOptions = sessionOptions; // shared by every connection (immutable)
        this.budgets = new Budgets(new MemoryBudget(options.inboundBudget()), new MemoryBudget(options.outboundBudget()),
                options.budgetGrace());
        this.serverSocket = new ServerSocket();
        serverSocket.setReuseAddress(true);
        try {
            serverSocket.bind(new InetSocketAddress(InetAddress.getByName(options.host()), options.port()), options.backlog());
        } catch (BindException e) {
            serverSocket.close();
            BindException named = new BindException("cannot listen on " + options.host() + " port " + options.port()
                    + ": " + e.getMessage() + (options.port() != 0 ? " (is the port already in use?)" : ""));
            named.initCause(e);
            throw named;
        }
        this.timers = Timers.newScheduler("loomsocket-timers-" + serverSocket.getLocalPort());
        this.connectionLimit = new ConnectionLimit(options.maxConnections());
        this.busy = new BusyResponse(options.retryAfter(), options.httpLimits().maxHeadBytes());
        AcceptLoop.preloadWhatLoggingNeeds();
        AcceptLoop loop = new AcceptLoop(serverSocket::accept, this::accepted, () -> stopping, Thread::sleep,
                System.getLogger(AcceptLoop.class.getName()));
        this.acceptor = Thread.ofVirtual().name("loomsocket-accept-" + serverSocket.getLocalPort()).unstarted(loop);
    }

    /** The port the server listens on (the real one when 0 was asked for). */
    public int port() {
        return serverSocket.getLocalPort();
    }

    public String host() {
        return options.host();
    }

    /** {@code ws://host:port}, or {@code wss://host:port} with {@linkplain Builder#tls(SSLContext) TLS}. */
    public String url() {
        String h = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return (tls == null ? "ws://" : "wss://") + h + ":" + port();
    }

    /** Whether connections are served over TLS ({@code wss://}). */
    public boolean isTls() {
        return tls != null;
    }

    public Options options() {
        return options;
    }

    /** Connections that completed the handshake and are not yet closed. */
    public int connectionCount() {
        return sessions.size();
    }

    /**
     * What the server has done since it started and holds now: connections, refused handshakes,
     * messages and bytes, queued bytes, slow consumers, protocol failures, ping round trips. Cheap
     * enough to call every second; see {@link MetricsSnapshot} for each field.
     */
    public MetricsSnapshot metrics() {
        return metrics.snapshot(sessions, budgets);
    }

    /**
     * {@link #metrics()} in the Prometheus text format, followed by what each
     * {@linkplain #addMetricsSource added source} writes: what the metrics path serves.
     */
    public String metricsText() {
        return PrometheusText.of(metrics(), metricsSources);
    }

    /** Serves {@code source}'s metrics with this server's (a cluster bridge's, say). */
    public void addMetricsSource(MetricsSource source) {
        metricsSources.add(java.util.Objects.requireNonNull(source, "source"));
    }

    /** Connections counted against {@link Builder#maxConnections}: in the handshake or open. */
    int admittedConnections() {
        return connectionLimit.admitted();
    }

    /**
     * An accepted socket, from the {@link AcceptLoop}: its own thread, admitted or to be answered
     * 503, or closed at once when even the 503s are at their limit ({@link ConnectionLimit}).
     */
    private void accepted(Socket socket) {
        ConnectionLimit.Permit permit = connectionLimit.admit();
        if (permit == null) {
            LOG.log(System.Logger.Level.DEBUG, "over the connection limit with {0} refusals in progress; closing at once",
                    ConnectionLimit.MAX_REFUSING);
            closeQuietly(socket);
            return;
        }
        long id = connectionIds.incrementAndGet();
        try {
            Thread.ofVirtual().name("loomsocket-conn-" + id).start(() -> serve(socket, id, permit));
        } catch (RuntimeException | Error e) {
            permit.release();
            throw e; // the accept loop closes the socket, and goes on after a RuntimeException (an Error ends it)
        }
    }

    /** The life of one connection, on its own virtual thread; {@code permit} is released when it ends. */
    private void serve(Socket socket, long id, ConnectionLimit.Permit permit) {
        SocketSession session = null;
        boolean handedOff = false;
        handshaking.add(socket);
        try {
            if (stopping) {
                return;
            }
            socket.setTcpNoDelay(true);
            long handshakeStart = System.nanoTime();
            // With TLS, its handshake runs here, on this connection's thread; the same timeout bounds it and the HTTP head.
            // (So a connection over the limit gets its 503 over TLS: a wss client could not read it otherwise.)
            Transport transport = tls == null ? new SocketTransport(socket)
                    : TlsTransport.accept(socket, tls, options.handshakeTimeout(), timers);
            if (!permit.admitted()) {
                LOG.log(System.Logger.Level.DEBUG, "connection {0}: over the limit of {1}; answering 503", id,
                        options.maxConnections());
                metrics.overLimit(socket.getRemoteSocketAddress());
                busy.send(transport);
                return;
            }
            Duration headTimeout = options.handshakeTimeout().minusNanos(System.nanoTime() - handshakeStart);
            Upgrade upgrade;
            HandshakeReader.Result read = null;
            byte[] accepted;
            try {
                read = HandshakeReader.read(transport, HttpHeadParser.forRequest(options.httpLimits()), headTimeout);
                upgrade = decide(read.parser().request(), socket);
                accepted = upgrade.response != null ? upgrade.response : switchingProtocols(upgrade);
            } catch (HandshakeException e) {
                metrics.refused(e, socket.getRemoteSocketAddress(), read == null ? null : read.parser().request());
                byte[] refusal = e.toHttpResponse();
                try {
                    transport.write(refusal, 0, refusal.length);
                    transport.shutdownOutput(); // FIN (with TLS: close_notify first) after the answer
                } catch (IOException gone) {
                    LOG.log(System.Logger.Level.DEBUG, "connection {0}: {1}", id, gone.toString()); // counted as refused
                }
                return;
            }
            if (upgrade.response == null) {
                // From the 101 on the client counts the connection open: stop() must not cut it as
                // still handshaking, but close it with 1001 once it is a session (below).
                handshaking.remove(socket);
            }
            transport.write(accepted, 0, accepted.length);
            if (upgrade.response != null) {
                transport.shutdownOutput();
                return; // a plain HTTP answer from the request hook
            }
            ServerHandshake.Offer offer = upgrade.offer;
            Connection conn = upgrade.deflate == null
                    ? new Connection(Role.SERVER, sessionOptions.connection())
                    : new Connection(Role.SERVER, sessionOptions.connection(), upgrade.deflate.params(), options.deflate());
            conn.open();
            session = new SocketSession(transport, conn, sessionOptions, timers, offer.head().path(), upgrade.subprotocol,
                    upgrade.deflate == null ? "" : upgrade.deflate.response().toHeaderValue(), read.leftover(),
                    metrics.counters(), budgets);
            session.setRequest(offer.head(), upgrade.route.parameters(), upgrade.attributes);
            sessions.add(session);
            metrics.opened(session);
            if (stopping) {
                // stop() began after the 101 and may have missed this session: it closes itself
                // with 1001 once its reader runs (close waits for the reply the reader reads).
                SocketSession late = session;
                Thread.ofVirtual().name("loomsocket-stop-" + id).start(() -> late.close(CloseCode.GOING_AWAY, "server stopping"));
            }
            switch (upgrade.route.endpoint()) {
                case Endpoint.Listener l -> {
                    // A fresh thread reads and calls the listener, and this one ends: a thread parked
                    // in read() keeps its whole stack, so the reader's should be as shallow as it can be.
                    SocketSession inlineSession = session;
                    Thread.ofVirtual().name("loomsocket-read-" + id).start(() -> {
                        try {
                            inlineSession.runInline(l.listener());
                        } finally {
                            inlineSession.abort();
                            sessions.remove(inlineSession);
                            permit.release();
                        }
                    });
                    handedOff = true; // the reader cleans up
                }
                case Endpoint.Handler h -> {
                    session.start("loomsocket-read-" + id);
                    runHandler(session, h.handler());
                }
            }
        } catch (IOException e) {
            if (session == null && !stopping) {
                metrics.handshakeFailed(e, socket.getRemoteSocketAddress()); // timed out, closed, reset
            } else {
                LOG.log(System.Logger.Level.DEBUG, "connection {0}: {1}", id, e.toString());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            handshaking.remove(socket);
            if (handedOff) {
                // the reader thread owns the connection now, and releases the permit
            } else if (session == null) {
                closeQuietly(socket);
                permit.release();
            } else {
                session.abort();
                sessions.remove(session);
                permit.release();
            }
        }
    }

    /** The 101 response, with the request hook's extra headers; a reserved one is the hook's fault: 500. */
    private static byte[] switchingProtocols(Upgrade upgrade) {
        try {
            return ServerHandshake.accept(upgrade.offer, upgrade.subprotocol,
                    upgrade.deflate == null ? List.of() : List.of(upgrade.deflate.response()), upgrade.responseHeaders);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "request hook added a header the handshake owns; answering 500", e);
            throw new HandshakeException(500, "internal server error");
        }
    }

    /** The outcome of the checks before the upgrade: a response to send instead, or the upgrade. */
    private record Upgrade(byte[] response, ServerHandshake.Offer offer, Router.Match route,
                           Optional<String> subprotocol, Map<String, Object> attributes, HttpHeaders responseHeaders,
                           DeflateNegotiation.Accepted deflate) {}

    /**
     * The checks before the upgrade, in order: the request hook (which may answer plain HTTP
     * itself), the route (404), the RFC's handshake rules (400, 405, 426, ...), the Origin
     * allowlist (403) and the subprotocol (400 if one is required and none offered fits).
     */
    private Upgrade decide(HttpRequestHead head, Socket socket) {
        RequestTarget.check(head.target()); // before routing, the hook or a handler sees the path: 400 otherwise
        Optional<Router.Match> route = router.match(head.path())
                .or(() -> Optional.ofNullable(defaultEndpoint).map(e -> new Router.Match(null, e, Map.of())));
        Optional<InetAddress> client = forwardedFor == null ? Optional.empty()
                : forwardedFor.client(socket.getRemoteSocketAddress(), head.headers());
        Map<String, Object> attributes = client.<Map<String, Object>>map(c -> Map.of(ForwardedFor.CLIENT_ADDRESS, c))
                .orElse(Map.of());
        HttpHeaders responseHeaders = HttpHeaders.empty();
        if (requestHook != null) {
            HandshakeRequest request = new HandshakeRequest(head, socket.getRemoteSocketAddress(),
                    route.map(Router.Match::pattern), route.map(Router.Match::parameters).orElse(Map.of()), client);
            HandshakeDecision decision;
            byte[] plainResponse = null;
            try {
                decision = requestHook.check(request);
                if (decision == null) {
                    throw new IllegalStateException("the request hook returned no decision");
                }
                if (decision instanceof HandshakeDecision.Respond r) {
                    plainResponse = HttpResponses.of(r); // may refuse a header with CR/LF
                    metrics.answered(r.status(), request.remoteAddress(), head);
                }
            } catch (HandshakeException e) {
                throw e;
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "request hook failed; answering 500", e);
                throw new HandshakeException(500, "internal server error");
            }
            switch (decision) {
                case HandshakeDecision.Respond r -> {
                    return new Upgrade(plainResponse, null, null, Optional.empty(), Map.of(), HttpHeaders.empty(), null);
                }
                case HandshakeDecision.Accept a -> {
                    if (!a.attributes().isEmpty()) { // the hook's own win over the forwarded client
                        Map<String, Object> merged = new java.util.HashMap<>(attributes);
                        merged.putAll(a.attributes());
                        attributes = merged;
                    }
                    responseHeaders = a.responseHeaders();
                }
            }
        }
        if (route.isEmpty()) {
            throw new HandshakeException(404, "no WebSocket endpoint at " + head.path());
        }
        ServerHandshake.Offer offer = ServerHandshake.validate(head);
        // Cross-site WebSocket hijacking: a browser sends the page's Origin; only allowed pages may connect.
        if (!options.allowedOrigins().isEmpty()
                && (offer.origin().isEmpty() || !options.allowedOrigins().contains(offer.origin().get()))) {
            throw new HandshakeException(403, "origin not allowed: " + offer.origin().orElse("(none)"));
        }
        Optional<String> subprotocol = offer.subprotocols().stream().filter(options.subprotocols()::contains).findFirst();
        if (subprotocol.isEmpty() && options.subprotocolRequired()) {
            throw new HandshakeException(400, "a subprotocol is required; supported: " + String.join(", ", options.subprotocols()));
        }
        // RFC 7692: the first acceptable permessage-deflate offer, if the server has it on; none
        // offered (Autobahn 0.6.4, curl) or none valid: no extension, exactly as before.
        DeflateNegotiation.Accepted deflate = options.deflate() == null
                ? null : DeflateNegotiation.accept(offer.extensions(), options.deflate()).orElse(null);
        return new Upgrade(null, offer, route.get(), subprotocol, attributes, responseHeaders, deflate);
    }

    private void runHandler(SocketSession session, WebSocketHandler handler) throws InterruptedException {
        try {
            handler.handle(session);
            session.close(CloseCode.NORMAL_CLOSURE, "");
        } catch (InterruptedException e) {
            throw e;
        } catch (WebSocketClosedException e) {
            // The peer closed while the handler was sending: a normal end, not a handler failure.
            LOG.log(System.Logger.Level.DEBUG, "handler ended: {0}", e.getMessage());
        } catch (Exception | Error e) {
            // The handler's own failure closes only its connection; the detail stays in the log.
            // An OutOfMemoryError (InternalError, UnknownError) is rethrown after that: FatalErrors.
            LOG.log(System.Logger.Level.WARNING, "handler failed; closing its connection with 1011", e);
            try {
                session.close(CloseCode.INTERNAL_ERROR, "");
            } finally {
                if (FatalErrors.mustPropagate(e)) {
                    throw (Error) e;
                }
            }
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
        acceptor.interrupt(); // ends a back-off between failed accepts
        for (Socket s : handshaking) {
            closeQuietly(s);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Thread> closers = new ArrayList<>();
        for (SocketSession s : sessions) {
            closers.add(Thread.ofVirtual().start(() -> {
                if (s.state() == ConnectionState.OPEN) {
                    s.close(CloseCode.GOING_AWAY, "server stopping");
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
        timers.shutdown();
        stopped.countDown();
    }

    /** Blocks until {@link #stop} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /**
     * {@code stop(closeTimeout)}, for try-with-resources: no checked exception. If the thread is
     * interrupted while waiting, the remaining connections are aborted and the interrupt status
     * stays set.
     */
    @Override
    public void close() {
        try {
            stop(options.closeTimeout());
        } catch (InterruptedException e) {
            for (SocketSession s : sessions) {
                s.abort();
            }
            timers.shutdown();
            stopped.countDown();
            Thread.currentThread().interrupt();
        }
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
        private DeflateOptions deflate = DeflateOptions.defaults();
        private long maxFrameSize = ConnectionConfig.DEFAULT_MAX_SIZE;
        private long maxMessageSize = ConnectionConfig.DEFAULT_MAX_SIZE;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration closeTimeout = SessionOptions.DEFAULT_CLOSE_TIMEOUT;
        private int inboxLimit = SessionOptions.DEFAULT_INBOX_LIMIT;
        private long highWatermark = SessionOptions.DEFAULT_HIGH_WATERMARK;
        private long lowWatermark = SessionOptions.DEFAULT_LOW_WATERMARK;
        private Duration pingInterval = SessionOptions.DEFAULT_PING_INTERVAL;
        private Duration pingTimeout = SessionOptions.DEFAULT_PING_TIMEOUT;
        private Duration idleTimeout;
        private HttpLimits httpLimits = HttpLimits.DEFAULT;
        private Endpoint defaultEndpoint;
        private final Router router = new Router();
        private RequestHook requestHook;
        private String metricsPath;
        private Set<String> allowedOrigins = Set.of();
        private List<String> subprotocols = List.of();
        private boolean subprotocolRequired;
        private SSLContext tls;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private Duration retryAfter = DEFAULT_RETRY_AFTER;
        private ForwardedFor forwardedFor;
        private long inboundBudget; // 0: the default share of the heap
        private long outboundBudget;
        private Duration budgetGrace = Budgets.DEFAULT_GRACE;

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

        /**
         * Keepalive: a ping every {@code interval}; no pong within {@code timeout} closes the
         * connection with 1011 ("keepalive ping timeout"). Default: 20 s and 20 s.
         */
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

        /** Close (1001, "idle timeout") connections with no traffic either way for this long. */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = timeout;
            return this;
        }

        /**
         * At most this many connections at once, counted from accept to close (in the opening
         * handshake or open); default {@value WebSocketServer#DEFAULT_MAX_CONNECTIONS}. One more is answered
         * {@code 503 Service Unavailable} with {@code Retry-After} ({@link #retryAfter}) and
         * {@code Connection: close} as soon as it is accepted, before its request is read. Keep it
         * under the process's file descriptor limit ({@code ulimit -n}) less what the application
         * itself needs: each connection holds one descriptor.
         */
        public Builder maxConnections(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1: " + max);
            }
            this.maxConnections = max;
            return this;
        }

        /**
         * The bytes of received messages all connections may hold together: partial messages
         * being reassembled and messages waiting for the application. Default: a quarter of the
         * maximum heap ({@code -Xmx}). While it is spent, a connection holding 4 KiB or more stops
         * reading (its peer feels TCP backpressure) while the others read on; if there is still
         * no room after {@link #budgetGrace}, it is closed with 1013 (try again later). The
         * per-connection {@link #maxMessageSize} cannot bound the sum: many partial messages that
         * each look honest add up.
         */
        public Builder inboundBudget(long bytes) {
            this.inboundBudget = positiveBudget(bytes, "inboundBudget");
            return this;
        }

        /**
         * The outbound bytes all connections may have queued together. Default: a quarter of the
         * maximum heap. While it is spent, a broadcast to a connection with anything queued is
         * refused as if that connection were over its high watermark (the registry's slow-consumer
         * policy applies), and a blocking send waits until its own queue has drained.
         */
        public Builder outboundBudget(long bytes) {
            this.outboundBudget = positiveBudget(bytes, "outboundBudget");
            return this;
        }

        /** How long a reader waits for room in the {@link #inboundBudget} before its connection is closed with 1013; default 5 s. */
        public Builder budgetGrace(Duration grace) {
            if (grace == null || grace.isNegative() || grace.isZero()) {
                throw new IllegalArgumentException("budgetGrace must be positive: " + grace);
            }
            this.budgetGrace = grace;
            return this;
        }

        private static long positiveBudget(long bytes, String name) {
            if (bytes < 1) {
                throw new IllegalArgumentException(name + " must be at least 1 byte: " + bytes);
            }
            return bytes;
        }

        /** The {@code Retry-After} of the 503 over {@link #maxConnections}, in whole seconds (rounded up); default 5 s. */
        public Builder retryAfter(Duration delay) {
            if (delay == null || delay.isNegative()) {
                throw new IllegalArgumentException("retryAfter must be zero or more: " + delay);
            }
            this.retryAfter = delay;
            return this;
        }

        /**
         * Behind reverse proxies at these addresses (IP literals, such as {@code "127.0.0.1"}),
         * take the client's address from the {@code X-Forwarded-For} header they add: for the
         * connection log ({@code connection open: 203.0.113.7 via 127.0.0.1:50312 /chat}), the
         * request hook ({@link HandshakeRequest#forwardedFor()}, {@link HandshakeRequest#clientAddress()})
         * and the connection's attribute {@value ForwardedFor#CLIENT_ADDRESS}. Only the entry the
         * proxy appended, the rightmost, is believed ({@link ForwardedFor}); a request from any
         * other peer keeps its own address. Off by default: anyone who can reach
         * the port directly could send the header. Nothing given turns it off again.
         *
         * @throws IllegalArgumentException naming a value that is not an IP address
         */
        public Builder trustedProxies(String... addresses) {
            this.forwardedFor = addresses.length == 0 ? null : ForwardedFor.trusting(List.of(addresses));
            return this;
        }

        public Builder httpLimits(HttpLimits limits) {
            this.httpLimits = limits;
            return this;
        }

        /**
         * The pull-style handler for every path that no {@link #route} matches: it runs on each
         * connection's handler thread, with a reader thread beside it.
         */
        public Builder handler(WebSocketHandler handler) {
            this.defaultEndpoint = new Endpoint.Handler(java.util.Objects.requireNonNull(handler, "handler"));
            return this;
        }

        /**
         * Callbacks for every path that no {@link #route} matches, run on each connection's
         * reader thread (one virtual thread per connection; see {@link WebSocketListener}).
         */
        public Builder listener(WebSocketListener listener) {
            this.defaultEndpoint = new Endpoint.Listener(java.util.Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * A pull-style handler for an exact path ({@code /chat}) or a pattern with
         * {@code {param}} segments ({@code /rooms/{room}}; values in {@code ws.pathParameters()}).
         * Exact paths win over patterns; patterns are tried in the order added. A path that
         * matches no route, with no default {@link #handler} or {@link #listener}, is answered
         * 404 before any upgrade.
         */
        public Builder route(String path, WebSocketHandler handler) {
            router.add(path, new Endpoint.Handler(java.util.Objects.requireNonNull(handler, "handler")));
            return this;
        }

        /**
         * Callbacks for an exact path or a pattern (as {@link #route(String, WebSocketHandler)}),
         * run on each connection's reader thread (see {@link WebSocketListener}).
         */
        public Builder route(String path, WebSocketListener listener) {
            router.add(path, new Endpoint.Listener(java.util.Objects.requireNonNull(listener, "listener")));
            return this;
        }

        /** Sees each request before the upgrade: accept, reject, or answer it as plain HTTP. */
        public Builder requestHook(RequestHook hook) {
            this.requestHook = hook;
            return this;
        }

        /**
         * Serves {@link #metrics()} at {@code path} (such as {@code /metrics}) on the same port: a
         * plain HTTP {@code GET} of it, without an upgrade, is answered 200 in the Prometheus text
         * format ({@link MetricsSnapshot#toPrometheusText()}), before any {@link #requestHook}.
         * Off unless set. Anyone who can connect can read it: bind to a private address, or
         * leave it off and serve {@code metrics().toPrometheusText()} yourself.
         */
        public Builder metricsPath(String path) {
            this.metricsPath = MetricsEndpoint.checkPath(path);
            return this;
        }

        /**
         * Only these {@code Origin}s may connect (others get 403): the defence against cross-site
         * WebSocket hijacking, where a page on another site opens a connection with the user's
         * cookies. Empty (the default) allows any origin, and requests without one.
         */
        public Builder allowedOrigins(String... origins) {
            this.allowedOrigins = Set.of(origins);
            return this;
        }

        /**
         * Subprotocols the server speaks, in no particular order: the first one in the client's
         * offer that is supported is chosen. If {@code required}, a client offering none of them
         * is refused with 400.
         */
        public Builder subprotocols(List<String> supported, boolean required) {
            this.subprotocols = List.copyOf(supported);
            this.subprotocolRequired = required;
            return this;
        }

        /**
         * permessage-deflate (RFC 7692) with these settings: the server accepts the first valid
         * offer, and compresses messages of at least {@code options.threshold()} bytes. On by
         * default with {@link DeflateOptions#defaults()}; a client that offers nothing gets no
         * compression.
         */
        public Builder deflate(DeflateOptions options) {
            this.deflate = java.util.Objects.requireNonNull(options, "options");
            return this;
        }

        /** No permessage-deflate: every offer is declined. */
        public Builder noDeflate() {
            this.deflate = null;
            return this;
        }

        /**
         * Serves {@code wss://}: every connection starts with a TLS handshake with this context's
         * key material (on the connection's own thread, within the {@link #handshakeTimeout});
         * {@link WebSocketServer#url()} then says {@code wss://}. A failed TLS handshake closes
         * just that connection (logged at DEBUG); a plain HTTP request on the port is answered
         * 400. Off by default.
         */
        public Builder tls(SSLContext context) {
            this.tls = java.util.Objects.requireNonNull(context, "context");
            return this;
        }

        /**
         * {@link #tls(SSLContext)} with the certificate chain and private key of a PKCS12
         * keystore, as {@code keytool -genkeypair -storetype PKCS12} makes one (the key's
         * password is the store's). Loaded now; the password is used during this call only.
         *
         * @throws IOException naming the file if it cannot be read, is not PKCS12, the password is
         *     wrong, or it holds no private key
         */
        public Builder tls(Path pkcs12Keystore, char[] password) throws IOException {
            return tls(TlsContexts.server(pkcs12Keystore, password));
        }

        /** Binds and starts accepting. */
        public WebSocketServer start() throws IOException {
            if (defaultEndpoint == null && router.isEmpty()) {
                throw new IllegalStateException("a handler, a listener or at least one route is required");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be from 0 to 65535: " + port);
            }
            ConnectionConfig config = new ConnectionConfig(maxFrameSize, maxMessageSize, MaskKeySource.none());
            SessionOptions sessionOptions = new SessionOptions(config, closeTimeout, inboxLimit, highWatermark, lowWatermark,
                    pingInterval, pingTimeout, idleTimeout); // validates the settings before binding
            WebSocketServer server = new WebSocketServer(new Options(host, port, backlog, maxFrameSize, maxMessageSize,
                    handshakeTimeout, closeTimeout, inboxLimit, highWatermark, lowWatermark,
                    pingInterval, pingTimeout, idleTimeout, httpLimits, allowedOrigins, subprotocols, subprotocolRequired,
                    deflate, maxConnections, retryAfter, forwardedFor == null ? Set.of() : forwardedFor.proxies(),
                    inboundBudget > 0 ? inboundBudget : MemoryBudget.fractionOfMaxHeap(Budgets.DEFAULT_HEAP_FRACTION),
                    outboundBudget > 0 ? outboundBudget : MemoryBudget.fractionOfMaxHeap(Budgets.DEFAULT_HEAP_FRACTION),
                    budgetGrace),
                    sessionOptions, defaultEndpoint, router, requestHook, tls, metricsPath, forwardedFor);
            server.acceptor.start();
            return server;
        }
    }
}
