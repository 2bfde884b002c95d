/**
 * Loomsocket: WebSocket (RFC 6455) for Java 21 on virtual threads, with no runtime dependencies.
 *
 * <p>{@code io.loomsocket.protocol} and {@code io.loomsocket.handshake} form a sans-I/O core: they
 * turn bytes into events and events into bytes, and never touch a socket.
 */
module io.loomsocket {
    // Optional: protocol.VectorMasking, used only when the module is in the boot layer
    // (--add-modules jdk.incubator.vector); otherwise Masking takes its 8-byte path.
    requires static jdk.incubator.vector;
    // Flight Recorder events of the connections' lives (io.ConnectionEvents); in every JDK.
    requires jdk.jfr;

    exports io.loomsocket;
    exports io.loomsocket.protocol;
    exports io.loomsocket.protocol.deflate;
    exports io.loomsocket.handshake;
    exports io.loomsocket.server;
    exports io.loomsocket.client;
    exports io.loomsocket.broadcast;
    exports io.loomsocket.cluster;
    exports io.loomsocket.redis;
}
