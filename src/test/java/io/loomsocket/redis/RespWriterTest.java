package io.loomsocket.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link RespWriter}'s exact bytes, and its buffer's life. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RespWriterTest {

    private static String latin1(byte[] b, int len) {
        return new String(b, 0, len, StandardCharsets.ISO_8859_1);
    }

    @Test
    void aJoinedArgumentIsOneBulkStringOfItsPartsInOrder() {
        byte[] joined = RespWriter.command("PUBLISH", "ch", new RespWriter.Joined(new byte[] {'a', '\r'}, new byte[0], new byte[] {'\n', 0}));
        assertThat(joined).isEqualTo(RespWriter.command("PUBLISH", "ch", new byte[] {'a', '\r', '\n', 0}));
        assertThat(new String(joined, StandardCharsets.ISO_8859_1)).isEqualTo("*3\r\n$7\r\nPUBLISH\r\n$2\r\nch\r\n$4\r\na\r\n\0\r\n");
    }

    @Test
    void encodesACommandAsAnArrayOfBulkStrings() {
        assertThat(latin1(RespWriter.command("SET", "key", "value"), RespWriter.command("SET", "key", "value").length))
                .isEqualTo("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n");
        assertThat(RespWriter.command("PING")).isEqualTo("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void stringsAreUtf8AndLengthsAreInBytes() {
        byte[] b = RespWriter.command("SET", "k\u00e9", "\u20ac");
        assertThat(b).isEqualTo(concat("*3\r\n$3\r\nSET\r\n$3\r\nk", "\u00c3\u00a9", "\r\n$3\r\n", "\u00e2\u0082\u00ac", "\r\n"));
    }

    @Test
    void byteArraysAreSentAsIsBinarySafe() {
        byte[] raw = {'\r', '\n', 0, (byte) 0xff, '*'};
        assertThat(RespWriter.command("SET", "k", raw)).isEqualTo(concat("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\n",
                "\r\n\0\u00ff*", "\r\n"));
        assertThat(RespWriter.command("SET", "k", new byte[0])).isEqualTo(concat("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"));
    }

    @Test
    void numbersAreDecimal() {
        assertThat(RespWriter.command("EXPIRE", "k", 10, -3L, Long.MIN_VALUE, Integer.MAX_VALUE)).isEqualTo(concat(
                "*6\r\n$6\r\nEXPIRE\r\n$1\r\nk\r\n$2\r\n10\r\n$2\r\n-3\r\n$20\r\n-9223372036854775808\r\n$10\r\n2147483647\r\n"));
    }

    @Test
    void refusesNullOtherTypesAndNoArgumentsNamingThem() {
        RespWriter w = new RespWriter();
        assertThatThrownBy(() -> w.append("SET", "k", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("argument 2 is null");
        assertThatThrownBy(() -> w.append("SET", "k", 1.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("argument 2 is a java.lang.Double");
        assertThatThrownBy(() -> w.append()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least its name");
        assertThat(w.size()).as("nothing appended by a refused command").isZero();
    }

    @Test
    void appendsCommandsForAPipelineAndResets() throws Exception {
        RespWriter w = new RespWriter();
        w.append("INCR", "a");
        w.append("PUBLISH", "c", 7);
        String expected = "*2\r\n$4\r\nINCR\r\n$1\r\na\r\n*3\r\n$7\r\nPUBLISH\r\n$1\r\nc\r\n$1\r\n7\r\n";
        assertThat(w.size()).isEqualTo(expected.length());
        assertThat(latin1(w.array(), w.size())).isEqualTo(expected);
        w.reset();
        assertThat(w.size()).isZero();
        w.append("PING");
        assertThat(latin1(w.array(), w.size())).isEqualTo("*1\r\n$4\r\nPING\r\n");
    }

    @Test
    void growsForLargeValuesAndGivesTheBufferBackOnReset() throws Exception {
        RespWriter w = new RespWriter();
        byte[] big = new byte[3 * 1024 * 1024];
        Arrays.fill(big, (byte) '\n');
        for (int i = 0; i < 1000; i++) {
            w.append("INCR", "counter:" + i);
        }
        w.append("SET", "big", big);
        RespParser p = new RespParser();
        p.feed(w.array(), 0, w.size());
        for (int i = 0; i < 1000; i++) {
            assertThat(p.next()).isEqualTo(new RespValue.Array(List.of(bulk("INCR"), bulk("counter:" + i))));
        }
        assertThat(p.next()).isEqualTo(new RespValue.Array(List.of(bulk("SET"), bulk("big"), new RespValue.Bulk(big))));
        w.reset();
        assertThat(w.array().length).as("a grown buffer is not kept").isLessThanOrEqualTo(1024 * 1024);
    }

    private static RespValue bulk(String s) {
        return new RespValue.Bulk(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] concat(String... latin1Parts) {
        return String.join("", latin1Parts).getBytes(StandardCharsets.ISO_8859_1);
    }
}
