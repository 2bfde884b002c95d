package io.loomsocket.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.handshake.HttpLimits;
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

    /** docs/limits.md lists these; a change here is a change there. */
    @Test
    void limitsAndTimeoutsHaveTheirDocumentedDefaults() throws Exception {
        try (WebSocketServer server = WebSocketServer.builder().handler(ws -> {}).start()) {
            WebSocketServer.Options o = server.options();
            assertThat(o.maxConnections()).isEqualTo(10_000);
            assertThat(o.retryAfter()).isEqualTo(Duration.ofSeconds(5));
            assertThat(o.backlog()).isEqualTo(1024);
            assertThat(o.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(o.closeTimeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(o.maxFrameSize()).isEqualTo(1024 * 1024);
            assertThat(o.maxMessageSize()).isEqualTo(1024 * 1024);
            assertThat(o.inboxLimit()).isEqualTo(64);
            assertThat(o.highWatermark()).isEqualTo(1024 * 1024);
            assertThat(o.lowWatermark()).isEqualTo(256 * 1024);
            assertThat(o.httpLimits()).isEqualTo(new HttpLimits(8192, 8192, 16384, 100));
            assertThat(o.idleTimeout()).isNull();
        }
    }
}
