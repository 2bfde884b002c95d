package io.loomsocket.peers;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * Jetty 12: the core (non-servlet) {@link WebSocketUpgradeHandler} on a plain {@link Server} with
 * its default thread pool and one {@link ServerConnector}; one mapping {@code /*} whose creator
 * picks the route from the path and accepts no extension (so no permessage-deflate even if the
 * client offers it). Endpoints are {@link Session.Listener.AutoDemanding} listeners receiving whole
 * messages. Echo sends the received text or buffer back (a binary buffer is released when its echo
 * has been written); broadcast sends the message to each session of the route, a binary one from a
 * single copy shared read-only by all sends.
 *
 * <p>Public, with a public endpoint class: Jetty invokes the listener methods through method handles.
 */
public final class JettyPeer {

    private JettyPeer() {}

    static PeerMain.Peer start(String host, int port) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        connector.setAcceptQueueSize(PeerMain.BACKLOG);
        connector.setIdleTimeout(PeerMain.IDLE_TIMEOUT_MILLIS);
        server.addConnector(connector);

        Set<Session> broadcast = ConcurrentHashMap.newKeySet();
        Set<Session> broadcastAll = ConcurrentHashMap.newKeySet();
        WebSocketUpgradeHandler upgrade = WebSocketUpgradeHandler.from(server, container -> {
            container.setMaxFrameSize(PeerMain.MAX_MESSAGE);
            container.setMaxTextMessageSize(PeerMain.MAX_MESSAGE);
            container.setMaxBinaryMessageSize(PeerMain.MAX_MESSAGE);
            container.setIdleTimeout(Duration.ofMillis(PeerMain.IDLE_TIMEOUT_MILLIS));
            container.addMapping("/*", (request, response, callback) -> {
                response.setExtensions(List.of()); // compression off
                Route route = Route.of(request.getHttpURI().getPath());
                return new Endpoint(route, switch (route) {
                    case BROADCAST -> broadcast;
                    case BROADCAST_ALL -> broadcastAll;
                    case ECHO -> null;
                });
            });
        });
        server.setHandler(upgrade);
        server.setStopTimeout(5_000);
        server.start();
        return new PeerMain.Peer() {
            @Override
            public int port() {
                return connector.getLocalPort();
            }

            @Override
            public void stop() throws Exception {
                server.stop();
            }
        };
    }

    /** One per connection. */
    public static final class Endpoint implements Session.Listener.AutoDemanding {
        private final Route route;
        private final Set<Session> group; // null for echo
        private volatile Session session;

        Endpoint(Route route, Set<Session> group) {
            this.route = route;
            this.group = group;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            if (group != null) {
                group.add(session);
            }
        }

        @Override
        public void onWebSocketText(String text) {
            Session self = session;
            if (route == Route.ECHO) {
                self.sendText(text, Callback.NOOP);
                return;
            }
            for (Session other : group) {
                if (other != self || route == Route.BROADCAST_ALL) {
                    other.sendText(text, Callback.NOOP);
                }
            }
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            Session self = session;
            if (route == Route.ECHO) {
                // the received buffer itself; it is released (and the next frame read) once written
                self.sendBinary(payload, Callback.from(callback::succeed, callback::fail));
                return;
            }
            ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload).flip().asReadOnlyBuffer();
            callback.succeed();
            for (Session other : group) {
                if (other != self || route == Route.BROADCAST_ALL) {
                    other.sendBinary(copy.duplicate(), Callback.NOOP);
                }
            }
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            leave();
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            leave();
        }

        private void leave() {
            Session self = session;
            if (group != null && self != null) {
                group.remove(self);
            }
        }
    }
}
