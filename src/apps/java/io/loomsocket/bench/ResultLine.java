package io.loomsocket.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The machine-readable result: {@code RESULT key=value key=value ...} on one line, keys in the
 * order they were put, {@code NA} for unknown values. {@link #parse} reads any line of
 * {@code key=value} tokens back (the report generator's input).
 */
public final class ResultLine {

    public static final String NA = "NA";

    private final Map<String, String> fields = new LinkedHashMap<>();

    public ResultLine put(String key, String value) {
        if (key.isEmpty() || key.contains(" ") || key.contains("=")) {
            throw new IllegalArgumentException("bad key: " + key);
        }
        fields.put(key, value == null || value.isEmpty() ? NA : value.replace(' ', '_'));
        return this;
    }

    public ResultLine put(String key, long value) {
        return put(key, Long.toString(value));
    }

    /** A number with {@code decimals} decimals, or NA when it is NaN. */
    public ResultLine put(String key, double value, int decimals) {
        return put(key, format(value, decimals));
    }

    public Map<String, String> fields() {
        return fields;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("RESULT");
        fields.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        return sb.toString();
    }

    public static String format(double value, int decimals) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return NA;
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** Every {@code key=value} token of {@code line}, in order; other tokens are skipped. */
    public static Map<String, String> parse(String line) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String token : line.trim().split("\\s+")) {
            int eq = token.indexOf('=');
            if (eq > 0) {
                map.putIfAbsent(token.substring(0, eq), token.substring(eq + 1));
            }
        }
        return map;
    }
}
