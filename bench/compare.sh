#!/usr/bin/env bash
# Side-by-side load benchmarks: Loomsocket's bench-server against the peer servers of target/peers.jar
# (Netty, Jetty, Java-WebSocket, Helidon) and Node's ws (bench/node/server.mjs), each pinned to CPU 0,
# the load (loomsocket.jar bench) on CPU 1, several interleaved rounds; then `bench report` rewrites
# docs/benchmarks.md and its charts.
#
#   bench/compare.sh [--rounds N] [--duration S] [--warmup S] [--hold-duration S]
#                    [--servers "loomsocket netty jetty java-websocket helidon node-ws"]
#                    [--workloads "echo-1x64 echo-100x64 ..." | load | deflate | cluster] [--jmh FILE] [--run-jmh]
#                    [--no-build] [--smoke]
#
# Defaults: 3 rounds, 10 s measured after 3 s of warm-up per run, all servers, all workloads. The load
# workloads (--workloads load), random payloads, no compression:
#   echo-1x64               echo, 1 connection, 64 B (latency)
#   echo-100x64             echo, 100 connections, 64 B
#   echo-100x16k            echo, 100 connections, 16 KiB
#   echo-10x1m              echo, 10 connections, 1 MiB
#   broadcast-1000x64       broadcast to 1,000 subscribers, 64 B, closed loop (--window 16)
#   broadcast-1000x64-rate  the same at a fixed low rate (--rate 20: 20,000 deliveries/s, well under every server's capacity): latency
#   hold-10000              10,000 idle connections held for --hold-duration (default: --duration)
# The compression workloads (--workloads deflate): JSON payloads (bench --payload json-chat|ticker),
# run only on the servers with permessage-deflate (loomsocket netty node-ws; netty and node-ws are
# started with --deflate, Loomsocket's bench-server accepts it by default); each one with the
# extension offered and, as its baseline, not offered:
#   echo-100xchat[-deflate]          echo, 100 connections, 256 B chat messages (text frames)
#   echo-100xticker[-deflate]        echo, 100 connections, 4 KiB ticker snapshots (text frames)
#   broadcast-1000xchat[-deflate]    broadcast of 256 B chat messages to 1,000 subscribers (--window 16);
#                                    -deflate: context takeover, so every server compresses per connection
#   broadcast-1000xchat-deflate-nct  the same offering no_context_takeover both ways: receivers can
#                                    share one compressed encoding (Loomsocket does)
#   hold-2000-chat[-deflate[-nct]]   2,000 connections, each primed with one 256 B echo, then held idle:
#                                    memory per connection with compression off / with takeover / without
# The cluster workloads (--workloads cluster: broadcast-1000x64 broadcast-2node-1000x64 broadcast-1000x64-rate
# broadcast-2node-1000x64-rate, so the one-node figures of the same run sit next to them), not in the
# defaults, only on loomsocket, need redis-server ($REDIS_SERVER, else redis-server on the PATH, else
# /usr/bin/redis-server):
#   broadcast-2node-1000x64  broadcast-1000x64 over two nodes: one redis-server on a free loopback port (its
#                            own temp dir, --save "" --appendonly no), two bench-servers with --redis (same
#                            prefix), all three pinned to the server CPU (0, $SERVER_CPU) like every server; the load tool
#                            puts the subscribers round-robin on both (--also-url), the publisher on the
#                            first. Its RESULT line ends with per-node latency: g0_* (the publisher's node),
#                            g1_* (across Redis) and added_p99_us = g1_p99_us - g0_p99_us. No --server-pid
#                            (one node's CPU over all deliveries would mislead): server_cpu/rss are NA.
#   broadcast-2node-1000x64-rate  the same at broadcast-1000x64-rate's fixed rate (--rate 20): the added
#                            latency of the Redis hop without the closed loop's queueing
# A run with any of them leaves docs/ alone (no generated section for them): its report goes to the *.logs/
# directory next to the results.
# Each server runs in a fresh process per run (JVMs with the same flags: $SERVER_JVM_FLAGS); in each
# round the order of the servers rotates. A full run is 7 x 6 + 10 x 3 runs per round, about 15 s
# each: roughly 55 minutes for 3 rounds.
#
# --smoke: 1 round of 1 s with small connection counts, everything else the same; the results and
# report go to bench/results/smoke/ and docs/ is left alone. It checks that all of it builds and runs.
# --no-build: use the jars in target/ as they are. --jmh FILE: JMH results (JSON) for the report;
# --run-jmh: build with -Pjmh and run target/benchmarks.jar first ($JMH_ARGS, default "-f 1 -wi 3 -i 5").
#
# Java: $JAVA if set, else $JAVA_HOME/bin/java, else `java` on the PATH, else the newest
# /usr/lib/jvm/*/bin/java, whichever is first to be version 21 or later. Needs Maven (for the
# build), taskset (util-linux) and at least 2 CPUs.
#
# Output: bench/results/compare-YYYYMMDD-HHMMSS.txt: a header (machine, JDK, command line), then one
# line per run: "server=S workload=W round=N RESULT ..." (the load tool's result line), or
# "server=S workload=W round=N FAILED ..." when the load tool failed or the server died; a failed
# run is recorded and the script goes on. Server and load logs are kept next to it (*.logs/).
# A full run also copies the results to docs/bench/load-results.txt (if load workloads ran) and/or
# docs/bench/deflate-results.txt (if compression workloads ran) and updates the sections of
# docs/benchmarks.md it has results for, and docs/bench/*.svg. Exit status: 0 if every run succeeded, 1 if any failed, 2 on bad usage.

set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 2
COMMAND_LINE="bench/compare.sh$(printf ' %q' "$@")"

ROUNDS=3
DURATION=10
WARMUP=3
HOLD_DURATION=
ALL_SERVERS="loomsocket netty jetty java-websocket helidon node-ws"
DEFLATE_SERVERS="loomsocket netty node-ws" # the servers the compression workloads run on
SERVERS=$ALL_SERVERS
LOAD_WORKLOADS="echo-1x64 echo-100x64 echo-100x16k echo-10x1m broadcast-1000x64 broadcast-1000x64-rate hold-10000"
CLUSTER_WORKLOADS="broadcast-2node-1000x64 broadcast-2node-1000x64-rate" # two nodes over Redis; loomsocket only; not in the defaults
DEFLATE_WORKLOADS="echo-100xchat echo-100xchat-deflate echo-100xticker echo-100xticker-deflate broadcast-1000xchat broadcast-1000xchat-deflate broadcast-1000xchat-deflate-nct hold-2000-chat hold-2000-chat-deflate hold-2000-chat-deflate-nct"
WORKLOADS="$LOAD_WORKLOADS $DEFLATE_WORKLOADS"
SMOKE=0
BUILD=1
JMH_FILE=
RUN_JMH=0
SERVER_JVM_FLAGS=${SERVER_JVM_FLAGS:--Xms1g -Xmx1g -XX:+UseG1GC}
LOAD_JVM_FLAGS=${LOAD_JVM_FLAGS:--Xms2g -Xmx2g -XX:+UseG1GC}
JMH_ARGS=${JMH_ARGS:--f 1 -wi 3 -i 5}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}

usage() {
    sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'
}

die() {
    echo "compare.sh: $*" >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) ROUNDS=${2:?--rounds needs a value}; shift 2 ;;
        --duration) DURATION=${2:?--duration needs a value}; shift 2 ;;
        --warmup) WARMUP=${2:?--warmup needs a value}; shift 2 ;;
        --hold-duration) HOLD_DURATION=${2:?--hold-duration needs a value}; shift 2 ;;
        --servers) SERVERS=${2:?--servers needs a value}; shift 2 ;;
        --workloads) WORKLOADS=${2:?--workloads needs a value}; shift 2 ;;
        --jmh) JMH_FILE=${2:?--jmh needs a value}; shift 2 ;;
        --run-jmh) RUN_JMH=1; shift ;;
        --no-build) BUILD=0; shift ;;
        --smoke) SMOKE=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option '$1'" ;;
    esac
done

if [ "$SMOKE" = 1 ]; then
    ROUNDS=1
    DURATION=1
    WARMUP=1
fi
HOLD_DURATION=${HOLD_DURATION:-$DURATION}
case "$WORKLOADS" in
    load) WORKLOADS=$LOAD_WORKLOADS ;;
    deflate) WORKLOADS=$DEFLATE_WORKLOADS ;;
    cluster) WORKLOADS="broadcast-1000x64 broadcast-2node-1000x64 broadcast-1000x64-rate broadcast-2node-1000x64-rate" ;;
esac

for s in $SERVERS; do
    case " $ALL_SERVERS " in
        *" $s "*) ;;
        *) die "unknown server '$s' ($ALL_SERVERS)" ;;
    esac
done

is_compression() { # workload: whether it is one of the compression workloads
    case " $DEFLATE_WORKLOADS " in *" $1 "*) return 0 ;; esac
    return 1
}

is_two_node() { # workload: whether it runs on two bench-servers bridged over Redis
    case " $CLUSTER_WORKLOADS " in *" $1 "*) return 0 ;; esac
    return 1
}

runs_on() { # workload server: whether the workload runs on that server
    if is_two_node "$1"; then
        [ "$2" = loomsocket ]
        return
    fi
    is_compression "$1" || return 0
    case " $DEFLATE_SERVERS " in *" $2 "*) return 0 ;; esac
    return 1
}

# ---- workloads: "mode path connections size extra-options"; --smoke scales connection counts down ----
workload_spec() {
    local full smoke
    case "$1" in
        echo-1x64)              full="echo /echo 1 64";                      smoke="echo /echo 1 64" ;;
        echo-100x64)            full="echo /echo 100 64";                    smoke="echo /echo 10 64" ;;
        echo-100x16k)           full="echo /echo 100 16384";                 smoke="echo /echo 10 16384" ;;
        echo-10x1m)             full="echo /echo 10 1048576";                smoke="echo /echo 2 1048576" ;;
        broadcast-1000x64)      full="broadcast /broadcast 1000 64 --window 16"; smoke="broadcast /broadcast 20 64 --window 16" ;;
        broadcast-2node-1000x64) full="broadcast /broadcast 1000 64 --window 16"; smoke="broadcast /broadcast 20 64 --window 16" ;;
        broadcast-2node-1000x64-rate) full="broadcast /broadcast 1000 64 --rate 20"; smoke="broadcast /broadcast 20 64 --rate 200" ;;
        broadcast-1000x64-rate) full="broadcast /broadcast 1000 64 --rate 20";   smoke="broadcast /broadcast 20 64 --rate 200" ;;
        hold-10000)             full="hold /echo 10000 64";                  smoke="hold /echo 100 64" ;;
        echo-100xchat)          full="echo /echo 100 256 --payload json-chat --text"; smoke="echo /echo 10 256 --payload json-chat --text" ;;
        echo-100xchat-deflate)  full="echo /echo 100 256 --payload json-chat --text --deflate"; smoke="echo /echo 10 256 --payload json-chat --text --deflate" ;;
        echo-100xticker)        full="echo /echo 100 4096 --payload ticker --text"; smoke="echo /echo 10 4096 --payload ticker --text" ;;
        echo-100xticker-deflate) full="echo /echo 100 4096 --payload ticker --text --deflate"; smoke="echo /echo 10 4096 --payload ticker --text --deflate" ;;
        broadcast-1000xchat)    full="broadcast /broadcast 1000 256 --payload json-chat --window 16"; smoke="broadcast /broadcast 20 256 --payload json-chat --window 16" ;;
        broadcast-1000xchat-deflate) full="broadcast /broadcast 1000 256 --payload json-chat --window 16 --deflate"; smoke="broadcast /broadcast 20 256 --payload json-chat --window 16 --deflate" ;;
        broadcast-1000xchat-deflate-nct) full="broadcast /broadcast 1000 256 --payload json-chat --window 16 --deflate-no-context-takeover"; smoke="broadcast /broadcast 20 256 --payload json-chat --window 16 --deflate-no-context-takeover" ;;
        hold-2000-chat)         full="hold /echo 2000 256 --payload json-chat --prime"; smoke="hold /echo 50 256 --payload json-chat --prime" ;;
        hold-2000-chat-deflate) full="hold /echo 2000 256 --payload json-chat --prime --deflate"; smoke="hold /echo 50 256 --payload json-chat --prime --deflate" ;;
        hold-2000-chat-deflate-nct) full="hold /echo 2000 256 --payload json-chat --prime --deflate-no-context-takeover"; smoke="hold /echo 50 256 --payload json-chat --prime --deflate-no-context-takeover" ;;
        *) return 1 ;;
    esac
    if [ "$SMOKE" = 1 ]; then echo "$smoke"; else echo "$full"; fi
}
for w in $WORKLOADS; do
    workload_spec "$w" >/dev/null || die "unknown workload '$w'"
done

# ---- tools ----
command -v taskset >/dev/null || die "taskset not found (util-linux)"
[ "$(nproc --all 2>/dev/null || echo 1)" -ge 2 ] || die "needs at least 2 CPUs (server on CPU $SERVER_CPU, load on CPU $LOAD_CPU)"

java_major() { # the major version of the java at $1, or 0
    "$1" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java\.specification\.version = \([0-9.]*\).*/\1/p' | sed 's/^1\.//; s/\..*//' | head -1 | grep . || echo 0
}

find_java() {
    local c
    for c in "${JAVA:-}" "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java || true)"; do
        if [ -n "$c" ] && [ -x "$c" ] && [ "$(java_major "$c")" -ge 21 ]; then
            echo "$c"
            return 0
        fi
    done
    local best="" best_major=0 m
    for c in /usr/lib/jvm/*/bin/java; do
        [ -x "$c" ] || continue
        m=$(java_major "$c")
        if [ "$m" -ge 21 ] && [ "$m" -gt "$best_major" ]; then
            best=$c
            best_major=$m
        fi
    done
    [ -n "$best" ] && echo "$best"
}

JAVA_BIN=$(find_java) || true
[ -n "${JAVA_BIN:-}" ] || die "no Java 21 or later: set JAVA=/path/to/bin/java"

TWO_NODE=0 # whether a two-node workload will run (it needs redis-server)
for w in $WORKLOADS; do
    if is_two_node "$w" && runs_on "$w" loomsocket && [[ " $SERVERS " == *" loomsocket "* ]]; then TWO_NODE=1; fi
done
REDIS_BIN=
if [ "$TWO_NODE" = 1 ]; then
    REDIS_BIN=${REDIS_SERVER:-$(command -v redis-server || echo /usr/bin/redis-server)}
    [ -x "$REDIS_BIN" ] || die "the two-node workloads need redis-server: set REDIS_SERVER=/path/to/redis-server (or leave them out of --workloads)"
fi

# ---- build ----
if [ "$BUILD" = 1 ]; then
    echo "== building (mvn -q -DskipTests package; mvn -q -Ppeers -DskipTests package)" >&2
    mvn -q -DskipTests package || die "build failed: mvn -q -DskipTests package"
    mvn -q -Ppeers -DskipTests package || die "build failed: mvn -q -Ppeers -DskipTests package"
    case " $SERVERS " in
        *" node-ws "*)
            if [ ! -d bench/node/node_modules/ws ]; then
                echo "== npm ci --prefix bench/node --no-audit --no-fund" >&2
                npm ci --prefix bench/node --no-audit --no-fund >&2 || die "npm ci --prefix bench/node failed (or leave node-ws out of --servers)"
            fi ;;
    esac
    if [ "$RUN_JMH" = 1 ]; then
        mvn -q -Pjmh -DskipTests package || die "build failed: mvn -q -Pjmh -DskipTests package"
    fi
fi
[ -f target/loomsocket.jar ] || die "target/loomsocket.jar missing (build first, or drop --no-build)"
for s in $SERVERS; do
    case "$s" in
        loomsocket|node-ws) ;;
        *) [ -f target/peers.jar ] || die "target/peers.jar missing (mvn -Ppeers -DskipTests package), needed for $s" ;;
    esac
done
case " $SERVERS " in
    *" node-ws "*)
        command -v node >/dev/null || die "node-ws needs Node.js (node) on the PATH, or leave it out of --servers"
        [ -d bench/node/node_modules/ws ] || die "node-ws needs bench/node/node_modules: npm ci --prefix bench/node (or leave it out of --servers)"
        ;;
esac

# ---- output ----
STAMP=$(date +%Y%m%d-%H%M%S)
if [ "$SMOKE" = 1 ]; then
    OUT_DIR=bench/results/smoke
else
    OUT_DIR=bench/results
fi
mkdir -p "$OUT_DIR"
[ -e "$OUT_DIR/compare-$STAMP.txt" ] && STAMP=$STAMP-$$ # two runs in the same second
RESULTS=$OUT_DIR/compare-$STAMP.txt
LOGS=$OUT_DIR/compare-$STAMP.logs
mkdir -p "$LOGS"

# more file descriptors for 10,000 connections, if the hard limit allows
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

{
    echo "# bench/compare.sh results, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# command: $COMMAND_LINE"
    echo "# machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1); nproc $(nproc --all 2>/dev/null); $(uname -sr); $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo 2>/dev/null)"
    echo "# java: $JAVA_BIN: $("$JAVA_BIN" -version 2>&1 | head -1); $("$JAVA_BIN" -version 2>&1 | sed -n 2p)"
    case " $SERVERS " in
        *" node-ws "*) echo "# node: $(node --version 2>&1), ws $(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' bench/node/node_modules/ws/package.json 2>/dev/null | head -1): taskset -c $SERVER_CPU node bench/node/server.mjs ..." ;;
    esac
    echo "# server: taskset -c $SERVER_CPU java $SERVER_JVM_FLAGS -jar ...; load: taskset -c $LOAD_CPU java $LOAD_JVM_FLAGS -jar target/loomsocket.jar bench ..."
    echo "# rounds $ROUNDS, duration ${DURATION}s, warmup ${WARMUP}s, hold ${HOLD_DURATION}s$( [ "$SMOKE" = 1 ] && echo ', SMOKE (small connection counts)'); ulimit -n $(ulimit -n)"
    echo "# servers: $SERVERS (compression workloads only on: $DEFLATE_SERVERS)"
    echo "# workloads: $WORKLOADS"
    [ "$TWO_NODE" = 1 ] && echo "# redis: $("$REDIS_BIN" --version 2>&1 | head -1): taskset -c $SERVER_CPU $REDIS_BIN --port P --bind 127.0.0.1 --save \"\" --appendonly no; two-node servers: bench-server ... --redis redis://127.0.0.1:P/bench-STAMP"
} > "$RESULTS"
cat "$RESULTS" >&2

# ---- processes: never leave any behind ----
SERVER_PID=
SERVER2_PID= # the second node of a two-node run
REDIS_PID=
REDIS_DIR=
LOAD_PID=

stop_pid() { # SIGTERM, then SIGKILL after $2 seconds
    local pid=$1 grace=${2:-10} i
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < grace * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "   (pid $pid did not stop on SIGTERM within ${grace}s: SIGKILL)" >&2
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
    return 0
}

cleanup() {
    stop_pid "$LOAD_PID" 5
    LOAD_PID=
    stop_pid "$SERVER_PID" 10
    SERVER_PID=
    stop_cluster
}

stop_cluster() { # the second node and redis-server of a two-node run, if any
    stop_pid "$SERVER2_PID" 10
    SERVER2_PID=
    stop_pid "$REDIS_PID" 10
    REDIS_PID=
    [ -n "$REDIS_DIR" ] && rm -rf "$REDIS_DIR"
    REDIS_DIR=
}
trap cleanup EXIT
trap 'echo "compare.sh: interrupted" >&2; exit 130' INT TERM

free_port() { # a port nothing listens on
    local p i
    for ((i = 0; i < 100; i++)); do
        p=$((20000 + RANDOM % 12000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start_server() { # server port log deflate(0|1) [more loomsocket bench-server options] -> sets SERVER_PID;
                 # returns 1 if it did not come up in 60 s
    local server=$1 port=$2 log=$3 deflate=${4:-0} i
    shift 4
    local -a cmd
    local -a flags=()
    if [ "$server" = loomsocket ]; then
        # accepts deflate by default; --max-size 64M --idle-timeout off: the settings the committed results were
        # measured with (the defaults are now 1M and 5m), and what the peers do (no idle timeout)
        cmd=(-jar target/loomsocket.jar bench-server --host 127.0.0.1 --port "$port" --max-size 64M --idle-timeout off "$@")
    elif [ "$server" = node-ws ]; then
        cmd=(bench/node/server.mjs --host 127.0.0.1 --port "$port")
        [ "$deflate" = 1 ] && flags=(--deflate)
    else
        cmd=(-jar target/peers.jar "$server" --host 127.0.0.1 --port "$port")
        [ "$deflate" = 1 ] && flags=(--deflate)
    fi
    if [ "$server" = node-ws ]; then
        taskset -c "$SERVER_CPU" node "${cmd[@]}" "${flags[@]}" >"$log" 2>&1 &
    else
        # shellcheck disable=SC2086 # the flags are words
        taskset -c "$SERVER_CPU" "$JAVA_BIN" $SERVER_JVM_FLAGS "${cmd[@]}" "${flags[@]}" >"$log" 2>&1 &
    fi
    SERVER_PID=$!
    for ((i = 0; i < 600; i++)); do
        kill -0 "$SERVER_PID" 2>/dev/null || return 1
        port_open "$port" && return 0
        sleep 0.1
    done
    return 1
}

start_cluster() { # log-prefix port-of-the-first-node -> REDIS_PID REDIS_PORT REDIS_DIR, SERVER2_PID PORT2;
                  # returns 1 if redis-server or the second node did not come up
    local prefix=$1 first=$2 i
    REDIS_PORT=$(free_port) || return 1
    PORT2=$(free_port) || return 1
    while [ "$PORT2" = "$first" ] || [ "$PORT2" = "$REDIS_PORT" ]; do PORT2=$(free_port) || return 1; done
    REDIS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/compare-redis.XXXXXX") || return 1
    taskset -c "$SERVER_CPU" "$REDIS_BIN" --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
        --daemonize no --dir "$REDIS_DIR" >"$prefix.redis.log" 2>&1 &
    REDIS_PID=$!
    for ((i = 0; i < 100; i++)); do
        kill -0 "$REDIS_PID" 2>/dev/null || return 1
        port_open "$REDIS_PORT" && break
        sleep 0.1
    done
    port_open "$REDIS_PORT" || return 1
    start_server loomsocket "$PORT2" "$prefix.server2.log" 0 --redis "redis://127.0.0.1:$REDIS_PORT/bench-$STAMP"
    local ok=$?
    SERVER2_PID=$SERVER_PID
    SERVER_PID=
    return $ok
}

# ---- runs ----
read -r -a SERVER_LIST <<<"$SERVERS"
NSERVERS=${#SERVER_LIST[@]}
FAILED=0
TOTAL=0

record_failure() { # server workload round reason...
    local server=$1 workload=$2 round=$3
    shift 3
    echo "server=$server workload=$workload round=$round FAILED $*" | tee -a "$RESULTS" >&2
    FAILED=$((FAILED + 1))
}

for ((round = 1; round <= ROUNDS; round++)); do
    for workload in $WORKLOADS; do
        read -r -a spec <<<"$(workload_spec "$workload")"
        mode=${spec[0]} path=${spec[1]} conns=${spec[2]} size=${spec[3]}
        extra=("${spec[@]:4}")
        for ((k = 0; k < NSERVERS; k++)); do
            server=${SERVER_LIST[$(((k + round - 1) % NSERVERS))]} # rotates per round
            runs_on "$workload" "$server" || continue
            deflate=0
            is_compression "$workload" && deflate=1
            TOTAL=$((TOTAL + 1))
            tag="$server-$workload-r$round"
            echo "== round $round/$ROUNDS  $workload  $server" >&2
            port=$(free_port) || { record_failure "$server" "$workload" "$round" "reason=no-free-port"; continue; }
            cluster_flags=()
            also=()
            if is_two_node "$workload"; then
                # redis-server, then the second node (its pid moved to SERVER2_PID), then the first as usual
                if ! start_cluster "$LOGS/$tag" "$port"; then
                    record_failure "$server" "$workload" "$round" "reason=cluster-did-not-start log=$LOGS/$tag.*.log"
                    tail -5 "$LOGS/$tag.redis.log" "$LOGS/$tag.server2.log" 2>/dev/null >&2
                    stop_cluster
                    continue
                fi
                cluster_flags=(--redis "redis://127.0.0.1:$REDIS_PORT/bench-$STAMP")
                also=(--also-url "ws://127.0.0.1:$PORT2$path")
            fi
            if ! start_server "$server" "$port" "$LOGS/$tag.server.log" "$deflate" "${cluster_flags[@]}"; then
                record_failure "$server" "$workload" "$round" "reason=server-did-not-start log=$LOGS/$tag.server.log"
                tail -5 "$LOGS/$tag.server.log" >&2
                stop_pid "$SERVER_PID" 5
                SERVER_PID=
                stop_cluster
                continue
            fi
            if [ "$mode" = hold ]; then
                timing=(--duration "$HOLD_DURATION")
                limit=$(awk -v d="$HOLD_DURATION" 'BEGIN { printf "%d", d + 120 }')
            else
                timing=(--duration "$DURATION" --warmup "$WARMUP")
                limit=$(awk -v d="$DURATION" -v w="$WARMUP" 'BEGIN { printf "%d", d + w + 90 }')
            fi
            pid_flags=(--server-pid "$SERVER_PID")
            [ ${#also[@]} -gt 0 ] && pid_flags=() # two nodes: no single server's CPU to divide
            load=(-jar target/loomsocket.jar bench "$mode" --url "ws://127.0.0.1:$port$path" "${also[@]}"
                --connections "$conns" --size "$size" "${timing[@]}" "${extra[@]}"
                "${pid_flags[@]}" --quiet)
            # shellcheck disable=SC2086
            timeout -k 10 "$limit" taskset -c "$LOAD_CPU" "$JAVA_BIN" $LOAD_JVM_FLAGS "${load[@]}" \
                >"$LOGS/$tag.load.out" 2>"$LOGS/$tag.load.err" &
            LOAD_PID=$!
            wait "$LOAD_PID"
            status=$?
            LOAD_PID=
            result=$(grep '^RESULT ' "$LOGS/$tag.load.out" | tail -1)
            alive=yes
            kill -0 "$SERVER_PID" 2>/dev/null || alive=no
            [ -n "$SERVER2_PID" ] && { kill -0 "$SERVER2_PID" 2>/dev/null || alive=no; }
            [ -n "$REDIS_PID" ] && { kill -0 "$REDIS_PID" 2>/dev/null || alive=no; }
            if [ "$status" = 0 ] && [ -n "$result" ] && [ "$alive" = yes ]; then
                echo "server=$server workload=$workload round=$round $result" >>"$RESULTS"
                echo "   $result" >&2
            else
                why=load-failed
                [ "$status" = 124 ] && why=load-timeout
                [ "$alive" = no ] && why=server-died
                [ -z "$result" ] && [ "$status" = 0 ] && why=no-result-line
                # keep the tool's numbers, if any, without the RESULT keyword (the report skips the line)
                details=("reason=$why" "exit=$status" "server_alive=$alive")
                [ -n "$result" ] && details+=("load=\"${result#RESULT }\"")
                record_failure "$server" "$workload" "$round" "${details[@]}" "log=$LOGS/$tag.load.err"
                tail -3 "$LOGS/$tag.load.err" >&2
            fi
            stop_pid "$SERVER_PID" 10
            SERVER_PID=
            stop_cluster
        done
    done
done

echo "# end $(date -u +%Y-%m-%dT%H:%M:%SZ): $TOTAL runs, $FAILED failed" >>"$RESULTS"
echo "== $TOTAL runs, $FAILED failed: $RESULTS" >&2

# ---- JMH (optional) ----
if [ "$RUN_JMH" = 1 ]; then
    [ -n "$JMH_FILE" ] || JMH_FILE=$OUT_DIR/jmh-$STAMP.json
    echo "== JMH: java -jar target/benchmarks.jar $JMH_ARGS -rf json -rff $JMH_FILE" >&2
    # shellcheck disable=SC2086
    "$JAVA_BIN" -jar target/benchmarks.jar $JMH_ARGS -rf json -rff "$JMH_FILE" >"$LOGS/jmh.log" 2>&1 \
        || { echo "compare.sh: JMH failed, see $LOGS/jmh.log" >&2; JMH_FILE=; FAILED=$((FAILED + 1)); }
fi

# ---- report ----
report=(-jar target/loomsocket.jar bench report --results "$RESULTS")
[ -n "$JMH_FILE" ] && report+=(--jmh "$JMH_FILE")
if [ "$SMOKE" = 1 ]; then
    report+=(--doc "$OUT_DIR/benchmarks.md" --svg-dir "$OUT_DIR/bench")
elif [ "$TWO_NODE" = 1 ]; then
    # docs/benchmarks.md has no generated section for two nodes ("Two nodes over Redis" is written by hand)
    # and this run is not a full comparison: leave docs/ alone
    report+=(--doc "$LOGS/benchmarks.md" --svg-dir "$LOGS/bench")
else
    mkdir -p docs/bench
    ran_load=0
    ran_deflate=0
    for w in $WORKLOADS; do
        if is_compression "$w"; then ran_deflate=1; else ran_load=1; fi
    done
    # each section of docs/benchmarks.md keeps the results file it was rendered from
    [ "$ran_load" = 1 ] && cp "$RESULTS" docs/bench/load-results.txt
    [ "$ran_deflate" = 1 ] && cp "$RESULTS" docs/bench/deflate-results.txt
    report+=(--doc docs/benchmarks.md --svg-dir docs/bench)
fi
echo "== java ${report[*]}" >&2
if ! "$JAVA_BIN" "${report[@]}"; then
    echo "compare.sh: bench report failed" >&2
    exit 1
fi
[ "$FAILED" = 0 ]
