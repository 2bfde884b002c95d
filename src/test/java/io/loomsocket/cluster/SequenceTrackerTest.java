package io.loomsocket.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.cluster.SequenceTracker.Seen;
import org.junit.jupiter.api.Test;

/** What each sequence number means, per topic and origin, and which gaps get an event. */
class SequenceTrackerTest {

    private static final long A = 0xAAAAL;
    private static final long B = 0xBBBBL;

    private final SequenceTracker tracker = new SequenceTracker();

    @Test
    void messagesInOrderAreInOrder() {
        for (long s = 1; s <= 5; s++) {
            assertThat(tracker.observe("t", A, s, 0)).isEqualTo(Seen.IN_ORDER);
        }
        assertThat(tracker.topicCount()).isEqualTo(1);
    }

    @Test
    void aRepeatedOrOlderSequenceIsADuplicate() {
        tracker.observe("t", A, 1, 0);
        tracker.observe("t", A, 2, 0);
        tracker.observe("t", A, 3, 0);

        assertThat(tracker.observe("t", A, 3, 0)).isEqualTo(Seen.DUPLICATE);
        assertThat(tracker.observe("t", A, 1, 0)).isEqualTo(Seen.DUPLICATE);
        assertThat(tracker.observe("t", A, 4, 0)).as("a duplicate does not move the last one").isEqualTo(Seen.IN_ORDER);
        assertThat(Seen.DUPLICATE.duplicate()).isTrue();
        assertThat(Seen.DUPLICATE.gap()).isZero();
        assertThat(Seen.DUPLICATE.newEvent()).isFalse();
    }

    @Test
    void aGapIsCountedAndGivesAnEvent() {
        tracker.observe("t", A, 1, 0);
        tracker.observe("t", A, 2, 0);

        assertThat(tracker.observe("t", A, 5, 0)).isEqualTo(new Seen(false, 2, true));
        assertThat(tracker.observe("t", A, 6, 0)).isEqualTo(Seen.IN_ORDER);
        assertThat(tracker.observe("t", A, 8, 0)).as("every gap outside an outage: its own event")
                .isEqualTo(new Seen(false, 1, true));
        assertThat(tracker.observe("t", A, 7, 0)).as("too late: already past it").isEqualTo(Seen.DUPLICATE);
    }

    @Test
    void originsAndTopicsAreTrackedApart() {
        tracker.observe("t", A, 1, 0);
        tracker.observe("t", B, 10, 0);
        tracker.observe("u", A, 100, 0);

        assertThat(tracker.observe("t", A, 2, 0)).isEqualTo(Seen.IN_ORDER);
        assertThat(tracker.observe("t", B, 11, 0)).isEqualTo(Seen.IN_ORDER);
        assertThat(tracker.observe("u", A, 101, 0)).isEqualTo(Seen.IN_ORDER);
        assertThat(tracker.observe("u", A, 103, 0)).isEqualTo(new Seen(false, 1, true));
        assertThat(tracker.topicCount()).isEqualTo(2);
    }

    @Test
    void afterALossTheFirstGapOfEachOriginIsCoveredButALaterGapIsNot() {
        tracker.observe("t", A, 1, 0);
        tracker.observe("t", A, 2, 0);
        tracker.observe("t", B, 1, 0);

        tracker.lost("t", 1);

        assertThat(tracker.observe("t", A, 6, 1)).as("the outage's gap of A: counted, no second event")
                .isEqualTo(new Seen(false, 3, false));
        assertThat(tracker.observe("t", B, 3, 1)).as("the outage's gap of B: counted, no second event")
                .isEqualTo(new Seen(false, 1, false));
        assertThat(tracker.observe("t", A, 7, 1)).isEqualTo(Seen.IN_ORDER);
        assertThat(tracker.observe("t", A, 10, 1)).as("a later gap in the same generation: an event of its own")
                .isEqualTo(new Seen(false, 2, true));
        assertThat(tracker.observe("t", B, 5, 1)).as("B's second gap too")
                .isEqualTo(new Seen(false, 1, true));
    }

    @Test
    void afterALossAFirstMessageInOrderUsesUpTheCover() {
        tracker.observe("t", A, 1, 0);
        tracker.lost("t", 1);

        assertThat(tracker.observe("t", A, 2, 1)).isEqualTo(Seen.IN_ORDER);
        assertThat(tracker.observe("t", A, 4, 1)).isEqualTo(new Seen(false, 1, true));
    }

    @Test
    void aLossOnAnotherTopicCoversNothingHere() {
        tracker.observe("t", A, 1, 0);
        tracker.observe("u", A, 1, 0);
        tracker.lost("u", 1);

        assertThat(tracker.observe("t", A, 3, 1)).isEqualTo(new Seen(false, 1, true));
        assertThat(tracker.observe("u", A, 3, 1)).isEqualTo(new Seen(false, 1, false));
    }

    @Test
    void aGapOfALaterGenerationWithoutALossIsAnEvent() {
        tracker.observe("t", A, 1, 0);
        tracker.lost("t", 1);
        tracker.observe("t", A, 2, 1);

        assertThat(tracker.observe("t", A, 5, 2)).as("generation 2 was never reported lost")
                .isEqualTo(new Seen(false, 2, true));
    }

    @Test
    void aNewOriginMidStreamShowsNoGap() {
        tracker.observe("t", A, 1, 0);
        tracker.observe("t", A, 2, 0);

        assertThat(tracker.observe("t", B, 5000, 0)).as("what came before B's first is not ours to miss")
                .isEqualTo(Seen.IN_ORDER);
        assertThat(tracker.observe("t", B, 5001, 0)).isEqualTo(Seen.IN_ORDER);
        assertThat(tracker.observe("t", B, 5003, 0)).isEqualTo(new Seen(false, 1, true));
    }

    @Test
    void aForgottenTopicStartsAfresh() {
        tracker.observe("t", A, 1, 0);
        tracker.observe("t", A, 2, 0);
        tracker.observe("u", A, 1, 0);

        tracker.forget("t");

        assertThat(tracker.topicCount()).isEqualTo(1);
        assertThat(tracker.observe("t", A, 50, 0)).as("no gap from before the new subscription").isEqualTo(Seen.IN_ORDER);
        assertThat(tracker.observe("t", A, 2, 0)).isEqualTo(Seen.DUPLICATE);
        assertThat(tracker.observe("u", A, 2, 0)).as("other topics are kept").isEqualTo(Seen.IN_ORDER);
        assertThat(tracker.topicCount()).isEqualTo(2);
    }

    @Test
    void forgettingDropsAPendingLoss() {
        tracker.observe("t", A, 1, 0);
        tracker.lost("t", 1);
        tracker.forget("t");
        assertThat(tracker.topicCount()).isZero();

        tracker.observe("t", A, 10, 1);
        assertThat(tracker.observe("t", A, 12, 1)).isEqualTo(new Seen(false, 1, true));
    }

    @Test
    void pastTheOriginCapTheStalestOriginIsForgotten() {
        int cap = SequenceTracker.MAX_ORIGINS_PER_TOPIC;
        for (long o = 1; o <= cap; o++) {
            assertThat(tracker.observe("t", o, 1, 0)).isEqualTo(Seen.IN_ORDER);
        }
        // Every origin kept up to the cap: each is still known (its next message is in order).
        for (long o = 1; o <= cap; o++) {
            assertThat(tracker.observe("t", o, 2, 0)).as("origin %d", o).isEqualTo(Seen.IN_ORDER);
        }
        // Origin 1 was touched first in the second round; touching it again makes origin 2 the stalest.
        tracker.observe("t", 1, 3, 0);

        assertThat(tracker.observe("t", 100_000, 1, 0)).isEqualTo(Seen.IN_ORDER); // past the cap

        assertThat(tracker.observe("t", 1, 5, 0)).as("origin 1 was kept").isEqualTo(new Seen(false, 1, true));
        assertThat(tracker.observe("t", 3, 4, 0)).as("origin 3 was kept").isEqualTo(new Seen(false, 1, true));
        assertThat(tracker.observe("t", 100_000, 2, 0)).as("the newcomer is kept").isEqualTo(Seen.IN_ORDER);
        assertThat(tracker.observe("t", 2, 9, 0)).as("origin 2, the stalest, was forgotten: a newcomer again, no gap")
                .isEqualTo(Seen.IN_ORDER);
    }

    @Test
    void theCapIsPerTopic() {
        int cap = SequenceTracker.MAX_ORIGINS_PER_TOPIC;
        for (long o = 1; o <= cap; o++) {
            tracker.observe("t", o, 1, 0);
        }
        for (long o = cap + 1; o <= 2L * cap; o++) {
            tracker.observe("u", o, 1, 0);
        }

        assertThat(tracker.observe("t", 1, 3, 0)).as("another topic's origins do not count here")
                .isEqualTo(new Seen(false, 1, true));
    }
}
