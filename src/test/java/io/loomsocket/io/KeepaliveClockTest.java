package io.loomsocket.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.Connection;
import io.loomsocket.protocol.ConnectionConfig;
import io.loomsocket.protocol.MaskKeySource;
import io.loomsocket.protocol.Role;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keepalive and the idle timeout on a clock the test drives ({@link ManualTimers}): the exact
 * interval and timeout, without sleeping. The peer is a raw socket that reads frames.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class KeepaliveClockTest {

    private static final Duration INTERVAL = Duration.ofSeconds(30);
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final ManualTimers timers = new ManualTimers();
    private ServerSocket listener;
    private RawPeer peer;
    private SocketSession session;

    @AfterEach
    void cleanUp() throws IOException {
        if (session != null) {
            session.abort();
        }
        if (peer != null) {
            peer.close();
        }
        if (listener != null) {
            listener.close();
        }
    }

    /** A server-side session (pull mode) on a socket pair; the peer is the raw client end. */
    private void open(Duration pingInterval, Duration idleTimeout) throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        peer = RawPeer.connect(listener.getLocalPort(), 0);
        Socket accepted = listener.accept();
        ConnectionConfig config = new ConnectionConfig(1 << 20, 1 << 20, MaskKeySource.none());
        Connection conn = new Connection(Role.SERVER, config);
        conn.open();
        SessionOptions options = new SessionOptions(config, Duration.ofSeconds(1), 64, SessionOptions.DEFAULT_HIGH_WATERMARK,
                SessionOptions.DEFAULT_LOW_WATERMARK, pingInterval, TIMEOUT, idleTimeout);
        session = new SocketSession(new SocketTransport(accepted), conn, options, timers, "/", Optional.empty(), new byte[0]);
        session.start("clock-test-read");
    }

    @Test
    void aPingGoesOutEachIntervalAndAnUnansweredOneFailsTheConnectionAfterTheTimeout() throws Exception {
        open(INTERVAL, null);
        timers.advance(INTERVAL.minusMillis(1));
        assertThat(peer.in.available()).as("nothing before the interval").isZero();

        timers.advance(Duration.ofMillis(1));
        RawPeer.Frame ping = peer.readFrame();
        assertThat(ping.opcode()).isEqualTo(0x9);
        assertThat(ping.payload()).hasSize(8);
        // The ping goes out on a virtual thread, which then schedules its pong deadline.
        Eventually.await("the pong deadline scheduled", Duration.ofSeconds(5), () -> timers.pending() == 2);

        timers.advance(TIMEOUT); // unanswered: the connection is failed with 1011
        RawPeer.Frame close = peer.readFrame();
        assertThat(close.opcode()).isEqualTo(0x8);
        assertThat(close.closeCode()).isEqualTo(1011);
        assertThat(close.closeReason()).isEqualTo("keepalive ping timeout");
        assertThat(peer.seesEndOfStream()).as("FIN after the close frame").isTrue();
        // A dead peer never closes its end: the close deadline (1 s on this clock) aborts.
        assertThat(session.awaitClosed(Duration.ofMillis(50))).isFalse();
        timers.advance(Duration.ofSeconds(1));
        assertThat(session.awaitClosed(Duration.ofSeconds(5))).isTrue();
        assertThat(session.closeReason()).isEqualTo("keepalive ping timeout");
        // Close listeners run on the reader just after the latch opens: they cancel the keepalive.
        Eventually.await("the keepalive task cancelled", Duration.ofSeconds(5), () -> timers.pending() == 0);
    }

    @Test
    void aPeerThatAnswersEveryPingIsKept() throws Exception {
        open(INTERVAL, null);
        for (int round = 0; round < 3; round++) {
            timers.advance(INTERVAL);
            RawPeer.Frame ping = peer.readFrame();
            assertThat(ping.opcode()).isEqualTo(0x9);
            peer.send(RawPeer.maskedFrame(0xA, ping.payload()));
            Eventually.await("the pong matched", Duration.ofSeconds(5), () -> !session.hasPingOlderThan(timers.nanoTime()));
            Eventually.await("the pong deadline scheduled", Duration.ofSeconds(5), () -> timers.pending() >= 2);
        }
        timers.advance(TIMEOUT.minusMillis(1)); // the last ping was answered: nothing fails
        assertThat(session.isOpen()).isTrue();
        peer.send(RawPeer.maskedFrame(0x1, "still here".getBytes()));
        assertThat(session.receive(Duration.ofSeconds(5))).isPresent();
    }

    @Test
    void aConnectionWithNoTrafficIsClosedAfterTheIdleTimeout() throws Exception {
        open(null, Duration.ofSeconds(60));
        timers.advance(Duration.ofSeconds(59));
        assertThat(session.isOpen()).isTrue();

        timers.advance(Duration.ofSeconds(31)); // the check runs every 30 s; no traffic for 90 s
        RawPeer.Frame close = peer.readFrame();
        assertThat(close.closeCode()).isEqualTo(CloseCode.GOING_AWAY.code());
        assertThat(close.closeReason()).isEqualTo("idle timeout");
    }
}
