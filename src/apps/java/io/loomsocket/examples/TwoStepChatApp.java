package io.loomsocket.examples;

import io.loomsocket.WebSocketHandler;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;

/**
 * The {@code two-step-chat} command: a conversation with a greeting. The client must first send
 * {@code Hi}, answered {@code success}; anything before that is answered
 * {@code error: say Hi first}. After the greeting every text message is answered
 * {@code success,get mess: <text>}. Binary messages are answered {@code error: text messages only}.
 */
public final class TwoStepChatApp {

    public static final String GREETING = "Hi";
    public static final String GREETED = "success";
    public static final String REPLY_PREFIX = "success,get mess: ";
    public static final String NOT_GREETED = "error: say Hi first";
    public static final String TEXT_ONLY = "error: text messages only";

    /** Serves every path. */
    public WebSocketServer.Builder configure(WebSocketServer.Builder builder) {
        return builder.handler(handler());
    }

    public WebSocketHandler handler() {
        return ws -> {
            boolean greeted = false; // per connection: the handler runs once for each
            for (Message m : ws) {
                if (!(m instanceof Message.Text t)) {
                    if (m instanceof Message.Binary) {
                        ws.sendText(greeted ? TEXT_ONLY : NOT_GREETED);
                    }
                    continue;
                }
                if (greeted) {
                    ws.sendText(REPLY_PREFIX + t.text());
                } else if (t.text().strip().equals(GREETING)) {
                    greeted = true;
                    ws.sendText(GREETED);
                } else {
                    ws.sendText(NOT_GREETED);
                }
            }
        };
    }
}
