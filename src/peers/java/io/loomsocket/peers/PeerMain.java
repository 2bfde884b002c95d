package io.loomsocket.peers;

import java.io.PrintStream;
import java.util.List;

/**
 * {@code java -jar target/peers.jar netty|jetty|java-websocket|helidon --port N [--host H]
 * [--deflate]}: one of the peer servers that {@code bench/compare.sh} measures side by side with {@code loomsocket.jar
 * bench-server}. Every peer follows the same convention (see {@link Route}): {@code /broadcast}
 * sends each message to every other client of {@code /broadcast}, {@code /broadcast-all} to every
 * client of {@code /broadcast-all} including the sender, any other path echoes each message once
 * with the same opcode. No compression unless {@code --deflate}, frames and messages up to
 * {@link #MAX_MESSAGE} bytes, no idle timeout within {@link #IDLE_TIMEOUT_MILLIS}. When the server
 * accepts connections it prints {@code <peer> listening on ws://host:port/}; SIGTERM stops it.
 *
 * <p>{@code --deflate} (Netty only; any other peer exits with status 2): the server accepts
 * permessage-deflate (RFC 7692) offers, see {@link NettyPeer}. Bad usage exits with status 2.
 */
public final class PeerMain {

    /** Largest frame and message accepted, by every peer: 64 MiB. */
    static final int MAX_MESSAGE = 64 * 1024 * 1024;

    /** Idle or read timeouts, where a framework has one that cannot be switched off: one day. */
    static final long IDLE_TIMEOUT_MILLIS = 24L * 60 * 60 * 1000;

    /** Accept backlog, for 10,000 connections arriving at once. */
    static final int BACKLOG = 4096;

    private PeerMain() {}

    /** A started peer server. */
    interface Peer {
        int port();

        void stop() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            usage(System.out);
            return;
        }
        String name = args[0];
        String host = "127.0.0.1";
        int port = 0;
        boolean deflate = false;
        for (int i = 1; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--port" -> {
                    port = parsePort(required(args[i], value));
                    i++;
                }
                case "--host" -> {
                    host = required(args[i], value);
                    i++;
                }
                case "--deflate" -> deflate = true;
                default -> badUsage("unknown option " + args[i]);
            }
        }
        if (!List.of("netty", "jetty", "java-websocket", "helidon").contains(name)) {
            badUsage("unknown peer '" + name + "'");
        }
        if (deflate && !name.equals("netty")) {
            badUsage("--deflate is supported by netty only");
        }
        Peer peer;
        try {
            peer = switch (name) {
                case "netty" -> NettyPeer.start(host, port, deflate);
                case "jetty" -> JettyPeer.start(host, port);
                case "java-websocket" -> JavaWebSocketPeer.start(host, port);
                default -> HelidonPeer.start(host, port);
            };
        } catch (Exception e) { // e.g. the port is taken: exit, whatever threads the framework started
            System.err.println("peers: " + name + " did not start: " + e);
            e.printStackTrace();
            System.exit(1);
            return;
        }
        Thread stopper = new Thread(() -> {
            try {
                peer.stop();
            } catch (Exception e) {
                System.err.println("peers: stop: " + e);
            }
        }, "peer-shutdown");
        Runtime.getRuntime().addShutdownHook(stopper);
        System.out.println(name + " listening on ws://" + host + ":" + peer.port() + "/");
        System.out.flush();
        Thread.currentThread().join(); // until SIGTERM / SIGINT
    }

    private static String required(String option, String value) {
        if (value == null) {
            badUsage(option + " needs a value");
        }
        return value;
    }

    private static int parsePort(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // below
        }
        badUsage("--port needs a number from 0 to 65535, not '" + value + "'");
        return -1; // not reached
    }

    /** Prints the message and the usage to stderr and exits with status 2. */
    private static void badUsage(String message) {
        System.err.println("peers: " + message);
        usage(System.err);
        System.exit(2);
    }

    private static void usage(PrintStream out) {
        out.println("usage: java -jar peers.jar netty|jetty|java-websocket|helidon --port N [--host 127.0.0.1] [--deflate]");
        out.println("  --deflate       accept permessage-deflate (RFC 7692); netty only");
        out.println("  /broadcast      each message to every other client of /broadcast");
        out.println("  /broadcast-all  each message to every client of /broadcast-all, sender included");
        out.println("  any other path  each message echoed once, same opcode");
    }
}
