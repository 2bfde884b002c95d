package io.loomsocket.protocol;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Test listener for {@link FrameDecoder}: records every frame it is told about, with its mask bit
 * and announced length, and checks that the callbacks follow the decoder's grammar
 * ({@code onHeader onPayload* onFrameEnd}), that payload never exceeds the announced length, and
 * that payload pieces are never empty. Payload is copied out at once, because the decoder hands it
 * over in the caller's buffer.
 *
 * <p>It judges nothing else: masked and unmasked frames, reserved bits, fragmented control frames
 * are all recorded as they are.
 */
class FrameCollector implements FrameDecoder.Listener {

    /** A frame as the decoder reported it: the frame plus what {@link Frame} does not carry. */
    record Decoded(Frame frame, boolean masked, long announcedLength) {}

    private final List<Decoded> decoded = new ArrayList<>();
    private final int stopAfter;

    private boolean inFrame;
    private boolean fin;
    private int rsv;
    private Opcode opcode;
    private boolean masked;
    private long announced;
    private final ByteArrayOutputStream payload = new ByteArrayOutputStream();
    private int headers;
    private int payloadCalls;

    /** A collector that never stops the decoder. */
    FrameCollector() {
        this(Integer.MAX_VALUE);
    }

    /** A collector whose {@code onFrameEnd} returns false at the {@code stopAfter}-th frame. */
    FrameCollector(int stopAfter) {
        this.stopAfter = stopAfter;
    }

    @Override
    public void onHeader(boolean fin, int rsv, Opcode opcode, boolean masked, long payloadLength) {
        if (inFrame) {
            throw new AssertionError("onHeader inside a frame: " + opcode);
        }
        if ((rsv & ~0b111) != 0) {
            throw new AssertionError("rsv out of range: " + rsv);
        }
        if (payloadLength < 0) {
            throw new AssertionError("negative payload length " + payloadLength);
        }
        inFrame = true;
        this.fin = fin;
        this.rsv = rsv;
        this.opcode = opcode;
        this.masked = masked;
        this.announced = payloadLength;
        payload.reset();
        headers++;
    }

    @Override
    public void onPayload(byte[] buf, int off, int len) {
        if (!inFrame) {
            throw new AssertionError("onPayload outside a frame");
        }
        if (len <= 0) {
            throw new AssertionError("empty or negative payload piece: " + len);
        }
        if (payload.size() + (long) len > announced) {
            throw new AssertionError("payload exceeds the announced " + announced + " bytes");
        }
        payload.write(buf, off, len);
        payloadCalls++;
    }

    @Override
    public boolean onFrameEnd() {
        if (!inFrame) {
            throw new AssertionError("onFrameEnd outside a frame");
        }
        if (payload.size() != announced) {
            throw new AssertionError("frame ended after " + payload.size() + " of " + announced + " bytes");
        }
        inFrame = false;
        decoded.add(new Decoded(new Frame(fin, rsv, opcode, payload.toByteArray()), masked, announced));
        return decoded.size() < stopAfter;
    }

    /** The complete frames so far. */
    List<Frame> frames() {
        return decoded.stream().map(Decoded::frame).toList();
    }

    /** The complete frames so far, with mask bits and announced lengths. */
    List<Decoded> decoded() {
        return List.copyOf(decoded);
    }

    /** Whether a header was reported whose frame has not ended yet. */
    boolean inFrame() {
        return inFrame;
    }

    /** Number of onHeader calls, including a frame still in progress. */
    int headers() {
        return headers;
    }

    /** Number of onPayload calls. */
    int payloadCalls() {
        return payloadCalls;
    }

    /** The header of the frame in progress: its announced length. */
    long announcedLength() {
        return announced;
    }

    /** The payload received so far of the frame in progress. */
    int partialPayloadSize() {
        return payload.size();
    }

    /**
     * The frame in progress, if a header was reported and its frame has not ended: its header and
     * the payload received so far. Null between frames.
     */
    Decoded partial() {
        return inFrame ? new Decoded(new Frame(fin, rsv, opcode, payload.toByteArray()), masked, announced) : null;
    }
}
