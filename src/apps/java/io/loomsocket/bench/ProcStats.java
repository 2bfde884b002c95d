package io.loomsocket.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What Linux tells about a process: CPU time from /proc/PID/stat, RSS from /proc/PID/status, heap via jcmd. */
public final class ProcStats {

    private static volatile long clockTicks;

    private ProcStats() {}

    /** User + system CPU time of {@code pid} in microseconds, or empty if unreadable. */
    public static OptionalLong cpuMicros(long pid) {
        try {
            return OptionalLong.of(parseCpuTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")))
                    * 1_000_000L / clockTicksPerSecond());
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * utime + stime (fields 14 and 15) of a /proc/PID/stat line, in clock ticks. Field 2, the
     * command name, is in parentheses and may contain spaces, so counting starts after the last ')'.
     */
    static long parseCpuTicks(String stat) {
        int close = stat.lastIndexOf(')');
        String[] rest = stat.substring(close + 2).trim().split(" +");
        // rest[0] is field 3 (state), so field n is rest[n - 3]
        return Long.parseLong(rest[14 - 3]) + Long.parseLong(rest[15 - 3]);
    }

    /** VmRSS of {@code pid} in kB, or empty if unreadable. */
    public static OptionalLong rssKb(long pid) {
        try {
            return parseRssKb(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    static OptionalLong parseRssKb(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return OptionalLong.of(Long.parseLong(line.substring(6).trim().split("\\s+")[0]));
            }
        }
        return OptionalLong.empty();
    }

    /** CLK_TCK from {@code getconf CLK_TCK}, read once; 100 if that fails. */
    static long clockTicksPerSecond() {
        long t = clockTicks;
        if (t == 0) {
            t = 100;
            String out = runQuietly(List.of("getconf", "CLK_TCK"), 5);
            if (out != null) {
                try {
                    t = Long.parseLong(out.trim());
                } catch (NumberFormatException ignored) {
                    // keep 100
                }
            }
            clockTicks = t;
        }
        return t;
    }

    /**
     * Heap used by the JVM {@code pid} in kB after a full GC, through {@code jcmd PID GC.run} and
     * {@code jcmd PID GC.heap_info}, with the jcmd next to this JVM's java; empty if any of it fails.
     */
    public static OptionalLong heapUsedKbAfterGc(long pid) {
        String jcmd = ProcessHandle.current().info().command()
                .map(java -> Path.of(java).resolveSibling("jcmd").toString())
                .filter(p -> Files.isExecutable(Path.of(p)))
                .orElse(null);
        if (jcmd == null || !isJava(pid)) {
            return OptionalLong.empty(); // jcmd attaches with SIGQUIT: never sent to a process that is not a JVM (node-ws)
        }
        if (runQuietly(List.of(jcmd, Long.toString(pid), "GC.run"), 30) == null) {
            return OptionalLong.empty();
        }
        String info = runQuietly(List.of(jcmd, Long.toString(pid), "GC.heap_info"), 30);
        return info == null ? OptionalLong.empty() : parseHeapUsedKb(info);
    }

    /** Whether {@code pid} runs a {@code java} executable. */
    static boolean isJava(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().command())
                .map(c -> Path.of(c).getFileName().toString().equals("java"))
                .orElse(false);
    }

    private static final Pattern HEAP_USED = Pattern.compile("\\btotal\\s+(?:reserved\\s+\\d+K,\\s+committed\\s+)?\\d+K,\\s+used\\s+(\\d+)K");
    // JDK 21+ G1: "total reserved 1048576K, committed 1048576K, used 6286K"; older G1, Serial: "total 262144K, used 12345K"

    /** The sum of the "total NK, used MK" lines of GC.heap_info's output: the heap, or each of its generations. */
    static OptionalLong parseHeapUsedKb(String heapInfo) {
        Matcher m = HEAP_USED.matcher(heapInfo);
        long sum = 0;
        boolean found = false;
        while (m.find()) { // one line per generation (Serial, Parallel) or one for the heap (G1)
            sum += Long.parseLong(m.group(1));
            found = true;
        }
        if (found) {
            return OptionalLong.of(sum);
        }
        Matcher z = Pattern.compile("\\bused\\s+(\\d+)M").matcher(heapInfo); // ZGC: "used 24M, capacity 64M"
        return z.find() ? OptionalLong.of(Long.parseLong(z.group(1)) * 1024) : OptionalLong.empty();
    }

    /** Runs a command, returns its stdout if it exits 0 within the timeout, else null. */
    private static String runQuietly(List<String> command, int timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readAllBytes();
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
