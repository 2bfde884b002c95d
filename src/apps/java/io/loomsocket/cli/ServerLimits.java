package io.loomsocket.cli;

import io.loomsocket.protocol.ConnectionConfig;
import io.loomsocket.server.WebSocketServer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code --max-size}, {@code --max-connections} and {@code --idle-timeout}, which every server
 * command takes, with safe defaults: 1 MiB messages (the library's), 10,000 connections (the
 * library's; bench-server 1,000,000) and a 5-minute idle timeout. Without an idle timeout a client
 * that never reads pins what it was sent for as long as it keeps its socket open.
 *
 * {@code --inbound-budget} and {@code --outbound-budget} set the server-wide memory budgets (a
 * quarter of the max heap each unless set: the library's default).
 *
 * @param idleTimeout null when off ({@code --idle-timeout off} or {@code 0})
 * @param inboundBudget 0 for the library's default
 * @param outboundBudget 0 for the library's default
 */
record ServerLimits(long maxSize, int maxConnections, Duration idleTimeout, long inboundBudget, long outboundBudget) {

    static final List<String> VALUES = List.of("max-size", "max-connections", "idle-timeout",
            "inbound-budget", "outbound-budget");

    static final long DEFAULT_MAX_SIZE = ConnectionConfig.DEFAULT_MAX_SIZE;
    static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);

    /** What the command line says, a command's defaults otherwise; a bad value throws (exit status 2). */
    static ServerLimits of(Args args, String command) {
        return new ServerLimits(args.getSize("max-size", DEFAULT_MAX_SIZE),
                args.getInt("max-connections", defaultMaxConnections(command)), idleTimeout(args),
                budget(args, "inbound-budget"), budget(args, "outbound-budget"));
    }

    /** Not the library's 10,000 for bench-server: a benchmark holds as many connections as its load tool opens. */
    static int defaultMaxConnections(String command) {
        return command.equals("bench-server") ? 1_000_000 : WebSocketServer.DEFAULT_MAX_CONNECTIONS;
    }

    /** The builder with these limits; set before an app's own {@code configure}, which may tighten them. */
    WebSocketServer.Builder applyTo(WebSocketServer.Builder builder) {
        builder.maxSize(maxSize).maxConnections(maxConnections).idleTimeout(idleTimeout);
        if (inboundBudget > 0) {
            builder.inboundBudget(inboundBudget);
        }
        if (outboundBudget > 0) {
            builder.outboundBudget(outboundBudget);
        }
        return builder;
    }

    /** The limits paragraph of a server command's {@code --help}. */
    static String help(String command) {
        return "Limits: messages and frames up to --max-size (default 1M; larger: close 1009); at most\n"
                + "--max-connections at once (default " + String.format(Locale.ROOT, "%,d", defaultMaxConnections(command))
                + "; more: 503 with Retry-After); --idle-timeout\n"
                + "(default 5m; off or 0: none) closes a connection with no traffic either way for that long (1001).\n"
                + "All connections together hold at most --inbound-budget of received messages and\n"
                + "--outbound-budget of queued bytes (default 1/4 of the max heap each; spent: large partial\n"
                + "messages stop being read, and after 5 s their connections are closed with 1013).\n"
                + "See docs/limits.md.";
    }

    private static long budget(Args args, String name) {
        long v = args.getSize(name, 0);
        if (args.get(name, null) != null && v < 1) {
            throw new IllegalArgumentException("--" + name + " must be a size like 64M or 1024M: " + args.get(name, null));
        }
        return v;
    }

    private static Duration idleTimeout(Args args) {
        String v = args.get("idle-timeout", null);
        if (v != null && (v.equalsIgnoreCase("off") || v.strip().equals("0"))) {
            return null;
        }
        try {
            Duration d = args.getDurationOrZero("idle-timeout", DEFAULT_IDLE_TIMEOUT);
            return d.isZero() ? null : d;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--idle-timeout must be a duration like 30s or 5m, or off: " + v, e);
        }
    }
}
