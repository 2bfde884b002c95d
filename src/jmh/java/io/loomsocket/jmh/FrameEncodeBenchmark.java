package io.loomsocket.jmh;

import io.loomsocket.protocol.FrameEncoder;
import io.loomsocket.protocol.Opcode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
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
 * Encoding server frames (unmasked, RFC 6455 §5.2): 64 final binary frames of {@code size} bytes
 * per operation.
 *
 * <ul>
 *   <li>{@code loomsocket}: {@link FrameEncoder#encode(boolean, int, Opcode, byte[], int, int)},
 *       one new array per frame holding header and payload (what {@code Connection} queues).
 *   <li>{@code loomsocketInto}: the same frames written into one reused buffer.
 *   <li>{@code netty}: {@code WebSocket08FrameEncoder(false)} in an {@code EmbeddedChannel}: a
 *       {@code BinaryWebSocketFrame} wrapping the payload per frame, written with the void
 *       promise, flushed once, the outbound buffers drained and released.
 * </ul>
 *
 * <p>Score: ns per frame. Million frames/s = 1000 / score.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 4, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@State(Scope.Thread)
public class FrameEncodeBenchmark {

    @Param({"16", "64", "1024", "65536"})
    public int size;

    private byte[] payload;
    private byte[] out;
    private final FrameEncoder encoder = FrameEncoder.server();
    private EmbeddedChannel netty;

    @Setup
    public void setup() {
        payload = Inputs.randomBytes(size, 5);
        out = new byte[encoder.encodedSize(size) * Inputs.FRAMES];
        netty = new EmbeddedChannel(new WebSocket08FrameEncoder(false));
    }

    @TearDown
    public void tearDown() {
        netty.finishAndReleaseAll();
    }

    @Benchmark
    @OperationsPerInvocation(Inputs.FRAMES)
    public void loomsocket(Blackhole bh) {
        for (int i = 0; i < Inputs.FRAMES; i++) {
            bh.consume(encoder.encode(true, 0, Opcode.BINARY, payload, 0, payload.length));
        }
    }

    @Benchmark
    @OperationsPerInvocation(Inputs.FRAMES)
    public int loomsocketInto() {
        int p = 0;
        for (int i = 0; i < Inputs.FRAMES; i++) {
            p += encoder.encode(true, 0, Opcode.BINARY, payload, 0, payload.length, out, p);
        }
        return p;
    }

    @Benchmark
    @OperationsPerInvocation(Inputs.FRAMES)
    public void netty(Blackhole bh) {
        for (int i = 0; i < Inputs.FRAMES; i++) {
            netty.write(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(payload)), netty.voidPromise());
        }
        netty.flush();
        Object buf;
        while ((buf = netty.readOutbound()) != null) {
            bh.consume(((ByteBuf) buf).readableBytes());
            ReferenceCountUtil.release(buf);
        }
    }
}
