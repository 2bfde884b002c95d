package io.loomsocket.server;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The server's accept loop: takes connections from an {@link Acceptor} and hands each to the
 * server, until the server stops. It never dies of a failure of its own; an {@link Error} ends it (below).
 *
 * <p><b>Failures to accept</b> are retried. The usual one is running out of file descriptors
 * ({@code EMFILE}/{@code ENFILE}, "Too many open files"): the connection waits in the kernel's
 * accept queue, {@code accept()} fails at once, and retrying at once would spin. So the loop
 * backs off, 10 ms doubling to at most 1 s, and tries again; the first success resets the
 * delay. A burst of failures is logged once, at WARNING, when it starts, and once more when
 * accepting resumes, with how many attempts failed; the connections that waited are then
 * accepted as usual.
 *
 * <p><b>Failures to start a connection</b> (a {@link RuntimeException} from the hand-off, such as
 * a thread that cannot be started) close that one socket, are logged, and the loop goes on.
 *
 * <p><b>An {@link Error} is never swallowed</b>, from {@code accept()} or the hand-off: the socket
 * in hand is closed and the Error ends the loop, for the thread's uncaught exception handler (the
 * CLI's halts the process on an {@code OutOfMemoryError}, so that a supervisor restarts it). A
 * loop that went on after one would be a half-dead server.
 *
 * <p><b>Logging cannot end it either.</b> Out of descriptors, a logging back end that has to open
 * a file (the JDK's formatter opening its time-zone data on first use, a file handler rotating)
 * throws; the loop then writes the line to {@code System.err}, which is already open, and goes on.
 * The server also loads the time-zone rules when it starts ({@link #preloadWhatLoggingNeeds()}).
 *
 * <p>Only stopping ends the loop: the server sets its stopping flag, closes the server socket
 * (which fails a blocked {@code accept()}) and interrupts this thread (which ends a back-off).
 */
final class AcceptLoop implements Runnable {

    /** Where connections come from: {@link java.net.ServerSocket#accept} in the server. */
    @FunctionalInterface
    interface Acceptor {
        Socket accept() throws IOException;
    }

    /** Waits between attempts; {@link Thread#sleep(Duration)} in the server. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration delay) throws InterruptedException;
    }

    static final Duration MIN_BACKOFF = Duration.ofMillis(10);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(1);

    private final Acceptor acceptor;
    private final Consumer<Socket> connections;
    private final BooleanSupplier stopping;
    private final Sleeper sleeper;
    private final System.Logger log;

    // The loop thread's own.
    private long failures; // consecutive failed attempts in the current burst
    private Duration backoff = MIN_BACKOFF;

    /**
     * @param connections takes each accepted socket (and starts its thread); if it throws, the
     *     socket is closed here
     * @param stopping whether the server is stopping: a failure then ends the loop quietly
     */
    AcceptLoop(Acceptor acceptor, Consumer<Socket> connections, BooleanSupplier stopping, Sleeper sleeper,
               System.Logger log) {
        this.acceptor = Objects.requireNonNull(acceptor, "acceptor");
        this.connections = Objects.requireNonNull(connections, "connections");
        this.stopping = Objects.requireNonNull(stopping, "stopping");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.log = Objects.requireNonNull(log, "log");
    }

    @Override
    public void run() {
        while (!stopping.getAsBoolean()) {
            Socket socket;
            try {
                socket = acceptor.accept();
            } catch (IOException | RuntimeException e) { // an Error ends the loop: see the class comment
                if (stopping.getAsBoolean()) {
                    break; // the server socket was closed by stop()
                }
                if (!backOff(e)) {
                    break;
                }
                continue;
            }
            if (failures > 0) {
                warn("accepting connections again after " + failures + " failed attempts", null);
                failures = 0;
                backoff = MIN_BACKOFF;
            }
            handOff(socket);
        }
    }

    /** Logs the first failure of a burst and waits; false if stopping interrupted the wait. */
    private boolean backOff(Throwable failure) {
        if (failures++ == 0) {
            warn("accept failed (" + failure + "); retrying every "
                    + MIN_BACKOFF.toMillis() + " ms to " + MAX_BACKOFF.toMillis() + " ms until it succeeds", null);
        }
        try {
            sleeper.sleep(backoff);
        } catch (InterruptedException e) {
            if (stopping.getAsBoolean()) {
                return false;
            }
            // Not ours to end the loop: only stop() does. (The interrupt status is now clear.)
        }
        Duration doubled = backoff.multipliedBy(2);
        backoff = doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
        return true;
    }

    private void handOff(Socket socket) {
        try {
            connections.accept(socket);
        } catch (RuntimeException e) {
            warn("could not start a connection; closing it", e);
            close(socket);
        } catch (Error e) {
            close(socket); // releases its descriptor; the Error is for the uncaught exception handler
            throw e;
        }
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException | RuntimeException closeFailed) {
            // Nothing to do: the socket is gone either way.
        }
    }

    /**
     * Logs at WARNING; if the logger itself fails (it may need a file descriptor there are none
     * of), the line goes to {@code System.err} instead and the loop goes on.
     */
    private void warn(String message, Throwable thrown) {
        try {
            if (thrown == null) {
                log.log(System.Logger.Level.WARNING, message);
            } else {
                log.log(System.Logger.Level.WARNING, message, thrown);
            }
        } catch (RuntimeException loggingFailed) {
            System.err.println("loomsocket: " + message + (thrown == null ? "" : ": " + thrown)
                    + " (logging failed: " + loggingFailed + ")");
        }
    }

    /**
     * Loads what the JDK's logging formats with, the time-zone rules, while descriptors are still
     * free: the first formatted log line otherwise opens {@code lib/tzdb.dat}, which fails with
     * {@code EMFILE} just when the accept loop has something to say.
     */
    static void preloadWhatLoggingNeeds() {
        java.time.zone.ZoneRulesProvider.getAvailableZoneIds(); // loads the tzdb provider (reads the file)
        java.time.ZonedDateTime.now().getOffset(); // the default zone's rules
    }
}
