package io.loomsocket.jmh;

import io.loomsocket.protocol.ProtocolException;
import io.loomsocket.protocol.Utf8Validator;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
 * UTF-8 validation (RFC 6455 §8.1) of 64 KiB of text: {@code ascii}, {@code mixed} (Latin,
 * Greek, CJK, kana, emoji) and {@code invalid} (mixed, with a surrogate 16 bytes before the end,
 * so that all of it is scanned).
 *
 * <ul>
 *   <li>{@code loomsocket}: a reused {@link Utf8Validator}: reset, update, isComplete.
 *   <li>{@code charsetDecoder}: the JDK's UTF-8 {@link CharsetDecoder} with
 *       {@link CodingErrorAction#REPORT}, decoding into a reused {@link CharBuffer} (it produces
 *       the chars as well; it is the usual way to validate in Java).
 * </ul>
 *
 * <p>Score: ns per operation (one whole text). GB/s = text bytes / score; the byte counts are
 * printed by the setup (ascii 65536, mixed 65535, invalid 65535 with the 64 KiB target).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 4, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 2, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@State(Scope.Thread)
public class Utf8Benchmark {

    @Param({"ascii", "mixed", "invalid"})
    public String text;

    private byte[] bytes;
    private final Utf8Validator validator = new Utf8Validator();
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private CharBuffer chars;
    private ByteBuffer in;

    @Setup
    public void setup() {
        bytes = Inputs.text(text, 64 * 1024);
        chars = CharBuffer.allocate(bytes.length);
        in = ByteBuffer.wrap(bytes);
        System.out.println(text + ": " + bytes.length + " bytes");
        boolean expected = !text.equals("invalid");
        if (loomsocket() != expected || charsetDecoder() != expected) {
            throw new AssertionError("validators disagree on " + text);
        }
    }

    @Benchmark
    public boolean loomsocket() {
        validator.reset();
        try {
            validator.update(bytes, 0, bytes.length);
            return validator.isComplete();
        } catch (ProtocolException e) {
            return false;
        }
    }

    @Benchmark
    public boolean charsetDecoder() {
        decoder.reset();
        in.clear();
        chars.clear();
        CoderResult r = decoder.decode(in, chars, true);
        if (r.isError()) {
            return false;
        }
        return !decoder.flush(chars).isError();
    }
}
