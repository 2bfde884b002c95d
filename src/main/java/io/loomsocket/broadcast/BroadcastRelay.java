package io.loomsocket.broadcast;

import io.loomsocket.protocol.Opcode;

/**
 * The seam between a {@link BroadcastRegistry} and whatever carries its broadcasts beyond this
 * process (a cluster bridge over Redis pub/sub, say), without the registry knowing of networks.
 *
 * <p>A relay {@linkplain BroadcastRegistry#addRelay is told} of every broadcast published
 * locally to a topic, after local delivery, with the message's type and payload: the frame body,
 * so that a receiving node encodes it once for all of its own subscribers. What arrives from
 * elsewhere goes back in through {@link BroadcastRegistry#deliverLocally}, which reaches local
 * subscribers and no relay, so messages never loop.
 *
 * <p>Called on the publishing thread, with no lock held; it must not block for long (hand the
 * message to a queue of your own). A relay that throws is logged and does not stop the broadcast.
 */
@FunctionalInterface
public interface BroadcastRelay {

    /**
     * A message was broadcast locally to {@code topic}.
     *
     * @param type {@link Opcode#TEXT} or {@link Opcode#BINARY}
     * @param payload the message's bytes (UTF-8 for text); shared, never to be modified
     */
    void published(String topic, Opcode type, byte[] payload);

    /**
     * {@code topic} got its first local member (a cluster bridge starts listening for it
     * elsewhere). Called on the subscribing thread, with no lock held; calls for one topic may
     * race with {@link #topicIdle}: check {@link BroadcastRegistry#size(String)} before acting.
     * A relay added while topics have members learns of them from {@link BroadcastRegistry#topics()}.
     */
    default void topicActive(String topic) {}

    /** {@code topic} lost its last local member; as {@link #topicActive}. */
    default void topicIdle(String topic) {}
}
