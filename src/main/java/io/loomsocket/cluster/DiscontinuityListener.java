package io.loomsocket.cluster;

/**
 * Told of each {@link Discontinuity}: a chat can tell its users that messages may be missing, a
 * resumable topic can ask its clients to fetch history. Called on one of the bridge's threads,
 * with no lock held; it must not block for long.
 */
@FunctionalInterface
public interface DiscontinuityListener {
    void discontinuity(Discontinuity event);
}
