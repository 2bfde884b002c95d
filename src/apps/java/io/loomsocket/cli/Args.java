package io.loomsocket.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A tiny parser for {@code --name value}, {@code --flag} and positional arguments. */
final class Args {

    final List<String> positional = new ArrayList<>();
    private final Map<String, List<String>> options = new HashMap<>();

    /**
     * @param flags option names that take no value
     * @throws IllegalArgumentException for an option missing its value
     */
    static Args parse(String[] args, int from, List<String> flags) {
        Args a = new Args();
        for (int i = from; i < args.length; i++) {
            String arg = args[i];
            if (arg.startsWith("--")) {
                String name = arg.substring(2);
                String value;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else if (flags.contains(name)) {
                    value = "true";
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new IllegalArgumentException("--" + name + " needs a value");
                }
                a.options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else {
                a.positional.add(arg);
            }
        }
        return a;
    }

    String get(String name, String fallback) {
        List<String> v = options.get(name);
        return v == null ? fallback : v.get(v.size() - 1);
    }

    List<String> all(String name) {
        return options.getOrDefault(name, List.of());
    }

    boolean has(String name) {
        return options.containsKey(name);
    }

    /** A port: 0 (any free one) to 65535. */
    int getPort(int fallback) {
        int port = getInt("port", fallback);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be a number from 0 to 65535: " + get("port", ""));
        }
        return port;
    }

    int getInt(String name, int fallback) {
        String v = get(name, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + (name.equals("port") ? " must be a number from 0 to 65535: "
                    : " must be a number: ") + v);
        }
    }

    long getSize(String name, long fallback) {
        String v = get(name, null);
        if (v == null) {
            return fallback;
        }
        String s = v.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        if (s.endsWith("K")) {
            unit = 1024;
        } else if (s.endsWith("M")) {
            unit = 1024 * 1024;
        }
        if (unit != 1) {
            s = s.substring(0, s.length() - 1);
        }
        try {
            return Long.parseLong(s) * unit;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a size like 65536, 64K or 16M: " + v);
        }
    }

    /** A positive duration option: {@code 500ms}, {@code 10s}, {@code 2m}. */
    Duration getDuration(String name, Duration fallback) {
        return duration(name, fallback, false);
    }

    /** A duration option that may be zero ({@code 0s}): {@code 250ms}, {@code 1s}, {@code 2m}. */
    Duration getDurationOrZero(String name, Duration fallback) {
        return duration(name, fallback, true);
    }

    private Duration duration(String name, Duration fallback, boolean zeroAllowed) {
        String v = get(name, null);
        if (v == null) {
            return fallback;
        }
        String s = v.trim().toLowerCase(Locale.ROOT);
        try {
            Duration d;
            if (s.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            } else if (s.endsWith("s")) {
                d = Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
            } else if (s.endsWith("m")) {
                d = Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
            } else {
                throw new NumberFormatException();
            }
            if (d.isNegative() || (d.isZero() && !zeroAllowed)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + (zeroAllowed
                    ? " must be a duration like 0s, 500ms, 1s or 2m: "
                    : " must be a positive duration like 500ms, 10s or 2m: ") + v);
        }
    }
}
