package io.loomsocket.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What this JVM holds: platform threads ({@code Thread.getAllStackTraces()}, like the
 * ThreadMXBean's count, leaves virtual threads out), the library's own threads, virtual ones
 * included (from a JSON thread dump, which lists every thread), open file descriptors
 * (/proc/self/fd) and the heap in use after full garbage collections.
 *
 * <p>The tests run inside the {@code io.loomsocket} module, which reads neither java.management
 * nor jdk.management: the thread dump is reached through core reflection, which needs no
 * readability (as in client/Leftovers).
 *
 * @param platformThreads live platform threads, carriers and timer threads included
 * @param libraryThreads live threads whose names start with "loomsocket-", by kind (the name
 *     without its trailing "-number": "loomsocket-conn", "loomsocket-read", ...)
 * @param openFds open file descriptors of the process
 * @param heapUsed heap bytes in use after {@link #collect()}
 */
record Resources(int platformThreads, Map<String, Integer> libraryThreads, long openFds, long heapUsed) {

    private static final Pattern NAME = Pattern.compile("\"name\"\\s*:\\s*\"(loomsocket-[^\"]*)\"");
    private static final Path FDS = Path.of("/proc/self/fd");

    static Resources measure() {
        long heap = collect();
        return new Resources(Thread.getAllStackTraces().size(), liveLibraryThreads(), countOpenFds(), heap);
    }

    int libraryThreadCount() {
        return libraryThreads.values().stream().mapToInt(Integer::intValue).sum();
    }

    static long countOpenFds() {
        try (Stream<Path> fds = Files.list(FDS)) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Full GCs until the heap in use stops shrinking (at most 6); returns it. */
    static long collect() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 6; i++) {
            System.gc();
            long now = rt.totalMemory() - rt.freeMemory();
            if (now >= used - 256 * 1024) {
                return Math.min(now, used);
            }
            used = now;
        }
        return used;
    }

    /** The library's live threads by kind, virtual ones included, from a JSON thread dump. */
    static Map<String, Integer> liveLibraryThreads() {
        try {
            Class<?> factory = Class.forName("java.lang.management.ManagementFactory");
            Class<?> diagnostic = Class.forName("com.sun.management.HotSpotDiagnosticMXBean");
            Class<?> format = Class.forName("com.sun.management.HotSpotDiagnosticMXBean$ThreadDumpFormat");
            Object bean = factory.getMethod("getPlatformMXBean", Class.class).invoke(null, diagnostic);
            Path dir = Files.createTempDirectory("loomsocket-threads");
            Path file = dir.resolve("threads.json"); // dumpThreads refuses to overwrite a file
            try {
                diagnostic.getMethod("dumpThreads", String.class, format)
                        .invoke(bean, file.toString(), format.getField("JSON").get(null));
                Map<String, Integer> byKind = new TreeMap<>();
                Matcher m = NAME.matcher(Files.readString(file));
                while (m.find()) {
                    byKind.merge(kind(m.group(1)), 1, Integer::sum);
                }
                return byKind;
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("thread dump failed", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no thread dump on this JVM", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String kind(String name) {
        int dash = name.lastIndexOf('-');
        return dash > "loomsocket".length() && dash < name.length() - 1
                && name.substring(dash + 1).chars().allMatch(Character::isDigit) ? name.substring(0, dash) : name;
    }

    @Override
    public String toString() {
        return String.format("platform threads %d, library threads %s, fds %d, heap %.1f MiB",
                platformThreads, libraryThreads, openFds, heapUsed / 1048576.0);
    }
}
