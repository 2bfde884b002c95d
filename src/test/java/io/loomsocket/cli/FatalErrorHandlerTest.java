package io.loomsocket.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.server.WebSocketServer;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The CLI's uncaught exception handler, with a recording halter instead of Runtime.halt. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FatalErrorHandlerTest {

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final List<Integer> halted = new CopyOnWriteArrayList<>();
    private final FatalErrorHandler handler = new FatalErrorHandler(new PrintStream(errBytes, true, StandardCharsets.UTF_8),
            halted::add);

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anOutOfMemoryErrorInAnyThreadHaltsWithStatusThreeAndOneClearLine() throws InterruptedException {
        Thread.UncaughtExceptionHandler saved = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler(handler); // as Main.main installs it: the real dispatch
        try {
            Thread t = Thread.ofVirtual().name("loomsocket-accept-9001").start(() -> {
                throw new OutOfMemoryError("Java heap space");
            });
            assertThat(t.join(Duration.ofSeconds(5))).isTrue();
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(saved);
        }

        assertThat(halted).containsExactly(3);
        assertThat(err()).isEqualTo("loomsocket: fatal OutOfMemoryError in thread loomsocket-accept-9001; exiting with"
                + " status 3 so that a supervisor restarts the process" + System.lineSeparator());
    }

    @Test
    void everyVirtualMachineErrorHalts() {
        handler.uncaughtException(new Thread("a"), new InternalError());
        handler.uncaughtException(new Thread("b"), new StackOverflowError());

        assertThat(halted).containsExactly(3, 3);
        assertThat(err()).contains("fatal InternalError in thread a;").contains("fatal StackOverflowError in thread b;");
    }

    @Test
    void aRuntimeExceptionIsPrintedAsTheJdkDoesAndDoesNotHalt() {
        handler.uncaughtException(new Thread("worker"), new IllegalStateException("boom"));
        handler.uncaughtException(new Thread("worker"), new AssertionError("not fatal to the JVM"));

        assertThat(halted).isEmpty();
        assertThat(err()).startsWith("Exception in thread \"worker\" java.lang.IllegalStateException: boom")
                .contains("\tat ").contains("Exception in thread \"worker\" java.lang.AssertionError: not fatal to the JVM");
    }

    @Test
    void installMakesItTheDefaultHandler() {
        Thread.UncaughtExceptionHandler saved = Thread.getDefaultUncaughtExceptionHandler();
        try {
            FatalErrorHandler.install();
            assertThat(Thread.getDefaultUncaughtExceptionHandler()).isInstanceOf(FatalErrorHandler.class);
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(saved);
        }
    }

    /**
     * A real {@code echo} process on a 32 MiB heap, allowed 256 MiB messages, sent one of 100 MiB in
     * 1 MiB fragments, with an inbound budget above the heap (the default budget, a quarter of the
     * heap, would stop reading it and close it with 1013: {@code BudgetTest}): assembling it runs
     * out of memory, and the process, started as the shipped command lines start it (with
     * {@code -XX:+ExitOnOutOfMemoryError}), exits with status 3 instead of staying up without the
     * thread that failed. Without the flag the handler alone is not enough: the error may land in
     * a JDK thread (the virtual threads' I/O poller) with no memory left even for the handler.
     */
    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anEchoProcessThatRunsOutOfMemoryExitsWithStatusThree() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                + File.pathSeparator + Path.of(WebSocketServer.class
                        .getProtectionDomain().getCodeSource().getLocation().toURI());
        Process echo = new ProcessBuilder(java, "-Xmx32m", "-XX:+ExitOnOutOfMemoryError", "-cp", classes, Main.class.getName(), "echo", "--port", "0",
                "--max-size", "256M", "--inbound-budget", "1024M").start();
        try {
            BufferedReader stdout = new BufferedReader(new InputStreamReader(echo.getInputStream(),
                    StandardCharsets.UTF_8));
            CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(echo.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return e.toString();
                }
            });
            String banner = stdout.readLine();
            Matcher url = Pattern.compile("echo server listening on (ws://\\S+/) .*")
                    .matcher(String.valueOf(banner));
            assertThat(url.matches()).as("banner: %s", banner).isTrue();
            WebSocket ws = WebSocketClient.connect(URI.create(url.group(1)));
            byte[] mib = new byte[1024 * 1024];
            try {
                for (int i = 0; i < 100; i++) {
                    ws.sendBinary(mib, i == 99);
                }
            } catch (IOException gone) {
                // the process halted while we sent
            }

            assertThat(echo.waitFor(30, TimeUnit.SECONDS)).as("the process ended").isTrue();
            assertThat(echo.exitValue()).isEqualTo(3);
            // Whichever comes first: the JVM's own exit (the shipped command lines' flag), or this
            // handler, where the OutOfMemoryError reached a thread's end with memory left to print.
            // (HotSpot prints its line on standard output.)
            String rest = stdout.lines().collect(Collectors.joining("\n"));
            assertThat(stderr.get(10, TimeUnit.SECONDS) + rest).containsAnyOf(
                    "Terminating due to java.lang.OutOfMemoryError",
                    "loomsocket: fatal OutOfMemoryError in thread ");
            ws.abort();
        } finally {
            echo.destroyForcibly();
        }
    }
}
