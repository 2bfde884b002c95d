package io.loomsocket.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DefaultsTest {

    @Test
    void serverPingsEvery20SecondsWithA20SecondTimeoutUnlessTurnedOff() throws Exception {
        try (WebSocketServer server = WebSocketServer.builder().handler(ws -> {}).start()) {
            assertThat(server.options().pingInterval()).isEqualTo(Duration.ofSeconds(20));
            assertThat(server.options().pingTimeout()).isEqualTo(Duration.ofSeconds(20));
            assertThat(server.options().idleTimeout()).isNull();
            assertThat(server.options().host()).isEqualTo("127.0.0.1");
        }
        try (WebSocketServer server = WebSocketServer.builder().handler(ws -> {}).noKeepalive().start()) {
            assertThat(server.options().pingInterval()).isNull();
        }
    }
}
