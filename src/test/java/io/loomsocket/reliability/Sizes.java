package io.loomsocket.reliability;

/**
 * The size of each reliability test: its CI size by default, its full size with
 * {@code -Dreliability.full=true}, or exactly {@code -Dreliability.NAME=N} (for example
 * {@code -Dreliability.hostile.cases=20000}). docs/reliability.md lists the names and sizes.
 */
final class Sizes {

    private Sizes() {}

    static boolean full() {
        return Boolean.getBoolean("reliability.full");
    }

    /** {@code reliability.NAME} if set, else {@code full} or {@code ci}. */
    static int of(String name, int ci, int full) {
        String v = System.getProperty("reliability." + name);
        if (v != null && !v.isBlank()) {
            return Integer.parseInt(v.replace("_", "").trim());
        }
        return full() ? full : ci;
    }

    /** The base seed of the randomised tests: {@code -Dreliability.seed=N}, else a fixed one. */
    static long seed(long fixed) {
        String v = System.getProperty("reliability.seed");
        return v == null || v.isBlank() ? fixed : Long.parseLong(v.trim());
    }
}
