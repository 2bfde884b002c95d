#!/usr/bin/env bash
# Makes sure that what `mvn verify` needs outside Maven is on this machine, installing what is
# missing through the package registries; otherwise stops at once, printing the command to run.
# Run by the build itself (exec-maven-plugin, execution ensure-test-tools in pom.xml, phase
# validate); not run with -DskipTests, -DskipITs, -Dmaven.test.skip or -Dsetup.skip=true.
#
#   bash src/test/setup/ensure-test-tools.sh [--offline]
#
# What the tests need, and where it comes from:
#   a JDK >= 21 for the Maven toolchains plugin (any JDK under /usr/lib/jvm, JAVA_HOME, ...; see
#     find_jdk): Debian's openjdk-21-jdk-headless where the apt sources have it (Debian 13), else
#     a message: Debian 12 has no JDK 21 package.
#   Debian packages (apt-get, as root):
#     chromium             /usr/bin/chromium, for DemoBrowserIT (the demo page in headless Chromium)
#     python3-websockets   `import websockets` in /usr/bin/python3, for the Python peers
#                          (DeflateInteropIT, TlsInteropIT and the tutorials' clients)
#     nginx                the reverse-proxy test of docs/deploy.md
#     systemd              systemd-analyze, to check the unit file (`systemd-analyze verify`)
#     redis-server         /usr/bin/redis-server, the Redis of the cluster tests (io.loomsocket.redis,
#                          io.loomsocket.cluster): started by the tests on a free loopback port
#   Node.js >= 20 with npm: Debian's nodejs and npm where the apt candidate is >= 20 (Debian 13),
#     else a message: Debian 12's nodejs is 18.
#   npm ci (the npm registry, versions pinned by each package-lock.json), in
#     src/test/browser       playwright-core, which drives Debian's Chromium and never downloads
#                            a browser (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 all the same)
#     src/test/deflate-peers ws, Node's WebSocket peer (also loaded by src/test/tls-peers)
#     bench/node             ws again, for the node-ws server of bench/compare.sh (BenchmarksSmokeIT)
#   only where node_modules is missing or older than package-lock.json.
#
# Idempotent: it checks first and installs only what is missing; with everything present it
# takes well under a second and prints one line. --offline (Maven's -o): npm ci from npm's cache
# only (npm --offline), and no apt-get: a missing package is reported with its command.
# Overrides the tests also honour: CHROMIUM (path of the browser), DEFLATE_PEERS_PYTHON (the
# Python with websockets), REDIS_SERVER (the redis-server binary).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."

offline=false
for arg in "$@"; do
    case "$arg" in
        --offline|--offline=true) offline=true ;;
        --offline=false) ;;
        *) echo "ensure-test-tools: unknown argument '$arg' (usage: ensure-test-tools.sh [--offline])" >&2; exit 2 ;;
    esac
done

started=$(date +%s%N)
say() { echo "ensure-test-tools: $*"; }
problems=()

# ---- what is there --------------------------------------------------------------------------

# The major version of the JDK at $1 (its `release` file, else `java -version`), or nothing.
jdk_major() {
    local home=$1 v=""
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
    if [ -f "$home/release" ]; then
        v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release" | head -1)
    fi
    if [ -z "$v" ]; then
        v=$("$home/bin/java" -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p' | head -1)
    fi
    echo "$v"
}

# A JDK >= 21 where the toolchains plugin (3.2.0, select-jdk-toolchain) looks: JAVA_HOME and the
# other *_HOME variables, ~/.m2/toolchains.xml, the usual install folders, the `java` on the PATH.
# Sets jdk to "MAJOR HOME" of the first one found ("" if none; jdk_seen: the older ones seen).
jdk=""
jdk_seen=()
find_jdk() {
    jdk=""
    jdk_seen=()
    local candidates=() home major name
    for name in $(compgen -e); do
        case "$name" in *_HOME|*_HOME_*) candidates+=("${!name}") ;; esac
    done
    if [ -f "$HOME/.m2/toolchains.xml" ]; then
        while IFS= read -r home; do candidates+=("$home"); done < <(
            sed -n 's:.*<jdkHome>\(.*\)</jdkHome>.*:\1:p' "$HOME/.m2/toolchains.xml")
    fi
    for home in /usr/lib/jvm/* /opt/java/* /usr/jdk/* "$HOME"/.jdks/* "$HOME"/.sdkman/candidates/java/* \
                "$HOME"/.gradle/jdks/* "$HOME"/.m2/jdks/*; do
        [ -d "$home" ] && candidates+=("$home")
    done
    if command -v java >/dev/null 2>&1; then
        candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
    fi
    for home in "${candidates[@]}"; do
        [ -n "$home" ] || continue
        major=$(jdk_major "$home")
        [ -n "$major" ] || continue
        if [ "$major" -ge 21 ]; then
            jdk="$major $home"
            return 0
        fi
        jdk_seen+=("$major at $home")
    done
}

node_ok() {
    command -v npm >/dev/null 2>&1 &&
        node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' >/dev/null 2>&1
}

# Debian package -> is what the tests use from it there?
package_present() {
    case "$1" in
        chromium) [ -x "${CHROMIUM:-/usr/bin/chromium}" ] ;;
        python3-websockets) "${DEFLATE_PEERS_PYTHON:-/usr/bin/python3}" -c 'import websockets' >/dev/null 2>&1 ;;
        nginx) command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] ;;
        systemd) command -v systemd-analyze >/dev/null 2>&1 ;;
        redis-server) [ -x "${REDIS_SERVER:-/usr/bin/redis-server}" ] ;;
        *) echo "ensure-test-tools: no check for package $1" >&2; return 1 ;;
    esac
}
PACKAGES=(chromium python3-websockets nginx systemd redis-server)

NPM_DIRS=(src/test/browser src/test/deflate-peers bench/node)
# node_modules missing, or older than package-lock.json (npm ci writes node_modules/.package-lock.json).
npm_stale() {
    [ ! -f "$1/node_modules/.package-lock.json" ] || [ "$1/package-lock.json" -nt "$1/node_modules/.package-lock.json" ]
}

# The apt candidate version of package $1 ("" if none).
apt_candidate() {
    apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: *//p' | grep -v '^(none)$' || true
}

missing_packages() {
    local p out=()
    for p in "${PACKAGES[@]}"; do package_present "$p" || out+=("$p"); done
    echo "${out[@]}"
}

# ---- install what is missing -------------------------------------------------------------

find_jdk
read -r -a missing <<< "$(missing_packages)"
need_node=false
node_ok || need_node=true

can_apt=false
if [ "$offline" = false ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    can_apt=true
fi

if [ "$can_apt" = true ] && { [ ${#missing[@]} -gt 0 ] || [ -z "$jdk" ] || [ "$need_node" = true ]; }; then
    install=("${missing[@]}")
    say "installing with apt-get: ${missing[*]:-(nothing yet)}; checking for a JDK >= 21 and node >= 20 in the apt sources as needed"
    apt-get update -q || say "apt-get update failed (exit $?); trying with the package lists as they are"
    if [ -z "$jdk" ]; then
        for p in openjdk-21-jdk-headless openjdk-25-jdk-headless; do
            if [ -n "$(apt_candidate "$p")" ]; then install+=("$p"); break; fi
        done
    fi
    if [ "$need_node" = true ]; then
        # Debian 13's nodejs is 20 and its npm a package of its own; a nodejs that is already the
        # candidate (NodeSource's, say, which brings its own npm) is left alone.
        v=$(apt_candidate nodejs)
        if [ -n "$v" ] && [ "$(dpkg-query -W -f='${Version}' nodejs 2>/dev/null || true)" != "$v" ]; then
            v=${v#*:}
            if [ "${v%%.*}" -ge 20 ] 2>/dev/null; then
                install+=(nodejs)
                command -v npm >/dev/null 2>&1 || [ -z "$(apt_candidate npm)" ] || install+=(npm)
            fi
        fi
    fi
    if [ ${#install[@]} -gt 0 ]; then
        say "apt-get install -y ${install[*]}"
        # (Recommends included, as a person's install would: Chromium's fonts among them.)
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${install[@]}" ||
            say "apt-get install failed (exit $?): see its output above"
    fi
    find_jdk
    read -r -a missing <<< "$(missing_packages)"
    need_node=false
    node_ok || need_node=true
fi

if [ -z "$jdk" ]; then
    seen="none"
    [ ${#jdk_seen[@]} -eq 0 ] || seen=$(IFS=';'; echo "${jdk_seen[*]}")
    problems+=("no JDK >= 21 (the build compiles for Java 21; JDKs found: $seen).
      Debian 13: apt-get install -y openjdk-21-jdk-headless
      Debian 12 packages no JDK 21 (apt-cache policy openjdk-21-jdk: no candidate): install Eclipse
      Temurin 21 or later from Adoptium's apt repository (adoptium.net/installation/linux, then
      apt-get install -y temurin-21-jdk), or unpack any JDK >= 21 under /usr/lib/jvm or ~/.jdks, or
      set JAVA_HOME to it; Maven finds it there by itself")
fi
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$offline" = true ]; then
        why="Maven runs offline (-o), so nothing is installed"
    elif [ "$(id -u)" -ne 0 ]; then
        why="not root, so nothing is installed"
    elif ! command -v apt-get >/dev/null 2>&1; then
        why="no apt-get: install the same packages with this system's package manager"
    else
        why="apt-get install did not provide them"
    fi
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo "
    problems+=("missing Debian packages: ${missing[*]} ($why). Run:
      ${sudo}apt-get update && ${sudo}apt-get install -y ${missing[*]}")
fi
if [ "$need_node" = true ]; then
    have=$(node --version 2>/dev/null || echo "no node")
    command -v npm >/dev/null 2>&1 || have="$have, no npm"
    problems+=("Node.js >= 20 with npm is needed on the PATH ($have).
      Debian 13: apt-get install -y nodejs npm
      Debian 12's nodejs is 18: install Node.js 20 or later from nodejs.org/en/download (NodeSource's
      nodejs package for Debian, or nvm: nvm install 20)")
fi

if [ ${#problems[@]} -gt 0 ]; then
    {
        echo "ensure-test-tools: the tests of \`mvn verify\` cannot run on this machine yet:"
        for p in "${problems[@]}"; do echo "  - $p"; done
        echo "  Then run \`mvn verify\` again (or skip this check with -Dsetup.skip=true and let the tests"
        echo "  that need these fail)."
    } >&2
    exit 1
fi

npm_flags=(--no-audit --no-fund)
[ "$offline" = false ] || npm_flags+=(--offline)
installed_npm=()
for dir in "${NPM_DIRS[@]}"; do
    if npm_stale "$dir"; then
        say "npm ci --prefix $dir"
        if ! PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$dir" "${npm_flags[@]}"; then
            hint=""
            [ "$offline" = false ] || hint=" (Maven runs offline: npm used only its cache; run without -o once)"
            echo "ensure-test-tools: npm ci in $dir failed$hint. Run: npm ci --prefix $dir" >&2
            exit 1
        fi
        installed_npm+=("$dir")
    fi
done

elapsed=$(( ($(date +%s%N) - started) / 1000000 ))
read -r jdk_version jdk_home <<< "$jdk"
say "ready in ${elapsed} ms: JDK $jdk_version ($jdk_home), node $(node --version), ${PACKAGES[*]}; node_modules in ${NPM_DIRS[*]}$([ ${#installed_npm[@]} -eq 0 ] || echo " (npm ci just now: ${installed_npm[*]})")"
