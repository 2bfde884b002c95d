package io.loomsocket.autobahn.launcher;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The {@code mainClass} of autobahntestsuite-maven-plugin's {@code fuzzingclient} goal, which
 * starts the server under test by calling {@code main(new String[] {port})} on a thread inside the
 * Maven JVM, then waits for the port to accept connections.
 *
 * <p>Maven may run on Java 17, where Loomsocket's own classes (release 21) cannot load, so the
 * Loomsocket echo server is started earlier, in {@code pre-integration-test}, as a separate process
 * on the toolchain's JDK ({@code exec-maven-plugin}). This class therefore starts nothing; it is
 * compiled with {@code --release 17} from its own source root, and only checks what the plugin
 * is about to do: it tests {@code ws://<InetAddress.getLocalHost()>:port}, and our echo server
 * listens on loopback only.
 */
public final class ExternalEchoServer {

    private ExternalEchoServer() {}

    public static void main(String[] args) throws UnknownHostException {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostAddress(); // exactly what the plugin does
        } catch (UnknownHostException e) {
            host = "127.0.0.1"; // the plugin's fallback too
        }
        if (!InetAddress.getByName(host).isLoopbackAddress()) {
            throw new IllegalStateException("InetAddress.getLocalHost() is " + host + ", not a loopback"
                    + " address: the Autobahn fuzzing client would test ws://" + host + ":" + args[0]
                    + ", but the echo server listens on loopback only. Map this machine's host name"
                    + " to a loopback address in /etc/hosts (e.g. '127.0.1.1 " + hostName() + "'),"
                    + " or skip the Autobahn|Testsuite with -Dautobahn.skip");
        }
        System.out.println("[autobahn] fuzzing client -> Loomsocket echo server at ws://" + host + ":" + args[0]
                + " (started by exec-maven-plugin)");
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "<hostname>";
        }
    }
}
