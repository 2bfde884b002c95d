package io.loomsocket.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.examples.Json;
import io.loomsocket.interop.DeflateMessages.Digest;
import io.loomsocket.interop.DeflateMessages.Kind;
import io.loomsocket.interop.DeflateMessages.Payload;
import io.loomsocket.interop.DeflateMessages.Step;
import io.loomsocket.interop.LoomsocketDeflate.ClientOffer;
import io.loomsocket.interop.LoomsocketDeflate.ServerAccept;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Permessage-deflate (RFC 7692) against independent implementations, in both roles: the
 * equivalent of Autobahn|Testsuite's categories 12 and 13, which the bundled Autobahn 0.6.4 does
 * not have. Each case is one parameter combination of category 13 (plus "none" and each
 * library's "default") × one peer (Node's {@code ws}, Python's {@code websockets}) × one role
 * (the peer as client against a Loomsocket server, or as server for a Loomsocket client).
 *
 * <p>A case sends messages of the sizes of category 12 (16 B to 128 KiB), JSON-ish text, random
 * binary and repetitive text, one at a time, and each comes back as an echo, compared byte for
 * byte by its sender; both ends also compare SHA-256 digests of everything sent and received.
 * Then it checks that both ends negotiated the parameters of {@link #EXPECTED} (the peer from
 * the 101's {@code Sec-WebSocket-Extensions}, Loomsocket from {@code WebSocket.extensions()}),
 * and, from the peer's tap on the frames as they cross the wire, that messages were compressed
 * (RSV1, and a repetitive 64 KiB text, always the last message, in far fewer bytes) wherever
 * the negotiated parameters say they must be, and never where nothing was negotiated.
 *
 * <p>The peers are small scripts in {@code src/test/deflate-peers} (node: the pinned {@code ws}
 * of its package-lock.json, {@code npm ci --prefix src/test/deflate-peers}; python: Debian's
 * {@code python3-websockets} on {@code /usr/bin/python3}); {@code mvn verify} installs both first
 * ({@code src/test/setup/ensure-test-tools.sh}).
 * Everything that uses Loomsocket's permessage-deflate API is in {@link LoomsocketDeflate}.
 * docs/deflate-interop.md has the table and how to run this alone. Never skips: without its
 * peers it fails, saying what to install.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DeflateInteropIT {

    // ================================================================== the combinations

    /** The two independent implementations. */
    enum Peer {
        NODE_WS("node ws", "ws-client.mjs", "ws-server.mjs"),
        PYTHON_WEBSOCKETS("python websockets", "py_client.py", "py_server.py");

        final String label;
        final String clientScript;
        final String serverScript;

        Peer(String label, String clientScript, String serverScript) {
            this.label = label;
            this.clientScript = clientScript;
            this.serverScript = serverScript;
        }

        /**
         * The window bits this peer uses where a combination says {@code bits}. python-websockets
         * 10.4 hands the value to zlib, and zlib (since 1.2.9) refuses raw deflate with an 8-bit
         * window ("ValueError: Invalid initialization option"), so a python peer that has to
         * compress with 8 bits cannot: python gets 9, the smallest zlib takes. Node's zlib
         * silently compresses with 9 when asked for 8, so ws keeps 8 in the headers.
         */
        int bits(int bits) {
            return this == PYTHON_WEBSOCKETS && bits == 8 ? 9 : bits;
        }
    }

    /** Which side Loomsocket is. */
    enum Role {
        /** The peer is the client, Loomsocket the echo server. */
        LOOM_SERVER,
        /** Loomsocket is the client, the peer the echo server. */
        LOOM_CLIENT;

        String describe(Peer peer) {
            return this == LOOM_SERVER ? peer.label + " client → Loomsocket server" : "Loomsocket client → " + peer.label + " server";
        }
    }

    /**
     * Autobahn|Testsuite's category 13 (autobahntestsuite/case/case12_x_x.py, DEFLATE_PARAMS):
     * what the client offers, and what the server asks of the client when it accepts.
     * <ul>
     *   <li>{@code offers}: per offer, whether it asks for {@code server_no_context_takeover} and
     *       which {@code server_max_window_bits} (0: none). Every offer also carries
     *       {@code client_max_window_bits} without a value, as Autobahn's and every library's do.
     *       Autobahn's offers also carry the hint {@code client_no_context_takeover}; ours leave
     *       it out, because python-websockets takes the hint as a promise and then never uses
     *       context takeover itself, which would leave Loomsocket's inflater with context
     *       takeover untested.</li>
     *   <li>{@code accept}: whether the server answers {@code client_no_context_takeover}, and
     *       which {@code client_max_window_bits} (0: none). What the client asked of the server
     *       is granted as asked (Autobahn's fuzzing server; the peer servers are set up so).</li>
     * </ul>
     * Window bits 8 are 9 for python (see {@link Peer#bits}).
     */
    enum Combination {
        NONE("none", "no permessage-deflate offered", false, false, List.of(), null),
        DEFAULT("default", "each library's own default offer and acceptance", true, true, List.of(), null),
        C13_1("13.1", "default offer", true, false,
                List.of(new ClientOffer(false, 0)), new ServerAccept(false, 0)),
        C13_2("13.2", "no context takeover, both ways", true, false,
                List.of(new ClientOffer(true, 0)), new ServerAccept(true, 0)),
        C13_3("13.3", "window bits 8, both ways", true, false,
                List.of(new ClientOffer(false, 8)), new ServerAccept(false, 8)),
        C13_4("13.4", "window bits 15, both ways", true, false,
                List.of(new ClientOffer(false, 15)), new ServerAccept(false, 15)),
        C13_5("13.5", "no context takeover and window bits 8, both ways", true, false,
                List.of(new ClientOffer(true, 8)), new ServerAccept(true, 8)),
        C13_6("13.6", "no context takeover and window bits 15, both ways", true, false,
                List.of(new ClientOffer(true, 15)), new ServerAccept(true, 15)),
        C13_7("13.7", "offers: no context takeover + window bits 8, no context takeover, plain", true, false,
                List.of(new ClientOffer(true, 8), new ClientOffer(true, 0), new ClientOffer(false, 0)),
                new ServerAccept(true, 8));

        final String id;
        final String description;
        /** Whether the client offers permessage-deflate at all. */
        final boolean deflate;
        /** Each end with its library's defaults (Loomsocket: {@code deflate()} / the server's default). */
        final boolean libraryDefaults;
        private final List<ClientOffer> offers;
        private final ServerAccept accept;

        Combination(String id, String description, boolean deflate, boolean libraryDefaults, List<ClientOffer> offers,
                    ServerAccept accept) {
            this.id = id;
            this.description = description;
            this.deflate = deflate;
            this.libraryDefaults = libraryDefaults;
            this.offers = offers;
            this.accept = accept;
        }

        /** The client's offers, in order of preference, with this peer's window bits. */
        List<ClientOffer> offers(Peer peer) {
            return offers.stream().map(o -> new ClientOffer(o.serverNoContextTakeover(), peer.bits(o.serverMaxWindowBits()))).toList();
        }

        /** What the server asks of the client, with this peer's window bits; null for library defaults. */
        ServerAccept accept(Peer peer) {
            return accept == null ? null : new ServerAccept(accept.clientNoContextTakeover(), peer.bits(accept.clientMaxWindowBits()));
        }
    }

    /** Negotiated parameters, as in effect (an absent window size is 15). */
    record Negotiated(boolean serverNoContextTakeover, boolean clientNoContextTakeover, int serverMaxWindowBits,
                      int clientMaxWindowBits) {
        @Override
        public String toString() {
            return "permessage-deflate[" + (serverNoContextTakeover ? "server_no_context_takeover, " : "")
                    + (clientNoContextTakeover ? "client_no_context_takeover, " : "")
                    + "server_max_window_bits=" + serverMaxWindowBits + ", client_max_window_bits=" + clientMaxWindowBits + "]";
        }
    }

    /** The expectation "declined": no extension in the 101, every message uncompressed. */
    private static final Negotiated DECLINED = null;

    private static Negotiated accepted(boolean serverNoContextTakeover, boolean clientNoContextTakeover, int serverMaxWindowBits,
                                       int clientMaxWindowBits) {
        return new Negotiated(serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits);
    }

    private record Row(Combination combination, Role role, Peer peer, Negotiated expected) {
        boolean matches(Case c) {
            return combination == c.combination() && (role == null || role == c.role()) && (peer == null || peer == c.peer());
        }
    }

    private static final Role BOTH_ROLES = null;
    private static final Peer BOTH_PEERS = null;
    private static final Peer NODE = Peer.NODE_WS;
    private static final Peer PYTHON = Peer.PYTHON_WEBSOCKETS;

    /**
     * THE TABLE of what each case must negotiate, as seen by both ends: the first row that
     * matches a case is its expectation ({@code null} role or peer: any). Adjust it here when
     * Loomsocket's rules change. The reasoning, row by row, is in docs/deflate-interop.md:
     * <ul>
     *   <li>The Loomsocket server grants {@code server_max_window_bits} &lt; 15 only where it
     *       can honour it with the JDK's Deflater (which always has a 32 KiB window): with
     *       {@code server_no_context_takeover}. 13.3 asks for 8 bits without it, so the server
     *       adds {@code server_no_context_takeover} to its answer unasked (RFC 7692 §7.1.1.1: a
     *       server "MAY include" it) and then compresses only messages of at most 2^N bytes
     *       (docs/rfc7692-notes.md); the client's window of N bits is granted as asked.</li>
     *   <li>python-websockets' own default server asks for 12-bit windows both ways (and
     *       memLevel 5); ws's accepts the offer as it is.</li>
     *   <li>13.7: the first offer is granted wherever 13.5 is; the Loomsocket client can make
     *       only one offer, so as a client it makes 13.5's.</li>
     * </ul>
     */
    private static final List<Row> EXPECTED = List.of(
            //     combination         role          peer        server_no_ctx client_no_ctx server_bits client_bits
            new Row(Combination.NONE, BOTH_ROLES, BOTH_PEERS, DECLINED),
            new Row(Combination.DEFAULT, Role.LOOM_SERVER, BOTH_PEERS, accepted(false, false, 15, 15)),
            new Row(Combination.DEFAULT, Role.LOOM_CLIENT, NODE, accepted(false, false, 15, 15)),
            new Row(Combination.DEFAULT, Role.LOOM_CLIENT, PYTHON, accepted(false, false, 12, 12)),
            new Row(Combination.C13_1, BOTH_ROLES, BOTH_PEERS, accepted(false, false, 15, 15)),
            new Row(Combination.C13_2, BOTH_ROLES, BOTH_PEERS, accepted(true, true, 15, 15)),
            new Row(Combination.C13_3, Role.LOOM_SERVER, NODE, accepted(true, false, 8, 8)),
            new Row(Combination.C13_3, Role.LOOM_SERVER, PYTHON, accepted(true, false, 9, 9)),
            new Row(Combination.C13_3, Role.LOOM_CLIENT, NODE, accepted(false, false, 8, 8)),
            new Row(Combination.C13_3, Role.LOOM_CLIENT, PYTHON, accepted(false, false, 9, 9)),
            new Row(Combination.C13_4, BOTH_ROLES, BOTH_PEERS, accepted(false, false, 15, 15)),
            new Row(Combination.C13_5, BOTH_ROLES, NODE, accepted(true, true, 8, 8)),
            new Row(Combination.C13_5, BOTH_ROLES, PYTHON, accepted(true, true, 9, 9)),
            new Row(Combination.C13_6, BOTH_ROLES, BOTH_PEERS, accepted(true, true, 15, 15)),
            new Row(Combination.C13_7, BOTH_ROLES, NODE, accepted(true, true, 8, 8)),
            new Row(Combination.C13_7, BOTH_ROLES, PYTHON, accepted(true, true, 9, 9)));

    /** How a direction's messages must look on the wire, given what was negotiated. */
    enum Wire {
        /** The probe (last message, 64 KiB of repetitive text) compressed, to under an eighth. */
        COMPRESSED,
        /** No message with RSV1, and exactly the payload bytes on the wire. */
        UNCOMPRESSED,
        /**
         * Loomsocket sending with a window under 15 bits: the JDK's Deflater cannot limit its
         * window, so Loomsocket may send messages uncompressed; only the round trip is checked.
         */
        EITHER
    }

    // ================================================================== the messages

    /**
     * Category 12's sizes, each with how many messages of each kind (×3 kinds), then three of
     * its auto-fragmented sizes (messages of 8 KiB in 256-byte frames, of 128 KiB in 4 KiB and in
     * 32 KiB frames; text frames split UTF-8 anywhere but in python, which cuts at characters).
     * Autobahn sends 1000 of each; this keeps every case to a couple of seconds.
     * -Ddeflate.interop.scale=N multiplies the counts.
     */
    private static final List<Step> PLAN = scaled(List.of(
            new Step(16, 200), new Step(64, 200), new Step(256, 200), new Step(1024, 150), new Step(4096, 60),
            new Step(8192, 30), new Step(16384, 16), new Step(32768, 8), new Step(65536, 6), new Step(131072, 4),
            new Step(8192, 10, 256), new Step(131072, 2, 4096), new Step(131072, 2, 32768)));
    private static final List<Kind> KINDS = List.of(Kind.JSON, Kind.RANDOM, Kind.REPETITIVE);
    /** The last message: a repetitive text whose bytes on the wire show whether compression happened. */
    private static final int PROBE = 65536;
    private static final long SEED = 7692;
    private static final int MESSAGES = DeflateMessages.count(PLAN, KINDS);

    private static List<Step> scaled(List<Step> plan) {
        double scale = Double.parseDouble(System.getProperty("deflate.interop.scale", "1"));
        return plan.stream().map(s -> new Step(s.size(), Math.max(1, (int) Math.round(s.count() * scale)), s.fragment())).toList();
    }

    // ================================================================== the cases

    record Case(Combination combination, Peer peer, Role role) {
        @Override
        public String toString() {
            return combination.id + " (" + combination.description + ") · " + role.describe(peer);
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (Combination c : Combination.values()) {
            for (Peer p : Peer.values()) {
                for (Role r : Role.values()) {
                    all.add(Arguments.of(new Case(c, p, r)));
                }
            }
        }
        return all.stream();
    }

    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(90);
    private static final int SCRIPT_TIMEOUT_MS = 75_000;
    private static final String INSTALL = "install the peers as mvn verify's set-up does: `npm ci --prefix src/test/deflate-peers` "
            + "(node >= 20 on the PATH) and `apt-get install -y python3-websockets` (for /usr/bin/python3)";

    private static final Path PROJECT = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    private static final Path PEERS = PROJECT.resolve("src/test/deflate-peers");
    private static String node;
    private static String python;

    @BeforeAll
    static void prerequisites() throws Exception {
        List<String> missing = new ArrayList<>();
        node = onPath("node");
        if (node == null) {
            missing.add("no `node` on the PATH");
        }
        if (!Files.isRegularFile(PEERS.resolve("node_modules/ws/package.json"))) {
            missing.add("no " + PEERS.resolve("node_modules/ws"));
        }
        if (!Files.isRegularFile(PEERS.resolve("ws-client.mjs"))) {
            missing.add("no " + PEERS.resolve("ws-client.mjs") + " (is basedir " + PROJECT + " right?)");
        }
        python = System.getenv().getOrDefault("DEFLATE_PEERS_PYTHON", "/usr/bin/python3");
        if (!Files.isExecutable(Path.of(python))) {
            missing.add("no " + python);
        } else {
            Process p = new ProcessBuilder(python, "-c", "import websockets; print(websockets.__version__)")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                missing.add(python + " cannot import websockets (" + out.lines().reduce((a, b) -> b).orElse("") + ")");
            } else if (Integer.parseInt(out.split("\\.")[0]) < 10) {
                missing.add(python + " has websockets " + out + "; the peers need >= 10");
            }
        }
        if (!missing.isEmpty()) {
            fail(String.join("; ", missing) + ": " + INSTALL);
        }
    }

    private static String onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, command);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void roundTripsAndNegotiates(Case c) throws Exception {
        Negotiated expected = expected(c);
        long start = System.nanoTime();
        Outcome outcome = c.role() == Role.LOOM_SERVER ? peerClientAgainstLoomServer(c) : loomClientAgainstPeerServer(c);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        check(c, expected, outcome, took);
    }

    private static Negotiated expected(Case c) {
        return EXPECTED.stream().filter(r -> r.matches(c)).findFirst()
                .orElseThrow(() -> new AssertionError("no row of EXPECTED for " + c))
                .expected();
    }

    // ================================================================== running a case

    /** What the Loomsocket end saw. */
    record LoomView(String extensions, String offered, int received, String receivedSha, int sent, String sentSha,
                    CloseCode closeCode) {}

    /** Both ends' views of one case. */
    record Outcome(Map<String, Object> peer, LoomView loom, String peerOutput) {}

    /** The peer is the client: a Loomsocket echo server in this JVM, the peer's script against it. */
    private Outcome peerClientAgainstLoomServer(Case c) throws Exception {
        CompletableFuture<LoomView> loomEnd = new CompletableFuture<>();
        WebSocketServer.Builder builder = WebSocketServer.builder()
                .host("127.0.0.1")
                .port(0)
                .noKeepalive()
                .closeTimeout(Duration.ofSeconds(5))
                .handler(ws -> echo(ws, loomEnd));
        builder = LoomsocketDeflate.server(builder, c.combination().accept(c.peer()));
        WebSocketServer server = builder.start();
        try {
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("url", server.url() + "/deflate");
            config.put("deflate", c.combination().deflate);
            config.put("libraryDefaults", c.combination().libraryDefaults);
            config.put("offers", c.combination().offers(c.peer()).stream()
                    .map(o -> Json.object("serverNoContextTakeover", o.serverNoContextTakeover(),
                            "serverMaxWindowBits", o.serverMaxWindowBits()))
                    .toList());
            config.put("plan", PLAN.stream().map(s -> List.of(s.size(), s.count(), s.fragment())).toList());
            config.put("kinds", KINDS.stream().map(k -> k.wire).toList());
            config.put("probe", PROBE);
            config.put("seed", SEED);
            config.put("timeoutMs", SCRIPT_TIMEOUT_MS);
            try (PeerProcess peer = startPeer(c, c.peer().clientScript, config)) {
                int status = peer.awaitExit(PEER_TIMEOUT);
                if (status != 0) {
                    fail(c + ": the peer client failed (exit status " + status + ")\n"
                            + loomEndNote(loomEnd) + "\n" + peer.output());
                }
                Map<String, Object> result = Json.parseObject(peer.awaitLine("RESULT ", Duration.ofSeconds(5)));
                LoomView loom;
                try {
                    loom = loomEnd.get(15, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new AssertionError(c + ": the Loomsocket server's end did not finish: " + e + "\n" + peer.output(), e);
                }
                return new Outcome(result, loom, peer.output());
            }
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
    }

    private static String loomEndNote(CompletableFuture<LoomView> loomEnd) {
        if (!loomEnd.isDone()) {
            return "(the Loomsocket server's connection had not ended)";
        }
        try {
            return "Loomsocket server's end: " + loomEnd.getNow(null);
        } catch (Exception e) {
            return "Loomsocket server's end failed: " + e;
        }
    }

    /** The Loomsocket server's handler: echo every message, digest what came in, note the negotiation. */
    private static void echo(WebSocket ws, CompletableFuture<LoomView> end) throws Exception {
        String extensions = LoomsocketDeflate.extensions(ws);
        String offered = ws.request().map(r -> String.join(", ", r.headers().all("Sec-WebSocket-Extensions"))).orElse("");
        Digest received = new Digest();
        Digest sent = new Digest();
        try {
            for (DataMessage m : ws) {
                switch (m) {
                    case Message.Text t -> {
                        byte[] bytes = t.text().getBytes(StandardCharsets.UTF_8);
                        received.add(false, bytes);
                        ws.sendText(t.text());
                        sent.add(false, bytes);
                    }
                    case Message.Binary b -> {
                        received.add(true, b.data());
                        ws.sendBinary(b.data());
                        sent.add(true, b.data());
                    }
                }
            }
            ws.awaitClosed(Duration.ofSeconds(10));
            end.complete(new LoomView(extensions, offered, received.count(), received.hex(), sent.count(), sent.hex(),
                    ws.closeCode()));
        } catch (Exception | Error e) {
            end.completeExceptionally(e);
            throw e;
        }
    }

    /** The peer is the server: its script listens, a Loomsocket client in this JVM sends. */
    private Outcome loomClientAgainstPeerServer(Case c) throws Exception {
        Map<String, Object> config = new LinkedHashMap<>();
        // "none": the peer server still has deflate on; the Loomsocket client just offers nothing.
        config.put("deflate", true);
        config.put("libraryDefaults", c.combination().libraryDefaults || !c.combination().deflate);
        ServerAccept accept = c.combination().accept(c.peer());
        config.put("accept", accept == null ? Map.of() : Json.object("clientNoContextTakeover", accept.clientNoContextTakeover(),
                "clientMaxWindowBits", accept.clientMaxWindowBits()));
        config.put("timeoutMs", SCRIPT_TIMEOUT_MS);
        try (PeerProcess peer = startPeer(c, c.peer().serverScript, config)) {
            int port = Integer.parseInt(peer.awaitLine("PORT ", Duration.ofSeconds(20)).trim());
            List<ClientOffer> offers = c.combination().offers(c.peer());
            WebSocketClient.Builder builder = WebSocketClient.builder()
                    .noKeepalive()
                    .closeTimeout(Duration.ofSeconds(5))
                    .connectTimeout(Duration.ofSeconds(10));
            // One offer only (13.7: its first); the library's defaults for "default".
            builder = LoomsocketDeflate.client(builder, c.combination().deflate,
                    c.combination().libraryDefaults || offers.isEmpty() ? null : offers.get(0));
            Digest sent = new Digest();
            Digest received = new Digest();
            String extensions;
            CloseCode closeCode;
            try (WebSocket ws = builder.connect(URI.create("ws://127.0.0.1:" + port + "/deflate"))) {
                extensions = LoomsocketDeflate.extensions(ws);
                int index = 0;
                for (Payload p : DeflateMessages.sequence(PLAN, KINDS, PROBE, SEED)) {
                    send(ws, p);
                    sent.add(p.binary(), p.data());
                    Optional<DataMessage> echo = ws.receive(Duration.ofSeconds(30));
                    if (echo.isEmpty()) {
                        fail(c + ": no echo of message #" + index + " (" + p.kind() + ", " + p.size() + " bytes) within 30 s\n"
                                + peer.output());
                    }
                    byte[] back = switch (echo.get()) {
                        case Message.Text t -> t.text().getBytes(StandardCharsets.UTF_8);
                        case Message.Binary b -> b.data();
                    };
                    boolean backBinary = echo.get() instanceof Message.Binary;
                    received.add(backBinary, back);
                    if (backBinary != p.binary() || !Arrays.equals(back, p.data())) {
                        fail(c + ": message #" + index + " (" + p.kind() + ", " + p.size() + " bytes, "
                                + (p.binary() ? "binary" : "text") + ", frames of " + (p.fragment() == 0 ? "all" : p.fragment())
                                + ") came back " + (backBinary ? "binary" : "text")
                                + " with " + back.length + " bytes, first difference at byte "
                                + Arrays.mismatch(back, p.data()) + "\n" + peer.output());
                    }
                    index++;
                }
                ws.close(CloseCode.NORMAL_CLOSURE, "done");
                ws.awaitClosed(Duration.ofSeconds(10));
                closeCode = ws.closeCode();
            }
            int status = peer.awaitExit(PEER_TIMEOUT);
            if (status != 0) {
                fail(c + ": the peer server failed (exit status " + status + ")\n" + peer.output());
            }
            Map<String, Object> result = Json.parseObject(peer.awaitLine("RESULT ", Duration.ofSeconds(5)));
            return new Outcome(result, new LoomView(extensions, "(the client's)", received.count(), received.hex(),
                    sent.count(), sent.hex(), closeCode), peer.output());
        }
    }

    /** Sends a message whole, or in frames of {@code p.fragment()} bytes (text: of chars, split between characters). */
    private static void send(WebSocket ws, Payload p) throws java.io.IOException {
        int fragment = p.fragment();
        if (p.binary()) {
            if (fragment == 0 || fragment >= p.data().length) {
                ws.sendBinary(p.data());
                return;
            }
            for (int from = 0; from < p.data().length; from += fragment) {
                int to = Math.min(from + fragment, p.data().length);
                ws.sendBinary(Arrays.copyOfRange(p.data(), from, to), to == p.data().length);
            }
            return;
        }
        String text = p.text();
        if (fragment == 0 || fragment >= p.data().length) {
            ws.sendText(text);
            return;
        }
        for (int from = 0; from < text.length(); ) {
            int to = Math.min(from + fragment, text.length());
            if (to < text.length() && Character.isHighSurrogate(text.charAt(to - 1))) {
                to++;
            }
            ws.sendText(text.substring(from, to), to == text.length());
            from = to;
        }
    }

    private static PeerProcess startPeer(Case c, String script, Map<String, Object> config) throws Exception {
        String interpreter = script.endsWith(".py") ? python : node;
        return PeerProcess.start(c.peer().label + " " + script,
                List.of(interpreter, PEERS.resolve(script).toString(), Json.write(config)), PEERS);
    }

    // ================================================================== the checks

    private static void check(Case c, Negotiated expected, Outcome o, Duration took) {
        Map<String, Object> peer = o.peer();
        LoomView loom = o.loom();
        String peerHeader = (String) peer.get("extensions");
        Map<String, Object> tx = map(peer, "tx"); // the peer sending, Loomsocket receiving
        Map<String, Object> rx = map(peer, "rx"); // Loomsocket sending, the peer receiving
        System.out.println(summary(c, peer, loom, tx, rx, took));
        String context = "\n  peer: " + peer.get("peer") + ", offered: '" + (c.role() == Role.LOOM_SERVER ? loom.offered() : peer.get("offered"))
                + "'\n  peer's 101 extensions: '" + peerHeader + "' (library: " + peer.get("library") + ")"
                + "\n  Loomsocket's extensions(): '" + loom.extensions() + "'\n  peer result: " + Json.write(peer);

        // 1. The round trip, whatever was negotiated: hard failures.
        assertThat(num(peer, "closeCode")).as("%s: the peer's close code%s", c, context).isEqualTo(1000);
        assertThat(loom.closeCode()).as("%s: Loomsocket's close code%s", c, context).isEqualTo(CloseCode.NORMAL_CLOSURE);
        Map<String, Object> peerSent = map(peer, "sent");
        Map<String, Object> peerReceived = map(peer, "received");
        assertThat(num(peerSent, "count")).as("%s: messages the peer sent%s", c, context).isEqualTo(MESSAGES);
        assertThat(num(peerReceived, "count")).as("%s: messages the peer received%s", c, context).isEqualTo(MESSAGES);
        assertThat(loom.received()).as("%s: messages Loomsocket received%s", c, context).isEqualTo(MESSAGES);
        assertThat(loom.sent()).as("%s: messages Loomsocket sent%s", c, context).isEqualTo(MESSAGES);
        assertThat(loom.receivedSha()).as("%s: SHA-256 of what Loomsocket received = of what the peer sent%s", c, context)
                .isEqualTo(peerSent.get("sha256"));
        assertThat(peerReceived.get("sha256")).as("%s: SHA-256 of what the peer received = of what Loomsocket sent%s", c, context)
                .isEqualTo(loom.sentSha());
        assertThat(peerReceived.get("sha256")).as("%s: every message came back as sent%s", c, context)
                .isEqualTo(peerSent.get("sha256"));
        assertThat(tx.get("tapError")).as("%s: frames the peer sent, as its wire tap read them%s", c, context).isNull();
        assertThat(rx.get("tapError")).as("%s: frames Loomsocket sent, as the peer's wire tap read them%s", c, context).isNull();

        // 2. The negotiation, on both ends; 3. compression on the wire, by what was negotiated.
        Optional<Negotiated> peerView = parse(peerHeader);
        Optional<Negotiated> loomView = parse(loom.extensions());
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(peerView.orElse(null)).as("%s: negotiated, as the peer sees it (its 101's Sec-WebSocket-Extensions)%s", c, context)
                .isEqualTo(expected);
        soft.assertThat(loomView.orElse(null)).as("%s: negotiated, as Loomsocket sees it (WebSocket.extensions())%s", c, context)
                .isEqualTo(expected);
        soft.assertThat(String.valueOf(peer.get("library")).isEmpty())
                .as("%s: the peer's library enabled permessage-deflate exactly when its 101 says so%s", c, context)
                .isEqualTo(peerView.isEmpty());
        Negotiated negotiated = peerView.orElse(null);
        Wire peerSends = negotiated == null ? Wire.UNCOMPRESSED : Wire.COMPRESSED;
        int loomWindow = negotiated == null ? 0
                : c.role() == Role.LOOM_SERVER ? negotiated.serverMaxWindowBits() : negotiated.clientMaxWindowBits();
        Wire loomSends = negotiated == null ? Wire.UNCOMPRESSED : loomWindow == 15 ? Wire.COMPRESSED : Wire.EITHER;
        wire(soft, c + ": " + c.peer().label + " → Loomsocket", peerSends, tx, context);
        wire(soft, c + ": Loomsocket → " + c.peer().label, loomSends, rx, context);
        soft.assertAll();
    }

    private static void wire(SoftAssertions soft, String direction, Wire expected, Map<String, Object> stats, String context) {
        long messages = num(stats, "messages");
        long compressed = num(stats, "compressed");
        long payload = num(stats, "payloadBytes");
        long wire = num(stats, "wireBytes");
        long probeOnWire = num(stats, "lastWireBytes");
        boolean probeCompressed = Boolean.TRUE.equals(stats.get("lastCompressed"));
        switch (expected) {
            case COMPRESSED -> {
                soft.assertThat(probeCompressed).as("%s: the probe (%d bytes of repetitive text) has RSV1%s", direction, PROBE, context)
                        .isTrue();
                soft.assertThat(probeOnWire).as("%s: the probe's bytes on the wire, under an eighth of its %d%s", direction, PROBE, context)
                        .isLessThan(PROBE / 8);
                soft.assertThat(compressed).as("%s: messages with RSV1%s", direction, context).isPositive();
            }
            case UNCOMPRESSED -> {
                soft.assertThat(compressed).as("%s: messages with RSV1, when nothing was negotiated%s", direction, context).isZero();
                soft.assertThat(wire).as("%s: payload bytes on the wire, when nothing was negotiated%s", direction, context)
                        .isEqualTo(payload);
            }
            case EITHER -> soft.assertThat(messages).as("%s: messages%s", direction, context).isEqualTo(MESSAGES);
        }
    }

    private static String summary(Case c, Map<String, Object> peer, LoomView loom, Map<String, Object> tx, Map<String, Object> rx,
                                  Duration took) {
        return String.format(Locale.ROOT,
                "DeflateInteropIT %s: %d messages each way, %.1f MB; peer's 101 '%s', Loomsocket '%s'; "
                        + "%s → Loomsocket %s; Loomsocket → %s %s; %.1f s",
                c, MESSAGES, num(tx, "payloadBytes") / 1e6, peer.get("extensions"), loom.extensions(),
                c.peer().label, wireSummary(tx), c.peer().label, wireSummary(rx), took.toMillis() / 1000.0);
    }

    private static String wireSummary(Map<String, Object> stats) {
        long payload = num(stats, "payloadBytes");
        return String.format(Locale.ROOT, "%d/%d compressed, %.0f%% on the wire, probe %d bytes",
                num(stats, "compressed"), num(stats, "messages"),
                payload == 0 ? 0.0 : 100.0 * num(stats, "wireBytes") / payload, num(stats, "lastWireBytes"));
    }

    /**
     * A Sec-WebSocket-Extensions value as the parameters in effect; empty for "" (none). Fails on
     * anything but a single, well-formed permessage-deflate element.
     */
    static Optional<Negotiated> parse(String header) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        if (header.contains(",")) {
            throw new AssertionError("more than one extension negotiated: '" + header + "'");
        }
        String[] parts = header.split(";");
        if (!parts[0].trim().equalsIgnoreCase("permessage-deflate")) {
            throw new AssertionError("not permessage-deflate: '" + header + "'");
        }
        boolean serverNoContext = false;
        boolean clientNoContext = false;
        int serverBits = 15;
        int clientBits = 15;
        for (int i = 1; i < parts.length; i++) {
            String param = parts[i].trim();
            int eq = param.indexOf('=');
            String name = (eq < 0 ? param : param.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? null : param.substring(eq + 1).trim().replace("\"", "");
            switch (name) {
                case "server_no_context_takeover" -> serverNoContext = true;
                case "client_no_context_takeover" -> clientNoContext = true;
                case "server_max_window_bits" -> serverBits = Integer.parseInt(value);
                case "client_max_window_bits" -> clientBits = value == null ? 15 : Integer.parseInt(value);
                default -> throw new AssertionError("unknown parameter '" + name + "' in '" + header + "'");
            }
        }
        return Optional.of(new Negotiated(serverNoContext, clientNoContext, serverBits, clientBits));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Map<?, ?>)) {
            throw new AssertionError("no object '" + key + "' in the peer's result " + Json.write(m));
        }
        return (Map<String, Object>) v;
    }

    private static long num(Map<String, Object> m, String key) {
        if (!(m.get(key) instanceof Number n)) {
            throw new AssertionError("no number '" + key + "' in the peer's result " + Json.write(m));
        }
        return n.longValue();
    }
}
