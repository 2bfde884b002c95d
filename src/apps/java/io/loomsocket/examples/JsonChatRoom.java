package io.loomsocket.examples;

import io.loomsocket.SlowConsumerPolicy;
import io.loomsocket.WebSocket;
import io.loomsocket.broadcast.BroadcastRegistry;
import io.loomsocket.examples.JsonChatRequest.BadRequest;
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
 * receivers before the lock is released. Queueing is {@link BroadcastRegistry#broadcast(java.util.Collection,
 * String, SlowConsumerPolicy)}: one encoding for all the receivers, offered to each connection's
 * outbound queue without waiting (a receiver over its high watermark is closed with 1013, not
 * waited for). So every connection sees the room's events in the one order in which they
 * happened, each {@code user_list} matching the events before it. Nothing under the lock does
 * I/O, waits, or calls code other than this room's. Answers to the sender alone (errors, the
 * WS_Server variant's answers) are sent by the caller, after the lock is released.
 */
final class JsonChatRoom {

    /** More uuids on one connection are refused: each adds to every login and logout message. */
    static final int MAX_UUIDS_PER_CONNECTION = 16;

    private static final SlowConsumerPolicy SLOW = SlowConsumerPolicy.CLOSE_TRY_AGAIN_LATER;

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, WebSocket> users = new LinkedHashMap<>(); // guarded by lock
    private final Set<WebSocket> watchers = new LinkedHashSet<>(); // presence asked; guarded by lock

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
            fanOut(registered(), JsonChatWire.user(quotedContent, from(ws)));
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
            watchers.add(ws);
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
            for (String uuid : held) {
                users.remove(uuid);
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

    private List<String> userList() {
        return List.copyOf(users.keySet());
    }

    /** Each registered connection once, in the order of its first uuid. */
    private Set<WebSocket> registered() {
        return new LinkedHashSet<>(users.values());
    }

    /** A login or logout: to the registered connections and the watchers, each once. */
    private void announce(String message) {
        Set<WebSocket> to = registered();
        to.addAll(watchers);
        fanOut(to, message);
    }

    /** Queues {@code message} to each of {@code to} without waiting; nothing for nobody (the seed crashes there). */
    private static void fanOut(java.util.Collection<WebSocket> to, String message) {
        if (!to.isEmpty()) {
            BroadcastRegistry.broadcast(to, message, SLOW);
        }
    }
}
