#!/usr/bin/env bash
# CI smoke test of the JMH suite (src/jmh): builds the `jmh` profile and runs every benchmark
# once, very briefly (one fork, no warmup, one 100 ms iteration, one parameter value each), so
# that a benchmark that no longer compiles, links or runs fails the build. The numbers it prints
# mean nothing. Then checks that masking falls back to the 8-byte path without the Vector API
# module. About 40-60 s on 2 cores.
#
#   bench/jmh-smoke.sh            # from the project directory (or anywhere: it cds there)
#
# The benchmarks need a JDK >= 21 to run; the default `java` may be 17. Like the build's toolchain
# plugin, this finds one by itself: $JAVA_HOME if it is >= 21, else the newest JDK >= 21 under
# /usr/lib/jvm, else `java` on the PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

java_major() { # prints the feature version of the java binary $1, or 0
    "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1 | cut -d. -f1 || echo 0
}

find_java() {
    local candidate
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" && "$(java_major "$JAVA_HOME/bin/java")" -ge 21 ]]; then
        echo "$JAVA_HOME/bin/java"; return
    fi
    for candidate in $(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | sort -V -r); do
        if [[ "$(java_major "$candidate")" -ge 21 ]]; then
            echo "$candidate"; return
        fi
    done
    if command -v java >/dev/null && [[ "$(java_major "$(command -v java)")" -ge 21 ]]; then
        command -v java; return
    fi
    echo "jmh-smoke: no JDK >= 21 found (set JAVA_HOME)" >&2
    exit 1
}

JAVA="$(find_java)"
echo "jmh-smoke: building the jmh profile; running on $JAVA"
mvn -q -Pjmh -DskipTests package

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

# Every benchmark of every class, one value per parameter; -foe: any exception fails the run.
"$JAVA" -jar target/benchmarks.jar 'io\.loomsocket\.jmh\..*' \
    -f 1 -wi 0 -i 1 -r 100ms -foe true \
    -p size=64 -p text=mixed -p receivers=10 -p fragments=16 \
    -rf json -rff "$OUT/smoke.json" | tee "$OUT/smoke.log" | grep -E '^(Benchmark|[A-Za-z0-9]+Benchmark\.)' || true
grep -q 'Masking.implementation() = vector' "$OUT/smoke.log" \
    || { echo "jmh-smoke: the forks with --add-modules=jdk.incubator.vector did not use the vector path" >&2; exit 1; }
count="$(grep -o '"benchmark"' "$OUT/smoke.json" | wc -l)"
[[ "$count" -ge 19 ]] || { echo "jmh-smoke: expected at least 19 results, got $count" >&2; exit 1; }

# The fallback: any -jvmArgsAppend replaces the benchmarks' --add-modules=jdk.incubator.vector.
"$JAVA" -jar target/benchmarks.jar 'MaskingBenchmark\.dispatch' \
    -f 1 -wi 0 -i 1 -r 100ms -foe true -p size=1024 -jvmArgsAppend "-Xms1g -Xmx1g -XX:+AlwaysPreTouch" > "$OUT/fallback.log"
grep -q 'Masking.implementation() = 8-byte' "$OUT/fallback.log" \
    || { echo "jmh-smoke: without the module, masking did not fall back to the 8-byte path" >&2; exit 1; }

echo "jmh-smoke: OK ($count results; vector path with the module, 8-byte path without)"
