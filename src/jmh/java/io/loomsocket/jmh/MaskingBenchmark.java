package io.loomsocket.jmh;

import io.loomsocket.protocol.Masking;
import io.loomsocket.protocol.VectorMasking;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Masking (RFC 6455 §5.3) in place: the RFC's byte loop ({@code reference}), 8 bytes at a time
 * ({@code eightBytes}), the Vector API ({@code vector}), what the library uses
 * ({@code dispatch}: vector when the module is present and the range is long enough, else
 * 8-byte), and {@code System.arraycopy} of the same size as the memory-bandwidth yardstick.
 *
 * <p>Score: ns per operation, one operation = {@code size} bytes. GB/s = size / score (bytes per
 * ns = 10^9 bytes per s).
 *
 * <p>The forks get {@code --add-modules=jdk.incubator.vector}. To measure the fallback, override
 * the fork arguments: {@code java -jar target/benchmarks.jar 'MaskingBenchmark.dispatch'
 * -jvmArgsAppend -Dloomsocket.noVectorModule=true} (any {@code -jvmArgsAppend} replaces the one
 * here); the setup prints which implementation {@code dispatch} uses.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 4, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@State(Scope.Thread)
public class MaskingBenchmark {

    @Param({"16", "125", "1024", "16384", "1048576"})
    public int size;

    private byte[] data;
    private byte[] copy;
    private int key;

    @Setup
    public void setup() {
        data = Inputs.randomBytes(size, 42);
        copy = new byte[size];
        key = 0x5A3C_96E1;
        System.out.println("Masking.implementation() = " + Masking.implementation());
    }

    @Benchmark
    public byte[] reference() {
        Masking.maskReference(data, 0, data.length, key, 0);
        return data;
    }

    @Benchmark
    public byte[] eightBytes() {
        Masking.maskScalar(data, 0, data.length, key, 0);
        return data;
    }

    @Benchmark
    public byte[] vector() {
        VectorMasking.mask(data, 0, data.length, key, 0);
        return data;
    }

    @Benchmark
    public byte[] dispatch() {
        Masking.mask(data, 0, data.length, key, 0);
        return data;
    }

    @Benchmark
    public byte[] arraycopy() {
        System.arraycopy(data, 0, copy, 0, data.length);
        return copy;
    }
}
