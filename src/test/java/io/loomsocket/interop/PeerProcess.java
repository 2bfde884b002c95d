package io.loomsocket.interop;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One peer script (node or python) run by {@link DeflateInteropIT} or {@link SeedAppsIT}: its
 * stdout lines are queued (the {@code PORT n} and {@code RESULT {...}} lines, say) and kept, its
 * stderr kept for the failure message.
 * Every wait is bounded; {@link #close()} kills it (and anything it started) if it still runs.
 */
final class PeerProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuilder stdout = new StringBuilder();
    private final StringBuilder stderr = new StringBuilder();
    private final Thread outReader;
    private final Thread errReader;

    private PeerProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.outReader = Thread.ofVirtual().name("peer-stdout").start(() -> pump(process.getInputStream(), stdout, true));
        this.errReader = Thread.ofVirtual().name("peer-stderr").start(() -> pump(process.getErrorStream(), stderr, false));
    }

    static PeerProcess start(String name, List<String> command, Path directory) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("PYTHONUNBUFFERED", "1");
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        return new PeerProcess(name, builder.start());
    }

    private void pump(InputStream in, StringBuilder sink, boolean queue) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                synchronized (sink) {
                    sink.append(line).append('\n');
                }
                if (queue) {
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            synchronized (sink) {
                sink.append("(reading the output failed: ").append(e).append(")\n");
            }
        }
    }

    /**
     * The rest of the first stdout line that starts with {@code prefix}, waiting up to
     * {@code timeout}; fails, with the peer's output, if none comes or the peer ends first.
     */
    String awaitLine(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(name + ": no `" + prefix + "` line within " + timeout + "\n" + output());
            }
            String line = lines.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line.substring(prefix.length());
            }
            if (line == null && !process.isAlive() && lines.isEmpty()) {
                outReader.join(Duration.ofSeconds(2));
                if (lines.isEmpty()) {
                    throw new AssertionError(name + " ended with status " + process.exitValue() + " before its `"
                            + prefix + "` line\n" + output());
                }
            }
        }
    }

    /** Waits for the peer to end, up to {@code timeout}, and returns its exit status; fails on timeout. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            close();
            throw new AssertionError(name + " did not end within " + timeout + "; killed it\n" + output());
        }
        outReader.join(Duration.ofSeconds(5));
        errReader.join(Duration.ofSeconds(5));
        return process.exitValue();
    }

    /** The lines the peer printed on stdout so far, in order. */
    List<String> stdoutLines() {
        synchronized (stdout) {
            return stdout.toString().lines().toList();
        }
    }

    /** Everything the peer printed so far, for failure messages. */
    String output() {
        String out;
        String err;
        synchronized (stdout) {
            out = stdout.toString();
        }
        synchronized (stderr) {
            err = stderr.toString();
        }
        return "--- " + name + " stdout:\n" + out + "--- " + name + " stderr:\n" + err + "---";
    }

    /** Kills the peer, and whatever it started, if it still runs. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        process.destroy();
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(3, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        tree.forEach(ProcessHandle::destroyForcibly);
    }
}
