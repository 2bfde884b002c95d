package io.loomsocket.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.text.MessageFormat;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The accept loop with a scripted accept source, a recording sleeper and a recording logger: no
 * socket, no sleeping. Each script step either throws or returns a socket; when the script runs
 * out, the server is "stopping" and accept fails as a closed server socket does. An Error ends the
 * loop: it is never swallowed.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class AcceptLoopTest {

    private static final IOException EMFILE = new IOException("Too many open files");

    private final Deque<Object> script = new ArrayDeque<>(); // an exception to throw, or a socket to return
    private final List<Duration> sleeps = new ArrayList<>();
    private final List<Socket> handedOff = new ArrayList<>();
    private final RecordingLogger log = new RecordingLogger();
    private boolean stopping;

    private void fail(int times) {
        for (int i = 0; i < times; i++) {
            script.add(EMFILE);
        }
    }

    private List<Socket> succeed(int times) {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            Socket s = new Socket();
            sockets.add(s);
            script.add(s);
        }
        return sockets;
    }

    private Socket accept() throws IOException {
        Object next = script.poll();
        if (next == null) {
            stopping = true;
            throw new SocketException("Socket closed");
        }
        if (next instanceof IOException e) {
            throw e;
        }
        if (next instanceof RuntimeException e) {
            throw e;
        }
        if (next instanceof Error e) {
            throw e;
        }
        return (Socket) next;
    }

    private void run(Consumer<Socket> connections) {
        new AcceptLoop(this::accept, connections, () -> stopping, sleeps::add, log).run();
    }

    private void run() {
        run(handedOff::add);
    }

    private static List<Duration> millis(long... values) {
        List<Duration> list = new ArrayList<>();
        for (long v : values) {
            list.add(Duration.ofMillis(v));
        }
        return list;
    }

    @Test
    void failuresAreRetriedWithABackoffThatDoublesFrom10MsAndTheSocketsThatFollowAreHandedOff() {
        fail(5);
        List<Socket> sockets = succeed(3);

        run();

        assertThat(sleeps).isEqualTo(millis(10, 20, 40, 80, 160));
        assertThat(handedOff).isEqualTo(sockets);
    }

    @Test
    void theBackoffStopsGrowingAtOneSecond() {
        fail(10);
        succeed(1);

        run();

        assertThat(sleeps).isEqualTo(millis(10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000));
        assertThat(handedOff).hasSize(1);
    }

    @Test
    void aBurstIsLoggedOnceWhenItStartsAndOnceWhenAcceptingResumesWithTheNumberOfFailures() {
        fail(7);
        succeed(2);

        run();

        assertThat(log.warnings()).hasSize(2);
        assertThat(log.warnings().get(0)).contains("accept failed").contains("Too many open files");
        assertThat(log.warnings().get(1)).contains("accepting connections again after 7 failed attempts");
    }

    @Test
    void aSuccessResetsTheBackoffAndTheNextBurstIsLoggedAgain() {
        fail(3);
        succeed(1);
        fail(2);
        succeed(1);

        run();

        assertThat(sleeps).isEqualTo(millis(10, 20, 40, 10, 20));
        assertThat(log.warnings()).hasSize(4);
        assertThat(log.warnings().get(1)).contains("after 3 failed attempts");
        assertThat(log.warnings().get(3)).contains("after 2 failed attempts");
    }

    @Test
    void anUnexpectedRuntimeExceptionFromAcceptIsRetriedToo() {
        script.add(new IllegalStateException("surprise"));
        succeed(1);

        run();

        assertThat(sleeps).isEqualTo(millis(10));
        assertThat(handedOff).hasSize(1);
        assertThat(log.warnings().get(0)).contains("surprise");
    }

    @Test
    void aConnectionThatCannotBeStartedIsClosedAndTheLoopGoesOn() {
        List<Socket> sockets = succeed(3);
        List<Socket> started = new ArrayList<>();

        run(s -> {
            if (s == sockets.get(0)) {
                throw new IllegalStateException("no thread for you");
            }
            if (s == sockets.get(1)) {
                throw new java.util.concurrent.RejectedExecutionException("no scheduler for you");
            }
            started.add(s);
        });

        assertThat(started).containsExactly(sockets.get(2));
        assertThat(sockets.get(0).isClosed()).isTrue();
        assertThat(sockets.get(1).isClosed()).isTrue();
        assertThat(sockets.get(2).isClosed()).isFalse();
        assertThat(log.warnings()).hasSize(2).allSatisfy(w -> assertThat(w).contains("could not start a connection"));
        assertThat(sleeps).as("a failed hand-off is not a failed accept: no back-off").isEmpty();
    }

    @Test
    void anErrorFromTheHandOffClosesThatSocketAndEndsTheLoopWithTheError() {
        List<Socket> sockets = succeed(2);
        OutOfMemoryError oom = new OutOfMemoryError("unable to create native thread");

        assertThatThrownBy(() -> run(s -> {
            if (s == sockets.get(0)) {
                throw oom;
            }
            handedOff.add(s);
        })).isSameAs(oom);

        assertThat(sockets.get(0).isClosed()).as("its descriptor released").isTrue();
        assertThat(handedOff).as("the loop ended there: not half-dead, going on after an Error").isEmpty();
        assertThat(script).as("the next connection was not accepted").hasSize(1);
    }

    @Test
    void anErrorFromAcceptIsNotRetriedItEndsTheLoop() {
        StackOverflowError error = new StackOverflowError();
        script.add(error);
        succeed(1);

        assertThatThrownBy(this::run).isSameAs(error);

        assertThat(sleeps).as("no back-off: an Error is not a failed accept").isEmpty();
        assertThat(handedOff).isEmpty();
        assertThat(log.warnings()).isEmpty();
    }

    @Test
    void onlyStoppingEndsTheLoopAndAFailureWhileStoppingIsNotLogged() {
        succeed(2);

        run(); // the script's end sets stopping and throws, as stop() closing the server socket does

        assertThat(handedOff).hasSize(2);
        assertThat(log.warnings()).isEmpty();
        assertThat(sleeps).isEmpty();
    }

    @Test
    void anInterruptDuringTheBackoffEndsTheLoopOnlyWhenStopping() {
        fail(2);
        succeed(1);
        int[] calls = {0};
        AcceptLoop.Sleeper interrupted = d -> {
            sleeps.add(d);
            if (calls[0]++ == 0) {
                throw new InterruptedException("not from stop()");
            }
        };

        new AcceptLoop(this::accept, handedOff::add, () -> stopping, interrupted, log).run();

        assertThat(sleeps).hasSize(2);
        assertThat(handedOff).hasSize(1);

        // Now stop() interrupts the back-off.
        script.clear();
        stopping = false;
        fail(1);
        succeed(1);
        List<Socket> afterStop = new ArrayList<>();
        new AcceptLoop(this::accept, afterStop::add, () -> stopping, d -> {
            stopping = true;
            throw new InterruptedException("stop()");
        }, log).run();

        assertThat(afterStop).as("the loop ended in its back-off").isEmpty();
    }

    @Test
    void aLoggerThatFailsDoesNotEndTheLoopTheLineGoesToStderr() {
        fail(2);
        List<Socket> sockets = succeed(2);
        System.Logger broken = new RecordingLogger() {
            @Override
            public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
                throw new java.io.UncheckedIOException(new IOException("tzdb.dat: Too many open files"));
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String format, Object... params) {
                throw new java.io.UncheckedIOException(new IOException("tzdb.dat: Too many open files"));
            }
        };
        java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        System.setErr(new java.io.PrintStream(stderr, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            new AcceptLoop(this::accept, handedOff::add, () -> stopping, sleeps::add, broken).run();
        } finally {
            System.setErr(saved);
        }

        assertThat(handedOff).isEqualTo(sockets);
        assertThat(sleeps).hasSize(2);
        assertThat(stderr.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("loomsocket: accept failed (java.io.IOException: Too many open files)")
                .contains("loomsocket: accepting connections again after 2 failed attempts")
                .contains("logging failed: java.io.UncheckedIOException");
    }

    /** Keeps what is logged at WARNING and above, formatted. */
    static class RecordingLogger implements System.Logger {
        private final List<String> warnings = new ArrayList<>();

        List<String> warnings() {
            return warnings;
        }

        @Override
        public String getName() {
            return "test";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            if (level.getSeverity() >= Level.WARNING.getSeverity()) {
                warnings.add(msg + (thrown != null ? " " + thrown : ""));
            }
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            if (level.getSeverity() >= Level.WARNING.getSeverity()) {
                warnings.add(params == null || params.length == 0 ? format : MessageFormat.format(format, params));
            }
        }
    }
}
