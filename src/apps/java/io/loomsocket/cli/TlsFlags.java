package io.loomsocket.cli;

import io.loomsocket.server.WebSocketServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * {@code --tls-keystore FILE --tls-password-env VAR}, which every server command takes: serve
 * {@code wss://} with the certificate and key of the PKCS12 keystore FILE, whose password is in
 * the environment variable VAR. The password itself is never an argument: the command line of a
 * process is visible to every user of the machine ({@code ps}), its environment is not.
 */
final class TlsFlags {

    static final List<String> VALUES = List.of("tls-keystore", "tls-password-env");

    static final String HELP = "--tls-keystore FILE --tls-password-env VAR: serve wss:// (TLS) with the certificate and key of\n"
            + "the PKCS12 keystore FILE, whose password is in the environment variable VAR (never on the command line).\n";

    private TlsFlags() {}

    /** The builder, with TLS if the flags ask for it, its password from the process environment. */
    static WebSocketServer.Builder apply(WebSocketServer.Builder builder, Args args) {
        return apply(builder, args, System::getenv);
    }

    /**
     * The builder, with TLS if the flags ask for it, reading the password from {@code env}.
     *
     * @throws IllegalArgumentException (exit status 2) naming the flag, the variable or the file
     *     when one flag comes without the other, the variable is not set, or the keystore cannot
     *     be opened
     */
    static WebSocketServer.Builder apply(WebSocketServer.Builder builder, Args args, Function<String, String> env) {
        String keystore = args.get("tls-keystore", null);
        String variable = args.get("tls-password-env", null);
        if (keystore == null && variable == null) {
            return builder;
        }
        if (keystore == null) {
            throw new IllegalArgumentException("--tls-password-env needs --tls-keystore FILE (a PKCS12 keystore)");
        }
        if (variable == null) {
            throw new IllegalArgumentException("--tls-keystore needs --tls-password-env VAR: the name of the environment"
                    + " variable that holds the password of " + keystore);
        }
        String password = env.apply(variable);
        if (password == null) {
            throw new IllegalArgumentException("the environment variable " + variable + " (--tls-password-env) is not set;"
                    + " it must hold the password of the keystore " + keystore);
        }
        char[] chars = password.toCharArray();
        try {
            return builder.tls(Path.of(keystore), chars);
        } catch (IOException e) {
            throw new IllegalArgumentException("--tls-keystore: " + e.getMessage(), e);
        } finally {
            Arrays.fill(chars, '\0');
        }
    }
}
