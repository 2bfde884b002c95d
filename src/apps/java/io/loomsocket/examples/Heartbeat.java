package io.loomsocket.examples;

import io.loomsocket.WebSocket;
import io.loomsocket.protocol.CloseCode;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The asyncio tutorial's heartbeat, for one connection: every {@code interval} a ping goes out,
 * and the peer must answer within {@code timeout}, either with the protocol's pong (what every
 * conforming client sends on its own) or with a text message {@code pong} received after the
 * ping (what the tutorial's server waits for); otherwise the connection is closed with 1011,
 * reason {@code keepalive ping timeout}. The next interval starts once a ping is answered.
 *
 * <p>{@link #run()} runs on a thread of its own (a virtual thread: it waits between pings) until
 * the connection closes or {@link #stop()}; the receive loop calls {@link #textPong()}. It is
 * stopped, not interrupted: an interrupt during a write would close the socket.
 */
final class Heartbeat implements Runnable {

    static final String TEXT_PONG = "pong";
    static final String TIMEOUT_REASON = "keepalive ping timeout";

    private static final System.Logger LOG = System.getLogger(Heartbeat.class.getName());

    private final WebSocket ws;
    private final Duration interval;
    private final Duration timeout;
    /** Completed by the answer to the ping in flight; a new one before each ping. */
    private final AtomicReference<CompletableFuture<Void>> answer = new AtomicReference<>(new CompletableFuture<>());
    private final CountDownLatch stopped = new CountDownLatch(1);

    Heartbeat(WebSocket ws, Duration interval, Duration timeout) {
        this.ws = Objects.requireNonNull(ws, "ws");
        this.interval = interval;
        this.timeout = timeout;
    }

    /** A text {@code pong} came: it answers the ping in flight, if there is one. */
    void textPong() {
        answer.get().complete(null);
    }

    /** Ends {@link #run()} at its next wait (the connection's handler has ended). */
    void stop() {
        stopped.countDown();
        answer.get().complete(null);
    }

    @Override
    public void run() {
        try {
            while (ws.isOpen() && !stopped.await(interval.toNanos(), TimeUnit.NANOSECONDS)) {
                CompletableFuture<Void> answered = new CompletableFuture<>();
                answer.set(answered); // before the ping: a text pong that answers it finds it
                ws.ping().whenComplete((rtt, closed) -> answered.complete(null));
                try {
                    answered.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    if (stopped.getCount() == 0) {
                        return;
                    }
                    LOG.log(System.Logger.Level.INFO, "{0}: no pong within {1} ms of a ping; closing",
                            ws.remoteAddress(), String.valueOf(timeout.toMillis()));
                    ws.close(CloseCode.INTERNAL_ERROR, TIMEOUT_REASON);
                    return;
                }
            }
        } catch (IOException | ExecutionException e) {
            // the connection closed meanwhile
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
