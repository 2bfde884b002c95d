package io.loomsocket.io;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Collections;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The {@link SSLContext}s that the builders make from files: a server's from a PKCS12 keystore
 * (its certificate chain and private key), a client's from a PKCS12 trust store (the
 * certificates it trusts), and the trust-all context of a client's insecure mode. Every failure
 * is an {@link IOException} whose message names the file and what was wrong with it.
 */
public final class TlsContexts {

    private TlsContexts() {}

    /**
     * A server context: the key managers of the PKCS12 keystore at {@code keystore}, whose
     * private key is protected by the store's own password (as {@code keytool -storetype PKCS12}
     * makes it). The password is used during this call only.
     */
    public static SSLContext server(Path keystore, char[] password) throws IOException {
        KeyStore store = load(keystore, password, "keystore");
        try {
            if (!hasKeyEntry(store)) {
                throw new IOException("cannot use the PKCS12 keystore " + keystore
                        + ": it holds no private key (a trust store?); make one with keytool -genkeypair");
            }
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (java.security.UnrecoverableKeyException e) {
            throw new IOException("cannot use the PKCS12 keystore " + keystore
                    + ": its private key has a password other than the keystore's", e);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the PKCS12 keystore " + keystore + ": " + e.getMessage(), e);
        }
    }

    /**
     * A client context that trusts exactly the certificates of the PKCS12 trust store at
     * {@code truststore} (and no others: not the JDK's default CAs).
     */
    public static SSLContext trusting(Path truststore, char[] password) throws IOException {
        KeyStore store = load(truststore, password, "trust store");
        try {
            if (store.size() == 0) {
                throw new IOException("cannot use the PKCS12 trust store " + truststore + ": it holds no certificate");
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the PKCS12 trust store " + truststore + ": " + e.getMessage(), e);
        }
    }

    /**
     * A client context that accepts any certificate from anyone: for tests against a server
     * with a throwaway certificate only. It is an {@link X509ExtendedTrustManager}, so the JDK
     * adds no host name check of its own either; {@link TlsTransport#connect} turns endpoint
     * identification off for it as well.
     */
    public static SSLContext insecure() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new TrustAll()}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no TLS SSLContext", e);
        }
    }

    private static KeyStore load(Path file, char[] password, String what) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("cannot open the PKCS12 " + what + " " + file + ": no such file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            return store;
        } catch (IOException e) {
            // KeyStore.load: a wrong password (cause UnrecoverableKeyException) or not PKCS12 at all.
            String why = e.getCause() instanceof java.security.UnrecoverableKeyException
                    ? "wrong password" : "not a PKCS12 file, or a wrong password (" + e.getMessage() + ")";
            throw new IOException("cannot open the PKCS12 " + what + " " + file + ": " + why, e);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot open the PKCS12 " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean hasKeyEntry(KeyStore store) throws GeneralSecurityException {
        for (String alias : Collections.list(store.aliases())) {
            if (store.isKeyEntry(alias)) {
                return true;
            }
        }
        return false;
    }

    /** Trusts every certificate and checks no host name: insecure mode. */
    private static final class TrustAll extends X509ExtendedTrustManager {
        private static final X509Certificate[] NONE = new X509Certificate[0];

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return NONE;
        }
    }
}
