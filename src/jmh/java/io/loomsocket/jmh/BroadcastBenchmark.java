package io.loomsocket.jmh;

import io.loomsocket.protocol.FrameEncoder;
import io.loomsocket.protocol.Opcode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A broadcast of one {@code size}-byte text message to {@code receivers} server connections:
 * the frame encoded once and the same bytes queued for every receiver (server frames are not
 * masked, so they can be shared; what {@code BroadcastRegistry} does), against one encoding per
 * receiver. "Queued" here is a store into the receiver's slot of an array: the cost of queuing
 * itself is not measured.
 *
 * <ul>
 *   <li>{@code loomsocketEncodeOnce} / {@code loomsocketPerReceiver}: {@link FrameEncoder}.
 *   <li>{@code nettyEncodeOnce}: one encoding through {@code WebSocket08FrameEncoder}, then a
 *       {@code retainedDuplicate()} per receiver (released afterwards);
 *       {@code nettyPerReceiver}: one {@code TextWebSocketFrame} encoded per receiver.
 * </ul>
 *
 * <p>Score: ns per broadcast (all receivers).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 4, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@State(Scope.Thread)
public class BroadcastBenchmark {

    @Param({"1000"})
    public int receivers;

    @Param({"100"})
    public int size;

    private byte[] payload;
    private byte[][] queued;
    private ByteBuf[] nettyQueued;
    private final FrameEncoder encoder = FrameEncoder.server();
    private EmbeddedChannel netty;

    @Setup
    public void setup() {
        payload = Inputs.text("ascii", size);
        queued = new byte[receivers][];
        nettyQueued = new ByteBuf[receivers];
        netty = new EmbeddedChannel(new WebSocket08FrameEncoder(false));
    }

    @TearDown
    public void tearDown() {
        netty.finishAndReleaseAll();
    }

    @Benchmark
    public byte[][] loomsocketEncodeOnce() {
        byte[] frame = encoder.encode(true, 0, Opcode.TEXT, payload, 0, payload.length);
        for (int i = 0; i < queued.length; i++) {
            queued[i] = frame;
        }
        return queued;
    }

    @Benchmark
    public byte[][] loomsocketPerReceiver() {
        for (int i = 0; i < queued.length; i++) {
            queued[i] = encoder.encode(true, 0, Opcode.TEXT, payload, 0, payload.length);
        }
        return queued;
    }

    @Benchmark
    public ByteBuf[] nettyEncodeOnce() {
        ByteBuf frame = encodeWithNetty();
        for (int i = 0; i < nettyQueued.length; i++) {
            nettyQueued[i] = frame.retainedDuplicate();
        }
        frame.release();
        releaseAll();
        return nettyQueued;
    }

    @Benchmark
    public ByteBuf[] nettyPerReceiver() {
        for (int i = 0; i < nettyQueued.length; i++) {
            nettyQueued[i] = encodeWithNetty();
        }
        releaseAll();
        return nettyQueued;
    }

    private ByteBuf encodeWithNetty() {
        netty.writeOutbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(payload)));
        ByteBuf out = netty.readOutbound();
        ByteBuf more = netty.readOutbound(); // large payloads come as header + payload
        if (more != null) {
            out = Unpooled.wrappedBuffer(out, more);
        }
        return out;
    }

    /** Stands for the receivers' writers releasing what they were given. */
    private void releaseAll() {
        for (ByteBuf b : nettyQueued) {
            b.release();
        }
    }
}
