package io.loomsocket.examples;

import io.loomsocket.WebSocket;
import io.loomsocket.WebSocketHandler;
import io.loomsocket.WebSocketListener;
import io.loomsocket.protocol.Message;
import java.time.Clock;
import java.util.Objects;

/**
 * Echo, text back as text and binary as binary, in the two styles a server can run; and the
 * tutorials' prefixed echoes ({@link #styled}).
 */
public final class Echo {

    private Echo() {}

    /** A receive loop on the connection's handler thread (heartbeat-echo and auth-echo). */
    static final WebSocketHandler HANDLER = ws -> {
        for (Message m : ws) {
            switch (m) {
                case Message.Text t -> ws.sendText(t.text());
                case Message.Binary b -> ws.sendBinary(b.data());
                default -> {}
            }
        }
    };

    /** Callbacks on the connection's reader thread: one thread per connection (echo, bench-server). */
    public static final WebSocketListener LISTENER = new WebSocketListener() {
        @Override
        public void onText(WebSocket ws, String text) throws Exception {
            ws.sendText(text);
        }

        @Override
        public void onBinary(WebSocket ws, byte[] data) throws Exception {
            ws.sendBinary(data);
        }
    };

    /**
     * The tutorial echo {@code style} (see {@link EchoStyle}), on the connection's handler
     * thread: text answered as the style says, binary back unchanged; a style that answers once
     * closes the connection (1000) after its first answer.
     */
    public static WebSocketHandler styled(EchoStyle style, Clock clock) {
        Objects.requireNonNull(style, "style");
        Objects.requireNonNull(clock, "clock");
        return ws -> {
            for (Message m : ws) {
                switch (m) {
                    case Message.Text t -> ws.sendText(style.reply(t.text(), clock));
                    case Message.Binary b -> ws.sendBinary(b.data());
                    default -> {}
                }
                if (style.answersOnce()) {
                    ws.close();
                    return;
                }
            }
        };
    }
}
