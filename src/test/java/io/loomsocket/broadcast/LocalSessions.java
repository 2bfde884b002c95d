package io.loomsocket.broadcast;

import io.loomsocket.io.RawPeer;
import io.loomsocket.io.SessionOptions;
import io.loomsocket.io.SocketSession;
import io.loomsocket.io.SocketTransport;
import io.loomsocket.io.Timers;
import io.loomsocket.protocol.Connection;
import io.loomsocket.protocol.ConnectionConfig;
import io.loomsocket.protocol.MaskKeySource;
import io.loomsocket.protocol.Role;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Server-side sessions without a server: each is a {@link SocketSession} on an accepted socket,
 * its reader started, with a {@link RawPeer} on the other end. For testing the registry directly.
 */
final class LocalSessions implements AutoCloseable {

    /** One server-side session and the raw peer on the other end of its socket. */
    record Pair(SocketSession session, RawPeer peer) {}

    private final ServerSocket serverSocket;
    private final List<Pair> pairs = new ArrayList<>();

    LocalSessions() throws IOException {
        serverSocket = new ServerSocket(0, 200, InetAddress.getByName("127.0.0.1"));
        serverSocket.setSoTimeout(5_000);
    }

    Pair open() throws IOException {
        RawPeer peer = RawPeer.connect(serverSocket.getLocalPort(), 0);
        var socket = serverSocket.accept();
        ConnectionConfig config = new ConnectionConfig(ConnectionConfig.DEFAULT_MAX_SIZE, ConnectionConfig.DEFAULT_MAX_SIZE,
                MaskKeySource.none());
        Connection conn = new Connection(Role.SERVER, config);
        conn.open();
        SocketSession session = new SocketSession(new SocketTransport(socket), conn, SessionOptions.of(config, Duration.ofSeconds(1), 64),
                Timers.shared(), "/", Optional.empty(), new byte[0]);
        session.start("local-session-read");
        Pair pair = new Pair(session, peer);
        pairs.add(pair);
        return pair;
    }

    List<Pair> open(int n) throws IOException {
        List<Pair> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(open());
        }
        return list;
    }

    @Override
    public void close() throws IOException {
        for (Pair p : pairs) {
            p.session().abort();
            p.peer().close();
        }
        serverSocket.close();
    }
}
