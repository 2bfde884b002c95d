package io.loomsocket.server;

import io.loomsocket.handshake.HttpHeaders;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The client's address behind trusted reverse proxies, from the {@code X-Forwarded-For} request
 * header ({@link WebSocketServer.Builder#trustedProxies}).
 *
 * <p>A proxy such as nginx with {@code proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for}
 * appends the address it received the request from to whatever the client sent: the header reads
 * {@code whatever-the-client-claimed, ..., real-client}. So only the entry the trusted proxy added
 * is believed: when the TCP peer is a trusted proxy, the client is the header's rightmost entry
 * (one proxy hop, like nginx's own {@code real_ip_recursive off}). Entries further left are not
 * walked even when they are trusted addresses too: with nginx on the same machine, a client on
 * loopback is itself {@code 127.0.0.1}, and skipping it would believe the address it claimed.
 * (Behind a chain of proxies, let the one in front of the server resolve the chain, e.g. with
 * nginx's realip module, so that the entry it appends is the client.) A request from any other
 * peer, with no header, or whose rightmost entry is not an IP address has no forwarded client:
 * the peer's own address stands. Entries are IP literals only; nothing here looks up a name.
 */
public final class ForwardedFor {

    /**
     * The connection attribute ({@link io.loomsocket.WebSocket#attributes()}) that holds the
     * forwarded client's {@link InetAddress}, set when a trusted proxy named one.
     */
    public static final String CLIENT_ADDRESS = "loomsocket.clientAddress";

    /** The request header read. */
    public static final String HEADER = "X-Forwarded-For";

    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private final Set<InetAddress> trusted;

    private ForwardedFor(Set<InetAddress> trusted) {
        this.trusted = Set.copyOf(trusted);
    }

    /**
     * Trusting the proxies at these addresses ({@code "127.0.0.1"}, {@code "::1"}).
     *
     * @throws IllegalArgumentException naming the value if one is not an IP address literal (a
     *     host name would need a lookup, and could change under the server)
     */
    static ForwardedFor trusting(Collection<String> proxies) {
        Set<InetAddress> addresses = new LinkedHashSet<>();
        for (String p : proxies) {
            addresses.add(literal(p == null ? "" : p.strip()).orElseThrow(() -> new IllegalArgumentException(
                    "trustedProxies: not an IP address: \"" + p + "\" (name each proxy by its address, such as 127.0.0.1)")));
        }
        return new ForwardedFor(addresses);
    }

    /** The trusted proxies' addresses. */
    Set<InetAddress> proxies() {
        return trusted;
    }

    /** The forwarded client: the rightmost entry, when {@code peer} is a trusted proxy (see the class). */
    Optional<InetAddress> client(SocketAddress peer, HttpHeaders headers) {
        if (!(peer instanceof InetSocketAddress p) || p.getAddress() == null || !trusted.contains(p.getAddress())) {
            return Optional.empty();
        }
        List<String> values = headers.all(HEADER); // several fields are one list, in order (RFC 9110 §5.3)
        if (values.isEmpty()) {
            return Optional.empty();
        }
        String last = values.get(values.size() - 1);
        return literal(last.substring(last.lastIndexOf(',') + 1).strip());
    }

    /** An IPv4 or IPv6 literal ({@code [::1]} too), parsed without any name lookup; empty otherwise. */
    static Optional<InetAddress> literal(String s) {
        String t = s.length() > 2 && s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        if (!IPV4.matcher(t).matches() && !IPV6.matcher(t).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(t)); // a literal: parsed, never looked up
        } catch (UnknownHostException e) {
            return Optional.empty(); // "1:2:3"
        }
    }
}
