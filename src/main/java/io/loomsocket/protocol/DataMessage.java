package io.loomsocket.protocol;

/**
 * A whole data message, as an application receives it: text or binary, reassembled from its
 * fragments (§5.4). Control frames (ping, pong, close) are not data messages: the connection
 * answers them itself, so {@code receive()} never returns one, and a {@code switch} over a
 * {@code DataMessage} needs no empty branches:
 *
 * <pre>{@code
 * switch (ws.receive()) {
 *     case Message.Text t -> ws.sendText(t.text());
 *     case Message.Binary b -> ws.sendBinary(b.data());
 * }
 * }</pre>
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-5.6">RFC 6455 §5.6 Data Frames</a>
 */
public sealed interface DataMessage extends Message permits Message.Text, Message.Binary {

    /** The payload's size: bytes for a binary message, chars for a text one. */
    default int size() {
        return switch (this) {
            case Message.Text t -> t.text().length();
            case Message.Binary b -> b.data().length;
        };
    }
}
