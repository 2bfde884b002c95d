package io.loomsocket.jmh;

import io.loomsocket.protocol.Connection;
import io.loomsocket.protocol.ConnectionConfig;
import io.loomsocket.protocol.FrameDecoder;
import io.loomsocket.protocol.Message;
import io.loomsocket.protocol.Opcode;
import io.loomsocket.protocol.Role;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decoding client frames on the server (header parse + unmask, RFC 6455 §5.2, §5.3): 64 masked
 * binary frames of {@code size} bytes per operation, back to back in one buffer.
 *
 * <ul>
 *   <li>{@code loomsocket}: {@link FrameDecoder} with a listener that only consumes the
 *       callbacks: the codec alone (it unmasks in place and allocates nothing).
 *   <li>{@code loomsocketConnection}: {@link Connection} (server role): the codec plus every
 *       rule check, message assembly and one {@link Message.Binary} (a byte[] copy) per frame.
 *   <li>{@code netty}: {@code WebSocket08FrameDecoder} in an {@code EmbeddedChannel} (expects
 *       masked frames), producing one {@code BinaryWebSocketFrame} per frame, each released.
 * </ul>
 *
 * <p>Score: ns per frame ({@code @OperationsPerInvocation(64)}). Million frames/s = 1000 / score;
 * payload GB/s = size / score. Unmasking in place flips the buffer between masked and unmasked
 * payloads from one operation to the next: the same work each time (XOR is its own inverse).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 4, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@State(Scope.Thread)
public class FrameDecodeBenchmark {

    @Param({"16", "64", "1024", "65536"})
    public int size;

    private byte[] frames;
    private FrameDecoder decoder;
    private Connection connection;
    private EmbeddedChannel netty;
    private final Sink sink = new Sink();

    /** Consumes the decoder's callbacks into a Blackhole. */
    static final class Sink implements FrameDecoder.Listener {
        Blackhole bh;
        int frames;

        @Override
        public void onHeader(boolean fin, int rsv, Opcode opcode, boolean masked, long payloadLength) {
            bh.consume(payloadLength);
        }

        @Override
        public void onPayload(byte[] buf, int off, int len) {
            bh.consume(buf[off]);
        }

        @Override
        public boolean onFrameEnd() {
            frames++;
            return true;
        }
    }

    @Setup
    public void setup(Blackhole bh) {
        frames = Inputs.maskedFrames(size, Inputs.FRAMES);
        sink.bh = bh;
        decoder = new FrameDecoder(sink);
        connection = new Connection(Role.SERVER, ConnectionConfig.defaults());
        connection.open();
        netty = new EmbeddedChannel(new WebSocket08FrameDecoder(WebSocketDecoderConfig.newBuilder()
                .expectMaskedFrames(true)
                .allowMaskMismatch(false)
                .allowExtensions(false)
                .maxFramePayloadLength(1 << 20)
                .build()));
    }

    @TearDown
    public void tearDown() {
        netty.finishAndReleaseAll();
    }

    @Benchmark
    @OperationsPerInvocation(Inputs.FRAMES)
    public int loomsocket() {
        return decoder.feed(frames, 0, frames.length);
    }

    @Benchmark
    @OperationsPerInvocation(Inputs.FRAMES)
    public void loomsocketConnection(Blackhole bh) {
        connection.receiveData(frames, 0, frames.length);
        Message m;
        while ((m = connection.nextEvent()) != null) {
            bh.consume(m);
        }
    }

    @Benchmark
    @OperationsPerInvocation(Inputs.FRAMES)
    public void netty(Blackhole bh) {
        netty.writeInbound(Unpooled.wrappedBuffer(frames));
        Object frame;
        while ((frame = netty.readInbound()) != null) {
            bh.consume(frame);
            ReferenceCountUtil.release(frame);
        }
    }
}
