package io.loomsocket.redis;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Where a Redis server is and how to log in:
 * {@code redis://[user:password@]host[:port][/prefix]}, or {@code redis://:password@host:port}
 * (a password alone, for {@code requirepass}: {@code user} is null).
 *
 * <p><b>The path is our key prefix, not a database number.</b> Other clients read
 * {@code redis://host/2} as {@code SELECT 2}; here the path's first segment is the prefix of
 * every key and channel Loomsocket uses ({@code loomsocket} when there is no path), so that
 * several deployments can share one server (and Redis Cluster, which has only database 0, works
 * the same). {@link #database} is always 0.
 *
 * <p>User and password are percent-decoded (UTF-8): a password containing {@code @}, {@code :}
 * or {@code /} is written {@code %40}, {@code %3A}, {@code %2F}. An IPv6 host is written in
 * brackets, {@code redis://[::1]:6379}, and stored without them. {@link #toString} prints
 * {@code ***} for the password. {@code rediss://} (TLS) is refused: not supported yet.
 *
 * @param host     host name or address, without brackets
 * @param port     TCP port, 6379 by default
 * @param user     ACL user name, or null (the {@code default} user)
 * @param password password, or null for none
 * @param prefix   key and channel prefix, {@code loomsocket} by default; never empty
 * @param database always 0 (see above)
 */
public record RedisUri(String host, int port, String user, String password, String prefix, int database) {

    public static final int DEFAULT_PORT = 6379;
    public static final String DEFAULT_PREFIX = "loomsocket";

    public RedisUri {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(prefix, "prefix");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("the host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("bad port " + port + " (1 to 65535)");
        }
        if (prefix.isEmpty()) {
            throw new IllegalArgumentException("the prefix is empty");
        }
        if (database != 0) {
            throw new IllegalArgumentException("database must be 0 (the URI's path is the key prefix, not a database)");
        }
        if (user != null && password == null) {
            throw new IllegalArgumentException("a user without a password");
        }
    }

    /** The server at {@code host:port}, no credentials, the default prefix. */
    public static RedisUri of(String host, int port) {
        return new RedisUri(host, port, null, null, DEFAULT_PREFIX, 0);
    }

    /** The same server and prefix with other credentials ({@code user} may be null). */
    public RedisUri withCredentials(String user, String password) {
        return new RedisUri(host, port, user, password, prefix, database);
    }

    /** The same server and credentials with another key prefix. */
    public RedisUri withPrefix(String prefix) {
        return new RedisUri(host, port, user, password, prefix, database);
    }

    /**
     * Parses a {@code redis://} URI (see the class comment).
     *
     * @throws IllegalArgumentException naming what is wrong (never quoting the password)
     */
    public static RedisUri parse(String uri) {
        Objects.requireNonNull(uri, "uri");
        int sep = uri.indexOf("://");
        if (sep < 0) {
            throw new IllegalArgumentException("not a redis:// URI (no \"://\"): " + redact(uri));
        }
        String scheme = uri.substring(0, sep).toLowerCase(java.util.Locale.ROOT);
        if (scheme.equals("rediss")) {
            throw new IllegalArgumentException("TLS to Redis is not supported yet (rediss://); use redis://");
        }
        if (!scheme.equals("redis")) {
            throw new IllegalArgumentException("the scheme must be redis, not " + scheme + ": " + redact(uri));
        }
        String rest = uri.substring(sep + 3);
        int q = indexOfAny(rest, "?#");
        if (q >= 0) {
            throw new IllegalArgumentException("a query or fragment (" + rest.charAt(q) + "...) is not supported: " + redact(uri));
        }
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash + 1);

        String user = null;
        String password = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("the user info must be user:password or :password, not a single word: "
                        + redact(uri));
            }
            String u = decode(userInfo.substring(0, colon), "user");
            String p = decode(userInfo.substring(colon + 1), "password");
            user = u.isEmpty() ? null : u;
            password = p.isEmpty() ? null : p;
            if (user != null && password == null) {
                throw new IllegalArgumentException("the user " + user + " has an empty password: " + redact(uri));
            }
        }

        String host;
        String portText = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("an IPv6 address without its closing ']': " + redact(uri));
            }
            host = authority.substring(1, close);
            String after = authority.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new IllegalArgumentException("unexpected " + after + " after the IPv6 address: " + redact(uri));
                }
                portText = after.substring(1);
            }
        } else {
            int colon = authority.indexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            portText = colon < 0 ? null : authority.substring(colon + 1);
            if (host.indexOf(':') >= 0 || (portText != null && portText.indexOf(':') >= 0)) {
                throw new IllegalArgumentException("an IPv6 address must be in brackets, [::1]: " + redact(uri));
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("the host is missing: " + redact(uri));
        }
        int port = portText == null ? DEFAULT_PORT : parsePort(portText, uri);

        int segmentEnd = path.indexOf('/');
        String prefix = decode(segmentEnd < 0 ? path : path.substring(0, segmentEnd), "prefix");
        if (prefix.isEmpty()) {
            prefix = DEFAULT_PREFIX;
        }
        return new RedisUri(host, port, user, password, prefix, 0);
    }

    /** {@code redis://user:***@host:port/prefix}: the password never printed. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("redis://");
        if (password != null) {
            sb.append(user == null ? "" : encodeUser(user)).append(":***@");
        }
        sb.append(host.indexOf(':') >= 0 ? "[" + host + "]" : host).append(':').append(port);
        return sb.append('/').append(prefix).toString();
    }

    private static String encodeUser(String user) {
        return user.replace("%", "%25").replace(":", "%3A").replace("@", "%40").replace("/", "%2F");
    }

    private static int parsePort(String text, String uri) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("bad port '" + text + "' (1 to 65535): " + redact(uri));
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("bad port " + port + " (1 to 65535): " + redact(uri));
        }
        return port;
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    /** Percent-decoding as in a URI (a '+' stays a '+'), into UTF-8. */
    private static String decode(String s, String what) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(s.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    throw new IllegalArgumentException("bad percent-encoding in the " + what + " (% must be followed by two hex digits)");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                    b = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The URI with its user info replaced, for error messages. */
    private static String redact(String uri) {
        int sep = uri.indexOf("://");
        int from = sep < 0 ? 0 : sep + 3;
        int slash = uri.indexOf('/', from);
        int at = uri.lastIndexOf('@', slash < 0 ? uri.length() : slash);
        return at >= from ? uri.substring(0, from) + "***@" + uri.substring(at + 1) : uri;
    }
}
