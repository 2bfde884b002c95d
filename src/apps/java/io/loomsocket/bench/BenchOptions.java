package io.loomsocket.bench;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * The options of {@code bench echo|broadcast|hold}. {@link #parse} throws
 * {@link IllegalArgumentException} with a message fit for the user for anything it cannot accept.
 *
 * @param rate total messages per second (open loop), or 0 for a closed loop
 * @param serverPid the server's process, whose CPU time and memory are read from /proc
 * @param payload what the messages contain
 * @param deflate whether the connections offer permessage-deflate, and which
 * @param prime hold: each connection sends one message and waits for its echo before it is held,
 *     so the server has set up what a used connection keeps (a compression context)
 * @param alsoUrls broadcast: more URLs (other nodes of a cluster) the subscribers are spread over,
 *     round-robin with {@code url}; the publisher is always on {@code url}. Empty: one node.
 */
public record BenchOptions(
        Mode mode,
        URI url,
        int connections,
        int size,
        double durationSeconds,
        double warmupSeconds,
        double rate,
        int window,
        boolean text,
        OptionalLong serverPid,
        int maxHandshakesInFlight,
        boolean quiet,
        Payloads.Kind payload,
        Deflate deflate,
        boolean prime,
        List<URI> alsoUrls) {

    public BenchOptions {
        alsoUrls = List.copyOf(alsoUrls);
    }

    /** What is measured. */
    public enum Mode {
        ECHO, BROADCAST, HOLD;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What the connections offer in {@code Sec-WebSocket-Extensions}. */
    public enum Deflate {
        /** No offer. */
        OFF("off"),
        /** {@code permessage-deflate; client_max_window_bits}: context takeover both ways if the server agrees. */
        TAKEOVER("on"),
        /** The same with {@code server_no_context_takeover; client_no_context_takeover}. */
        NO_CONTEXT_TAKEOVER("no-context-takeover");

        private final String id;

        Deflate(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    public static final String USAGE = """
            usage: bench echo|broadcast|hold --url ws://HOST:PORT/PATH [options]
              --connections N   connections (broadcast: subscribers; default 1)
              --size BYTES      payload size, e.g. 64, 16k, 1m (default 64; broadcast >= 16)
              --duration S      measured seconds (default 10; hold: seconds held idle)
              --warmup S        seconds run first but not counted (default 2; not for hold)
              --rate R          open loop: R messages/s in total (default: closed loop)
              --window W        broadcast, closed loop: messages in flight (default 16)
              --text            echo: send ASCII text frames instead of binary
              --server-pid PID  read the server's CPU time and memory from /proc/PID
              --handshakes N    handshakes in flight at most (default 200)
              --payload KIND    random (default), json-chat or ticker: JSON slices that compress
                                like real chat messages and ticker snapshots
              --deflate         offer permessage-deflate (context takeover); the RESULT line
                                gives the negotiated header, bytes on the wire and the ratio
              --deflate-no-context-takeover
                                offer it with server_ and client_no_context_takeover
              --prime           hold: one echo per connection before holding (needs an echo path)
              --also-url URL    broadcast: another node's ws://HOST:PORT/PATH (repeatable, or a
                                comma list); subscribers go round-robin over --url and these
                                (subscriber i to URL i mod n), the publisher is on --url; the
                                RESULT line adds latency percentiles per URL (g0_ is --url)
              --quiet           no progress lines on stderr
            """;

    public static BenchOptions parse(String[] args, int from) {
        if (from >= args.length) {
            throw new IllegalArgumentException("bench needs a mode: echo, broadcast or hold\n" + USAGE);
        }
        Mode mode = switch (args[from]) {
            case "echo" -> Mode.ECHO;
            case "broadcast" -> Mode.BROADCAST;
            case "hold" -> Mode.HOLD;
            default -> throw new IllegalArgumentException("unknown bench mode '" + args[from] + "': echo, broadcast or hold");
        };
        URI url = null;
        int connections = 1;
        int size = 64;
        double duration = 10;
        double warmup = 2;
        double rate = 0;
        int window = 16;
        boolean text = false;
        OptionalLong pid = OptionalLong.empty();
        int handshakes = 200;
        boolean quiet = false;
        Payloads.Kind payload = Payloads.Kind.RANDOM;
        Deflate deflate = Deflate.OFF;
        boolean prime = false;
        List<URI> alsoUrls = new ArrayList<>();
        for (int i = from + 1; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            switch (name) {
                case "--text" -> text = true;
                case "--quiet" -> quiet = true;
                case "--prime" -> prime = true;
                case "--deflate", "--deflate-no-context-takeover" -> {
                    Deflate d = name.equals("--deflate") ? Deflate.TAKEOVER : Deflate.NO_CONTEXT_TAKEOVER;
                    if (deflate != Deflate.OFF && deflate != d) {
                        throw new IllegalArgumentException("--deflate and --deflate-no-context-takeover exclude each other");
                    }
                    deflate = d;
                }
                case "--url", "--connections", "--size", "--duration", "--warmup", "--rate", "--window",
                        "--server-pid", "--handshakes", "--payload", "--also-url" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(name + " needs a value");
                        }
                        value = args[++i];
                    }
                    switch (name) {
                        case "--url" -> url = parseUrl("--url", value);
                        case "--connections" -> connections = (int) positive(name, parseLong(name, value), 1_000_000);
                        case "--size" -> size = (int) Math.min(Integer.MAX_VALUE, parseSize(name, value));
                        case "--duration" -> duration = nonNegative(name, parseDouble(name, value));
                        case "--warmup" -> warmup = nonNegative(name, parseDouble(name, value));
                        case "--rate" -> rate = nonNegative(name, parseDouble(name, value));
                        case "--window" -> window = (int) positive(name, parseLong(name, value), 1 << 20);
                        case "--server-pid" -> pid = OptionalLong.of(positive(name, parseLong(name, value), Long.MAX_VALUE));
                        case "--handshakes" -> handshakes = (int) positive(name, parseLong(name, value), 100_000);
                        case "--payload" -> payload = Payloads.Kind.parse(value);
                        case "--also-url" -> {
                            for (String u : value.split(",", -1)) {
                                if (u.isBlank()) {
                                    throw new IllegalArgumentException("--also-url has an empty URL: " + value);
                                }
                                alsoUrls.add(parseUrl("--also-url", u.trim()));
                            }
                        }
                        default -> throw new IllegalStateException(name);
                    }
                }
                default -> throw new IllegalArgumentException("unknown bench option '" + arg + "'\n" + USAGE);
            }
        }
        if (url == null) {
            throw new IllegalArgumentException("bench " + mode.id() + " needs --url ws://HOST:PORT/PATH");
        }
        if (mode == Mode.BROADCAST && size < BroadcastBench.HEADER) {
            throw new IllegalArgumentException("bench broadcast needs --size >= " + BroadcastBench.HEADER
                    + " (sequence number and timestamp)");
        }
        if (size > 256 * 1024 * 1024) {
            throw new IllegalArgumentException("--size must be at most 256m");
        }
        if (text && mode != Mode.ECHO) {
            throw new IllegalArgumentException("--text is for bench echo only");
        }
        if (prime && mode != Mode.HOLD) {
            throw new IllegalArgumentException("--prime is for bench hold only");
        }
        if (prime && size < 1) {
            throw new IllegalArgumentException("--prime needs --size >= 1");
        }
        if (!alsoUrls.isEmpty() && mode != Mode.BROADCAST) {
            throw new IllegalArgumentException("--also-url is for bench broadcast only");
        }
        return new BenchOptions(mode, url, connections, size, duration, warmup, rate, window, text, pid, handshakes, quiet,
                payload, deflate, prime, alsoUrls);
    }

    /** {@code url}, then {@code alsoUrls}: the URL groups, group 0 being {@code url}. */
    public List<URI> urls() {
        List<URI> all = new ArrayList<>(1 + alsoUrls.size());
        all.add(url);
        all.addAll(alsoUrls);
        return all;
    }

    /**
     * The URL group (index into {@link #urls()}) of the {@code subscriber}-th subscriber (from 0):
     * round-robin, so with {@code groups} URLs subscriber i goes to URL i mod groups.
     */
    public static int groupOf(int subscriber, int groups) {
        if (subscriber < 0 || groups < 1) {
            throw new IllegalArgumentException("subscriber " + subscriber + ", groups " + groups);
        }
        return subscriber % groups;
    }

    /** How many of {@code subscribers} go to {@code group} of {@code groups} ({@link #groupOf}). */
    public static int subscribersIn(int group, int subscribers, int groups) {
        return subscribers / groups + (group < subscribers % groups ? 1 : 0);
    }

    /** The path and query sent in the request line. */
    public String resource() {
        return resource(url);
    }

    /** The Host header: host, with the port unless it is 80. */
    public String hostHeader() {
        return hostHeader(url);
    }

    public int port() {
        return port(url);
    }

    /** {@link #resource()} of another URL (one of {@link #urls()}). */
    public static String resource(URI url) {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        return url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
    }

    /** {@link #hostHeader()} of another URL. */
    public static String hostHeader(URI url) {
        String host = url.getHost(); // an IPv6 literal comes with its brackets
        host = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return port(url) == 80 ? host : host + ":" + port(url);
    }

    public static int port(URI url) {
        return url.getPort() < 0 ? 80 : url.getPort();
    }

    private static URI parseUrl(String option, String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(option + " is not a URI: " + value);
        }
        if (!"ws".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException(option + " must be ws://HOST:PORT/PATH (wss is not supported): " + value);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException(option + " has no host: " + value);
        }
        return uri;
    }

    static long parseSize(String name, String value) {
        String s = value.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (s.endsWith("k")) {
            unit = 1024;
        } else if (s.endsWith("m")) {
            unit = 1024 * 1024;
        }
        if (unit != 1) {
            s = s.substring(0, s.length() - 1);
        }
        long n = parseLong(name, s);
        if (n < 0) {
            throw new IllegalArgumentException(name + " must not be negative: " + value);
        }
        return n * unit;
    }

    private static long parseLong(String name, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number: " + value);
        }
    }

    private static double parseDouble(String name, String value) {
        try {
            double d = Double.parseDouble(value.trim());
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number: " + value);
        }
    }

    private static long positive(String name, long n, long max) {
        if (n < 1 || n > max) {
            throw new IllegalArgumentException(name + " must be between 1 and " + max + ": " + n);
        }
        return n;
    }

    private static double nonNegative(String name, double d) {
        if (d < 0) {
            throw new IllegalArgumentException(name + " must not be negative: " + d);
        }
        return d;
    }
}
