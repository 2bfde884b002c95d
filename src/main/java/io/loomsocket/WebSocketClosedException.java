package io.loomsocket;

import io.loomsocket.protocol.CloseCode;
import java.io.IOException;

/** The connection is closed (or closing), so it can no longer receive or send. */
public final class WebSocketClosedException extends IOException {

    private final CloseCode code;
    private final String reason;

    public WebSocketClosedException(CloseCode code, String reason) {
        super("connection closed: " + code + (reason.isEmpty() ? "" : " " + reason));
        this.code = code;
        this.reason = reason;
    }

    public CloseCode code() {
        return code;
    }

    public String reason() {
        return reason;
    }
}
