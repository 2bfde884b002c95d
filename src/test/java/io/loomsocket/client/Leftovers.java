package io.loomsocket.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a test can observe of the resources this JVM holds: open file descriptors and live threads,
 * virtual ones included.
 */
final class Leftovers {

    private static final Path FDS = Path.of("/proc/self/fd");
    private static final Pattern THREAD_NAME = Pattern.compile("\"name\"\\s*:\\s*\"([^\"]*)\"");

    private Leftovers() {}

    /** Whether this platform shows its descriptors in /proc (Linux). */
    static boolean canCountFileDescriptors() {
        return Files.isDirectory(FDS);
    }

    static long openFileDescriptors() {
        try (Stream<Path> fds = Files.list(FDS)) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The soft limit on open files, as this JVM sees it (HotSpot raises it to the hard limit). */
    static long openFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no \"Max open files\" in /proc/self/limits");
    }

    /**
     * The names of all live threads, virtual threads included. {@code Thread.getAllStackTraces()}
     * lists platform threads only; the JSON thread dump of {@code HotSpotDiagnosticMXBean} lists
     * every thread of the root container, which holds all virtual threads started with
     * {@code Thread.ofVirtual()} (the JDK tracks them unless {@code -Djdk.trackAllThreads=false}).
     *
     * <p>Reached through reflection because the tests run inside the {@code io.loomsocket} module,
     * which does not read {@code jdk.management}; core reflection does not need readability.
     */
    static List<String> liveThreadNames() {
        try {
            Class<?> factory = Class.forName("java.lang.management.ManagementFactory");
            Class<?> diagnostic = Class.forName("com.sun.management.HotSpotDiagnosticMXBean");
            Class<?> format = Class.forName("com.sun.management.HotSpotDiagnosticMXBean$ThreadDumpFormat");
            Object bean = factory.getMethod("getPlatformMXBean", Class.class).invoke(null, diagnostic);
            Path dir = Files.createTempDirectory("loomsocket-threads");
            Path dump = dir.resolve("threads.json"); // dumpThreads refuses to overwrite a file
            try {
                diagnostic.getMethod("dumpThreads", String.class, format)
                        .invoke(bean, dump.toString(), format.getField("JSON").get(null));
                List<String> names = new ArrayList<>();
                Matcher m = THREAD_NAME.matcher(Files.readString(dump));
                while (m.find()) {
                    names.add(m.group(1));
                }
                return names;
            } finally {
                Files.deleteIfExists(dump);
                Files.delete(dir);
            }
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("thread dump failed", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no thread dump on this JVM", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Live threads whose names start with one of {@code prefixes}. */
    static List<String> liveThreadsNamed(List<String> prefixes) {
        return liveThreadNames().stream().filter(n -> prefixes.stream().anyMatch(n::startsWith)).toList();
    }

    /**
     * Waits until {@code condition} holds, checking every 20 ms, for at most {@code timeout};
     * returns whether it held. For state that changes after the last event a test can wait on: a
     * connection's thread ends, and its socket's descriptor is released, just after the closing
     * handshake that the test does wait for. A bounded poll of the state itself, never a fixed
     * pause standing in for it.
     */
    static boolean eventually(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return condition.getAsBoolean();
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        return true;
    }
}
