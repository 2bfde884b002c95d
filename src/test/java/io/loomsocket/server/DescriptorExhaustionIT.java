package io.loomsocket.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.Message;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server out of file descriptors keeps its accept loop, for real: an echo server in a child JVM
 * under {@code ulimit -n 64} ({@link DescriptorExhaustionServer}) is flooded with WebSocket
 * connections that stay open until accepting fails ("Too many open files"), a few more wait in
 * the accept queue, then all are closed; a new client must then be served, the process must still
 * be alive, and the burst must have been logged once, and its end once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DescriptorExhaustionIT {

    private static final int DESCRIPTORS = 64;
    /** More connections than 64 descriptors can hold, whatever the JVM itself has open. */
    private static final int MAX_FLOOD = DESCRIPTORS;
    private static final String BURST = "accept failed (";
    private static final String RESUMED = "accepting connections again after ";

    private Process child;
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final List<RawClient> flood = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (RawClient c : flood) {
            c.close();
        }
        if (child != null) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /** Reads {@code in} line by line on a daemon thread. */
    private static void lines(InputStream in, Consumer<String> each) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    each.accept(line);
                }
            } catch (IOException ended) {
                // the child is gone
            }
        }, "child-output");
        t.setDaemon(true);
        t.start();
    }

    @Test
    void theServerKeepsAcceptingAfterRunningOutOfDescriptors() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Only the library and this test's classes: every jar on a classpath would hold a descriptor.
        String classpath = location(WebSocketServer.class) + File.pathSeparator + location(DescriptorExhaustionServer.class);
        child = new ProcessBuilder("bash", "-c", "ulimit -n " + DESCRIPTORS + " && exec \"$0\" -Xmx64m -cp \"$1\" \"$2\"",
                java, classpath, DescriptorExhaustionServer.class.getName()).start();
        CountDownLatch burst = new CountDownLatch(1);
        CountDownLatch resumed = new CountDownLatch(1);
        lines(child.getErrorStream(), line -> {
            stderr.add(line);
            if (line.contains(BURST)) {
                burst.countDown();
            }
            if (line.contains(RESUMED)) {
                resumed.countDown();
            }
        });
        CompletableFuture<Integer> port = new CompletableFuture<>();
        lines(child.getInputStream(), line -> {
            if (line.startsWith("PORT ")) {
                port.complete(Integer.parseInt(line.substring(5).trim()));
            }
        });
        int serverPort = port.get(30, TimeUnit.SECONDS);

        // Open connections until one is not answered: the server could not accept it.
        boolean unanswered = false;
        while (!unanswered && flood.size() < MAX_FLOOD) {
            RawClient c = new RawClient(serverPort);
            flood.add(c);
            c.socket.setSoTimeout(2_000);
            try {
                c.handshake();
            } catch (SocketTimeoutException notAccepted) {
                unanswered = true;
            }
        }
        assertThat(unanswered).as("a connection left unaccepted within %d; stderr: %s", MAX_FLOOD, stderr).isTrue();
        assertThat(burst.await(10, TimeUnit.SECONDS)).as("the burst logged; stderr: %s", stderr).isTrue();
        int open = flood.size() - 1;
        for (int i = 0; i < 3; i++) {
            flood.add(new RawClient(serverPort)); // waiting in the accept queue with the unanswered one
        }
        assertThat(child.isAlive()).isTrue();

        for (RawClient c : flood) {
            c.close(); // the server sees each open connection end and closes its socket
        }
        flood.clear();

        WebSocket ws = WebSocketClient.builder().handshakeTimeout(Duration.ofSeconds(15))
                .connect(URI.create("ws://127.0.0.1:" + serverPort + "/after-the-flood"));
        ws.sendText("still serving");
        assertThat(ws.receive()).isEqualTo(new Message.Text("still serving"));
        ws.close(CloseCode.NORMAL_CLOSURE, "");
        assertThat(ws.awaitClosed(Duration.ofSeconds(5))).isTrue();

        assertThat(resumed.await(10, TimeUnit.SECONDS)).as("the end of the burst logged; stderr: %s", stderr).isTrue();
        assertThat(child.isAlive()).as("the server process survived").isTrue();
        assertThat(stderr.stream().filter(l -> l.contains(BURST)))
                .as("the burst logged once (%d connections were open); stderr: %s", open, stderr)
                .hasSize(1)
                .allSatisfy(l -> assertThat(l).contains("Too many open files"));
        assertThat(stderr.stream().filter(l -> l.contains(RESUMED))).hasSize(1);
    }
}
