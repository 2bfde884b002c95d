package io.loomsocket.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's {@code redis-server} as a child process of the test, on 127.0.0.1 and a port free
 * when it was created, with no persistence and everything in one temporary directory:
 * {@code redis-server --port N --bind 127.0.0.1 --save "" --appendonly no --daemonize no --dir
 * DIR} and the caller's extra arguments (e.g. {@code "--requirepass", "secret"} or
 * {@code "--client-output-buffer-limit", "pubsub 64kb 32kb 1"}, each a separate string, as a
 * shell would pass them). Its output goes to {@code DIR/redis.log} (appended across restarts);
 * a start that fails quotes the log's tail.
 *
 * <p>The constructor (or {@link #launch}) starts it and waits until it answers {@code PING}
 * (any reply, {@code NOAUTH} included). {@link #kill} is a SIGKILL, as a crash; {@link #start}
 * (after {@link #kill}) and {@link #restart} bring it back on the same port with the same
 * arguments, with an empty data set. {@link #close} kills it and deletes the directory.
 *
 * <p>The binary is {@value #DEFAULT_BINARY}, or the environment variable {@code REDIS_SERVER}. A
 * server still running when the JVM ends (a test that forgot {@link #close}) is killed by a
 * shutdown hook.
 *
 * <p>Threads: no lock; one thread at a time (the test's), except that {@link #kill} may race a
 * connection's reader on another thread, which is the point of it.
 */
public final class RedisServerProcess implements AutoCloseable {

    public static final String DEFAULT_BINARY = "/usr/bin/redis-server";
    public static final String INSTALL = "apt-get install -y redis-server";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration PORT_BUSY_RETRY = Duration.ofSeconds(10);

    /** Servers running, killed by a shutdown hook if the test JVM ends without {@link #close}. */
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
                "redis-server-reaper"));
    }

    private final Path dir;
    private final int port;
    private final List<String> extraArgs;
    private final String requirePass;
    private Process process;

    /** Starts a server with {@code extraArgs} and waits until it answers PING. */
    public RedisServerProcess(String... extraArgs) throws IOException {
        requireInstalled();
        this.extraArgs = List.of(extraArgs);
        this.requirePass = valueOf(this.extraArgs, "--requirepass");
        this.dir = Files.createTempDirectory("loomsocket-redis-");
        this.port = freePort();
        try {
            start();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The same as the constructor: {@code try (var redis = RedisServerProcess.launch("--requirepass", "pw"))}. */
    public static RedisServerProcess launch(String... extraArgs) throws IOException {
        return new RedisServerProcess(extraArgs);
    }

    /** The binary that is run: {@code $REDIS_SERVER}, else {@value #DEFAULT_BINARY}. */
    public static String binary() {
        String env = System.getenv("REDIS_SERVER");
        return env == null || env.isBlank() ? DEFAULT_BINARY : env;
    }

    /** Fails at once, with the command that installs it, if redis-server is not there. */
    public static void requireInstalled() {
        if (!Files.isExecutable(Path.of(binary()))) {
            throw new AssertionError("redis-server is not installed (" + binary() + " is missing; REDIS_SERVER may name "
                    + "another path). Install Debian's package, as root: " + INSTALL);
        }
    }

    /** The port, the same for the server's whole life (restarts included). */
    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:PORT}, without credentials (even with {@code --requirepass}). */
    public RedisUri uri() {
        return RedisUri.of("127.0.0.1", port);
    }

    /** {@link #uri()} with these credentials ({@code user} null for {@code requirepass}'s default user). */
    public RedisUri uri(String user, String password) {
        return uri().withCredentials(user, password);
    }

    /** The temporary directory: the log, and the server's {@code --dir}. */
    public Path dir() {
        return dir;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /**
     * A connection for set-up and checks (RESP3, client name {@code test-admin}), logged in with
     * the {@code --requirepass} password if one was given.
     */
    public RedisConnection connect() throws IOException {
        RedisUri u = requirePass == null ? uri() : uri(null, requirePass);
        return RedisConnection.open(u, RedisOptions.defaults().withClientName("test-admin"));
    }

    /**
     * Starts the server if it is not running, on {@link #port} with the same arguments, and waits
     * until it answers PING. A port still held (by the killed server's sockets, or by someone else
     * since) is tried again for up to 10 s.
     */
    public void start() throws IOException {
        if (isAlive()) {
            return;
        }
        long deadline = System.nanoTime() + PORT_BUSY_RETRY.toNanos();
        while (true) {
            long logStart = Files.exists(log()) ? Files.size(log()) : 0;
            process = new ProcessBuilder(command()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile())).start();
            RUNNING.add(process);
            try {
                awaitPing();
                return;
            } catch (IOException e) {
                kill();
                String thisRun = logSince(logStart);
                if (thisRun.contains("Address already in use") && System.nanoTime() < deadline) {
                    pause(Duration.ofMillis(100)); // the port is not free yet: a bounded retry
                    continue;
                }
                throw e;
            }
        }
    }

    /** SIGKILL ({@link Process#destroyForcibly}), then waits for the exit (10 s at most). */
    public void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroyForcibly();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("redis-server (pid " + p.pid() + ") did not exit within 10 s of SIGKILL");
            }
            RUNNING.remove(p);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for redis-server to exit", e);
        }
    }

    /** {@link #kill}, then {@link #start}: the same port and arguments, an empty data set. */
    public void restart() throws IOException {
        kill();
        start();
    }

    /** The whole log, every run of the server. */
    public String logText() {
        try {
            return Files.exists(log()) ? Files.readString(log(), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the server and deletes its directory. Never throws but for a server that does not exit. */
    @Override
    public void close() {
        kill();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            System.err.println("RedisServerProcess: cannot delete " + dir + ": " + e);
        }
    }

    @Override
    public String toString() {
        return "redis-server on 127.0.0.1:" + port + (isAlive() ? "" : " (not running)");
    }

    private List<String> command() {
        List<String> cmd = new ArrayList<>(List.of(binary(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString()));
        cmd.addAll(extraArgs);
        return cmd;
    }

    private Path log() {
        return dir.resolve("redis.log");
    }

    /** Waits until a PING gets any reply, the process ends, or 10 s pass. */
    private void awaitPing() throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited with " + process.exitValue() + " before answering PING on 127.0.0.1:"
                        + port + "; " + command() + "; its log ends with:\n" + tail());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                s.setSoTimeout(1000);
                s.getOutputStream().write(RespWriter.command("PING"));
                RespParser parser = new RespParser();
                byte[] buf = new byte[1024];
                for (int n; (n = s.getInputStream().read(buf)) > 0; ) {
                    parser.feed(buf, 0, n);
                    if (parser.next() != null) {
                        return;
                    }
                }
            } catch (IOException notYet) {
                last = notYet;
            }
            awaitQuietly(Duration.ofMillis(50));
        }
        throw new IOException("redis-server does not answer PING on 127.0.0.1:" + port + " after " + READY_TIMEOUT
                + " (last: " + last + "); its log ends with:\n" + tail());
    }

    /** Waits for the process to end or {@code d} to pass: a bounded pause between tries. */
    private void awaitQuietly(Duration d) {
        try {
            if (process != null) {
                process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** A pause between two tries of a bounded retry (the process is gone: nothing to wait on). */
    private static void pause(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private String tail() {
        List<String> lines = List.of(logText().split("\n"));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    private String logSince(long offset) {
        byte[] all = logText().getBytes(StandardCharsets.UTF_8);
        return new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset), StandardCharsets.UTF_8);
    }

    private static String valueOf(List<String> args, String option) {
        int i = args.indexOf(option);
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : null;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
