package io.loomsocket.examples;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON (RFC 8259) reader and writer for the example applications, so that they need no
 * dependency. Values map to plain Java types: objects to {@code Map<String, Object>} (insertion
 * order kept), arrays to {@code List<Object>}, strings to {@code String}, numbers to
 * {@code Long} when integral and in range, else {@code Double}, {@code true}/{@code false} to
 * {@code Boolean}, and {@code null} to {@code null}.
 *
 * <p>Input is limited in nesting depth, and every syntax error is a {@link JsonException} with
 * its offset, so that a bad message from a client becomes an error reply, never a crash.
 */
public final class Json {

    /** Deeper nesting than this is refused (no stack overflow from hostile input). */
    public static final int MAX_DEPTH = 64;

    private final String s;
    private final boolean nonFinite; // NaN, Infinity and -Infinity as bare words (JMH's result files)
    private int pos;

    private Json(String s) {
        this(s, false);
    }

    private Json(String s, boolean nonFinite) {
        this.nonFinite = nonFinite;
        this.s = s;
    }

    /** Malformed JSON, with the offset where it went wrong. */
    public static final class JsonException extends IllegalArgumentException {
        public JsonException(String message) {
            super(message);
        }
    }

    /** Parses one JSON value; only whitespace may follow it. */
    public static Object parse(String text) {
        return parse(new Json(text), text);
    }

    /**
     * {@link #parse} that also reads the bare words {@code NaN}, {@code Infinity} and
     * {@code -Infinity} as doubles: not JSON, but what JMH writes into its result files.
     */
    public static Object parseAllowingNonFinite(String text) {
        return parse(new Json(text, true), text);
    }

    private static Object parse(Json p, String text) {
        p.skipWs();
        Object v = p.value(0);
        p.skipWs();
        if (p.pos != text.length()) {
            throw p.error("unexpected text after the value");
        }
        return v;
    }

    /** Parses a JSON object, or throws if the text is another kind of value. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) {
        Object v = parse(text);
        if (!(v instanceof Map)) {
            throw new JsonException("expected a JSON object");
        }
        return (Map<String, Object>) v;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH);
        }
        if (pos >= s.length()) {
            throw error("unexpected end of input");
        }
        char c = s.charAt(pos);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            case 'N' -> nonFiniteWord("NaN", Double.NaN);
            case 'I' -> nonFiniteWord("Infinity", Double.POSITIVE_INFINITY);
            default -> {
                if (c == '-' && s.startsWith("-Infinity", pos)) {
                    yield nonFiniteWord("-Infinity", Double.NEGATIVE_INFINITY);
                }
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("unexpected character '" + c + "'");
            }
        };
    }

    private Map<String, Object> object(int depth) {
        Map<String, Object> map = new LinkedHashMap<>();
        pos++; // {
        skipWs();
        if (peek() == '}') {
            pos++;
            return map;
        }
        while (true) {
            skipWs();
            if (peek() != '"') {
                throw error("expected a string key");
            }
            String key = string();
            skipWs();
            expect(':');
            skipWs();
            map.put(key, value(depth + 1));
            skipWs();
            char c = next();
            if (c == '}') {
                return map;
            }
            if (c != ',') {
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> array(int depth) {
        List<Object> list = new ArrayList<>();
        pos++; // [
        skipWs();
        if (peek() == ']') {
            pos++;
            return list;
        }
        while (true) {
            skipWs();
            list.add(value(depth + 1));
            skipWs();
            char c = next();
            if (c == ']') {
                return list;
            }
            if (c != ',') {
                throw error("expected ',' or ']'");
            }
        }
    }

    private String string() {
        pos++; // opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= s.length()) {
                throw error("unterminated string");
            }
            char c = s.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (c < 0x20) {
                throw error("control character in string");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > s.length()) {
                        throw error("truncated \\u escape");
                    }
                    int cp = 0;
                    for (int i = 0; i < 4; i++) {
                        int d = Character.digit(s.charAt(pos++), 16);
                        if (d < 0) {
                            throw error("bad \\u escape");
                        }
                        cp = cp * 16 + d;
                    }
                    sb.append((char) cp);
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private Object number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (peek() >= '1' && peek() <= '9') {
            while (peek() >= '0' && peek() <= '9') {
                pos++;
            }
        } else {
            throw error("bad number");
        }
        boolean integral = true;
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!(peek() >= '0' && peek() <= '9')) {
                throw error("digit expected after '.'");
            }
            while (peek() >= '0' && peek() <= '9') {
                pos++;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!(peek() >= '0' && peek() <= '9')) {
                throw error("digit expected in exponent");
            }
            while (peek() >= '0' && peek() <= '9') {
                pos++;
            }
        }
        String text = s.substring(start, pos);
        if (integral) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                // beyond long: fall through to double
            }
        }
        return Double.parseDouble(text);
    }

    private Object nonFiniteWord(String word, double value) {
        if (!nonFinite) {
            throw error("unexpected character '" + s.charAt(pos) + "'");
        }
        Object v = literal(word, value);
        return v;
    }

    private Object literal(String word, Object value) {
        if (!s.startsWith(word, pos)) {
            throw error("unexpected token");
        }
        pos += word.length();
        return value;
    }

    private void skipWs() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private char peek() {
        return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private char next() {
        if (pos >= s.length()) {
            throw error("unexpected end of input");
        }
        return s.charAt(pos++);
    }

    private void expect(char c) {
        if (next() != c) {
            throw error("expected '" + c + "'");
        }
    }

    private JsonException error(String message) {
        return new JsonException("invalid JSON at offset " + pos + ": " + message);
    }

    // ---------------------------------------------------------------- writing

    /** Writes a value built of maps, lists, strings, numbers, booleans and nulls, compactly. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(value, sb, false);
        return sb.toString();
    }

    /**
     * Writes a value as Python's {@code json.dumps(value)} does with its defaults, byte for byte:
     * separators {@code ", "} and {@code ": "}; {@code ensure_ascii}, so every character outside
     * 0x20..0x7E is escaped as a backslash, {@code u} and four lowercase hex digits (0x7F too; a
     * character beyond the BMP as the two escapes of its surrogate pair, which is how a Java
     * string holds it), with the short escapes {@code \" \\ \b \f \n \r \t}, and {@code /} not escaped; integers in
     * decimal; doubles as Python's {@code repr} ({@code 1.0}, {@code -0.0}, {@code 1e+16},
     * {@code 1e-05}); maps in their iteration order. Unlike Python (which writes {@code NaN}, not
     * JSON), NaN and infinities are refused. For the applications that must be wire-exact with a
     * Python seed (the JSON chat).
     */
    public static String writePython(Object value) {
        StringBuilder sb = new StringBuilder();
        write(value, sb, true);
        return sb.toString();
    }

    /** {@link #writePython} of one string: its quoted, escaped form, for building messages around it. */
    public static String quotePython(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        quote(s, sb, true);
        return sb.toString();
    }

    /** A JSON object from alternating keys and values, for terse message building. */
    public static Map<String, Object> object(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values must pair up");
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static void write(Object v, StringBuilder sb, boolean python) {
        switch (v) {
            case null -> sb.append("null");
            case String str -> quote(str, sb, python);
            case Boolean b -> sb.append(b);
            case Double d -> {
                if (d.isNaN() || d.isInfinite()) {
                    throw new IllegalArgumentException("JSON has no NaN or infinity");
                }
                if (python) {
                    sb.append(pythonRepr(d));
                } else {
                    sb.append(d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : d.toString());
                }
            }
            case Float f -> write(f.doubleValue(), sb, python);
            case BigDecimal bd -> sb.append(bd.toPlainString());
            case BigInteger bi -> sb.append(bi);
            case Number n -> sb.append(n.longValue());
            case Map<?, ?> map -> {
                sb.append('{');
                Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
                while (it.hasNext()) {
                    Map.Entry<?, ?> e = it.next();
                    quote(String.valueOf(e.getKey()), sb, python);
                    sb.append(python ? ": " : ":");
                    write(e.getValue(), sb, python);
                    if (it.hasNext()) {
                        sb.append(python ? ", " : ",");
                    }
                }
                sb.append('}');
            }
            case Iterable<?> list -> {
                sb.append('[');
                boolean first = true;
                for (Object o : list) {
                    if (!first) {
                        sb.append(python ? ", " : ",");
                    }
                    first = false;
                    write(o, sb, python);
                }
                sb.append(']');
            }
            default -> throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON");
        }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /**
     * Quotes {@code str}. Compact: only {@code "}, {@code \\}, control characters and U+2028/9 are
     * escaped. Python ({@code ensure_ascii}, CPython's {@code py_encode_basestring_ascii}): every
     * char that is not printable ASCII (0x20..0x7E) is escaped, char by char, so a surrogate pair
     * becomes two escapes.
     */
    private static void quote(String str, StringBuilder sb, boolean python) {
        sb.append('"');
        for (int i = 0; i < str.length(); i++) {
            char c = str.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029' || (python && c > 0x7E)) {
                        sb.append("\\u").append(HEX[c >> 12]).append(HEX[c >> 8 & 0xF]).append(HEX[c >> 4 & 0xF])
                                .append(HEX[c & 0xF]);
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /**
     * Python's {@code repr(float)}: the shortest decimal that reads back as {@code d}, in fixed
     * notation with at least one fractional digit when its decimal exponent is from -4 to 15,
     * else as {@code 1.5e+16} / {@code 1e-05} (two exponent digits at least).
     */
    static String pythonRepr(double d) {
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        BigDecimal shortest = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = shortest.unscaledValue().toString();
        if (digits.length() == 2) {
            // Double.toString writes at least two digits (4.9E-324): Python takes one where one reads back.
            BigDecimal one = oneDigit(Math.abs(d), Integer.parseInt(digits), shortest.scale());
            if (one != null) {
                shortest = one;
                digits = one.unscaledValue().toString();
            }
        }
        int n = digits.length();
        int exp = n - 1 - shortest.scale(); // d = digits[0].digits[1..] × 10^exp
        StringBuilder sb = new StringBuilder(24);
        if (d < 0) {
            sb.append('-');
        }
        if (exp >= -4 && exp < 16) {
            if (exp >= n - 1) {
                sb.append(digits).append("0".repeat(exp - (n - 1))).append(".0");
            } else if (exp >= 0) {
                sb.append(digits, 0, exp + 1).append('.').append(digits, exp + 1, n);
            } else {
                sb.append("0.").append("0".repeat(-exp - 1)).append(digits);
            }
        } else {
            sb.append(digits.charAt(0));
            if (n > 1) {
                sb.append('.').append(digits, 1, n);
            }
            sb.append('e').append(exp < 0 ? '-' : '+');
            int a = Math.abs(exp);
            if (a < 10) {
                sb.append('0');
            }
            sb.append(a);
        }
        return sb.toString();
    }

    /**
     * Of the two one-digit decimals around {@code ab} × 10^-scale (ab two digits), the nearer one
     * that reads back as {@code x}, else the other if it does, else null.
     */
    private static BigDecimal oneDigit(double x, int ab, int scale) {
        int down = ab / 10;
        int up = down + 1; // 10: one digit too, a power higher
        BigDecimal exact = new BigDecimal(x);
        BigDecimal toDown = exact.subtract(new BigDecimal(BigInteger.valueOf(down), scale - 1)).abs();
        BigDecimal toUp = new BigDecimal(BigInteger.valueOf(up), scale - 1).subtract(exact).abs();
        int nearer = toUp.compareTo(toDown) < 0 ? up : down;
        for (int c : new int[] {nearer, nearer == up ? down : up}) {
            BigDecimal candidate = new BigDecimal(BigInteger.valueOf(c), scale - 1).stripTrailingZeros();
            if (c >= 1 && candidate.doubleValue() == x) {
                return candidate;
            }
        }
        return null;
    }
}
