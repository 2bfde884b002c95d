package io.loomsocket.protocol;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What a connection receives: a whole data message ({@link DataMessage}: fragments already
 * reassembled, §5.4) or a control frame.
 *
 * <pre>{@code
 * switch (message) {
 *     case Message.Text t -> ...
 *     case Message.Binary b -> ...
 *     case Message.Ping p -> ...
 *     case Message.Pong p -> ...
 *     case Message.Close c -> ...
 * }
 * }</pre>
 */
public sealed interface Message permits DataMessage, Message.Ping, Message.Pong, Message.Close {

    /** A text message: valid UTF-8, decoded. */
    record Text(String text) implements DataMessage {}

    /** A binary message. The array is the message's own; callers may keep it. */
    record Binary(byte[] data) implements DataMessage {
        /** The data as a read-only buffer, without copying. */
        public ByteBuffer buffer() {
            return ByteBuffer.wrap(data).asReadOnlyBuffer();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Binary b && Arrays.equals(data, b.data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Binary[" + data.length + " bytes]";
        }
    }

    /** A ping received; the connection has already queued the pong. */
    record Ping(byte[] data) implements Message {
        @Override
        public boolean equals(Object o) {
            return o instanceof Ping p && Arrays.equals(data, p.data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Ping[" + data.length + " bytes]";
        }
    }

    /** A pong received. */
    record Pong(byte[] data) implements Message {
        @Override
        public boolean equals(Object o) {
            return o instanceof Pong p && Arrays.equals(data, p.data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Pong[" + data.length + " bytes]";
        }
    }

    /** The peer's close frame: its code ({@link CloseCode#NO_STATUS_RCVD} if none) and reason. */
    record Close(CloseCode code, String reason) implements Message {}
}
