package io.loomsocket.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MemoryBudgetTest {

    @Test
    void bytesTakenAndGivenBackAreCountedAndTheLimitSaysWhenItIsSpent() {
        MemoryBudget b = new MemoryBudget(100);
        b.take(60);
        assertThat(b.used()).isEqualTo(60);
        assertThat(b.spent()).isFalse();
        b.adjust(40);
        assertThat(b.spent()).as("at the limit").isTrue();
        b.adjust(-1);
        assertThat(b.spent()).isFalse();
        b.give(99);
        assertThat(b.used()).isZero();
        assertThat(b.limit()).isEqualTo(100);
    }

    @Test
    void aBudgetMustBePositive() {
        assertThatThrownBy(() -> new MemoryBudget(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive");
    }

    @Test
    void theUnlimitedBudgetCountsNothingAndIsNeverSpent() {
        MemoryBudget.UNLIMITED.take(Long.MAX_VALUE / 2);
        assertThat(MemoryBudget.UNLIMITED.used()).isZero();
        assertThat(MemoryBudget.UNLIMITED.spent()).isFalse();
    }

    @Test
    void theDefaultIsAFractionOfTheMaxHeapAndAtLeastOneMebibyte() {
        long max = Runtime.getRuntime().maxMemory();
        assertThat(MemoryBudget.fractionOfMaxHeap(0.25)).isEqualTo(Math.max(1L << 20, (long) (max * 0.25)));
        assertThat(MemoryBudget.fractionOfMaxHeap(1e-12)).isEqualTo(1L << 20);
    }

    @Test
    void aWaitingReaderResumesWhenBytesAreGivenBack() throws Exception {
        MemoryBudget b = new MemoryBudget(10);
        b.take(10);
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Boolean> room = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            waiting.countDown();
            try {
                room.complete(b.awaitRoom(TimeUnit.SECONDS.toNanos(20)));
            } catch (InterruptedException e) {
                room.completeExceptionally(e);
            }
        });
        waiting.await();
        b.give(5);
        assertThat(room.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(b.pauses()).isEqualTo(1);
    }

    @Test
    void aReaderThatFindsNoRoomWithinItsGraceIsToldSo() throws Exception {
        MemoryBudget b = new MemoryBudget(10);
        b.take(11);
        assertThat(b.awaitRoom(TimeUnit.MILLISECONDS.toNanos(50))).isFalse();
        b.countClose();
        assertThat(b.pauses()).isEqualTo(1);
        assertThat(b.closes()).isEqualTo(1);
    }

    @Test
    void thereIsRoomAtOnceWhenTheBudgetIsNotSpent() throws Exception {
        MemoryBudget b = new MemoryBudget(10);
        assertThat(b.awaitRoom(0)).isTrue();
    }
}
