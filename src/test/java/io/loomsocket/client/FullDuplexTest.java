package io.loomsocket.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Both ends sending at once, each more than the TCP buffers of both directions hold: a send can
 * only finish while the peer keeps reading, so each side's reader must keep reading while its own
 * application is blocked in a long send.
 */
class FullDuplexTest {

    /** Larger than loopback send + receive buffers, even auto-tuned (Linux: 4 MiB + 32 MiB). */
    private static final int SIZE = 64 << 20;

    @Test
    @Timeout(value = 40, unit = TimeUnit.SECONDS)
    void largeMessagesSentByBothSidesAtOnceBothArrive() throws Exception {
        byte[] fromServer = new byte[SIZE];
        Arrays.fill(fromServer, (byte) 's');
        byte[] fromClient = new byte[SIZE];
        Arrays.fill(fromClient, (byte) 'c');
        CompletableFuture<byte[]> atServer = new CompletableFuture<>();
        CompletableFuture<Void> serverSent = new CompletableFuture<>();
        WebSocketServer server = WebSocketServer.builder()
                .host("127.0.0.1")
                .port(0)
                .maxSize(SIZE + 1024)
                .handler(ws -> {
                    Thread receiver = receiveOne(ws, atServer);
                    ws.sendBinary(fromServer);
                    serverSent.complete(null);
                    receiver.join();
                    for (Message ignored : ws) {
                        // until the client closes
                    }
                })
                .start();
        WebSocket client = WebSocketClient.builder().maxSize(SIZE + 1024).connect(URI.create(server.url() + "/"));
        try {
            CompletableFuture<byte[]> atClient = new CompletableFuture<>();
            receiveOne(client, atClient);
            CompletableFuture<Void> clientSent = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    client.sendBinary(fromClient);
                    clientSent.complete(null);
                } catch (Exception e) {
                    clientSent.completeExceptionally(e);
                }
            });

            // Every blocking step runs on a virtual thread; the test thread waits with a bound,
            // and a hang shows up as which step never completed.
            assertThat(clientSent).as("the client's 64 MiB send finishes while the server sends 64 MiB to it (each side's reader must keep reading while its own sender is blocked)").succeedsWithin(Duration.ofSeconds(10));
            assertThat(serverSent).as("the server's 64 MiB send finishes").succeedsWithin(Duration.ofSeconds(10));
            assertThat(atServer.get(10, TimeUnit.SECONDS)).isEqualTo(fromClient);
            assertThat(atClient.get(10, TimeUnit.SECONDS)).isEqualTo(fromServer);
            client.close();
            assertThat(client.closeCode()).isEqualTo(CloseCode.NORMAL_CLOSURE);
        } finally {
            client.abort(); // frees blocked threads if the exchange hung
            server.stop(Duration.ofSeconds(1));
        }
    }

    private static Thread receiveOne(WebSocket ws, CompletableFuture<byte[]> into) {
        return Thread.ofVirtual().start(() -> {
            try {
                into.complete(((Message.Binary) ws.receive()).data());
            } catch (Exception e) {
                into.completeExceptionally(e);
            }
        });
    }
}
