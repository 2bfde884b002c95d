package io.loomsocket.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.cluster.InboundQueue.Event;
import io.loomsocket.cluster.InboundQueue.Forget;
import io.loomsocket.cluster.InboundQueue.Lost;
import io.loomsocket.cluster.InboundQueue.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The hand-off's bounds, in messages and in bytes, and its markers. */
class InboundQueueTest {

    private static Message message(String topic, int bytes) {
        return new Message(topic, new byte[bytes], 1);
    }

    private static List<Event> drain(InboundQueue q) throws InterruptedException {
        List<Event> out = new ArrayList<>();
        for (Event e; (e = q.take(0)) != null; ) {
            out.add(e);
        }
        return out;
    }

    @Test
    void boundedInMessages() throws InterruptedException {
        InboundQueue q = new InboundQueue(3, 1_000_000);
        Message m1 = message("a", 1);
        Message m2 = message("a", 1);
        Message m3 = message("a", 1);

        assertThat(q.offer(m1)).isTrue();
        assertThat(q.offer(m2)).isTrue();
        assertThat(q.offer(m3)).isTrue();
        assertThat(q.offer(message("a", 1))).as("the fourth is over the bound").isFalse();
        assertThat(q.offer(message("a", 0))).as("even an empty one").isFalse();
        assertThat(q.queuedBytes()).isEqualTo(3);

        assertThat(q.take(0)).isSameAs(m1);
        Message m4 = message("a", 1);
        assertThat(q.offer(m4)).as("taking one frees room for one").isTrue();
        assertThat(q.offer(message("a", 1))).isFalse();

        assertThat(drain(q)).containsExactly(m2, m3, m4);
        assertThat(q.queuedBytes()).isZero();
    }

    @Test
    void boundedInBytes() throws InterruptedException {
        InboundQueue q = new InboundQueue(100, 10);
        Message six = message("a", 6);
        Message four = message("a", 4);

        assertThat(q.offer(six)).isTrue();
        assertThat(q.offer(message("a", 5))).as("6 + 5 > 10").isFalse();
        assertThat(q.queuedBytes()).as("the refused one is not counted").isEqualTo(6);
        assertThat(q.offer(four)).as("6 + 4 = 10, at the bound").isTrue();
        assertThat(q.offer(message("a", 1))).isFalse();
        assertThat(q.queuedBytes()).isEqualTo(10);

        assertThat(q.take(0)).isSameAs(six);
        assertThat(q.queuedBytes()).isEqualTo(4);
        Message big = message("a", 6);
        assertThat(q.offer(big)).as("taking frees its bytes").isTrue();

        assertThat(drain(q)).containsExactly(four, big);
        assertThat(q.queuedBytes()).isZero();
    }

    @Test
    void aMessageLargerThanTheByteBoundIsRefusedEvenWhenEmpty() throws InterruptedException {
        InboundQueue q = new InboundQueue(100, 10);
        assertThat(q.offer(message("a", 11))).isFalse();
        assertThat(q.queuedBytes()).isZero();
        assertThat(q.take(0)).isNull();
    }

    @Test
    void aMessageRefusedForBytesDoesNotTakeAMessageSlot() throws InterruptedException {
        InboundQueue q = new InboundQueue(2, 10);
        assertThat(q.offer(message("a", 20))).isFalse();
        assertThat(q.offer(message("a", 20))).isFalse();
        assertThat(q.offer(message("a", 1))).isTrue();
        assertThat(q.offer(message("a", 1))).isTrue();
        assertThat(drain(q)).hasSize(2);
    }

    @Test
    void markersAreNeverDroppedAndKeepTheirPlace() throws InterruptedException {
        InboundQueue q = new InboundQueue(2, 10);
        Message m1 = message("a", 5);
        Message m2 = message("b", 5);
        Lost lost = new Lost(List.of("a", "b"), 2);
        Forget forget = new Forget("a");

        assertThat(q.offer(m1)).isTrue();
        q.mark(lost);
        assertThat(q.offer(m2)).isTrue();
        assertThat(q.offer(message("c", 1))).as("full in messages and bytes").isFalse();
        q.mark(forget); // full: a marker still goes in
        q.mark(new Forget("b"));

        assertThat(drain(q)).containsExactly(m1, lost, m2, forget, new Forget("b"));
        assertThat(q.queuedBytes()).isZero();
    }

    @Test
    void markersDoNotCountAgainstTheBounds() throws InterruptedException {
        InboundQueue q = new InboundQueue(1, 1);
        for (int i = 0; i < 1000; i++) {
            q.mark(new Forget("t" + i));
        }
        Message m = message("a", 1);
        assertThat(q.offer(m)).isTrue();
        List<Event> all = drain(q);
        assertThat(all).hasSize(1001).last().isSameAs(m);
    }

    @Test
    void aMessageIsOfferedNotMarked() {
        InboundQueue q = new InboundQueue(1, 1);
        assertThatThrownBy(() -> q.mark(message("a", 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a message is offered, not marked");
    }

    @Test
    void takeOnAnEmptyQueueTimesOutWithNull() throws InterruptedException {
        assertThat(new InboundQueue(1, 1).take(1)).isNull();
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void concurrentOffersNeverPassTheBound() throws InterruptedException {
        InboundQueue q = new InboundQueue(100, 1_000_000);
        AtomicInteger accepted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 1000; i++) {
                    if (q.offer(message("a", 3))) {
                        accepted.incrementAndGet();
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }

        assertThat(accepted.get()).isEqualTo(100);
        assertThat(q.queuedBytes()).isEqualTo(300);
        assertThat(drain(q)).hasSize(100);
    }
}
