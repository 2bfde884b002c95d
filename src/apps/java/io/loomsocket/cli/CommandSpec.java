package io.loomsocket.cli;

import java.util.List;
import java.util.Map;

/**
 * What each command accepts: its usage line, what it does, its value options, its flags, and how
 * many positional arguments. {@link Main} answers {@code COMMAND --help} from it and refuses
 * unknown options and stray arguments before the command runs.
 */
record CommandSpec(String name, String usage, String description, List<String> values, List<String> flags,
                   int positionals) {

    private static final List<String> SERVER = List.of("host", "port");
    private static final String DEFLATE = "Clients that offer permessage-deflate (RFC 7692) get it; --no-deflate declines every offer.";
    private static final String STATS = "--stats 10s prints the server's metrics on one line (stats open=... msgs_in=...) every\n"
            + "period (500ms, 10s, 1m) until it stops. --metrics-path /metrics answers a plain HTTP GET of that\n"
            + "path with the same metrics in the Prometheus text format, on the same port.";

    static final Map<String, CommandSpec> ALL = Map.ofEntries(
            spec("echo", "echo [--port 9001] [--host 127.0.0.1] [--style server|echo|huixian|data-received] [--max-size 1M] [--max-connections 10000] [--idle-timeout 5m] [--no-deflate] [--stats 10s] [--metrics-path /metrics]",
                    "An echo server: every text and binary message goes back as received, on any path.\n"
                    + "--style answers text as one of the tutorials' servers (binary still comes back unchanged):\n"
                    + "  server         Server: <text>; port 8765 by default\n"
                    + "  echo           Echo: <text>; port 8765 by default\n"
                    + "  huixian        \u56de\u663e:<text> (U+56DE U+663E, an ASCII colon, no space); port 12345 by default\n"
                    + "  data-received  the first message only, answered Data received as \"<text>\". time: <local time as\n"
                    + "                 Python's str(datetime.now())>, then close 1000; port 9999 by default\n"
                    + DEFLATE + "\n" + STATS,
                    List.of("host", "port", "style", "max-size", "max-connections", "stats", "metrics-path"), List.of("no-deflate"), 0),
            spec("connect", "connect ws[s]://host:port/path [--header \"Name: value\"]... [--subprotocol p]... [--max-size 1M] [--ping] [--deflate] [--insecure]",
                    "An interactive client: each line of stdin is sent as a text message; messages received are\n"
                    + "printed. At the end of stdin it waits for replies (until none came for 500 ms, at most 2 s),\n"
                    + "then closes with 1000. Limits: messages up to --max-size (default 1M).\n"
                    + "--deflate offers permessage-deflate (RFC 7692); what the server accepted is printed.\n"
                    + "wss:// checks the server's certificate against the JDK's trust store (-Djavax.net.ssl.trustStore=...)\n"
                    + "and the host name; --insecure (tests only) accepts any certificate, with a warning on stderr.",
                    List.of("header", "subprotocol", "max-size"), List.of("ping", "deflate", "insecure"), 1),
            spec("broadcast", "broadcast [--port 8765] [--host 127.0.0.1] [--relay [--exclude-sender]] [--no-deflate]"
                    + " [--redis redis://[user:password@]host:port[/prefix]]",
                    "The tutorial's broadcast: a text message exactly \"broadcast\" sends \"Broadcast message!\" to every\n"
                    + "other open connection (not the sender); any other message is answered nothing.\n"
                    + "--relay: every message goes to every connection on the same path instead, encoded once;\n"
                    + "--exclude-sender (with --relay): not back to its sender.\n" + DEFLATE + "\n" + RedisFlag.HELP + "\n"
                    + "Clustered, the others are the connections of every node (with --relay: on the same path).",
                    List.of("host", "port", RedisFlag.NAME), List.of("relay", "exclude-sender", "no-deflate"), 0),
            spec("heartbeat-echo", "heartbeat-echo [--port 8765] [--host 127.0.0.1] [--ping-interval 10s] [--ping-timeout 5s] [--echo]",
                    "The tutorial's heartbeat: a ping every --ping-interval; a peer that answers neither with a pong nor\n"
                    + "with a text message \"pong\" within --ping-timeout is dropped (1011). Messages are answered nothing,\n"
                    + "as the tutorial; --echo echoes every message.",
                    List.of("host", "port", "ping-interval", "ping-timeout"), List.of("echo"), 0),
            spec("auth-echo", "auth-echo [--port 8765] [--host 127.0.0.1] [--token T]",
                    "Echo at /ws for clients with the token: /ws?token=T, /ws/T or Authorization: Bearer T. A missing or\n"
                    + "wrong token gets 401 before the upgrade, with a body saying what was wrong; other paths 404.\n"
                    + "Without --token a random one is made and printed.",
                    List.of("host", "port", "token"), List.of(), 0),
            spec("two-step-chat", "two-step-chat [--port 9090] [--host 127.0.0.1]",
                    "The tutorial's two-step chat: until the client sends exactly Hi (answered success), every\n"
                    + "message is answered \"connected fail\"; then each text message T is answered \"success,get mess: T\".",
                    SERVER, List.of(), 0),
            spec("json-chat", "json-chat [--port 9090] [--host 127.0.0.1] [--variant server-ws|ws-server]"
                    + " [--redis redis://[user:password@]host:port[/prefix]]",
                    "The tutorial's JSON chat room (seed 001): register, send, unregister; logins and logouts announced.\n"
                    + "--variant ws-server speaks the seed's WS_Server instead: each message is answered to its sender alone.\n"
                    + RedisFlag.HELP + "\n"
                    + "Clustered, the room spans every node: messages, logins and logouts reach the users of every node, and\n"
                    + "each user_list names them all (this node's first, then the others' sorted), refreshed every second from\n"
                    + "Redis; the users of a node that dies are announced as logouts (\"U left\") within about 3 seconds.",
                    List.of("host", "port", "variant", RedisFlag.NAME), List.of(), 0),
            spec("channels", "channels [--port 8765] [--host 127.0.0.1] [--token T] [--interval 500ms] [--seed N]",
                    "JSON channels with a simulated BTC/USD ticker on ticker_btc.",
                    List.of("host", "port", "token", "interval", "seed"), List.of(), 0),
            spec("demo", "demo [--port 8080] [--host 127.0.0.1] [--no-deflate] [--stats 10s] [--metrics-path /metrics]"
                    + " [--trust-proxy 127.0.0.1] [--redis redis://[user:password@]host:port[/prefix]]",
                    "A web page at / with the chat (/chat) and the live ticker (/channels).\n" + DEFLATE + "\n" + STATS + "\n"
                    + "--trust-proxy ADDR[,ADDR...]: behind a reverse proxy at these IP addresses (nginx: docs/deploy.md), the\n"
                    + "client's address comes from its X-Forwarded-For, for the log and the connection's attributes. Off by\n"
                    + "default: anyone who can reach the port directly could send that header.\n" + RedisFlag.HELP + "\n"
                    + "Clustered, the chat (/chat) spans every node, as json-chat --redis; the ticker does not (each node has\n"
                    + "its own). With --stats the line ends with the bridge's counters (cluster_up=1 cluster_published=...).",
                    List.of("host", "port", "stats", "metrics-path", "trust-proxy", RedisFlag.NAME), List.of("no-deflate"), 0),
            spec("bench-server", "bench-server [--port 9001] [--host 127.0.0.1] [--max-size 1M] [--max-connections 1000000] [--idle-timeout 5m] [--keepalive] [--no-deflate] [--redis redis://host:port[/prefix]]",
                    "The benchmark target: /broadcast (to the others), /broadcast-all, any other path echoes.\n"
                    + "--max-connections defaults to 1000000: the load tool, not the server, sets the count.\n"
                    + "bench/compare.sh passes --max-size 64M --idle-timeout off: what its published results were measured with.\n" + DEFLATE
                    + "\n" + BenchServerCommand.REDIS_HELP,
                    List.of("host", "port", "max-size", "max-connections", "redis"), List.of("keepalive", "no-deflate"), 0),
            spec("echo-client", "echo-client [ws://localhost:8765] [--message \"Hello, server!\"] [--timeout 10s]",
                    "The tutorials' echo client (seeds 001 and 003): connects, sends --message, prints\n"
                    + "Sent: <message>, waits for one answer, prints Received: <answer>, closes with 1000.\n"
                    + "Its server: echo --style echo (Echo: <text>, port 8765).\n" + ClientArgs.HELP,
                    List.of("message", "timeout"), List.of(), 1),
            spec("repeat-client", "repeat-client [ws://localhost:9999] [--count 39] [--interval 1s] [--message \"Hello, I am PyPy.\"] [--timeout 10s]",
                    "The tutorials' looping client (seed 001 ws_client, for i in range(1, 40)): --count times, one\n"
                    + "after the other, a new connection sends --message and prints the answer; --interval (0s for\n"
                    + "none) between connections. Its server: echo --style data-received (port 9999).\n" + ClientArgs.HELP,
                    List.of("count", "interval", "message", "timeout"), List.of(), 1),
            spec("two-step-client", "two-step-client [ws://127.0.0.1:9090] [--tries 10] [--timeout 10s]",
                    "The tutorials' two-step client (seed 001 clientHands/clientSend): sends Hi until an answer\n"
                    + "contains success (at most --tries times), prints 握手成功; then prompts \"input text: \", sends\n"
                    + "each line of stdin and prints the answer. The line exit (or the end of input) prints\n"
                    + "\"exit, bye!\" and closes with the reason exit. Its server: two-step-chat (port 9090).\n" + ClientArgs.HELP,
                    List.of("tries", "timeout"), List.of(), 1),
            spec("json-chat-client", "json-chat-client [ws://127.0.0.1:9090] [--uuid U] [--timeout 10s]",
                    "A client of the JSON chat (seed 001 ServerWs): waits for {\"type\": \"handshake\"}, registers as\n"
                    + "--uuid (default: a random short id), sends each line of stdin as {\"type\":\"send\",...} and prints\n"
                    + "each message on a line (login: C (online: a, b), FROM: C, logout: ..., error: ...). The line exit\n"
                    + "(or the end of input) unregisters (content \"U left\") and closes with the reason exit.\n"
                    + "Its server: json-chat (port 9090), or the demo's ws://127.0.0.1:8080/chat.\n" + ClientArgs.HELP,
                    List.of("uuid", "timeout"), List.of(), 1));

    private static Map.Entry<String, CommandSpec> spec(String name, String usage, String description, List<String> values,
                                                       List<String> flags, int positionals) {
        if (values.contains("port")) { // every server command has limits and can serve wss:// (TlsFlags)
            values = java.util.stream.Stream.of(values, ServerLimits.VALUES, TlsFlags.VALUES).flatMap(List::stream)
                    .distinct().toList();
            description = description + "\n" + ServerLimits.help(name) + "\n" + TlsFlags.HELP.strip();
        }
        return Map.entry(name, new CommandSpec(name, usage, description, values, flags, positionals));
    }

    String help() {
        StringBuilder sb = new StringBuilder("Usage: java -jar target/loomsocket.jar ").append(usage).append("\n\n")
                .append(description).append("\n");
        if (values.contains("port")) {
            sb.append("Ctrl-C (SIGINT) or SIGTERM stops it gracefully: every connection is closed with 1001.\n");
        }
        sb.append("  --help, -h   print this help\n");
        return sb.toString();
    }

    static boolean asksForHelp(String[] argv) {
        for (int i = 1; i < argv.length; i++) {
            if (argv[i].equals("--help") || argv[i].equals("-h")) {
                return true;
            }
        }
        return false;
    }

    /** Refuses unknown options and stray arguments, naming them. */
    void check(String[] argv) {
        int positional = 0;
        for (int i = 1; i < argv.length; i++) {
            String arg = argv[i];
            if (arg.startsWith("--")) {
                String name = arg.substring(2);
                int eq = name.indexOf('=');
                boolean inline = eq >= 0;
                if (inline) {
                    name = name.substring(0, eq);
                }
                if (values.contains(name)) {
                    if (!inline) {
                        i++; // its value (Args reports a missing one)
                    }
                } else if (!flags.contains(name)) {
                    throw new IllegalArgumentException("unknown option --" + name + " for " + this.name + " (see: "
                            + this.name + " --help)");
                }
            } else if (++positional > positionals) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "' for " + this.name + " (see: "
                        + this.name + " --help)");
            }
        }
    }
}
