package io.loomsocket.jmh;

import io.loomsocket.protocol.Connection;
import io.loomsocket.protocol.ConnectionConfig;
import io.loomsocket.protocol.Message;
import io.loomsocket.protocol.Role;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.util.ReferenceCountUtil;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Whole-message assembly of fragmented input (RFC 6455 §5.4): one 64 KiB binary message in
 * {@code fragments} masked frames per operation, decoded and reassembled on the server.
 *
 * <ul>
 *   <li>{@code loomsocket}: {@link Connection} (server role), one {@link Message.Binary} out.
 *   <li>{@code netty}: {@code WebSocket08FrameDecoder} + {@code WebSocketFrameAggregator} in an
 *       {@code EmbeddedChannel}, one aggregated frame out, released.
 * </ul>
 *
 * <p>Score: ns per message. GB/s = 65536 / score.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 4, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@State(Scope.Thread)
public class AssemblyBenchmark {

    static final int MESSAGE_SIZE = 64 * 1024;

    @Param({"16"})
    public int fragments;

    private byte[] input;
    private Connection connection;
    private EmbeddedChannel netty;

    @Setup
    public void setup() {
        input = Inputs.fragmentedMessage(MESSAGE_SIZE, fragments);
        connection = new Connection(Role.SERVER, ConnectionConfig.defaults());
        connection.open();
        netty = new EmbeddedChannel(
                new WebSocket08FrameDecoder(WebSocketDecoderConfig.newBuilder()
                        .expectMaskedFrames(true)
                        .allowMaskMismatch(false)
                        .maxFramePayloadLength(1 << 20)
                        .build()),
                new WebSocketFrameAggregator(1 << 20));
    }

    @TearDown
    public void tearDown() {
        netty.finishAndReleaseAll();
    }

    @Benchmark
    public Message loomsocket() {
        connection.receiveData(input, 0, input.length);
        Message m = connection.nextEvent();
        if (m == null || connection.hasEvents()) {
            throw new AssertionError("expected exactly one message");
        }
        return m;
    }

    @Benchmark
    public void netty(Blackhole bh) {
        netty.writeInbound(Unpooled.wrappedBuffer(input));
        Object m = netty.readInbound();
        if (m == null || netty.readInbound() != null) {
            throw new AssertionError("expected exactly one message");
        }
        bh.consume(m);
        ReferenceCountUtil.release(m);
    }
}
