package io.loomsocket.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketListener;
import io.loomsocket.handshake.HttpHeaders;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The request hook's headers for the 101 response (python-websockets' {@code process_response}):
 * they reach the client; one that the handshake owns is the hook's fault, answered 500.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ResponseHeadersTest {

    private static final WebSocketListener NOTHING = new WebSocketListener() {};

    @Test
    void headersFromTheRequestHookAreInThe101Response() throws Exception {
        try (WebSocketServer server = WebSocketServer.builder().noKeepalive().listener(NOTHING)
                .requestHook(req -> HandshakeDecision.accept(Map.of("user", "ann"),
                        HttpHeaders.of("Set-Cookie", "session=abc; HttpOnly", "X-Served-By", "node-1")))
                .start();
             RawClient raw = new RawClient(server.port())) {
            raw.send(RawClient.upgradeRequest(server.port()));
            RawClient.Response response = raw.readResponseHead();

            assertThat(response.statusLine()).startsWith("HTTP/1.1 101");
            assertThat(response.headers()).containsEntry("set-cookie", "session=abc; HttpOnly")
                    .containsEntry("x-served-by", "node-1")
                    .containsEntry("sec-websocket-accept", RawClient.ACCEPT);
        }
    }

    @Test
    void aHookThatSetsAHandshakeHeaderIsAnswered500AndNoWebSocketOpens() throws Exception {
        java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
        try (WebSocketServer server = WebSocketServer.builder().noKeepalive().listener(new WebSocketListener() {
                    @Override
                    public void onOpen(WebSocket ws) {
                        opened.incrementAndGet();
                    }
                })
                .requestHook(req -> HandshakeDecision.accept(Map.of(), HttpHeaders.of("Upgrade", "h2c")))
                .start();
             RawClient raw = new RawClient(server.port())) {
            raw.send(RawClient.upgradeRequest(server.port()));
            RawClient.Response response = raw.readErrorResponse();

            assertThat(response.statusLine()).startsWith("HTTP/1.1 500");
            assertThat(opened).hasValue(0);
        }
    }
}
