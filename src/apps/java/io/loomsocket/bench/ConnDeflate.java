package io.loomsocket.bench;

import io.loomsocket.handshake.ExtensionOffer;
import io.loomsocket.protocol.Role;
import io.loomsocket.protocol.deflate.DeflateNegotiation;
import io.loomsocket.protocol.deflate.DeflateOptions;
import io.loomsocket.protocol.deflate.DeflateParams;
import io.loomsocket.protocol.deflate.MessageDeflater;
import io.loomsocket.protocol.deflate.MessageInflater;

/**
 * permessage-deflate (RFC 7692) for one connection of the load tool ({@code bench --deflate}),
 * with the library's own codec ({@code protocol.deflate}): messages the tool sends are compressed
 * whole (RSV1 on their single frame, level 6, threshold 64 bytes, as the library's client), and
 * messages the server sent with RSV1 are inflated as they arrive and handed to the workload as if
 * they had come uncompressed, so every byte is still checked.
 *
 * <p>Cost on the tool's side: {@link MessageDeflater#compress} returns a new array per message
 * (the library's sender does the same), and with context takeover each connection keeps its
 * own zlib contexts, about 300 KiB native, released at close. Like the loop, single-threaded.
 */
final class ConnDeflate implements MessageInflater.Sink {

    /** The largest message the tool inflates (the size limit of its inflater). */
    private static final long MAX_MESSAGE = 512L << 20;

    private final LoadLoop.Conn conn;
    private final MessageDeflater deflater;
    private final MessageInflater inflater;
    private boolean receiving; // the message being received had RSV1 on its first frame

    private ConnDeflate(LoadLoop.Conn conn, DeflateParams params, DeflateOptions local) {
        this.conn = conn;
        this.deflater = MessageDeflater.forSender(params, local, Role.CLIENT);
        this.inflater = MessageInflater.forReceiver(params, Role.CLIENT, MAX_MESSAGE);
    }

    /** The client-side options of {@code mode}, or null for {@link BenchOptions.Deflate#OFF}. */
    static DeflateOptions local(BenchOptions.Deflate mode) {
        return switch (mode) {
            case OFF -> null;
            case TAKEOVER -> DeflateOptions.defaults();
            case NO_CONTEXT_TAKEOVER -> DeflateOptions.defaults().withServerNoContextTakeover(true).withClientNoContextTakeover(true);
        };
    }

    /** What a connection offers for {@code local}, or null for none. */
    static ExtensionOffer offer(DeflateOptions local) {
        return local == null ? null : DeflateNegotiation.offer(local);
    }

    /**
     * The compression of {@code conn} after the server's response: null if the server declined.
     *
     * @throws io.loomsocket.handshake.HandshakeException for a response that breaks the offer (§7.1)
     */
    static ConnDeflate negotiate(LoadLoop.Conn conn, java.util.List<ExtensionOffer> accepted, ExtensionOffer offered,
                                 DeflateOptions local) {
        return DeflateNegotiation.validateResponse(accepted, offered).map(p -> new ConnDeflate(conn, p, local)).orElse(null);
    }

    /** Whether a whole message of {@code length} bytes goes out compressed. */
    boolean compresses(int length) {
        return deflater.compresses(length, true);
    }

    /** The compressed payload of a whole message, trailer removed (a new array). */
    byte[] compress(byte[] payload, int off, int len) {
        return deflater.compress(payload, off, len);
    }

    /** A data frame's RSV bits: whether they are allowed, remembering RSV1 on a first frame. */
    boolean acceptRsv(int rsv, boolean firstFrame) {
        if (firstFrame) {
            receiving = rsv == io.loomsocket.protocol.Frame.RSV1;
            if (receiving) {
                inflater.startMessage();
            }
            return rsv == 0 || receiving;
        }
        return rsv == 0;
    }

    /** Whether the message being received is compressed. */
    boolean receiving() {
        return receiving;
    }

    void inflate(byte[] buf, int off, int len) {
        inflater.inflate(buf, off, len, this);
    }

    void endMessage() {
        if (receiving) {
            inflater.endMessage(this);
            receiving = false;
        }
    }

    /** Inflated bytes go to the workload as the message's next payload. */
    @Override
    public void accept(byte[] buf, int off, int len) {
        conn.loop.onData(conn, buf, off, len, conn.messagePos);
        conn.messagePos += len;
    }

    /** Ends the native contexts. Idempotent. */
    void release() {
        deflater.release();
        inflater.release();
    }
}
