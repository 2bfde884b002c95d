package io.loomsocket.cli;

import io.loomsocket.examples.ExampleClients;
import java.net.URI;
import java.time.Duration;

/** The options the tutorials' client commands share: the URL, {@code --timeout}, counts and intervals. */
final class ClientArgs {

    /** What {@code CLIENT --help} says about {@code --timeout} and the exit statuses. */
    static final String HELP = "--timeout 10s: how long to wait for each answer (500ms, 10s, 1m).\n"
            + "Exit status: 0 done, 1 a network failure (refused, no answer, closed early; the URL is named),\n"
            + "2 a bad URL or option.";

    private ClientArgs() {}

    /** The one positional argument, a ws:// or wss:// URL, or {@code fallback}. */
    static URI url(Args args, URI fallback) {
        return args.positional.isEmpty() ? fallback : ExampleClients.url(args.positional.get(0));
    }

    static Duration timeout(Args args) {
        return args.getDuration("timeout", ExampleClients.DEFAULT_TIMEOUT);
    }


    /** A count of at least 1. */
    static int positive(Args args, String name, int fallback) {
        int n = args.getInt(name, fallback);
        if (n < 1) {
            throw new IllegalArgumentException("--" + name + " must be at least 1: " + n);
        }
        return n;
    }
}
