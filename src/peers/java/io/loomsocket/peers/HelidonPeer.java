package io.loomsocket.peers;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.socket.SocketOptions;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Helidon 4 SE: the WebServer (one virtual thread per connection, blocking I/O, like Loomsocket)
 * with {@link WsRouting} endpoints {@code /broadcast}, {@code /broadcast-all} and a catch-all, and a
 * {@link WsConfig} raising the frame limit; Helidon has no permessage-deflate. Listeners get
 * messages in parts ({@code last}), which are joined before use. {@link WsSession#send} is not
 * thread-safe, and broadcast writes from the sender's thread to other sessions, so every send to a
 * session holds that session's lock.
 */
final class HelidonPeer {

    private HelidonPeer() {}

    static PeerMain.Peer start(String host, int port) {
        Set<Peer> broadcast = ConcurrentHashMap.newKeySet();
        Set<Peer> broadcastAll = ConcurrentHashMap.newKeySet();
        Duration long_ = Duration.ofMillis(PeerMain.IDLE_TIMEOUT_MILLIS);
        WebServer server = WebServer.builder()
                .host(host)
                .port(port)
                .backlog(PeerMain.BACKLOG)
                .idleConnectionTimeout(long_)
                .connectionOptions(SocketOptions.builder()
                        .tcpNoDelay(true)
                        .readTimeout(long_)
                        .build())
                .addProtocol(WsConfig.builder()
                        .name("websocket")
                        .maxFrameLength(PeerMain.MAX_MESSAGE)
                        .build())
                .addRouting(WsRouting.builder()
                        .endpoint("/broadcast", () -> new Listener(Route.BROADCAST, broadcast))
                        .endpoint("/broadcast-all", () -> new Listener(Route.BROADCAST_ALL, broadcastAll))
                        .endpoint("/*", () -> new Listener(Route.ECHO, null)))
                .build()
                .start();
        return new PeerMain.Peer() {
            @Override
            public int port() {
                return server.port();
            }

            @Override
            public void stop() {
                server.stop();
            }
        };
    }

    /** A session and the lock that serialises sends to it. */
    private record Peer(WsSession session, ReentrantLock lock) {
        void sendText(String text) {
            lock.lock();
            try {
                session.send(text, true);
            } finally {
                lock.unlock();
            }
        }

        void sendBinary(byte[] data) {
            lock.lock();
            try {
                session.send(BufferData.create(data), true);
            } finally {
                lock.unlock();
            }
        }
    }

    /** One per connection. */
    private static final class Listener implements WsListener {
        private final Route route;
        private final Set<Peer> group; // null for echo
        private Peer self;
        private StringBuilder textParts;
        private ByteArrayOutputStream binaryParts;

        Listener(Route route, Set<Peer> group) {
            this.route = route;
            this.group = group;
        }

        @Override
        public void onOpen(WsSession session) {
            self = new Peer(session, new ReentrantLock());
            if (group != null) {
                group.add(self);
            }
        }

        @Override
        public void onMessage(WsSession session, String text, boolean last) {
            if (!last || textParts != null) {
                if (textParts == null) {
                    textParts = new StringBuilder();
                }
                textParts.append(text);
                if (!last) {
                    return;
                }
                text = textParts.toString();
                textParts = null;
            }
            if (route == Route.ECHO) {
                self.sendText(text);
                return;
            }
            for (Peer peer : group) {
                if (peer != self || route == Route.BROADCAST_ALL) {
                    peer.sendText(text);
                }
            }
        }

        @Override
        public void onMessage(WsSession session, BufferData buffer, boolean last) {
            byte[] data = buffer.readBytes();
            if (!last || binaryParts != null) {
                if (binaryParts == null) {
                    binaryParts = new ByteArrayOutputStream();
                }
                binaryParts.writeBytes(data);
                if (!last) {
                    return;
                }
                data = binaryParts.toByteArray();
                binaryParts = null;
            }
            if (route == Route.ECHO) {
                self.sendBinary(data);
                return;
            }
            for (Peer peer : group) {
                if (peer != self || route == Route.BROADCAST_ALL) {
                    peer.sendBinary(data);
                }
            }
        }

        @Override
        public void onClose(WsSession session, int status, String reason) {
            leave();
        }

        @Override
        public void onError(WsSession session, Throwable t) {
            leave();
        }

        private void leave() {
            if (group != null && self != null) {
                group.remove(self);
            }
        }
    }
}
