package io.loomsocket.examples;

import io.loomsocket.WebSocketHandler;
import io.loomsocket.protocol.Message;
import io.loomsocket.server.WebSocketServer;

/**
 * The {@code two-step-chat} command, the protocol of the tutorial's {@code serverHands} and
 * {@code serverRecv}: a conversation with a greeting. Until the client sends exactly {@code Hi}
 * (no trimming, no case folding) every message, text or binary, is answered
 * {@code connected fail}; {@code Hi} is answered {@code success}. After that every text message
 * {@code T} is answered {@code success,get mess: T}, and a binary message
 * {@code error: text messages only} (the tutorial's server crashes on bytes). Each connection
 * greets on its own.
 */
public final class TwoStepChatApp {

    public static final int DEFAULT_PORT = 9090;
    public static final String GREETING = "Hi";
    public static final String GREETED = "success";
    public static final String REPLY_PREFIX = "success,get mess: ";
    public static final String NOT_GREETED = "connected fail";
    public static final String TEXT_ONLY = "error: text messages only";

    /** Serves every path. */
    public WebSocketServer.Builder configure(WebSocketServer.Builder builder) {
        return builder.handler(handler());
    }

    public WebSocketHandler handler() {
        return ws -> {
            boolean greeted = false; // per connection: the handler runs once for each
            for (Message m : ws) {
                if (!greeted) {
                    greeted = m instanceof Message.Text t && t.text().equals(GREETING);
                    ws.sendText(greeted ? GREETED : NOT_GREETED);
                } else if (m instanceof Message.Text t) {
                    ws.sendText(REPLY_PREFIX + t.text());
                } else if (m instanceof Message.Binary) {
                    ws.sendText(TEXT_ONLY);
                }
            }
        };
    }
}
