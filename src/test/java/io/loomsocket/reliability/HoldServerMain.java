package io.loomsocket.reliability;

import io.loomsocket.server.WebSocketServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The server of {@link ManyConnectionsIT}, in a JVM of its own (each process may open 20,000
 * files here, and the clients need one each too): an echo server without keepalive pings, driven
 * by lines on stdin.
 *
 * <pre>
 *   java -cp LIBRARY:TEST-CLASSES io.loomsocket.reliability.HoldServerMain [PLAIN]
 *   &lt;- PORT 40123 PID 4242
 *   -&gt; measure     &lt;- MEASURE connections=N heap=BYTES fds=N threads=N   (heap in use after full GCs)
 *   -&gt; count       &lt;- COUNT N
 *   -&gt; stop        &lt;- STOPPED MILLIS  (then the process ends)
 * </pre>
 */
public final class HoldServerMain {

    private HoldServerMain() {}

    public static void main(String[] args) throws Exception {
        Channel channel = Channel.valueOf(args.length > 0 ? args[0] : "PLAIN");
        WebSocketServer server = channel.serverBuilder()
                .handler(HostileInputIT.ECHO)
                .noKeepalive()
                .backlog(4096)
                .maxConnections(100_000) // the test, not the server, sets the count (18,000 at full size)
                .handshakeTimeout(Duration.ofSeconds(30))
                .start();
        System.out.println("PORT " + server.port() + " PID " + ProcessHandle.current().pid());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try {
            for (String line; (line = in.readLine()) != null; ) {
                switch (line.trim()) {
                    case "measure" -> {
                        long heap = Resources.collect();
                        System.out.println("MEASURE connections=" + server.connectionCount() + " heap=" + heap
                                + " fds=" + Resources.countOpenFds() + " threads=" + Thread.getAllStackTraces().size());
                    }
                    case "count" -> System.out.println("COUNT " + server.connectionCount());
                    case "stop" -> {
                        long t0 = System.nanoTime();
                        server.stop(Duration.ofSeconds(10));
                        System.out.println("STOPPED " + (System.nanoTime() - t0) / 1_000_000);
                        return;
                    }
                    default -> System.out.println("UNKNOWN " + line);
                }
                System.out.flush();
            }
        } finally {
            server.close();
        }
    }
}
