package io.loomsocket.bench;

import io.loomsocket.protocol.Masking;
import java.util.SplittableRandom;
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
 * Masking throughput: the RFC's byte loop against the 8-bytes-at-a-time path, with
 * {@code System.arraycopy} of the same size as the memory-bandwidth yardstick.
 *
 * <p>Bytes per second = size / (time per op). Run: {@code java -jar target/benchmarks.jar Masking}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class MaskingBenchmark {

    @Param({"16", "125", "1024", "16384", "1048576"})
    public int size;

    private byte[] data;
    private byte[] copy;
    private int key;

    @Setup
    public void setup() {
        SplittableRandom random = new SplittableRandom(42);
        data = new byte[size];
        copy = new byte[size];
        random.nextBytes(data);
        key = random.nextInt();
    }

    @Benchmark
    public byte[] reference() {
        Masking.maskReference(data, 0, data.length, key, 0);
        return data;
    }

    @Benchmark
    public byte[] eightBytesAtATime() {
        Masking.mask(data, 0, data.length, key, 0);
        return data;
    }

    @Benchmark
    public byte[] arraycopyYardstick() {
        System.arraycopy(data, 0, copy, 0, data.length);
        return copy;
    }
}
