package io.loomsocket.handshake;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The header fields of an HTTP message, in the order received: an immutable, ordered multi-map
 * whose lookups ignore ASCII case.
 *
 * <p>"Each field line consists of a case-insensitive field name followed by a colon (":"),
 * optional leading whitespace, the field line value, and optional trailing whitespace." Names are
 * kept as received, for display; {@link #first}, {@link #all}, {@link #contains} and {@link
 * #tokens} compare them case-insensitively.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc9112#section-5">RFC 9112 §5</a>
 */
public final class HttpHeaders implements Iterable<HttpHeaders.Field> {

    private static final HttpHeaders EMPTY = new HttpHeaders(List.of());

    private final List<Field> fields;

    private HttpHeaders(List<Field> fields) {
        this.fields = fields;
    }

    /**
     * One header field line.
     *
     * @param name a token, as received or as given
     * @param value the value without leading or trailing whitespace; ISO-8859-1 text with no
     *     control character other than HTAB
     */
    public record Field(String name, String value) {
        /** @throws IllegalArgumentException if the name is not a token or the value has CR, LF, NUL, another control character, or a character outside ISO-8859-1 */
        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (!HttpChars.isToken(name)) {
                throw new IllegalArgumentException("header name is not a token: \"" + name + "\"");
            }
            if (!HttpChars.isFieldValue(value)) {
                throw new IllegalArgumentException(
                        "value of header " + name + " has a control character (CR, LF, NUL...) or a character outside ISO-8859-1");
            }
        }
    }

    /** No header fields. */
    public static HttpHeaders empty() {
        return EMPTY;
    }

    /**
     * Header fields from alternating names and values: {@code of("Cookie", "a=1", "X-Trace", "7")}.
     *
     * @throws IllegalArgumentException for an odd number of arguments or an invalid field
     */
    public static HttpHeaders of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("expected name, value pairs; got an odd count");
        }
        Builder b = builder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            b.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The value of the first field called {@code name}, in any case. */
    public Optional<String> first(String name) {
        for (Field f : fields) {
            if (HttpChars.equalsIgnoreAsciiCase(f.name(), name)) {
                return Optional.of(f.value());
            }
        }
        return Optional.empty();
    }

    /** The values of every field called {@code name}, in any case, in order. */
    public List<String> all(String name) {
        List<String> values = new ArrayList<>(1);
        for (Field f : fields) {
            if (HttpChars.equalsIgnoreAsciiCase(f.name(), name)) {
                values.add(f.value());
            }
        }
        return List.copyOf(values);
    }

    public boolean contains(String name) {
        return first(name).isPresent();
    }

    /**
     * The comma-separated elements of every field called {@code name}, in order, each without
     * surrounding whitespace, skipping empty elements ("a recipient MUST parse and ignore a
     * reasonable number of empty list elements", RFC 9110 §5.6.1). Elements are returned as received; callers that
     * compare them decide about case.
     *
     * <p>{@code Connection: keep-alive, Upgrade} gives {@code [keep-alive, Upgrade]}.
     */
    public List<String> tokens(String name) {
        List<String> tokens = new ArrayList<>();
        for (String value : all(name)) {
            tokens.addAll(HttpChars.listElements(value));
        }
        return List.copyOf(tokens);
    }

    /**
     * Whether one of the {@link #tokens} of the named fields is {@code token}, ignoring ASCII case:
     * {@code containsToken("Connection", "upgrade")} for {@code Connection: keep-alive, Upgrade}.
     */
    public boolean containsToken(String name, String token) {
        return tokens(name).stream().anyMatch(t -> HttpChars.equalsIgnoreAsciiCase(t, token));
    }

    /** The number of field lines, counting repeated names separately. */
    public int size() {
        return fields.size();
    }

    public boolean isEmpty() {
        return fields.isEmpty();
    }

    /** The field lines in order. */
    @Override
    public Iterator<Field> iterator() {
        return fields.iterator();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HttpHeaders other && fields.equals(other.fields);
    }

    @Override
    public int hashCode() {
        return fields.hashCode();
    }

    @Override
    public String toString() {
        return fields.toString();
    }

    /** Collects fields in order; {@link #add} validates each one. */
    public static final class Builder {

        private final List<Field> fields = new ArrayList<>();

        private Builder() {}

        /**
         * Appends one field line.
         *
         * @throws IllegalArgumentException if the name is not a token or the value holds a control
         *     character such as CR or LF
         */
        public Builder add(String name, String value) {
            fields.add(new Field(name, value));
            return this;
        }

        public int size() {
            return fields.size();
        }

        public HttpHeaders build() {
            return fields.isEmpty() ? EMPTY : new HttpHeaders(List.copyOf(fields));
        }
    }
}
