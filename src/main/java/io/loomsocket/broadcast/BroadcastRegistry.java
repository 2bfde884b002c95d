package io.loomsocket.broadcast;

import io.loomsocket.SlowConsumerPolicy;
import io.loomsocket.WebSocket;
import io.loomsocket.io.BroadcastTarget;
import io.loomsocket.io.FrameSharing;
import io.loomsocket.protocol.Opcode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Topics (channels) of server-side connections, and broadcasts to them: a chat room, a ticker's
 * subscribers.
 *
 * <pre>{@code
 * BroadcastRegistry rooms = new BroadcastRegistry();
 * WebSocketServer.builder().route("/rooms/{room}", new WebSocketListener() {
 *     public void onOpen(WebSocket ws) { rooms.subscribe(ws.pathParameters().get("room"), ws); }
 *     public void onText(WebSocket ws, String text) { rooms.broadcast(ws.pathParameters().get("room"), text); }
 * }).start();
 * }</pre>
 *
 * <ul>
 *   <li><b>Lock stripes.</b> Membership is kept in N stripes, each a {@link ReentrantLock} and
 *       the topics that hash to it, so subscribing, unsubscribing and broadcasting on different
 *       topics rarely contend on one lock. A lock is held only to change or copy a member set —
 *       never while sending, never while application code runs.
 *   <li><b>Encode once.</b> A broadcast is encoded into one frame, and the same bytes are queued
 *       for every receiver (server frames are unmasked, so they can be shared). With
 *       permessage-deflate, receivers without server context takeover share one compressed
 *       frame per setting (level, threshold, window); a receiver with context takeover is
 *       compressed by its own connection, since its window holds its own history.
 *   <li><b>Never blocks.</b> Each receiver is offered the frame (without waiting for it); one
 *       over its high watermark gets this registry's {@link SlowConsumerPolicy} instead of
 *       slowing the broadcaster. Drops and slow-consumer closes are counted here, per registry.
 *   <li><b>No dead members.</b> A connection leaves every topic when it closes, however it
 *       closes (its handler may have died by an exception), through a close listener.
 *   <li><b>Beyond this process.</b> {@link BroadcastRelay}s observe local broadcasts, and
 *       {@link #deliverLocally} takes messages published elsewhere.
 * </ul>
 */
public final class BroadcastRegistry {

    private static final System.Logger LOG = System.getLogger(BroadcastRegistry.class.getName());

    private final Stripe[] stripes;
    private final SlowConsumerPolicy policy;
    private final Map<BroadcastTarget, Set<String>> topicsOf = new ConcurrentHashMap<>();
    private final Set<BroadcastTarget> watched = ConcurrentHashMap.newKeySet(); // has our close listener
    private final List<BroadcastRelay> relays = new CopyOnWriteArrayList<>();
    private final Counters counters = new Counters();

    private static final class Stripe {
        final ReentrantLock lock = new ReentrantLock();
        final Map<String, Set<BroadcastTarget>> members = new HashMap<>();
    }

    /** Delivery counts of one registry, or of one static broadcast. */
    private static final class Counters {
        final LongAdder queued = new LongAdder();
        final LongAdder refused = new LongAdder();
        final LongAdder dropped = new LongAdder();
        final LongAdder slowClosed = new LongAdder();
    }

    /** Stripes sized to the machine (4 per core, at least 16), closing slow consumers with 1013. */
    public BroadcastRegistry() {
        this(Math.max(16, 4 * Runtime.getRuntime().availableProcessors()), SlowConsumerPolicy.CLOSE_TRY_AGAIN_LATER);
    }

    public BroadcastRegistry(int stripeCount, SlowConsumerPolicy policy) {
        if (stripeCount < 1) {
            throw new IllegalArgumentException("at least one stripe");
        }
        this.stripes = new Stripe[stripeCount];
        for (int i = 0; i < stripeCount; i++) {
            stripes[i] = new Stripe();
        }
        this.policy = java.util.Objects.requireNonNull(policy, "policy");
    }

    public int stripeCount() {
        return stripes.length;
    }

    public SlowConsumerPolicy policy() {
        return policy;
    }

    /**
     * Adds {@code ws}, a server-side connection, to {@code topic}. Returns false if it already
     * was a member, or is closed.
     *
     * @throws IllegalArgumentException if {@code ws} is not a Loomsocket server-side connection
     *     (a topic's members share one unmasked encoding)
     */
    public boolean subscribe(String topic, WebSocket ws) {
        BroadcastTarget target = member(ws);
        if (!target.isOpen()) {
            return false;
        }
        if (watched.add(target)) {
            // Once per connection; runs at once if it has closed meanwhile.
            target.onClosed(() -> {
                leaveAll(target);
                watched.remove(target);
            });
        }
        topicsOf.compute(target, (s, set) -> {
            Set<String> topics = set != null ? set : ConcurrentHashMap.newKeySet();
            topics.add(topic);
            return topics;
        });
        Stripe stripe = stripe(topic);
        boolean added;
        boolean first = false;
        stripe.lock.lock();
        try {
            Set<BroadcastTarget> set = stripe.members.get(topic);
            if (set == null) {
                set = new LinkedHashSet<>();
                stripe.members.put(topic, set);
                first = true;
            }
            added = set.add(target);
        } finally {
            stripe.lock.unlock();
        }
        if (first) {
            tellRelays(topic, true); // outside the lock: a relay may take its own
        }
        if (target.isClosed()) {
            // Closed meanwhile: its close listener may already have run, before this add.
            remove(topic, target);
            leaveAll(target);
            return false;
        }
        return added;
    }

    /** Removes {@code ws} from {@code topic}. Returns whether it was a member. */
    public boolean unsubscribe(String topic, WebSocket ws) {
        BroadcastTarget target = member(ws);
        topicsOf.computeIfPresent(target, (s, topics) -> {
            topics.remove(topic);
            return topics.isEmpty() ? null : topics; // a connection in no topic is not counted
        });
        return remove(topic, target);
    }

    /** Removes {@code ws} from every topic. */
    public void unsubscribeAll(WebSocket ws) {
        leaveAll(member(ws));
    }

    private void leaveAll(BroadcastTarget target) {
        Set<String> topics = topicsOf.remove(target);
        if (topics != null) {
            for (String topic : topics) {
                remove(topic, target);
            }
        }
    }

    private boolean remove(String topic, BroadcastTarget target) {
        Stripe stripe = stripe(topic);
        boolean last = false;
        stripe.lock.lock();
        try {
            Set<BroadcastTarget> set = stripe.members.get(topic);
            if (set == null || !set.remove(target)) {
                return false;
            }
            if (set.isEmpty()) {
                stripe.members.remove(topic);
                last = true;
            }
        } finally {
            stripe.lock.unlock();
        }
        if (last) {
            tellRelays(topic, false);
        }
        return true;
    }

    /**
     * Tells the relays that {@code topic} got its first member, or lost its last. Called with no
     * lock held, so two such calls for one topic may arrive in either order: a relay that acts
     * on one checks {@link #size(String)} when it does.
     */
    private void tellRelays(String topic, boolean active) {
        for (BroadcastRelay relay : relays) {
            try {
                if (active) {
                    relay.topicActive(topic);
                } else {
                    relay.topicIdle(topic);
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "broadcast relay failed", e);
            }
        }
    }

    /** The topics that have members now, in no particular order. */
    public List<String> topics() {
        List<String> all = new ArrayList<>();
        for (Stripe stripe : stripes) {
            stripe.lock.lock();
            try {
                all.addAll(stripe.members.keySet());
            } finally {
                stripe.lock.unlock();
            }
        }
        return all;
    }

    /**
     * Sends {@code text} to every member of {@code topic}, and tells the relays.
     *
     * @return how many members the message was queued for; the others were closing or over their
     *     limit (and got the slow-consumer policy)
     */
    public int broadcast(String topic, String text) {
        return broadcast(topic, text, null);
    }

    /** Sends {@code data} to every member of {@code topic}, and tells the relays; returns as {@link #broadcast(String, String)}. */
    public int broadcast(String topic, byte[] data) {
        return broadcast(topic, data, null);
    }

    /**
     * Sends {@code text} to every member of {@code topic} except {@code exclude} (may be null: the
     * sender of a chat message, say), and tells the relays; returns as {@link #broadcast(String, String)}.
     */
    public int broadcast(String topic, String text, WebSocket exclude) {
        return publish(topic, Opcode.TEXT, text.getBytes(StandardCharsets.UTF_8), exclude);
    }

    /** Sends {@code data} to every member of {@code topic} except {@code exclude} (may be null), and tells the relays. */
    public int broadcast(String topic, byte[] data, WebSocket exclude) {
        return publish(topic, Opcode.BINARY, data, exclude);
    }

    /**
     * Delivers a message published elsewhere (by a relay's other end) to the local members of
     * {@code topic}; no relay is told. Returns how many members it was queued for.
     *
     * @param type {@link Opcode#TEXT} (with a UTF-8 payload) or {@link Opcode#BINARY}
     */
    public int deliverLocally(String topic, Opcode type, byte[] payload) {
        requireData(type);
        return deliver(members(topic, null), type, payload, counters, policy);
    }

    /**
     * {@link #deliverLocally(String, Opcode, byte[])} to the members {@code skip} does not match
     * (a resumable topic skips the members still catching up on what they missed). {@code skip}
     * is called with no lock held.
     */
    public int deliverLocally(String topic, Opcode type, byte[] payload, java.util.function.Predicate<WebSocket> skip) {
        requireData(type);
        List<BroadcastTarget> to = members(topic, null);
        to.removeIf(t -> skip.test((WebSocket) t));
        return deliver(to, type, payload, counters, policy);
    }

    /** Sends {@code text} to every connection subscribed to any topic, except {@code exclude} (may be null). */
    public int broadcastAll(String text, WebSocket exclude) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        List<BroadcastTarget> all = new ArrayList<>(topicsOf.keySet());
        all.remove(exclude instanceof BroadcastTarget t ? t : null);
        return deliver(all, Opcode.TEXT, payload, counters, policy);
    }

    /** Adds a relay told of every local broadcast to a topic (see {@link BroadcastRelay}). */
    public void addRelay(BroadcastRelay relay) {
        relays.add(java.util.Objects.requireNonNull(relay, "relay"));
    }

    public void removeRelay(BroadcastRelay relay) {
        relays.remove(relay);
    }

    private int publish(String topic, Opcode type, byte[] payload, WebSocket exclude) {
        int delivered = deliver(members(topic, exclude), type, payload, counters, policy);
        relay(topic, type, payload);
        return delivered;
    }

    /**
     * Tells the relays of a message published here without delivering it to local members: for
     * a caller that delivers locally by itself (a {@link ResumableTopics} delivers its own
     * rendering, with this node's offsets, and relays the plain payload).
     *
     * @param type {@link Opcode#TEXT} (with a UTF-8 payload) or {@link Opcode#BINARY}
     */
    public void relay(String topic, Opcode type, byte[] payload) {
        requireData(type);
        for (BroadcastRelay relay : relays) {
            try {
                relay.published(topic, type, payload);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "broadcast relay failed", e);
            }
        }
    }

    /**
     * Sends {@code text} to each of {@code connections}, without waiting for any of them, like
     * python-websockets' {@code broadcast()}: server-side connections share one encoding;
     * client-side ones (whose frames are masked) get one each. A receiver over its high
     * watermark gets {@code policy}. Returns how many connections the message was queued for.
     *
     * @throws IllegalArgumentException for a connection that is not a Loomsocket connection
     */
    public static int broadcast(Collection<? extends WebSocket> connections, String text, SlowConsumerPolicy policy) {
        return broadcastTo(connections, Opcode.TEXT, text.getBytes(StandardCharsets.UTF_8), policy);
    }

    /** {@link #broadcast(Collection, String, SlowConsumerPolicy)} for a binary message. */
    public static int broadcast(Collection<? extends WebSocket> connections, byte[] data, SlowConsumerPolicy policy) {
        return broadcastTo(connections, Opcode.BINARY, data, policy);
    }

    private static int broadcastTo(Collection<? extends WebSocket> connections, Opcode type, byte[] payload,
                                   SlowConsumerPolicy policy) {
        java.util.Objects.requireNonNull(policy, "policy");
        List<BroadcastTarget> targets = new ArrayList<>(connections.size());
        for (WebSocket ws : connections) {
            targets.add(target(ws));
        }
        return deliver(targets, type, payload, new Counters(), policy);
    }

    /**
     * Offers the message to each receiver; returns how many took it. Encode once per sharing key
     * ({@code io.loomsocket.io.FrameSharing}): one plain frame for every receiver without compression, one
     * compressed frame per distinct (level, threshold, window) among receivers without server
     * context takeover, and a per-connection encoding for the rest (clients' masked frames, and
     * compressors with context takeover, whose window is that connection's history).
     */
    private static int deliver(List<BroadcastTarget> receivers, Opcode type, byte[] payload, Counters counters,
                               SlowConsumerPolicy policy) {
        FrameSharing firstKey = null;
        byte[] firstFrame = null;
        Map<FrameSharing, byte[]> others = null; // rarely more than one shared key
        int delivered = 0;
        for (BroadcastTarget t : receivers) {
            FrameSharing key = t.sharing();
            BroadcastTarget.Offer offer;
            if (!key.shared()) {
                offer = t.offerMessage(type, payload, policy);
            } else {
                byte[] frame;
                if (firstKey == null || firstKey.equals(key)) {
                    if (firstKey == null) {
                        firstKey = key;
                        firstFrame = key.encode(type, payload);
                    }
                    frame = firstFrame;
                } else {
                    if (others == null) {
                        others = new HashMap<>();
                    }
                    frame = others.computeIfAbsent(key, k -> k.encode(type, payload));
                }
                offer = t.offerFrame(frame, policy);
            }
            delivered += count(offer, counters);
        }
        return delivered;
    }

    private static int count(BroadcastTarget.Offer offer, Counters counters) {
        switch (offer) {
            case QUEUED -> {
                counters.queued.increment();
                return 1;
            }
            case DROPPED -> counters.dropped.increment();
            case SLOW_CLOSED -> counters.slowClosed.increment();
            case CLOSED -> {}
        }
        counters.refused.increment();
        return 0;
    }

    private static void requireData(Opcode type) {
        if (type != Opcode.TEXT && type != Opcode.BINARY) {
            throw new IllegalArgumentException("not a data message type: " + type);
        }
    }

    /** A snapshot of the members of {@code topic}. */
    public List<WebSocket> members(String topic) {
        List<WebSocket> list = new ArrayList<>();
        for (BroadcastTarget t : members(topic, null)) {
            list.add((WebSocket) t);
        }
        return List.copyOf(list);
    }

    private List<BroadcastTarget> members(String topic, WebSocket exclude) {
        Stripe stripe = stripe(topic);
        stripe.lock.lock();
        try {
            Set<BroadcastTarget> set = stripe.members.get(topic);
            if (set == null) {
                return new ArrayList<>(0);
            }
            List<BroadcastTarget> copy = new ArrayList<>(set);
            if (exclude != null) {
                copy.remove(exclude);
            }
            return copy;
        } finally {
            stripe.lock.unlock();
        }
    }

    /** How many connections are members of {@code topic}. */
    public int size(String topic) {
        Stripe stripe = stripe(topic);
        stripe.lock.lock();
        try {
            Set<BroadcastTarget> set = stripe.members.get(topic);
            return set == null ? 0 : set.size();
        } finally {
            stripe.lock.unlock();
        }
    }

    /** How many connections are in at least one topic. */
    public int connectionCount() {
        return topicsOf.size();
    }

    /** How many topics have members. */
    public int topicCount() {
        int n = 0;
        for (Stripe stripe : stripes) {
            stripe.lock.lock();
            try {
                n += stripe.members.size();
            } finally {
                stripe.lock.unlock();
            }
        }
        return n;
    }

    /** Deliveries queued by this registry since creation. */
    public long queuedCount() {
        return counters.queued.sum();
    }

    /** Deliveries refused by this registry since creation: closing receivers, drops and slow-consumer closes. */
    public long refusedCount() {
        return counters.refused.sum();
    }

    /** Messages dropped for slow consumers ({@link SlowConsumerPolicy#DROP}) since creation. */
    public long droppedCount() {
        return counters.dropped.sum();
    }

    /** Connections this registry closed as slow consumers since creation (each counted once). */
    public long slowConsumerClosedCount() {
        return counters.slowClosed.sum();
    }

    private Stripe stripe(String topic) {
        int h = topic.hashCode();
        h ^= h >>> 16;
        return stripes[Math.floorMod(h, stripes.length)];
    }

    private static BroadcastTarget target(WebSocket ws) {
        if (ws instanceof BroadcastTarget t) {
            return t;
        }
        throw new IllegalArgumentException("not a Loomsocket connection: " + ws);
    }

    private static BroadcastTarget member(WebSocket ws) {
        BroadcastTarget t = target(ws);
        if (!t.sharesFrames()) {
            // A topic's members share one encoding, and shared frames are unmasked: servers only.
            throw new IllegalArgumentException("not a Loomsocket server-side connection: " + ws);
        }
        return t;
    }
}
