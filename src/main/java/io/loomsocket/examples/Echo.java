package io.loomsocket.examples;

import io.loomsocket.WebSocketHandler;
import io.loomsocket.protocol.Message;

/** The echo handler that heartbeat-echo and auth-echo share: text back as text, binary as binary. */
final class Echo {

    private Echo() {}

    static final WebSocketHandler HANDLER = ws -> {
        for (Message m : ws) {
            switch (m) {
                case Message.Text t -> ws.sendText(t.text());
                case Message.Binary b -> ws.sendBinary(b.data());
                default -> {}
            }
        }
    };
}
