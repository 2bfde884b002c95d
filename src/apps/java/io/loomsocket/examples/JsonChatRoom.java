package io.loomsocket.examples;

import io.loomsocket.SlowConsumerPolicy;
import io.loomsocket.WebSocket;
import io.loomsocket.broadcast.BroadcastRegistry;
import io.loomsocket.cluster.RedisPresence;
import io.loomsocket.examples.JsonChatRequest.BadRequest;
import io.loomsocket.protocol.Opcode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The state of one JSON chat room ({@link JsonChatApp}): the seed's {@code USERS}, an ordered map
 * uuid → connection (registration order; registering a uuid again keeps its place), and the
 * connections that asked for presence.
 *
 * <p><b>One lock, one order.</b> {@link #lock} guards both. Every change and the room messages it
 * causes happen under it: the message is built from the state just made, and queued to its
 * receivers before the lock is released. Queueing is {@link BroadcastRegistry#broadcast(String, String)}
 * to the room's topics (below): one encoding for all the receivers, offered to each connection's
 * outbound queue without waiting (a receiver over its high watermark is closed with 1013, not
 * waited for). So every connection sees the room's events in the one order in which they
 * happened, each {@code user_list} matching the events before it. Nothing under the lock does
 * I/O, waits, or calls code other than this room's, the registry's and the presence's (none of
 * which waits). Answers to the sender alone (errors, the WS_Server variant's answers) are sent by
 * the caller, after the lock is released.
 *
 * <p><b>Topics.</b> The room's events go out as broadcasts to two topics of its
 * {@link BroadcastRegistry}: {@value #ROOM_TOPIC}, whose members are the connections holding at
 * least one uuid, and {@value #WATCH_TOPIC}, the connections that asked for presence and hold
 * none. The two never share a member, so a login or logout (to both) reaches each connection
 * once, and a chat message (to the room topic) only the registered ones. With a cluster bridge
 * on the registry ({@code RedisBridge}), the same broadcasts reach the members of those topics
 * on every node; alone, the registry is the in-memory fan-out it always was.
 *
 * <p><b>Presence.</b> With a {@link RedisPresence}, each uuid registered here joins it and each
 * that leaves leaves it, and the {@code user_list} of every message built here is this node's
 * uuids in registration order followed by the other nodes' (sorted), as the presence last read
 * them. The other nodes' logins and logouts arrive as their own broadcasts; uuids lost with a
 * node that died ({@link RedisPresence.Change#lostWithNode}) are announced here, to this
 * node's members only, as {@code {"type": "logout", "content": "<uuid> left", ...}}, since
 * nobody else will. Across nodes the order of events is per origin node, not global.
 */
final class JsonChatRoom {

    /** More uuids on one connection are refused: each adds to every login and logout message. */
    static final int MAX_UUIDS_PER_CONNECTION = 16;

    /** The registered connections' topic. */
    static final String ROOM_TOPIC = "json-chat:room";
    /** The watchers' topic (presence asked, no uuid held). */
    static final String WATCH_TOPIC = "json-chat:watch";

    private static final SlowConsumerPolicy SLOW = SlowConsumerPolicy.CLOSE_TRY_AGAIN_LATER;

    private final BroadcastRegistry registry;
    private final RedisPresence presence; // null: this node alone
    private final boolean topics; // the events go out (ServerWs); WS_Server answers its senders only
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, WebSocket> users = new LinkedHashMap<>(); // guarded by lock
    private final Set<WebSocket> watchers = new LinkedHashSet<>(); // presence asked; guarded by lock

    /** A room alone, in memory (a registry of its own). */
    JsonChatRoom() {
        this(new BroadcastRegistry(), null, true);
    }

    /**
     * @param registry where the room's topics are (a cluster bridge on it carries the events to
     *     the other nodes)
     * @param presence the cluster's presence, or null for this node alone
     * @param topics whether connections join the room's topics (false for the WS_Server variant,
     *     which announces nothing)
     */
    JsonChatRoom(BroadcastRegistry registry, RedisPresence presence, boolean topics) {
        this.registry = java.util.Objects.requireNonNull(registry, "registry");
        this.presence = presence;
        this.topics = topics;
        if (presence != null) {
            presence.onChange(this::presenceChanged);
        }
    }

    BroadcastRegistry registry() {
        return registry;
    }

    // ------------------------------------------------------------------ the seed's ServerWs

    /** Registers {@code uuid} for {@code ws}; the room (and the watchers) get the login. */
    void registerAndAnnounce(WebSocket ws, String uuid, String quotedContent) throws BadRequest {
        lock.lock();
        try {
            put(ws, uuid);
            announce(JsonChatWire.login(quotedContent, userList()));
        } finally {
            lock.unlock();
        }
    }

    /** The room (registered connections only) gets {@code ws}'s message, from its first uuid or "404". */
    void sendToRoom(WebSocket ws, String quotedContent) {
        lock.lock();
        try {
            registry.broadcast(ROOM_TOPIC, JsonChatWire.user(quotedContent, from(ws)));
        } finally {
            lock.unlock();
        }
    }

    /** Removes {@code uuid}, held by {@code ws}; the remaining room (and the watchers) get the logout. */
    void unregisterAndAnnounce(WebSocket ws, String uuid, String quotedContent) throws BadRequest {
        lock.lock();
        try {
            remove(ws, uuid);
            announce(JsonChatWire.logout(quotedContent, userList()));
        } finally {
            lock.unlock();
        }
    }

    /** The extension: {@code ws} gets the user list now, and the logins and logouts from then on. */
    void watch(WebSocket ws) {
        lock.lock();
        try {
            if (watchers.add(ws) && topics && heldBy(ws).isEmpty()) {
                registry.subscribe(WATCH_TOPIC, ws);
            }
            fanOut(List.of(ws), JsonChatWire.presence(userList())); // queued before any later event
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ the seed's WS_Server

    /** Registers {@code uuid} for {@code ws}; returns the user list after it, for the sender's answer. */
    List<String> register(WebSocket ws, String uuid) throws BadRequest {
        lock.lock();
        try {
            put(ws, uuid);
            return userList();
        } finally {
            lock.unlock();
        }
    }

    /** Removes {@code uuid}, held by {@code ws}. */
    void unregister(WebSocket ws, String uuid) throws BadRequest {
        lock.lock();
        try {
            remove(ws, uuid);
        } finally {
            lock.unlock();
        }
    }

    /** The first uuid (in registration order) {@code ws} holds, or {@code "404"} as in the seed. */
    String sender(WebSocket ws) {
        lock.lock();
        try {
            return from(ws);
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ both

    /**
     * {@code ws} has closed: its uuids leave, in registration order. With {@code announce}, the
     * remaining room and the watchers get {@code {"type": "logout", "content": "<uuid> left", ...}}
     * for each. Returns the uuids it held.
     */
    List<String> leave(WebSocket ws, boolean announce) {
        lock.lock();
        try {
            watchers.remove(ws);
            List<String> held = heldBy(ws);
            if (topics) {
                registry.unsubscribe(ROOM_TOPIC, ws);
                registry.unsubscribe(WATCH_TOPIC, ws);
            }
            for (String uuid : held) {
                users.remove(uuid);
                left(uuid);
                if (announce) {
                    announce(JsonChatWire.logout(JsonChatWire.left(uuid), userList()));
                }
            }
            return held;
        } finally {
            lock.unlock();
        }
    }

    /** The registered uuids, in registration order. */
    List<String> snapshot() {
        lock.lock();
        try {
            return userList();
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ under lock

    private void put(WebSocket ws, String uuid) throws BadRequest {
        WebSocket holder = users.get(uuid);
        if (holder != null && holder != ws && holder.isOpen()) {
            throw new BadRequest("register: uuid " + JsonChatRequest.shown(uuid) + " is registered by another connection");
        }
        if (holder != ws && heldBy(ws).size() >= MAX_UUIDS_PER_CONNECTION) {
            throw new BadRequest("register: a connection may hold at most " + MAX_UUIDS_PER_CONNECTION + " uuids");
        }
        // A holder that is no longer open has not been cleaned up yet: the uuid is free, and keeps
        // its place; the holder's leave skips it, as it is no longer the holder's.
        users.put(uuid, ws);
        if (presence != null) {
            presence.join(uuid);
        }
        if (topics && registry.subscribe(ROOM_TOPIC, ws)) {
            registry.unsubscribe(WATCH_TOPIC, ws); // a member of one of the two topics at a time
        }
    }

    /** {@code uuid} is no longer here. */
    private void left(String uuid) {
        if (presence != null) {
            presence.leave(uuid);
        }
    }

    private void remove(WebSocket ws, String uuid) throws BadRequest {
        WebSocket holder = users.get(uuid);
        if (holder == null) {
            throw new BadRequest("unregister: uuid " + JsonChatRequest.shown(uuid) + " is not registered");
        }
        if (holder != ws) {
            throw new BadRequest("unregister: uuid " + JsonChatRequest.shown(uuid) + " is registered by another connection");
        }
        users.remove(uuid);
        left(uuid);
        if (topics && heldBy(ws).isEmpty()) {
            registry.unsubscribe(ROOM_TOPIC, ws);
            if (watchers.contains(ws)) {
                registry.subscribe(WATCH_TOPIC, ws);
            }
        }
    }

    private String from(WebSocket ws) {
        for (Map.Entry<String, WebSocket> e : users.entrySet()) {
            if (e.getValue() == ws) {
                return e.getKey();
            }
        }
        return "404";
    }

    private List<String> heldBy(WebSocket ws) {
        List<String> held = new ArrayList<>();
        for (Map.Entry<String, WebSocket> e : users.entrySet()) {
            if (e.getValue() == ws) {
                held.add(e.getKey());
            }
        }
        return held;
    }

    /** This node's uuids in registration order, then the other nodes' (sorted). */
    private List<String> userList() {
        if (presence == null) {
            return List.copyOf(users.keySet());
        }
        Set<String> list = new LinkedHashSet<>(users.keySet());
        presence.online().stream().sorted().forEach(list::add);
        return List.copyOf(list);
    }

    /** A login or logout: to the registered connections and the watchers, each once, on every node. */
    private void announce(String message) {
        registry.broadcast(ROOM_TOPIC, message);
        registry.broadcast(WATCH_TOPIC, message);
    }

    /**
     * The presence's heartbeat read a change of the other nodes: uuids lost with their node are
     * announced to this node's members (the node that held them cannot).
     */
    private void presenceChanged(RedisPresence.Change change) {
        if (!topics || change.lostWithNode().isEmpty()) {
            return;
        }
        lock.lock();
        try {
            for (String uuid : change.lostWithNode().stream().sorted().toList()) {
                if (users.containsKey(uuid)) {
                    continue; // registered here (again): not gone
                }
                byte[] message = JsonChatWire.logout(JsonChatWire.left(uuid), userList()).getBytes(StandardCharsets.UTF_8);
                registry.deliverLocally(ROOM_TOPIC, Opcode.TEXT, message);
                registry.deliverLocally(WATCH_TOPIC, Opcode.TEXT, message);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Queues {@code message} to each of {@code to} without waiting; nothing for nobody (the seed crashes there). */
    private static void fanOut(java.util.Collection<WebSocket> to, String message) {
        if (!to.isEmpty()) {
            BroadcastRegistry.broadcast(to, message, SLOW);
        }
    }
}
