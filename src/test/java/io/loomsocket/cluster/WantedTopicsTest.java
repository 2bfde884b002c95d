package io.loomsocket.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WantedTopicsTest {

    private static final Channels CH = new Channels("p");
    private static final long LINGER = 1_000;

    private final WantedTopics wanted = new WantedTopics();
    private final Set<String> sent = new HashSet<>();
    private final Map<String, Integer> members = new HashMap<>();

    private WantedTopics.Plan plan(long now) {
        return wanted.plan(sent, CH, now, LINGER, t -> members.getOrDefault(t, 0));
    }

    @Test
    void aWantedTopicIsSubscribedOnce() {
        wanted.want("a");
        assertThat(plan(0)).isEqualTo(new WantedTopics.Plan(List.of("p:t:a"), List.of(), List.of()));
        assertThat(plan(1).isEmpty()).isTrue();
        assertThat(sent).containsExactly("p:t:a");
    }

    @Test
    void anIdleTopicStaysForTheLingerThenGoes() {
        wanted.want("a");
        plan(0);
        wanted.idle("a", 100);
        assertThat(plan(100 + LINGER - 1).isEmpty()).as("still lingering").isTrue();
        assertThat(plan(100 + LINGER)).isEqualTo(new WantedTopics.Plan(List.of(), List.of("p:t:a"), List.of("a")));
        assertThat(wanted.topics()).isEmpty();
        assertThat(sent).isEmpty();
    }

    @Test
    void aTopicThatGotAMemberAgainIsKept() {
        wanted.want("a");
        plan(0);
        wanted.idle("a", 100);
        members.put("a", 1); // its topicActive came before its topicIdle
        assertThat(plan(100 + LINGER).isEmpty()).isTrue();
        assertThat(plan(100 + 10 * LINGER).isEmpty()).as("active again: no linger runs").isTrue();
        assertThat(wanted.topics()).containsExactly("a");
    }

    @Test
    void wantAfterIdleCancelsTheLinger() {
        wanted.want("a");
        plan(0);
        wanted.idle("a", 100);
        wanted.want("a");
        assertThat(plan(100 + LINGER).isEmpty()).isTrue();
        assertThat(wanted.topics()).containsExactly("a");
    }

    @Test
    void aNewConnectionResubscribesEverythingWantedIncludingLingeringTopics() {
        wanted.want("a");
        wanted.want("b");
        plan(0);
        wanted.idle("b", 10);
        sent.clear(); // a new connection
        assertThat(plan(20).subscribe()).containsExactlyInAnyOrder("p:t:a", "p:t:b");
    }

    @Test
    void idleOfATopicNotWantedIsIgnored() {
        wanted.idle("x", 5);
        assertThat(wanted.topics()).isEmpty();
        assertThat(plan(5 + LINGER).isEmpty()).isTrue();
    }
}
