package io.loomsocket.handshake;

import java.util.HashMap;
import java.util.Map;

/**
 * The strings nearly every opening handshake carries (header names, {@code websocket},
 * {@code Upgrade}, {@code 13}, {@code GET}, {@code HTTP/1.1}...), shared: a connection keeps its
 * request head for its whole life ({@code WebSocket.request()}), and an idle connection should
 * not hold a private copy of each of them. A parsed string equal to one of these is replaced by
 * it; the match is exact (case and all), so nothing the application sees changes.
 *
 * <p>Threads: immutable after class initialisation; any thread.
 */
final class CommonStrings {

    private static final Map<String, String> SHARED = new HashMap<>();

    static {
        for (String s : new String[] {
                // request line
                "GET", "HTTP/1.1", "/",
                // header names, as clients send them (and in lower case: HTTP/2-era clients and proxies)
                "Host", "Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version",
                "Sec-WebSocket-Extensions", "Sec-WebSocket-Protocol", "Origin", "User-Agent", "Accept",
                "Accept-Encoding", "Accept-Language", "Cache-Control", "Pragma", "Cookie", "Authorization",
                "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Real-IP",
                "host", "upgrade", "connection", "sec-websocket-key", "sec-websocket-version",
                "sec-websocket-extensions", "sec-websocket-protocol", "origin", "user-agent", "accept",
                "accept-encoding", "accept-language", "cache-control", "pragma", "cookie", "authorization",
                "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-real-ip",
                // values
                "websocket", "Websocket", "WebSocket", "Upgrade", "upgrade", "keep-alive, Upgrade", "13",
                "no-cache", "*/*", "gzip, deflate", "gzip, deflate, br", "gzip, deflate, br, zstd",
                "permessage-deflate", "permessage-deflate; client_max_window_bits",
                "permessage-deflate; client_max_window_bits=15", "http", "https"}) {
            SHARED.put(s, s);
        }
    }

    private CommonStrings() {}

    /** The shared instance equal to {@code s}, or {@code s} itself. */
    static String share(String s) {
        String shared = SHARED.get(s);
        return shared != null ? shared : s;
    }
}
