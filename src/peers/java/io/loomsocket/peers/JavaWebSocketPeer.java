package io.loomsocket.peers;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.java_websocket.WebSocket;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.protocols.IProtocol;
import org.java_websocket.protocols.Protocol;
import org.java_websocket.server.WebSocketServer;

/**
 * Java-WebSocket 1.6: a {@link WebSocketServer} subclass (one selector thread, its default number
 * of decoder threads) with one {@link Draft_6455} that has no extension (no permessage-deflate) and
 * a 64 MiB frame limit; TCP_NODELAY on, connection-lost pings off. Echo is {@code conn.send};
 * broadcast is {@link WebSocketServer#broadcast(String, Collection)}, which encodes the frame once
 * for all receivers.
 */
final class JavaWebSocketPeer extends WebSocketServer {

    private final Set<WebSocket> broadcast = ConcurrentHashMap.newKeySet();
    private final Set<WebSocket> broadcastAll = ConcurrentHashMap.newKeySet();
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile Exception startFailure;

    private JavaWebSocketPeer(InetSocketAddress address) {
        super(address, List.<Draft>of(new Draft_6455(List.of(), List.<IProtocol>of(new Protocol("")), PeerMain.MAX_MESSAGE)));
        setTcpNoDelay(true);
        setReuseAddr(true);
        setConnectionLostTimeout(0); // no pings, no idle close
        setMaxPendingConnections(PeerMain.BACKLOG);
    }

    static PeerMain.Peer start(String host, int port) throws Exception {
        JavaWebSocketPeer server = new JavaWebSocketPeer(new InetSocketAddress(host, port));
        server.start();
        if (!server.started.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("java-websocket did not start");
        }
        if (server.startFailure != null) {
            throw server.startFailure;
        }
        return new PeerMain.Peer() {
            @Override
            public int port() {
                return server.getPort();
            }

            @Override
            public void stop() throws InterruptedException {
                server.stop(5_000);
            }
        };
    }

    @Override
    public void onStart() {
        started.countDown();
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
        Route route = Route.of(handshake.getResourceDescriptor());
        conn.setAttachment(route);
        switch (route) {
            case BROADCAST -> broadcast.add(conn);
            case BROADCAST_ALL -> broadcastAll.add(conn);
            case ECHO -> {}
        }
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
        broadcast.remove(conn);
        broadcastAll.remove(conn);
    }

    @Override
    public void onError(WebSocket conn, Exception ex) {
        if (conn == null) { // the server socket itself, e.g. bind failed
            startFailure = ex;
            started.countDown();
        }
    }

    @Override
    public void onMessage(WebSocket conn, String message) {
        switch (conn.<Route>getAttachment()) {
            case ECHO -> conn.send(message);
            case BROADCAST -> broadcast(message, others(conn));
            case BROADCAST_ALL -> broadcast(message, broadcastAll);
        }
    }

    @Override
    public void onMessage(WebSocket conn, ByteBuffer message) {
        switch (conn.<Route>getAttachment()) {
            case ECHO -> conn.send(message);
            case BROADCAST -> broadcast(message, others(conn));
            case BROADCAST_ALL -> broadcast(message, broadcastAll);
        }
    }

    private Collection<WebSocket> others(WebSocket sender) {
        List<WebSocket> others = new ArrayList<>(broadcast.size());
        for (WebSocket conn : broadcast) {
            if (conn != sender) {
                others.add(conn);
            }
        }
        return others;
    }
}
