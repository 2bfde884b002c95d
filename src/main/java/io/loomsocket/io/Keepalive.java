package io.loomsocket.io;

import io.loomsocket.protocol.CloseCode;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Keepalive pings and the idle timeout, for every session of the JVM, on one shared scheduler
 * thread: an idle connection costs a scheduled task, not a sleeping thread. The scheduled tasks
 * only queue frames or start a close; they never block.
 *
 * <p>Every {@code pingInterval} a ping goes out; if it is unanswered {@code pingTimeout} later,
 * the connection is failed with 1011 and reason "keepalive ping timeout" (what
 * {@code closeReason()} then says). A dead peer is detected within interval + timeout.
 */
final class Keepalive {

    private static final ScheduledExecutorService SCHEDULER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "loomsocket-keepalive");
        t.setDaemon(true);
        return t;
    });

    private Keepalive() {}

    /** Sends one ping (on a virtual thread: it may write) and checks for its pong later. */
    private static void pingOnce(SocketSession session, long timeoutNanos) {
        try {
            session.ping();
        } catch (IOException e) {
            return; // closed meanwhile
        }
        long sent = System.nanoTime();
        SCHEDULER.schedule(() -> {
            if (session.hasPingOlderThan(sent)) {
                session.fail(CloseCode.INTERNAL_ERROR, "keepalive ping timeout");
            }
        }, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    static void schedule(SocketSession session, SessionOptions options) {
        if (options.pingInterval() != null) {
            long interval = options.pingInterval().toNanos();
            long timeout = options.pingTimeout().toNanos();
            ScheduledFuture<?> task = SCHEDULER.scheduleAtFixedRate(
                    () -> Thread.ofVirtual().name("loomsocket-ping").start(() -> pingOnce(session, timeout)),
                    interval, interval, TimeUnit.NANOSECONDS);
            session.onClosed(() -> task.cancel(false));
        }
        if (options.idleTimeout() != null) {
            long idle = options.idleTimeout().toNanos();
            ScheduledFuture<?> task = SCHEDULER.scheduleAtFixedRate(() -> {
                if (System.nanoTime() - session.lastActivityNanos() >= idle) {
                    Thread.ofVirtual().start(() -> {
                        try {
                            session.close(CloseCode.GOING_AWAY, "idle timeout");
                        } catch (InterruptedException e) {
                            session.abort();
                        }
                    });
                }
            }, idle / 2, idle / 2, TimeUnit.NANOSECONDS);
            session.onClosed(() -> task.cancel(false));
        }
    }
}
