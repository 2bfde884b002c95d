package io.loomsocket.io;

import io.loomsocket.protocol.CloseCode;
import java.io.IOException;
import java.time.Duration;

/**
 * Keepalive pings and the idle timeout of one session, as tasks on the owner's {@link Timers}:
 * an idle connection costs scheduled tasks, not a sleeping thread. The tasks only check and start
 * virtual threads; they never block the timer thread. They are cancelled when the connection
 * closes.
 *
 * <p>Every {@code pingInterval} a ping goes out; if it is unanswered {@code pingTimeout} later,
 * the connection is failed with 1011 and reason "keepalive ping timeout" (what
 * {@code closeReason()} then says). A dead peer is detected within interval + timeout. With an
 * idle timeout, a connection with no traffic either way for that long is closed with 1001
 * ("idle timeout").
 */
final class Keepalive {

    static final String PING_TIMEOUT_REASON = "keepalive ping timeout";
    static final String IDLE_REASON = "idle timeout";

    private Keepalive() {}

    static void start(SocketSession session, SessionOptions options, Timers timers) {
        if (options.pingInterval() != null) {
            Duration timeout = options.pingTimeout();
            Timers.Task task = timers.every(options.pingInterval(),
                    () -> Thread.ofVirtual().name("loomsocket-ping").start(() -> pingOnce(session, timeout, timers)));
            session.onClosed(task::cancel);
        }
        if (options.idleTimeout() != null) {
            long idle = options.idleTimeout().toNanos();
            Timers.Task task = timers.every(options.idleTimeout().dividedBy(2), () -> {
                if (session.isOpen() && timers.nanoTime() - session.lastActivityNanos() >= idle) {
                    Thread.ofVirtual().name("loomsocket-idle").start(() -> session.close(CloseCode.GOING_AWAY, IDLE_REASON));
                }
            });
            session.onClosed(task::cancel);
        }
    }

    /** Sends one ping (on a virtual thread: it may write) and checks for its pong later. */
    private static void pingOnce(SocketSession session, Duration timeout, Timers timers) {
        try {
            session.ping();
        } catch (IOException e) {
            return; // closed meanwhile
        }
        long sent = timers.nanoTime();
        // Not cancelled at close: it runs once, and failing a closed connection does nothing.
        timers.schedule(timeout, () -> {
            if (session.hasPingOlderThan(sent)) {
                session.fail(CloseCode.INTERNAL_ERROR, PING_TIMEOUT_REASON);
            }
        });
    }
}
