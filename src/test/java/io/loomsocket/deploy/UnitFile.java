package io.loomsocket.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A systemd unit file, read as far as the tests need it: {@code [Section]}s of {@code Key=value}
 * lines (a key may repeat), comments ({@code #}, {@code ;}) skipped, and {@code ExecStart} turned
 * into the argument vector systemd would run, with {@code ${NAME}} replaced from
 * {@code Environment=}. Line continuations, quoting and the other {@code $} forms are refused
 * rather than guessed at: the unit does not use them.
 */
final class UnitFile {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private final Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();

    private UnitFile() {}

    static UnitFile parse(String text) {
        UnitFile unit = new UnitFile();
        Map<String, List<String>> section = null;
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#") || t.startsWith(";")) {
                continue;
            }
            if (t.endsWith("\\")) {
                throw new IllegalArgumentException("line " + n + ": a continuation line, which this reader does not join");
            }
            if (t.startsWith("[") && t.endsWith("]")) {
                section = unit.sections.computeIfAbsent(t.substring(1, t.length() - 1), k -> new LinkedHashMap<>());
                continue;
            }
            int eq = t.indexOf('=');
            if (section == null || eq <= 0) {
                throw new IllegalArgumentException("line " + n + ": not Key=value inside a [Section]: " + t);
            }
            section.computeIfAbsent(t.substring(0, eq).strip(), k -> new ArrayList<>()).add(t.substring(eq + 1).strip());
        }
        return unit;
    }

    /** The last value of {@code key} in {@code section} (as systemd takes a single-valued setting), or null. */
    String get(String section, String key) {
        List<String> values = all(section, key);
        return values.isEmpty() ? null : values.get(values.size() - 1);
    }

    List<String> all(String section, String key) {
        return sections.getOrDefault(section, Map.of()).getOrDefault(key, List.of());
    }

    /** {@code Environment=NAME=value ...} of [Service], in order, later ones winning. */
    Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : all("Service", "Environment")) {
            if (line.contains("\"") || line.contains("'")) {
                throw new IllegalArgumentException("Environment= with quotes, which this reader does not parse: " + line);
            }
            for (String assignment : line.split("\\s+")) {
                int eq = assignment.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("Environment= entry is not NAME=value: " + assignment);
                }
                env.put(assignment.substring(0, eq), assignment.substring(eq + 1));
            }
        }
        return env;
    }

    /**
     * The single ExecStart's words, each {@code ${NAME}} replaced by {@code env}'s value, as
     * systemd does for a word that is exactly or contains {@code ${NAME}} (one word, never split).
     */
    List<String> execStart(Map<String, String> env) {
        List<String> lines = all("Service", "ExecStart");
        if (lines.size() != 1) {
            throw new IllegalArgumentException("expected one ExecStart=, found " + lines.size());
        }
        String line = lines.get(0);
        if (line.contains("\"") || line.contains("'") || !line.startsWith("/")) {
            throw new IllegalArgumentException("ExecStart= must be an absolute path and words without quotes or prefixes: " + line);
        }
        List<String> argv = new ArrayList<>();
        for (String word : line.split("\\s+")) {
            Matcher m = VARIABLE.matcher(word);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String value = env.get(m.group(1));
                if (value == null) {
                    throw new IllegalArgumentException("ExecStart= uses ${" + m.group(1) + "}, which no Environment= sets");
                }
                m.appendReplacement(sb, Matcher.quoteReplacement(value));
            }
            m.appendTail(sb);
            if (sb.indexOf("$") >= 0) {
                throw new IllegalArgumentException("ExecStart= word with a $ form other than ${NAME}: " + word);
            }
            argv.add(sb.toString());
        }
        return argv;
    }
}
