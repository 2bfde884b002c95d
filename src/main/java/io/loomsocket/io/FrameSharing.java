package io.loomsocket.io;

import io.loomsocket.protocol.FrameEncoder;
import io.loomsocket.protocol.Opcode;
import io.loomsocket.protocol.deflate.MessageDeflater;

/**
 * Which receivers of a broadcast can share one encoding of it: those whose {@link
 * BroadcastTarget#sharing()} keys are equal get the same bytes, encoded once per key.
 *
 * <ul>
 *   <li>{@link Plain}: a server-side connection without compression; the plain frame.
 *   <li>{@link Deflated}: a server-side connection with permessage-deflate and no server context
 *       takeover. Each message is compressed from an empty window, so one compressed frame fits
 *       every receiver with the same level, threshold and window (server frames are unmasked).
 *   <li>{@link PerConnection}: a client-side connection (its frames are masked), or a server-side
 *       one with server context takeover, whose compressor's window holds what that connection
 *       sent before: encoded by the connection itself, in its message order
 *       ({@link BroadcastTarget#offerMessage}).
 * </ul>
 */
public sealed interface FrameSharing permits FrameSharing.Plain, FrameSharing.Deflated, FrameSharing.PerConnection {

    FrameSharing PLAIN = new Plain();
    FrameSharing PER_CONNECTION = new PerConnection();

    /** Whether one encoding can go to every receiver with this key ({@link BroadcastTarget#offerFrame}). */
    default boolean shared() {
        return !(this instanceof PerConnection);
    }

    /** The whole message as one shared server frame. */
    byte[] encode(Opcode type, byte[] payload);

    record Plain() implements FrameSharing {
        private static final FrameEncoder ENCODER = FrameEncoder.server();

        @Override
        public byte[] encode(Opcode type, byte[] payload) {
            return ENCODER.encode(true, 0, type, payload, 0, payload.length);
        }
    }

    /**
     * Compressed without context takeover by the rules of {@link MessageDeflater}: messages under
     * {@code threshold}, or (with a window below 15 bits) over 2^maxWindowBits bytes, go plain.
     */
    record Deflated(int level, int threshold, int maxWindowBits) implements FrameSharing {
        private static final FrameEncoder ENCODER = FrameEncoder.server();

        @Override
        public byte[] encode(Opcode type, byte[] payload) {
            MessageDeflater once = new MessageDeflater(level, threshold, true, maxWindowBits);
            if (!once.compresses(payload.length, true)) {
                return Plain.ENCODER.encode(true, 0, type, payload, 0, payload.length);
            }
            byte[] compressed = once.compress(payload, 0, payload.length); // borrows a pooled context, gives it back
            return ENCODER.encode(true, 0b100, type, compressed, 0, compressed.length);
        }
    }

    record PerConnection() implements FrameSharing {
        @Override
        public byte[] encode(Opcode type, byte[] payload) {
            throw new IllegalStateException("encoded by each connection: use offerMessage");
        }
    }
}
