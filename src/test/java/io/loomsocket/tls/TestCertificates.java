package io.loomsocket.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import io.loomsocket.io.TlsContexts;

/**
 * Throwaway TLS material for tests, made once per JVM in a temporary directory (deleted when the
 * JVM exits) with the running JDK's own {@code keytool} ({@code java.home}/bin/keytool): no
 * private key is ever committed.
 *
 * <ul>
 *   <li>{@link #keystore()}: PKCS12, a self-signed EC P-256 certificate for {@code localhost} and
 *       {@code 127.0.0.1} (subject alternative names), valid 2 days, and its private key;
 *   <li>{@link #wrongHostKeystore()}: the same for {@code wrong.example} only;
 *   <li>{@link #trustStore()}: PKCS12 with both certificates as trusted entries, so that against
 *       the second one only the host name check fails;
 *   <li>{@link #certificatePem()} and {@link #privateKeyPem()}: the first certificate and its
 *       key (PKCS#8) in PEM, for peers that are not Java (python's ssl, node's tls).
 * </ul>
 *
 * All stores have the password {@link #PASSWORD}.
 */
public final class TestCertificates {

    public static final String PASSWORD_TEXT = "loomsocket-test";
    public static final char[] PASSWORD = PASSWORD_TEXT.toCharArray();

    private final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** The material, generated on first use (two keytool runs at once). */
    public static TestCertificates get() {
        return Holder.INSTANCE;
    }

    private static final class Holder {
        static final TestCertificates INSTANCE = generate();
    }

    public Path dir() {
        return dir;
    }

    public Path keystore() {
        return dir.resolve("localhost.p12");
    }

    public Path wrongHostKeystore() {
        return dir.resolve("wrong-host.p12");
    }

    public Path trustStore() {
        return dir.resolve("trust.p12");
    }

    public Path certificatePem() {
        return dir.resolve("localhost-cert.pem");
    }

    public Path privateKeyPem() {
        return dir.resolve("localhost-key.pem");
    }

    /** A server context with the {@code localhost}/{@code 127.0.0.1} certificate. */
    public SSLContext serverContext() throws IOException {
        return TlsContexts.server(keystore(), PASSWORD);
    }

    /** A server context with the {@code wrong.example} certificate. */
    public SSLContext wrongHostServerContext() throws IOException {
        return TlsContexts.server(wrongHostKeystore(), PASSWORD);
    }

    /** A client context that trusts both test certificates (and nothing else). */
    public SSLContext clientContext() throws IOException {
        return TlsContexts.trusting(trustStore(), PASSWORD);
    }

    private static TestCertificates generate() {
        try {
            Path dir = Files.createTempDirectory("loomsocket-tls-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir), "delete-test-certificates"));
            TestCertificates c = new TestCertificates(dir);
            // Both at once: each keytool is a JVM start, the slow part.
            Process localhostKeytool = keytoolGenKeyPair(c.keystore(), "CN=localhost", "dns:localhost,ip:127.0.0.1");
            Process wrongKeytool = keytoolGenKeyPair(c.wrongHostKeystore(), "CN=wrong.example", "dns:wrong.example");
            awaitKeytool(localhostKeytool);
            awaitKeytool(wrongKeytool);
            KeyStore localhost = load(c.keystore());
            KeyStore wrong = load(c.wrongHostKeystore());
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("localhost", localhost.getCertificate("server"));
            trust.setCertificateEntry("wrong-host", wrong.getCertificate("server"));
            try (OutputStream out = Files.newOutputStream(c.trustStore())) {
                trust.store(out, PASSWORD);
            }
            Certificate cert = localhost.getCertificate("server");
            Key key = localhost.getKey("server", PASSWORD);
            Files.writeString(c.certificatePem(), pem("CERTIFICATE", cert.getEncoded()));
            Files.writeString(c.privateKeyPem(), pem("PRIVATE KEY", key.getEncoded())); // PKCS#8
            return c;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the test certificates: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making the test certificates", e);
        }
    }

    private static Process keytoolGenKeyPair(Path keystore, String dname, String san) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        if (!Files.isExecutable(keytool)) {
            throw new IOException("no keytool at " + keytool + " (java.home is a JRE without it?)");
        }
        // (-J: options for keytool's own JVM, which starts faster with them.)
        List<String> command = new ArrayList<>(List.of(keytool.toString(), "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC",
                "-genkeypair",
                "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", dname, "-ext", "SAN=" + san, "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", PASSWORD_TEXT, "-keypass", PASSWORD_TEXT, "-noprompt"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        return p;
    }

    private static void awaitKeytool(Process p) throws IOException, InterruptedException {
        byte[] output;
        try (InputStream in = p.getInputStream()) {
            output = in.readAllBytes(); // a few lines at most; ends when keytool does
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("keytool did not end within 60 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException("keytool failed (" + p.exitValue() + "): " + new String(output, StandardCharsets.UTF_8));
        }
    }

    private static KeyStore load(Path file) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, PASSWORD);
        }
        return store;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    // best effort: it is a temporary directory
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
