package io.loomsocket.deploy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's nginx ({@value #BINARY}) as a child process of the test, with everything in one
 * temporary directory: {@code nginx -p DIR -e DIR/error.log -c DIR/nginx.conf -g 'daemon off; pid
 * DIR/nginx.pid;'}. The {@code nginx.conf} written there is the smallest frame for a site file
 * such as {@code deploy/nginx/loomsocket.conf} (which Debian's own nginx.conf includes from
 * {@code conf.d/} inside {@code http {}}): one worker, the logs and the temporary files in the
 * directory, and the site file included. {@link #close} ends the master and its workers.
 */
final class NginxProcess implements AutoCloseable {

    static final String BINARY = "/usr/sbin/nginx";
    static final String INSTALL = "apt-get install -y nginx";

    private final Process process;
    private final Path dir;
    private final int[] ports;

    private NginxProcess(Process process, Path dir, int[] ports) {
        this.process = process;
        this.dir = dir;
        this.ports = ports;
    }

    /** Fails at once, with the command that installs it, if Debian's nginx is not there. */
    static void requireInstalled() {
        if (!Files.isExecutable(Path.of(BINARY))) {
            throw new AssertionError("nginx is not installed (" + BINARY + " is missing). Install Debian's package, as root: "
                    + INSTALL);
        }
    }

    /** {@code nginx version: nginx/1.22.1}, as {@code nginx -v} prints it. */
    static String version() throws IOException, InterruptedException {
        Process v = new ProcessBuilder(BINARY, "-v").redirectErrorStream(true).start();
        String out = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!v.waitFor(10, TimeUnit.SECONDS)) {
            v.destroyForcibly();
            throw new IOException("nginx -v did not end within 10 s");
        }
        return out;
    }

    /**
     * {@code template} with each key replaced by its value in the directives (comment lines, which
     * start with {@code #}, are left as they are); each key must occur in them exactly once.
     */
    static String substitute(String template, Map<String, String> replacements) {
        List<String> lines = new ArrayList<>(List.of(template.split("\n", -1)));
        for (Map.Entry<String, String> r : replacements.entrySet()) {
            int found = -1;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.strip().startsWith("#") || !line.contains(r.getKey())) {
                    continue;
                }
                if (found >= 0 || line.indexOf(r.getKey()) != line.lastIndexOf(r.getKey())) {
                    found = -2;
                    break;
                }
                found = i;
            }
            if (found < 0) {
                throw new AssertionError("the configuration must contain \"" + r.getKey()
                        + "\" exactly once outside comments (the test replaces it)");
            }
            lines.set(found, lines.get(found).replace(r.getKey(), r.getValue()));
        }
        return String.join("\n", lines);
    }

    /**
     * Starts nginx with the site file {@code site.apply(port)} for {@code portCount} free loopback
     * ports ({@link #port}), and waits until it accepts connections on each. A port taken between
     * choosing it and nginx's bind is chosen again (three tries).
     */
    static NginxProcess start(Path dir, int portCount, java.util.function.Function<int[], String> site)
            throws IOException, InterruptedException {
        requireInstalled();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // workers run as www-data under root
        for (int attempt = 1; ; attempt++) {
            int[] ports = new int[portCount];
            for (int i = 0; i < portCount; i++) {
                ports[i] = freePort(ports);
            }
            Files.writeString(dir.resolve("loomsocket.conf"), site.apply(ports));
            Files.writeString(dir.resolve("nginx.conf"), frame(dir));
            Files.deleteIfExists(dir.resolve("error.log"));
            Process p = new ProcessBuilder(BINARY, "-p", dir + "/", "-e", dir.resolve("error.log").toString(),
                    "-c", dir.resolve("nginx.conf").toString(), "-g", "daemon off; pid " + dir.resolve("nginx.pid") + ";")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
            NginxProcess nginx = new NginxProcess(p, dir, ports);
            try {
                nginx.awaitListening(Duration.ofSeconds(10));
                return nginx;
            } catch (IOException e) {
                nginx.close();
                if (attempt < 3 && nginx.errorLog().contains("Address already in use")) {
                    continue;
                }
                throw e;
            }
        }
    }

    /** The nginx.conf around the site file: what Debian's /etc/nginx/nginx.conf provides, in {@code dir}. */
    private static String frame(Path dir) {
        String d = dir.toString();
        boolean root = "root".equals(System.getProperty("user.name"));
        return (root ? "user www-data;\n" : "") // as Debian's nginx.conf; without it nginx looks for a group "nobody"
                + "worker_processes 1;\n"
                + "error_log " + d + "/error.log info;\n"
                + "events { worker_connections 256; }\n"
                + "http {\n"
                + "    access_log " + d + "/access.log;\n"
                + "    client_body_temp_path " + d + "/client_body;\n"
                + "    proxy_temp_path " + d + "/proxy;\n"
                + "    fastcgi_temp_path " + d + "/fastcgi;\n"
                + "    uwsgi_temp_path " + d + "/uwsgi;\n"
                + "    scgi_temp_path " + d + "/scgi;\n"
                + "    include " + d + "/loomsocket.conf;\n"
                + "}\n";
    }

    private static int freePort(int[] taken) throws IOException {
        while (true) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                int port = s.getLocalPort();
                if (java.util.Arrays.stream(taken).noneMatch(t -> t == port)) {
                    return port;
                }
            }
        }
    }

    /** Connects to each port until it accepts, or nginx ends, or {@code timeout} passes. */
    private void awaitListening(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int port : ports) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IOException("nginx exited with " + process.exitValue() + ": " + errorLog() + output());
                }
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                    break;
                } catch (IOException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("nginx does not listen on 127.0.0.1:" + port + " after " + timeout + ": " + errorLog());
                    }
                    process.waitFor(50, TimeUnit.MILLISECONDS); // a process we cannot wait on otherwise; bounded
                }
            }
        }
    }

    /** The i-th port the site file was given. */
    int port(int i) {
        return ports[i];
    }

    String errorLog() {
        return read(dir.resolve("error.log"));
    }

    List<String> accessLog() {
        String log = read(dir.resolve("access.log"));
        return log.isEmpty() ? List.of() : List.of(log.split("\n"));
    }

    private String output() {
        return read(dir.resolve("nginx.out"));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    /**
     * SIGTERM to the master (nginx's fast shutdown), then SIGKILL to whatever of it and its
     * workers is left after 5 s: a worker outlives a killed master otherwise.
     */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        for (ProcessHandle h : tree) {
            h.destroyForcibly();
        }
    }
}
