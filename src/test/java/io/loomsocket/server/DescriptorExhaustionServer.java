package io.loomsocket.server;

import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.Message;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * The child JVM of {@link DescriptorExhaustionIT}, run under {@code ulimit -n 64}: an echo server
 * on 127.0.0.1 with a long handshake timeout (so that sockets that send nothing hold their
 * descriptors), which prints {@code PORT <n>} on stdout once it serves, and runs until its stdin
 * ends.
 *
 * <p>Before it prints the port it echoes one message to itself: every class a connection needs is
 * then loaded. Once the descriptors are gone, loading a class from a directory or a jar fails too
 * (opening the file is refused), and the test is about the accept loop, not about that.
 */
public final class DescriptorExhaustionServer {

    private DescriptorExhaustionServer() {}

    public static void main(String[] args) throws Exception {
        WebSocketServer server = WebSocketServer.builder().host("127.0.0.1").port(0)
                .handshakeTimeout(Duration.ofSeconds(60))
                .noKeepalive()
                .handler(ws -> {
                    for (Message m : ws) {
                        if (m instanceof Message.Text t) {
                            ws.sendText(t.text());
                        }
                    }
                })
                .start();
        warmUp(server);
        // The first record initialises java.util.logging (it reads its configuration file): now,
        // while a descriptor can still be opened.
        System.getLogger(DescriptorExhaustionServer.class.getName())
                .log(System.Logger.Level.INFO, "echo server on port {0,number,#}", server.port());
        System.out.println("PORT " + server.port());
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the test closes our stdin (or kills us)
        }
        server.stop(Duration.ofSeconds(1));
    }

    private static void warmUp(WebSocketServer server) throws IOException, InterruptedException {
        WebSocket ws = WebSocketClient.builder().connect(URI.create(server.url() + "/warm-up"));
        ws.sendText("warm-up");
        if (!(ws.receive() instanceof Message.Text t) || !t.text().equals("warm-up")) {
            throw new IllegalStateException("warm-up echo failed");
        }
        ws.close(CloseCode.NORMAL_CLOSURE, "");
        ws.awaitClosed(Duration.ofSeconds(5));
    }
}
