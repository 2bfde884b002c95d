package io.loomsocket.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * One value of the Redis serialization protocol, RESP2 or RESP3, as {@link RespParser} reads it:
 * a closed set of records, so that a {@code switch} over a reply is checked for completeness.
 *
 * <p>Several wire types share one record where a client has no reason to tell them apart: a
 * RESP3 blob error ({@code !}) is an {@link Error} like a simple one ({@code -}); a verbatim string
 * ({@code =}) is a {@link Bulk} without its format prefix; a set ({@code ~}) is an {@link Array};
 * the RESP2 null bulk and null array and the RESP3 null are all {@link #NULL}. Attributes
 * ({@code |}) never appear: the parser drops them and returns the value they annotate.
 *
 * <p>Values are immutable, except that {@link Bulk} hands out its array as is (no copy: a 16 MiB
 * reply is not copied twice); whoever changes it changes the value. Safe to share between
 * threads once built.
 */
public sealed interface RespValue {

    /** The one {@link Null}: {@code $-1}, {@code *-1} and RESP3 {@code _}. */
    Null NULL = new Null();

    /**
     * The value as text: a {@link Simple}'s text, a {@link Bulk}'s bytes decoded as UTF-8, an
     * {@link Int}'s decimal digits.
     *
     * @throws IllegalStateException for any other type (the message names it)
     */
    default String asText() {
        return switch (this) {
            case Simple s -> s.text();
            case Bulk b -> b.text();
            case Int i -> Long.toString(i.value());
            default -> throw new IllegalStateException("asText() of a " + getClass().getSimpleName() + " (" + this
                    + "): only Simple, Bulk and Int have a text");
        };
    }

    /** {@code +text}: a status reply such as {@code OK} or {@code PONG}. */
    record Simple(String text) implements RespValue {
        public Simple {
            Objects.requireNonNull(text, "text");
        }
    }

    /** {@code -message} or RESP3 {@code !len}: an error reply, e.g. {@code ERR unknown command 'FOO'}. */
    record Error(String message) implements RespValue {
        public Error {
            Objects.requireNonNull(message, "message");
        }

        /** The first word of the message, Redis' error code: {@code ERR}, {@code WRONGPASS}, {@code NOAUTH}, ... */
        public String code() {
            int space = message.indexOf(' ');
            return space < 0 ? message : message.substring(0, space);
        }
    }

    /** {@code :value}: a signed 64-bit integer. */
    record Int(long value) implements RespValue {
    }

    /**
     * {@code $len} (a bulk string, binary safe) or RESP3 {@code =len} (a verbatim string, whose
     * three-character format and colon, e.g. {@code txt:}, are dropped). Equality is by content.
     */
    record Bulk(byte[] bytes) implements RespValue {
        public Bulk {
            Objects.requireNonNull(bytes, "bytes");
        }

        /** The bytes decoded as UTF-8 (malformed input replaced, never an exception). */
        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bulk b && Arrays.equals(bytes, b.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        /** The first 64 bytes as text where printable, as hex otherwise, and the length. */
        @Override
        public String toString() {
            int n = Math.min(bytes.length, 64);
            boolean printable = true;
            for (int i = 0; i < n && printable; i++) {
                printable = bytes[i] >= 0x20 && bytes[i] < 0x7f;
            }
            String head = printable ? new String(bytes, 0, n, StandardCharsets.US_ASCII)
                    : "0x" + HexFormat.of().formatHex(bytes, 0, n);
            return "Bulk[" + (printable ? "\"" + head + "\"" : head) + (n < bytes.length ? "..." : "")
                    + ", " + bytes.length + " bytes]";
        }
    }

    /** The absence of a value: RESP2 {@code $-1} and {@code *-1}, RESP3 {@code _}. Use {@link #NULL}. */
    record Null() implements RespValue {
    }

    /** {@code *n} (an array) or RESP3 {@code ~n} (a set, in the server's order). */
    record Array(List<RespValue> items) implements RespValue {
        public Array {
            items = List.copyOf(items);
        }
    }

    /** RESP3 {@code >n}: an out-of-band push, e.g. {@code [message, channel, payload]} of a subscription. */
    record Push(List<RespValue> items) implements RespValue {
        public Push {
            items = List.copyOf(items);
        }

        /** The push's kind, its first item as text ({@code message}, {@code subscribe}, ...). */
        public String kind() {
            return items.isEmpty() ? "" : items.get(0).asText();
        }
    }

    /**
     * RESP3 {@code %n}: a map, flattened as {@code k1, v1, k2, v2, ...} in the server's order
     * (so that duplicate or non-text keys survive as they were sent).
     */
    record Map(List<RespValue> keysAndValues) implements RespValue {
        public Map {
            keysAndValues = List.copyOf(keysAndValues);
            if (keysAndValues.size() % 2 != 0) {
                throw new IllegalArgumentException("a map needs an even number of items, not " + keysAndValues.size());
            }
        }

        /** The value of the first key whose text is {@code key}, or null if there is none. */
        public RespValue get(String key) {
            for (int i = 0; i < keysAndValues.size(); i += 2) {
                RespValue k = keysAndValues.get(i);
                if ((k instanceof Simple || k instanceof Bulk) && k.asText().equals(key)) {
                    return keysAndValues.get(i + 1);
                }
            }
            return null;
        }
    }

    /** RESP3 {@code ,value}: a double, {@code inf}, {@code -inf} and {@code nan} included. */
    record Double(double value) implements RespValue {
    }

    /** RESP3 {@code #t} / {@code #f}. */
    record Bool(boolean value) implements RespValue {
    }

    /** RESP3 {@code (digits}: an integer beyond 64 bits, as its decimal digits (a leading {@code -} allowed). */
    record BigNumber(String digits) implements RespValue {
        public BigNumber {
            Objects.requireNonNull(digits, "digits");
        }
    }
}
