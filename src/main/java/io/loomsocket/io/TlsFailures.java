package io.loomsocket.io;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import javax.net.ssl.SSLException;

/** Says in words why a client's TLS handshake failed, from the JSSE exception and its causes. */
final class TlsFailures {

    private TlsFailures() {}

    static String describe(SSLException e, String host) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (t instanceof CertificateException
                    && (message.contains("subject alternative") || message.contains("No name matching"))) {
                // sun.security.util.HostnameChecker, for endpoint identification "HTTPS"
                return "the server's certificate is not for " + host + " (" + message + ")";
            }
            if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException) {
                return "the server's certificate is not valid now (" + message + ")";
            }
            if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
                return "the server's certificate is not trusted: no trust anchor for it in the trust store (" + message + ")";
            }
        }
        String message = String.valueOf(e.getMessage());
        if (message.contains("Unsupported or unrecognized SSL message")) {
            return "the server did not answer in TLS (is it a ws:// server?): " + message;
        }
        return message;
    }
}
