package io.loomsocket.autobahn;

import io.loomsocket.examples.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reading Autobahn|Testsuite reports ({@code index.json} and the per-case JSON files) and comparing
 * them with a committed baseline ({@code src/test/autobahn/expected-*.txt}).
 *
 * <p>A baseline has one line per case, {@code <case> <behavior> <behaviorClose>}, e.g.
 * {@code 1.1.1 OK OK}; a space inside a behavior is written {@code _} ({@code WRONG_CODE});
 * {@code #} starts a comment. Only the cases selected by the {@code autobahn.cases} patterns of the
 * run are compared, so a baseline may list cases that a shorter run leaves out.
 */
final class AutobahnResults {

    /** Behaviors that pass: "the goal is every case OK ... only the INFORMATIONAL cases are exempt". */
    static final Set<String> PASSING = Set.of("OK", "INFORMATIONAL");
    private static final int MAX_LISTED = 40;
    private static final int MAX_EXPLAINED = 10;

    /** Case ids in suite order: 1.2.10 after 1.2.9, 10.1.1 after 9.8.6. */
    static final Comparator<String> CASE_ORDER = (a, b) -> {
        int[] x = parts(a);
        int[] y = parts(b);
        return Arrays.compare(x, y);
    };

    record Outcome(String behavior, String behaviorClose) {
        boolean passing() {
            return PASSING.contains(behavior) && PASSING.contains(behaviorClose);
        }

        /** The baseline's spelling: spaces in a behavior as {@code _}. */
        @Override
        public String toString() {
            return behavior.replace(' ', '_') + " " + behaviorClose.replace(' ', '_');
        }
    }

    record CaseResult(String id, Outcome outcome, String reportFile) {}

    private AutobahnResults() {}

    private static int[] parts(String id) {
        try {
            return Arrays.stream(id.split("\\.")).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an Autobahn case id: '" + id + "'");
        }
    }

    static String category(String id) {
        return id.substring(0, id.indexOf('.') < 0 ? id.length() : id.indexOf('.'));
    }

    // ------------------------------------------------------------------ configuration

    static String property(String name) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("system property " + name + " is not set: run the Autobahn ITs"
                    + " through Maven (`mvn verify`), which configures them in the failsafe plugin");
        }
        return v.trim();
    }

    static Path path(String name) {
        return Path.of(property(name));
    }

    /** The case patterns of this run ({@code -Dautobahn.cases}), as given to both suites. */
    static List<String> casePatterns() {
        return Arrays.stream(property("autobahn.cases").split(","))
                .map(String::trim).filter(p -> !p.isEmpty()).toList();
    }

    /** wstest's own rule: a pattern with {@code *} is a regex prefix match, else an exact id. */
    static boolean selected(String id, List<String> patterns) {
        for (String p : patterns) {
            if (p.indexOf('*') < 0 ? p.equals(id)
                    : Pattern.compile(p.replace(".", "\\.").replace("*", ".*")).matcher(id).lookingAt()) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ reading

    /** The results of one agent in a report directory's {@code index.json}, in case order. */
    static Map<String, CaseResult> readIndex(Path reportDir, String agent) throws IOException {
        Path index = reportDir.resolve("index.json");
        if (!Files.isRegularFile(index)) {
            throw new IOException("no " + index + ": the Autobahn|Testsuite did not write its report"
                    + " (see its output above in the build log)");
        }
        Map<String, Object> agents = asObject(Json.parse(Files.readString(index)));
        Object cases = agents.get(agent);
        if (cases == null) {
            throw new IOException(index + " has no results for agent '" + agent + "', only for " + agents.keySet());
        }
        Map<String, CaseResult> results = new TreeMap<>(CASE_ORDER);
        for (Map.Entry<String, Object> e : asObject(cases).entrySet()) {
            Map<String, Object> c = asObject(e.getValue());
            results.put(e.getKey(), new CaseResult(e.getKey(),
                    new Outcome(String.valueOf(c.get("behavior")), String.valueOf(c.get("behaviorClose"))),
                    c.get("reportfile") == null ? null : String.valueOf(c.get("reportfile"))));
        }
        return results;
    }

    static Map<String, Outcome> readBaseline(Path file) throws IOException {
        Map<String, Outcome> expected = new TreeMap<>(CASE_ORDER);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            int hash = line.indexOf('#');
            String[] f = (hash >= 0 ? line.substring(0, hash) : line).trim().split("\\s+");
            if (f.length == 1 && f[0].isEmpty()) {
                continue;
            }
            if (f.length != 3) {
                throw new IOException(file + ":" + (n + 1) + ": expected '<case> <behavior> <behaviorClose>': " + line);
            }
            parts(f[0]); // validates the id
            if (expected.put(f[0], new Outcome(f[1].replace('_', ' '), f[2].replace('_', ' '))) != null) {
                throw new IOException(file + ":" + (n + 1) + ": case " + f[0] + " listed twice");
            }
        }
        return expected;
    }

    // ------------------------------------------------------------------ comparing and reporting

    /**
     * Every difference between the baseline (restricted to the run's patterns) and the results:
     * changed outcomes, expected cases that are missing (a partial run) and unexpected cases.
     */
    static List<String> differences(Map<String, Outcome> baseline, Map<String, CaseResult> actual) {
        List<String> diffs = new ArrayList<>();
        Set<String> ids = new TreeSet<>(CASE_ORDER);
        ids.addAll(baseline.keySet());
        ids.addAll(actual.keySet());
        for (String id : ids) {
            Outcome want = baseline.get(id);
            CaseResult got = actual.get(id);
            if (got == null) {
                diffs.add(id + ": expected " + want + ", but the case is missing from the report");
            } else if (want == null) {
                diffs.add(id + ": " + got.outcome() + ", but the case is not in the baseline");
            } else if (!want.equals(got.outcome())) {
                diffs.add(id + ": expected " + want + ", got " + got.outcome());
            }
        }
        return diffs;
    }

    /** Counts per category of behavior and behaviorClose, for the build log. */
    static String summary(String title, Map<String, CaseResult> results) {
        Map<String, List<CaseResult>> byCategory = results.values().stream().collect(Collectors.groupingBy(
                r -> category(r.id()), () -> new TreeMap<>(CASE_ORDER), Collectors.toList()));
        StringBuilder b = new StringBuilder();
        b.append(title).append(": ").append(results.size()).append(" cases\n");
        b.append(String.format("  %-8s %5s  %-36s %s%n", "category", "cases", "behavior", "behaviorClose"));
        for (Map.Entry<String, List<CaseResult>> e : byCategory.entrySet()) {
            b.append(String.format("  %-8s %5d  %-36s %s%n", e.getKey(), e.getValue().size(),
                    counts(e.getValue(), Outcome::behavior), counts(e.getValue(), Outcome::behaviorClose)));
        }
        List<CaseResult> all = List.copyOf(results.values());
        b.append(String.format("  %-8s %5d  %-36s %s%n", "total", all.size(),
                counts(all, Outcome::behavior), counts(all, Outcome::behaviorClose)));
        List<String> failing = all.stream().filter(r -> !r.outcome().passing())
                .map(r -> r.id() + " " + r.outcome()).toList();
        b.append(failing.isEmpty() ? "  every case OK or INFORMATIONAL\n"
                : "  not OK: " + String.join(", ", failing) + "\n");
        return b.toString();
    }

    private static String counts(List<CaseResult> rs, java.util.function.Function<Outcome, String> f) {
        Map<String, Long> n = rs.stream().collect(Collectors.groupingBy(
                r -> f.apply(r.outcome()), LinkedHashMap::new, Collectors.counting()));
        return n.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    /** What the suite says about one case, from its per-case JSON file (for failure messages). */
    static String details(Path reportDir, CaseResult r) {
        StringBuilder b = new StringBuilder();
        b.append("  ").append(r.id()).append(": ").append(r.outcome());
        if (r.reportFile() == null) {
            return b.append('\n').toString();
        }
        Path file = reportDir.resolve(r.reportFile());
        b.append("   (").append(file).append(", .html next to it)\n");
        try {
            Map<String, Object> c = asObject(Json.parse(Files.readString(file)));
            for (String key : List.of("description", "expectation", "result", "resultClose", "expected",
                    "received", "expectedClose", "localCloseCode", "remoteCloseCode", "wasClean",
                    "droppedByMe", "failedByMe", "wasNotCleanReason")) {
                if (c.containsKey(key)) {
                    b.append("      ").append(key).append(": ").append(abbreviate(render(c.get(key)), 400)).append('\n');
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            b.append("      (cannot read the case report: ").append(e.getMessage()).append(")\n");
        }
        return b.toString();
    }

    private static String render(Object v) {
        if (v instanceof String s) {
            return s.replace("\n", "\\n").replace("\r", "\\r");
        }
        if (v instanceof Map<?, ?> m) {
            return m.entrySet().stream().map(e -> e.getKey() + "=" + render(e.getValue()))
                    .collect(Collectors.joining(", ", "{", "}"));
        }
        if (v instanceof List<?> l) {
            return l.stream().map(AutobahnResults::render).collect(Collectors.joining(", ", "[", "]"));
        }
        return String.valueOf(v);
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "... (" + s.length() + " chars)";
    }

    /** The results in the baseline's format: to review, or to copy over the baseline after a fix. */
    static void writeBaselineFormat(Path file, String header, Map<String, CaseResult> results) throws IOException {
        StringBuilder b = new StringBuilder();
        for (String line : header.split("\n")) {
            b.append("# ").append(line).append('\n');
        }
        for (CaseResult r : results.values()) {
            b.append(r.id()).append(' ').append(r.outcome()).append('\n');
        }
        Files.createDirectories(file.getParent());
        Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
    }

    /**
     * The whole check of one mode: prints the summary, writes the actual results next to the
     * reports, and returns the failure message (null if none): every difference from the baseline,
     * with the suite's own account of each differing case; and any baseline entry that is not OK
     * or INFORMATIONAL, since the baseline must hold the goal, not record failures.
     */
    static String check(String title, Path reportDir, String agent, Path baselineFile, Path actualFile)
            throws IOException {
        Map<String, CaseResult> actual = readIndex(reportDir, agent);
        System.out.println();
        System.out.print(summary(title, actual));
        System.out.println("  report: " + reportDir.resolve("index.html"));
        System.out.println();

        List<String> patterns = casePatterns();
        writeBaselineFormat(actualFile, title + "\nactual results of the cases " + String.join(",", patterns)
                + "; baseline: " + baselineFile, actual);

        Map<String, Outcome> baseline = readBaseline(baselineFile);
        Map<String, Outcome> expected = new TreeMap<>(CASE_ORDER);
        baseline.forEach((id, o) -> {
            if (selected(id, patterns)) {
                expected.put(id, o);
            }
        });
        StringBuilder failure = new StringBuilder();
        List<String> notIdeal = baseline.entrySet().stream().filter(e -> !e.getValue().passing())
                .map(e -> e.getKey() + " " + e.getValue()).toList();
        if (!notIdeal.isEmpty()) {
            failure.append(baselineFile).append(" must expect every case OK (or INFORMATIONAL), but lists: ")
                    .append(String.join(", ", notIdeal)).append('\n');
        }
        List<String> diffs = differences(expected, actual);
        if (!diffs.isEmpty()) {
            failure.append(diffs.size()).append(" case(s) differ from ").append(baselineFile)
                    .append(" (").append(expected.size()).append(" expected for ").append(String.join(",", patterns))
                    .append(", ").append(actual.size()).append(" in the report):\n");
            diffs.stream().limit(MAX_LISTED).forEach(d -> failure.append("  ").append(d).append('\n'));
            if (diffs.size() > MAX_LISTED) {
                failure.append("  ... and ").append(diffs.size() - MAX_LISTED).append(" more\n");
            }
            List<CaseResult> explained = diffs.stream().map(d -> actual.get(d.substring(0, d.indexOf(':'))))
                    .filter(r -> r != null && !r.outcome().passing()).limit(MAX_EXPLAINED).toList();
            if (!explained.isEmpty()) {
                failure.append("what the suite says about ").append(explained.size() < diffs.size() ? "the first " : "")
                        .append("failing ones:\n");
                explained.forEach(r -> failure.append(details(reportDir, r)));
            }
            failure.append("actual results, in the baseline's format: ").append(actualFile).append('\n');
        }
        return failure.isEmpty() ? null : failure.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asObject(Object json) {
        if (!(json instanceof Map)) {
            throw new IllegalStateException("expected a JSON object in the Autobahn report, got " + json);
        }
        return (Map<String, Object>) json;
    }
}
