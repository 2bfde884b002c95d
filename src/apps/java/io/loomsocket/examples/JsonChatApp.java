package io.loomsocket.examples;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.broadcast.BroadcastRegistry;
import io.loomsocket.cluster.RedisPresence;
import io.loomsocket.examples.JsonChatRequest.BadRequest;
import io.loomsocket.examples.JsonChatRequest.Presence;
import io.loomsocket.examples.JsonChatRequest.Register;
import io.loomsocket.examples.JsonChatRequest.Send;
import io.loomsocket.examples.JsonChatRequest.Unregister;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * The JSON chat room of the tutorial (seed 001): path {@code /chat} in the demo, every path in the
 * {@code json-chat} command. Server messages are written as the seed's Python {@code json.dumps}
 * writes them ({@link Json#writePython}), so a client of the seed sees the same text.
 *
 * <p><b>{@link Variant#SERVER_WS}</b> (the seed's {@code ServerWs}, the default):
 * <ul>
 *   <li>On connect: {@code {"type": "handshake"}}.
 *   <li>{@code {"type": "register", "uuid": U, "content": C}}: U is this connection's (the room is
 *       an ordered map uuid → connection; registering U again keeps its place; a connection may
 *       hold several uuids). Then every registered connection, once each, the registrant too, gets
 *       {@code {"type": "login", "content": C, "user_list": [U1, U2, ...]}} (registration order).
 *   <li>{@code {"type": "send", "content": C}}: every registered connection gets
 *       {@code {"type": "user", "content": C, "from": F}}, F the first uuid the sender holds, or
 *       {@code "404"} if none (an unregistered sender may send).
 *   <li>{@code {"type": "unregister", "uuid": U, "content": C}}: U leaves; every remaining
 *       registered connection gets {@code {"type": "logout", "content": C, "user_list": [...]}}.
 *   <li>A connection that closes without unregistering: for each uuid it held, the others get
 *       {@code {"type": "logout", "content": "<uuid> left", "user_list": [...]}}.
 *   <li>The demo page's extension, never sent by a seed client: {@code {"type": "presence"}} is
 *       answered {@code {"type": "presence", "user_list": [...]}}, and from then on the connection
 *       gets every login and logout even while it is not registered (not the {@code user} messages).
 * </ul>
 *
 * <p><b>{@link Variant#WS_SERVER}</b> (the seed's {@code WS_Server}): on connect
 * {@code {"type": "handshake"}}; every text message is first answered {@code Get message: <text>};
 * then {@code send} is answered, to the sender alone, {@code {"type": "send", "content": C, "from": F}},
 * {@code register} {@code {"type": "register", "content": C, "user_list": [...]}}, and
 * {@code unregister} (no {@code content} needed) not at all. Nobody else hears of anything.
 *
 * <p><b>Errors</b>, where the seed crashes, closes or misbehaves: invalid JSON, a message that is
 * not an object, a missing or non-string {@code type}, {@code uuid} or {@code content}, a uuid
 * longer than {@value JsonChatRequest#MAX_UUID_LENGTH} characters, an unknown type, unregistering
 * a uuid that is not registered or is another connection's, registering a uuid that another open
 * connection holds, more than {@value JsonChatRoom#MAX_UUIDS_PER_CONNECTION} uuids on one
 * connection, a binary message: the sender alone gets {@code {"type": "error", "content": "<what
 * was wrong>"}}, and the connection stays open. An event with nobody to tell sends nothing.
 * Contents are never logged: only the type and the uuid, at DEBUG.
 */
public final class JsonChatApp {

    private static final System.Logger LOG = System.getLogger(JsonChatApp.class.getName());

    /** Which of the seed's two chat servers to speak. */
    public enum Variant {
        /** {@code ServerWs}: the room hears of every login, logout and message. */
        SERVER_WS("server-ws"),
        /** {@code WS_Server}: every message is answered to its sender alone, after {@code Get message: <text>}. */
        WS_SERVER("ws-server");

        private final String option;

        Variant(String option) {
            this.option = option;
        }

        /** The name on the command line: {@code server-ws} or {@code ws-server}. */
        public String option() {
            return option;
        }

        /** The variant named {@code option} ({@code server-ws} or {@code ws-server}). */
        public static Variant of(String option) {
            for (Variant v : values()) {
                if (v.option.equals(option.toLowerCase(Locale.ROOT))) {
                    return v;
                }
            }
            throw new IllegalArgumentException("--variant must be server-ws or ws-server: " + option);
        }
    }

    private final Variant variant;
    private final JsonChatRoom room;

    /** The seed's {@code ServerWs}. */
    public JsonChatApp() {
        this(Variant.SERVER_WS);
    }

    /** This node alone: the room in memory. */
    public JsonChatApp(Variant variant) {
        this(variant, new BroadcastRegistry(), null);
    }

    /**
     * A room whose events are broadcasts to topics of {@code registry} (see {@link #registry()}):
     * with a cluster bridge on it ({@code RedisBridge.start(registry, ...)}) they reach the users
     * of every node; with {@code presence} (null for none) the user lists name the users of every
     * node, and users lost with a node that died are announced as logouts.
     */
    public JsonChatApp(Variant variant, BroadcastRegistry registry, RedisPresence presence) {
        this.variant = java.util.Objects.requireNonNull(variant, "variant");
        this.room = new JsonChatRoom(registry, presence, variant == Variant.SERVER_WS);
    }

    /** The room's topics ({@code json-chat:room}, {@code json-chat:watch}): where a cluster bridge goes. */
    public BroadcastRegistry registry() {
        return room.registry();
    }

    public Variant variant() {
        return variant;
    }

    /** Serves every path. */
    public WebSocketServer.Builder configure(WebSocketServer.Builder builder) {
        return builder.handler(handler());
    }

    /**
     * The registered uuids, in registration order: the {@code user_list} the next message would
     * carry (with a presence: this node's, then the other nodes' sorted).
     */
    public List<String> userList() {
        return room.snapshot();
    }

    public WebSocketHandler handler() {
        return ws -> {
            try {
                ws.sendText(JsonChatWire.HANDSHAKE);
                for (Message m : ws) {
                    switch (m) {
                        case Message.Text t -> onText(ws, t.text());
                        case Message.Binary b -> ws.sendText(JsonChatWire.error("binary messages are not supported; send JSON text"));
                        default -> {}
                    }
                }
            } finally {
                List<String> left = room.leave(ws, variant == Variant.SERVER_WS);
                if (!left.isEmpty()) {
                    LOG.log(System.Logger.Level.DEBUG, () -> "json-chat: closed, left " + Json.writePython(left));
                }
            }
        };
    }

    private void onText(WebSocket ws, String text) throws IOException {
        if (variant == Variant.WS_SERVER) {
            ws.sendText(JsonChatWire.getMessage(text)); // first, whatever the text is
        }
        try {
            JsonChatRequest request = JsonChatRequest.parse(text, variant);
            log(request);
            if (variant == Variant.SERVER_WS) {
                serverWs(ws, request);
            } else {
                wsServer(ws, request);
            }
        } catch (BadRequest e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "json-chat: refused: " + Json.quotePython(e.getMessage()));
            ws.sendText(JsonChatWire.error(e.getMessage()));
        }
    }

    private void serverWs(WebSocket ws, JsonChatRequest request) throws BadRequest {
        switch (request) {
            case Register r -> room.registerAndAnnounce(ws, r.uuid(), Json.quotePython(r.content()));
            case Send s -> room.sendToRoom(ws, Json.quotePython(s.content()));
            case Unregister u -> room.unregisterAndAnnounce(ws, u.uuid(), Json.quotePython(u.content()));
            case Presence p -> room.watch(ws);
        }
    }

    private void wsServer(WebSocket ws, JsonChatRequest request) throws BadRequest, IOException {
        switch (request) {
            case Register r -> {
                List<String> users = room.register(ws, r.uuid());
                ws.sendText(JsonChatWire.registered(Json.quotePython(r.content()), users));
            }
            case Send s -> ws.sendText(JsonChatWire.sent(Json.quotePython(s.content()), room.sender(ws)));
            case Unregister u -> room.unregister(ws, u.uuid());
            case Presence p -> throw new IllegalStateException("no presence in " + variant.option()); // parse refuses it
        }
    }

    /** The type and the uuid, never the content. */
    private static void log(JsonChatRequest request) {
        LOG.log(System.Logger.Level.DEBUG, () -> switch (request) {
            case Register r -> "json-chat: register " + Json.quotePython(r.uuid());
            case Unregister u -> "json-chat: unregister " + Json.quotePython(u.uuid());
            case Send s -> "json-chat: send";
            case Presence p -> "json-chat: presence";
        });
    }
}
