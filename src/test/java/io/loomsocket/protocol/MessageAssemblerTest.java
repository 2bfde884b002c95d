package io.loomsocket.protocol;

import static io.loomsocket.protocol.FrameTesting.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link MessageAssembler}: reassembly (§5.4), UTF-8 across fragments (§8.1), the size limit (1009). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MessageAssemblerTest {

    private static final int LIMIT = 64 * 1024;

    private static void assertViolation(Runnable r, Violation violation) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.violation()).isEqualTo(violation));
    }

    @Test
    void reassemblesATextMessageFragmentedInsideUtf8Sequences() {
        byte[] text = "κόσμε 😀 done".getBytes(StandardCharsets.UTF_8);
        MessageAssembler a = new MessageAssembler(LIMIT);
        a.startMessage(Opcode.TEXT, 3);
        a.append(text, 0, 3); // splits the 2-byte ό
        assertThat(a.endFrame(false)).isNull();
        assertThat(a.inProgress()).isTrue();
        a.continueMessage(8);
        a.append(text, 3, 5);
        a.append(text, 8, 3); // inside the 4-byte emoji
        assertThat(a.endFrame(false)).isNull();
        a.continueMessage(text.length - 11);
        a.append(text, 11, text.length - 11);
        assertThat(a.endFrame(true)).isEqualTo(new Message.Text("κόσμε 😀 done"));
        assertThat(a.inProgress()).isFalse();
    }

    @Test
    void reassemblesBinaryIncludingEmptyFragmentsAndAnEmptyMessage() {
        MessageAssembler a = new MessageAssembler(LIMIT);
        a.startMessage(Opcode.BINARY, 0);
        assertThat(a.endFrame(false)).isNull();
        a.continueMessage(2);
        a.append(new byte[] {1, 2}, 0, 2);
        assertThat(a.endFrame(false)).isNull();
        a.continueMessage(0);
        assertThat(a.endFrame(true)).isEqualTo(new Message.Binary(new byte[] {1, 2}));

        a.startMessage(Opcode.BINARY, 0);
        assertThat(a.endFrame(true)).isEqualTo(new Message.Binary(new byte[0]));
        a.startMessage(Opcode.TEXT, 0);
        assertThat(a.endFrame(true)).isEqualTo(new Message.Text(""));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"c3", "e2 82", "f0 9f 98", "41 e1"})
    void failsATextMessageThatEndsInsideAUtf8SequenceWith1007(String tail) {
        byte[] b = hex(tail);
        MessageAssembler a = new MessageAssembler(LIMIT);
        a.startMessage(Opcode.TEXT, b.length);
        a.append(b, 0, b.length); // a valid prefix so far
        assertViolation(() -> a.endFrame(true), Violation.INVALID_UTF8);
    }

    @Test
    void aTruncatedSequenceAtTheEndOfANonFinalFragmentIsFine() {
        byte[] b = hex("e2 82 ac");
        MessageAssembler a = new MessageAssembler(LIMIT);
        a.startMessage(Opcode.TEXT, 2);
        a.append(b, 0, 2);
        assertThat(a.endFrame(false)).isNull();
        a.continueMessage(1);
        a.append(b, 2, 1);
        assertThat(a.endFrame(true)).isEqualTo(new Message.Text("€"));
    }

    @Test
    void failsInvalidUtf8AtTheAppendThatBringsIt() {
        MessageAssembler a = new MessageAssembler(LIMIT);
        a.startMessage(Opcode.TEXT, 4);
        a.append(hex("41 42"), 0, 2);
        assertViolation(() -> a.append(hex("ed a0"), 0, 2), Violation.INVALID_UTF8);
    }

    @Test
    void binaryIsNotCheckedAsUtf8() {
        MessageAssembler a = new MessageAssembler(LIMIT);
        a.startMessage(Opcode.BINARY, 2);
        a.append(hex("ff c0"), 0, 2);
        assertThat(a.endFrame(true)).isEqualTo(new Message.Binary(hex("ff c0")));
    }

    @Test
    void rejectsANewMessageInsideAFragmentedOneAndAContinuationWithoutOne() {
        MessageAssembler a = new MessageAssembler(LIMIT);
        assertViolation(() -> a.continueMessage(1), Violation.UNEXPECTED_CONTINUATION);
        MessageAssembler b = new MessageAssembler(LIMIT);
        b.startMessage(Opcode.TEXT, 1);
        b.append(hex("41"), 0, 1);
        b.endFrame(false);
        assertViolation(() -> b.startMessage(Opcode.BINARY, 1), Violation.EXPECTED_CONTINUATION);
    }

    @Test
    void enforcesTheLimitAtEachFrameStartBeforeAnyByteIsBuffered() {
        MessageAssembler a = new MessageAssembler(LIMIT);
        assertViolation(() -> a.startMessage(Opcode.BINARY, LIMIT + 1), Violation.MESSAGE_TOO_BIG);
        assertViolation(() -> a.startMessage(Opcode.BINARY, 1L << 62), Violation.MESSAGE_TOO_BIG);

        MessageAssembler b = new MessageAssembler(LIMIT);
        b.startMessage(Opcode.BINARY, 40_000);
        b.append(new byte[40_000], 0, 40_000);
        b.endFrame(false);
        b.continueMessage(LIMIT - 40_000); // exactly the limit
        b.append(new byte[LIMIT - 40_000], 0, LIMIT - 40_000);
        b.endFrame(false);
        assertViolation(() -> b.continueMessage(1), Violation.MESSAGE_TOO_BIG);
    }

    /**
     * A header may announce up to the limit and then send a byte at a time: what is held grows
     * with what arrived, never with what was announced (past 64 KiB up front).
     */
    @Test
    void aLargeAnnouncedFrameIsNotAllocatedUpFront() {
        long limit = 64L * 1024 * 1024;
        MessageAssembler a = new MessageAssembler(limit);
        a.startMessage(Opcode.BINARY, 60L * 1024 * 1024);
        assertThat(a.bufferCapacity()).as("a header alone costs nothing").isZero();
        for (int i = 0; i < 1_000; i++) {
            a.append(new byte[] {1}, 0, 1);
        }
        assertThat(a.bufferCapacity()).isEqualTo(MessageAssembler.MIN_CHUNK);

        MessageAssembler small = new MessageAssembler(limit);
        small.startMessage(Opcode.BINARY, 100);
        assertThat(small.bufferCapacity()).as("a small frame: exactly its size").isEqualTo(100);

        MessageAssembler lazy = new MessageAssembler(limit);
        lazy.eagerAllocation(false);
        lazy.startMessage(Opcode.BINARY, 100);
        assertThat(lazy.bufferCapacity()).as("not eager: nothing before the bytes").isZero();
        lazy.append(new byte[100], 0, 100);
        assertThat(lazy.bufferCapacity()).as("then exactly what the frame needs").isEqualTo(100);

        MessageAssembler fragmented = new MessageAssembler(limit);
        fragmented.startMessage(Opcode.BINARY, 10);
        fragmented.append(new byte[10], 0, 10);
        fragmented.endFrame(false);
        fragmented.continueMessage(60L * 1024 * 1024); // announced, then dribbled
        fragmented.append(new byte[10], 0, 10);
        assertThat(fragmented.bufferCapacity()).as("the first frame, then one small chunk").isEqualTo(10 + MessageAssembler.MIN_CHUNK);
    }

    /**
     * A fragmented message is held once while it is reassembled: the chunks never hold more than
     * twice what arrived plus one small chunk (the old doubling buffer held up to three times:
     * 137 MiB were measured for one 64 MiB message), and the message is exact at the end.
     */
    @Test
    void aFragmentedMessageIsHeldOnceWhileItIsReassembled() {
        long limit = 64L * 1024 * 1024;
        java.util.Random random = new java.util.Random(16);
        for (int round = 0; round < 20; round++) {
            MessageAssembler a = new MessageAssembler(limit);
            int total = 1 + random.nextInt(8 * 1024 * 1024);
            byte[] message = new byte[total];
            random.nextBytes(message);
            int at = 0;
            boolean first = true;
            while (at < total) {
                int frame = Math.min(total - at, 1 + random.nextInt(random.nextBoolean() ? 100 : 300_000));
                if (first) {
                    a.startMessage(Opcode.BINARY, frame);
                    first = false;
                } else {
                    a.continueMessage(frame);
                }
                for (int done = 0; done < frame; ) {
                    int piece = Math.min(frame - done, 1 + random.nextInt(70_000)); // as the socket reads it
                    a.append(message, at + done, piece);
                    done += piece;
                    assertThat(a.bufferCapacity()).as("round %d: held for %d received", round, at + done)
                            .isLessThanOrEqualTo(Math.max(2L * (at + done) + MessageAssembler.MIN_CHUNK, frame));
                }
                at += frame;
                Message m = a.endFrame(at == total);
                if (at == total) {
                    assertThat(((Message.Binary) m).data()).isEqualTo(message);
                    assertThat(a.bufferCapacity()).isZero();
                } else {
                    assertThat(m).isNull();
                }
            }
        }
    }

    @Test
    void aLargeMessageInOneFrameEndsInOneArrayOfItsSize() {
        MessageAssembler a = new MessageAssembler(64L * 1024 * 1024);
        int size = 3 * 1024 * 1024 + 17;
        byte[] message = new byte[size];
        new java.util.Random(1).nextBytes(message);
        a.startMessage(Opcode.BINARY, size);
        for (int at = 0; at < size; at += 65_536) {
            a.append(message, at, Math.min(65_536, size - at));
            assertThat(a.bufferCapacity()).isLessThanOrEqualTo(Math.max(2L * Math.min(size, at + 65_536), 0) + MessageAssembler.MIN_CHUNK);
        }
        assertThat(a.bufferCapacity()).as("moved into one exact array before its end").isEqualTo(size);
        assertThat(((Message.Binary) a.endFrame(true)).data()).isEqualTo(message);
    }

    @Test
    void resetDropsAMessageInProgress() {
        MessageAssembler a = new MessageAssembler(LIMIT);
        a.startMessage(Opcode.TEXT, 1);
        a.append(hex("e2"), 0, 1);
        a.endFrame(false);
        a.reset();
        assertThat(a.inProgress()).isFalse();
        a.startMessage(Opcode.TEXT, 1);
        a.append(hex("41"), 0, 1);
        assertThat(a.endFrame(true)).isEqualTo(new Message.Text("A"));
    }

    // ------------------------------------------------------------------ regressions

    /**
     * Regression: {@code continueMessage} once checked {@code size + frameLength} against the
     * limit, and the addition overflowed for a continuation announcing close to 2^63 bytes.
     */
    @Test
    void rejectsContinuationWhoseLengthWouldOverflowTheRunningTotal() {
        MessageAssembler a = new MessageAssembler(LIMIT);
        a.startMessage(Opcode.BINARY, 1);
        a.append(new byte[] {7}, 0, 1);
        a.endFrame(false);
        assertViolation(() -> a.continueMessage(Long.MAX_VALUE), Violation.MESSAGE_TOO_BIG);
    }

    /**
     * Regression: the same overflow through a {@link Connection} whose frame size is unlimited
     * and whose message size is 64 KiB must fail with 1009 at the header.
     */
    @Test
    void connectionWithUnlimitedFrameSizeStillEnforcesMessageLimit() {
        ConnectionConfig config = ConnectionConfig.defaults().withMaxFrameSize(Long.MAX_VALUE).withMaxMessageSize(LIMIT);
        Connection c = new Connection(Role.CLIENT, config);
        c.open();
        byte[] first = hex("02 01 00"); // BINARY, not final, 1 byte
        byte[] huge = hex("80 7f 7fffffffffffffff"); // CONTINUATION, final, 2^63-1 bytes
        c.receiveData(first, 0, first.length);
        assertThat(c.isFailed()).isFalse();
        c.receiveData(huge, 0, huge.length);
        assertThat(c.isFailed()).as("failed at the header").isTrue();
        byte[] chunk = new byte[32 * 1024];
        for (int i = 0; i < 4 && !c.isFailed(); i++) {
            c.receiveData(chunk, 0, chunk.length);
        }
        assertThat(c.isFailed()).as("failed after 128 KiB of a message limited to 64 KiB").isTrue();
        assertThat(c.closeSent().code()).isEqualTo(CloseCode.MESSAGE_TOO_BIG);
    }
}
