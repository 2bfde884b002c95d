package io.loomsocket.peers;

/** The benchmark convention, shared by all peers: what a connection's request path asks for. */
enum Route {
    /** Echo each message once, with the same opcode. */
    ECHO,
    /** Send each message to every other client connected to {@code /broadcast}. */
    BROADCAST,
    /** Send each message to every client connected to {@code /broadcast-all}, the sender too. */
    BROADCAST_ALL;

    /** The route of a request target or path; a query string is ignored. */
    static Route of(String target) {
        String path = target == null ? "/" : target;
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        return switch (path) {
            case "/broadcast" -> BROADCAST;
            case "/broadcast-all" -> BROADCAST_ALL;
            default -> ECHO;
        };
    }
}
