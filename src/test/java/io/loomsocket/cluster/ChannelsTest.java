package io.loomsocket.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The Redis channel names, and reading a topic back from one. */
class ChannelsTest {

    private final Channels channels = new Channels("ls");

    @Test
    void aTopicHasItsOwnChannel() {
        assertThat(channels.topic("room")).isEqualTo("ls:t:room");
        assertThat(channels.topic("a:b:c")).isEqualTo("ls:t:a:b:c");
        assertThat(channels.topic("")).isEqualTo("ls:t:");
        assertThat(new Channels("app:prod").topic("x")).isEqualTo("app:prod:t:x");
    }

    @Test
    void topicOfReadsTheTopicBack() {
        for (String topic : new String[] {"room", "a:b:c", "", "t:", "ls:t:nested", "ünï"}) {
            assertThat(channels.topicOf(channels.topic(topic))).as(topic).isEqualTo(topic);
        }
    }

    @Test
    void topicOfIsNullForAnyOtherChannel() {
        assertThat(channels.topicOf("ls:probe:ff")).isNull();
        assertThat(channels.topicOf("other:t:room")).isNull();
        assertThat(channels.topicOf("lsx:t:room")).as("a longer prefix is another prefix").isNull();
        assertThat(channels.topicOf("xls:t:room")).isNull();
        assertThat(channels.topicOf("ls:t")).isNull();
        assertThat(channels.topicOf("ls:")).isNull();
        assertThat(channels.topicOf("")).isNull();
        assertThat(new Channels("app:prod").topicOf("app:t:x")).isNull();
    }

    @Test
    void aProbeChannelIsPerNodeInHex() {
        assertThat(channels.probe(255)).isEqualTo("ls:probe:ff");
        assertThat(channels.probe(0x1234abcdL)).isEqualTo("ls:probe:1234abcd");
        assertThat(channels.probe(-1)).isEqualTo("ls:probe:ffffffffffffffff");
        assertThat(channels.topicOf(channels.probe(1))).isNull();
    }
}
