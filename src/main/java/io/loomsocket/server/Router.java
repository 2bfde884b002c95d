package io.loomsocket.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Routes by path: exact paths ({@code /chat}) and patterns whose segments may be parameters
 * ({@code /rooms/{room}}). Exact routes win over patterns; patterns are tried in the order added.
 * A parameter matches one non-empty segment.
 */
final class Router {

    record Match(String pattern, Endpoint endpoint, Map<String, String> parameters) {}

    private record Route(String pattern, String[] segments, Endpoint endpoint) {}

    private final Map<String, Route> exact = new LinkedHashMap<>();
    private final List<Route> patterns = new ArrayList<>();

    void add(String pattern, Endpoint endpoint) {
        if (!pattern.startsWith("/")) {
            throw new IllegalArgumentException("a route starts with '/': " + pattern);
        }
        Route route = new Route(pattern, pattern.split("/", -1), endpoint);
        if (pattern.contains("{")) {
            for (String seg : route.segments) {
                if (seg.contains("{") && !(seg.startsWith("{") && seg.endsWith("}") && seg.length() > 2)) {
                    throw new IllegalArgumentException("a parameter is a whole segment like {name}: " + pattern);
                }
            }
            patterns.add(route);
        } else if (exact.putIfAbsent(pattern, route) != null) {
            throw new IllegalArgumentException("route added twice: " + pattern);
        }
    }

    boolean isEmpty() {
        return exact.isEmpty() && patterns.isEmpty();
    }

    Optional<Match> match(String path) {
        Route r = exact.get(path);
        if (r != null) {
            return Optional.of(new Match(r.pattern, r.endpoint, Map.of()));
        }
        String[] segments = path.split("/", -1);
        for (Route route : patterns) {
            if (route.segments.length != segments.length) {
                continue;
            }
            Map<String, String> params = new LinkedHashMap<>();
            boolean ok = true;
            for (int i = 0; i < segments.length && ok; i++) {
                String want = route.segments[i];
                if (want.startsWith("{")) {
                    ok = !segments[i].isEmpty();
                    params.put(want.substring(1, want.length() - 1), segments[i]);
                } else {
                    ok = want.equals(segments[i]);
                }
            }
            if (ok) {
                return Optional.of(new Match(route.pattern, route.endpoint, Map.copyOf(params)));
            }
        }
        return Optional.empty();
    }
}
