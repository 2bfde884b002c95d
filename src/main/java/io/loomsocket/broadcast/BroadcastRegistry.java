package io.loomsocket.broadcast;

import io.loomsocket.SlowConsumerPolicy;
import io.loomsocket.WebSocket;
import io.loomsocket.io.SocketSession;
import io.loomsocket.protocol.ConnectionState;
import io.loomsocket.protocol.FrameEncoder;
import io.loomsocket.protocol.Opcode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Topics (channels) of server-side connections, and broadcasts to them.
 *
 * <ul>
 *   <li><b>Lock stripes.</b> Membership is kept in N stripes, each a {@link ReentrantLock} and
 *       the topics that hash to it, so subscribing, unsubscribing and broadcasting on different
 *       topics rarely contend on one lock. A lock is held only to change or copy a member set —
 *       never while sending, never while application code runs.
 *   <li><b>Encode once.</b> A broadcast is encoded into one frame, and the same bytes are queued
 *       for every receiver (server frames are unmasked, so they can be shared). Receivers are
 *       grouped by the encoding they need; today every connection has the plain RFC 6455
 *       encoding, so one encoding serves all. (A negotiated extension such as
 *       permessage-deflate would add groups, each encoded once.)
 *   <li><b>Never blocks.</b> Queuing is {@link SocketSession#offer}: a receiver over its high
 *       watermark gets the {@link SlowConsumerPolicy} instead of slowing the broadcaster.
 *   <li><b>No dead members.</b> A connection leaves every topic when it closes, however it
 *       closes (its handler may have died by an exception), through a close listener.
 * </ul>
 */
public final class BroadcastRegistry {

    private static final FrameEncoder ENCODER = FrameEncoder.server();

    private final Stripe[] stripes;
    private final SlowConsumerPolicy policy;
    private final Map<SocketSession, Set<String>> topicsOf = new ConcurrentHashMap<>();
    private final Set<SocketSession> watched = ConcurrentHashMap.newKeySet(); // has our close listener
    private final LongAdder queued = new LongAdder();
    private final LongAdder refused = new LongAdder();

    private static final class Stripe {
        final ReentrantLock lock = new ReentrantLock();
        final Map<String, Set<SocketSession>> members = new HashMap<>();
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
        this.policy = policy;
    }

    public int stripeCount() {
        return stripes.length;
    }

    public SlowConsumerPolicy policy() {
        return policy;
    }

    /** Adds {@code ws} to {@code topic}. Returns false if it already was a member, or is closed. */
    public boolean subscribe(String topic, WebSocket ws) {
        SocketSession session = session(ws);
        if (session.state() != ConnectionState.OPEN) {
            return false;
        }
        if (watched.add(session)) {
            // Once per connection; runs at once if it has closed meanwhile.
            session.onClosed(() -> {
                leaveAll(session);
                watched.remove(session);
            });
        }
        topicsOf.compute(session, (s, set) -> {
            Set<String> topics = set != null ? set : ConcurrentHashMap.newKeySet();
            topics.add(topic);
            return topics;
        });
        Stripe stripe = stripe(topic);
        boolean added;
        stripe.lock.lock();
        try {
            added = stripe.members.computeIfAbsent(topic, t -> new LinkedHashSet<>()).add(session);
        } finally {
            stripe.lock.unlock();
        }
        if (session.state() == ConnectionState.CLOSED) {
            // Closed meanwhile: its close listener may already have run, before this add.
            remove(topic, session);
            leaveAll(session);
            return false;
        }
        return added;
    }

    /** Removes {@code ws} from {@code topic}. Returns whether it was a member. */
    public boolean unsubscribe(String topic, WebSocket ws) {
        SocketSession session = session(ws);
        topicsOf.computeIfPresent(session, (s, topics) -> {
            topics.remove(topic);
            return topics.isEmpty() ? null : topics; // a connection in no topic is not counted
        });
        return remove(topic, session);
    }

    /** Removes {@code ws} from every topic. */
    public void unsubscribeAll(WebSocket ws) {
        leaveAll(session(ws));
    }

    private void leaveAll(SocketSession session) {
        Set<String> topics = topicsOf.remove(session);
        if (topics != null) {
            for (String topic : topics) {
                remove(topic, session);
            }
        }
    }

    private boolean remove(String topic, SocketSession session) {
        Stripe stripe = stripe(topic);
        stripe.lock.lock();
        try {
            Set<SocketSession> set = stripe.members.get(topic);
            if (set == null || !set.remove(session)) {
                return false;
            }
            if (set.isEmpty()) {
                stripe.members.remove(topic);
            }
            return true;
        } finally {
            stripe.lock.unlock();
        }
    }

    /** Sends {@code text} to every member of {@code topic} except {@code exclude} (may be null). */
    public int broadcast(String topic, String text, WebSocket exclude) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        return deliver(sessions(topic), ENCODER.encode(true, 0, Opcode.TEXT, payload, 0, payload.length), exclude);
    }

    /** Sends {@code data} to every member of {@code topic} except {@code exclude} (may be null). */
    public int broadcast(String topic, byte[] data, WebSocket exclude) {
        return deliver(sessions(topic), ENCODER.encode(true, 0, Opcode.BINARY, data, 0, data.length), exclude);
    }

    /** Sends {@code text} to every connection subscribed to any topic, except {@code exclude}. */
    public int broadcastAll(String text, WebSocket exclude) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        return deliver(new ArrayList<>(topicsOf.keySet()), ENCODER.encode(true, 0, Opcode.TEXT, payload, 0, payload.length), exclude);
    }

    /**
     * Queues one shared frame for each receiver. Returns how many took it; the others were closed
     * or over their limit (and got the policy).
     */
    private int deliver(List<SocketSession> receivers, byte[] frame, WebSocket exclude) {
        int delivered = 0;
        for (SocketSession s : receivers) {
            if (s == exclude) {
                continue;
            }
            if (s.offer(frame, policy)) {
                delivered++;
            } else {
                refused.increment();
            }
        }
        queued.add(delivered);
        return delivered;
    }

    /** A snapshot of the members of {@code topic}. */
    public List<WebSocket> members(String topic) {
        return List.copyOf(sessions(topic));
    }

    private List<SocketSession> sessions(String topic) {
        Stripe stripe = stripe(topic);
        stripe.lock.lock();
        try {
            Set<SocketSession> set = stripe.members.get(topic);
            return set == null ? List.of() : new ArrayList<>(set);
        } finally {
            stripe.lock.unlock();
        }
    }

    /** How many connections are members of {@code topic}. */
    public int size(String topic) {
        Stripe stripe = stripe(topic);
        stripe.lock.lock();
        try {
            Set<SocketSession> set = stripe.members.get(topic);
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

    /** Deliveries queued, and refused (closed receivers or slow consumers), since creation. */
    public long queuedCount() {
        return queued.sum();
    }

    public long refusedCount() {
        return refused.sum();
    }

    private Stripe stripe(String topic) {
        int h = topic.hashCode();
        h ^= h >>> 16;
        return stripes[Math.floorMod(h, stripes.length)];
    }

    private static SocketSession session(WebSocket ws) {
        if (ws instanceof SocketSession s && s.isServerSide()) {
            return s; // shared frames are unmasked: only a server may send them
        }
        throw new IllegalArgumentException("not a Loomsocket server-side connection: " + ws);
    }
}
