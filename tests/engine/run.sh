#!/usr/bin/env bash
# The real-engine test lane (`make test-engine`): a real Elasticsearch 9 from Maven Central on
# loopback, then every test that touches the index run against it. See docs/engines.md.
#
#   tests/engine/run.sh            fetch, start, print "engine: elasticsearch <version>", run the tests, stop
#   tests/engine/run.sh --status   one plain line: can this machine run the lane, and if not why (exit 0)
#   tests/engine/run.sh --serve    fetch and start, print the URL, keep it up until Ctrl-C (benchmarks)
#   tests/engine/run.sh --run CMD  fetch and start, run CMD with NEWSFLOW_TEST_ES_URL set, stop; CMD's status
#   tests/engine/run.sh --can-run  exit 0 when this machine can run the engine, 1 (and why, on stderr) if not
#
# Needs: a JDK 21 or later (ES_JAVA_HOME, else JAVA_HOME, else the newest JDK >= 21 under
# /usr/lib/jvm) and Maven (mvn). Elasticsearch refuses to run as root: as root the engine runs
# as the system user `newsflow-es` (created here if missing), its files in a scratch folder it
# owns. The engine is stopped and the scratch folder removed whatever happens.
# Environment: PYTHON (default python3), ENGINE_HEAP (default 1g), PYTEST_ARGS, ENGINE_USER,
# ENGINE_JVM_DIR (where JDKs are looked for, default /usr/lib/jvm), ENGINE_LANGUAGE_ANALYZERS=0.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
cd "$REPO"  # PYTHON may be relative to the repository (the Makefile passes .venv/bin/python)
PYTHON="${PYTHON:-python3}"
HEAP="${ENGINE_HEAP:-1g}"
ES_USER="${ENGINE_USER:-newsflow-es}"
MIN_JAVA=21

# The tests that touch the index; each uses `newsflow.index.embedded.search_engine()`, which
# answers NEWSFLOW_TEST_ES_URL when it is set.
ENGINE_TESTS=(
    tests/integration/index
    tests/integration/dedupe
    tests/integration/test_news_ingest_dag.py
    tests/integration/test_news_reindex_dag.py
)

java_major() {  # $1 = a JDK home; prints its feature version, or nothing
    local release="$1/release" version
    [ -x "$1/bin/java" ] || return 0
    if [ -r "$release" ]; then
        version="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")"
    else
        version="$("$1/bin/java" -XshowSettings:properties -version 2>&1 \
            | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')"
    fi
    echo "$version"
}

find_java() {  # prints a JDK home with Java >= MIN_JAVA, or nothing
    local candidate major
    for candidate in "${ES_JAVA_HOME:-}" "${JAVA_HOME:-}"; do
        [ -n "$candidate" ] || continue
        major="$(java_major "$candidate")"
        if [ -n "$major" ] && [ "$major" -ge "$MIN_JAVA" ] && [ -x "$candidate/bin/javac" ]; then
            echo "$candidate"; return
        fi
    done
    local best="" best_major=0
    for candidate in "${ENGINE_JVM_DIR:-/usr/lib/jvm}"/*/; do
        candidate="${candidate%/}"
        [ -L "$candidate" ] && continue
        major="$(java_major "$candidate")"
        [ -x "$candidate/bin/javac" ] || continue
        if [ -n "$major" ] && [ "$major" -ge "$MIN_JAVA" ] && [ "$major" -gt "$best_major" ]; then
            best="$candidate"; best_major="$major"
        fi
    done
    echo "$best"
}

why_not() {  # prints why the lane cannot run here, or nothing
    if [ -z "$(find_java)" ]; then
        echo "no Java ${MIN_JAVA}+ JDK found (looked at ES_JAVA_HOME, JAVA_HOME and /usr/lib/jvm/*; Elasticsearch 9 needs Java ${MIN_JAVA} or later, and javac builds the lane's analyzer plugin)"
    elif ! command -v mvn >/dev/null 2>&1; then
        echo "no Maven (mvn) on PATH to fetch Elasticsearch from Maven Central"
    elif [ "$(id -u)" -eq 0 ] && ! command -v runuser >/dev/null 2>&1; then
        echo "running as root without runuser (Elasticsearch refuses to run as root)"
    fi
}

if [ "${1:-}" = "--status" ]; then
    reason="$(why_not)"
    if [ -n "$reason" ]; then
        echo "real-engine lane: NOT RUN on this machine: $reason"
    else
        echo "real-engine lane: not part of 'make test'; 'make test-engine' runs the index tests against Elasticsearch 9 (Java: $(find_java))"
    fi
    exit 0
fi

reason="$(why_not)"
if [ "${1:-}" = "--can-run" ]; then
    [ -z "$reason" ] || { echo "real engine: not available here: $reason" >&2; exit 1; }
    exit 0
fi
if [ -n "$reason" ]; then
    echo "real-engine lane: NOT RUN: $reason" >&2
    exit 2
fi
JAVA="$(find_java)"

# Not under $TMPDIR: the engine's user must reach it (a root-only TMPDIR would lock it out).
SCRATCH="$(mktemp -d "${ENGINE_TMP:-/tmp}/newsflow-engine.XXXXXX")"
chmod 755 "$SCRATCH"
PIDFILE="$SCRATCH/es.pid"
LOG="$SCRATCH/engine.log"

stop_engine() {
    local status=$? pid=""
    trap - EXIT INT TERM
    [ -s "$PIDFILE" ] && pid="$(cat "$PIDFILE")"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -KILL "$pid" 2>/dev/null || true
        echo "real engine stopped"
    fi
    local waiting
    waiting="$(jobs -p)"
    [ -z "$waiting" ] || kill $waiting 2>/dev/null || true  # the --serve loop's sleep
    if [ "$status" -ne 0 ] && [ "$status" -ne 130 ] && [ "$status" -ne 143 ] && [ -d "$SCRATCH/logs" ]; then
        echo "real engine: last lines of its log ($SCRATCH/logs):" >&2
        tail -n 30 "$SCRATCH"/logs/*.log 2>/dev/null | tail -n 30 >&2 || true
    fi
    rm -rf "$SCRATCH"
    exit "$status"
}
trap stop_engine EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 1. Fetch (Maven keeps the zip in ~/.m2; unpacking takes seconds).
mvn -B -q -f "$HERE/pom.xml" dependency:unpack -Dengine.dir="$SCRATCH/dist" >"$SCRATCH/mvn.log" 2>&1 || {
    cat "$SCRATCH/mvn.log" >&2; echo "real engine: fetching Elasticsearch from Maven Central failed" >&2; exit 1; }
ES_HOME="$(echo "$SCRATCH"/dist/elasticsearch-*)"
ES_VERSION="${ES_HOME##*/elasticsearch-}"

# 1b. The minimal distribution has no analysis-common module, hence no language analyzer: the
# small plugin in tests/engine/analysis registers the ones newsflow maps (Lucene's own classes,
# as analysis-common builds them). ENGINE_LANGUAGE_ANALYZERS=0 runs the bare distribution.
MISSING_LANGUAGES="ar,de,en,es,fr,it,pt,ru"  # what the tests expect the engine to lack
if [ "${ENGINE_LANGUAGE_ANALYZERS:-1}" != "0" ]; then
    MISSING_LANGUAGES=""
    PLUGIN_DIR="$ES_HOME/plugins/newsflow-language-analyzers"
    mkdir -p "$SCRATCH/plugin-classes" "$PLUGIN_DIR"
    "$JAVA/bin/javac" --release "$MIN_JAVA" -nowarn -cp "$ES_HOME/lib/*" -d "$SCRATCH/plugin-classes" \
        "$HERE"/analysis/src/io/newsflow/engine/*.java
    "$JAVA/bin/jar" cf "$PLUGIN_DIR/newsflow-language-analyzers.jar" -C "$SCRATCH/plugin-classes" .
    sed "s/@ES_VERSION@/$ES_VERSION/" "$HERE/analysis/plugin-descriptor.properties" >"$PLUGIN_DIR/plugin-descriptor.properties"
fi

# 2. Configure: loopback, a free port, one node, security off, data and logs in the scratch folder.
PORT="$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mkdir -p "$SCRATCH/config" "$SCRATCH/data" "$SCRATCH/logs" "$SCRATCH/tmp"
cp -r "$ES_HOME/config/." "$SCRATCH/config/"
cat >"$SCRATCH/config/elasticsearch.yml" <<EOF
cluster.name: newsflow-test-engine
node.name: newsflow-test-engine
network.host: 127.0.0.1
http.port: $PORT
transport.port: 0
discovery.type: single-node
path.data: $SCRATCH/data
path.logs: $SCRATCH/logs
xpack.security.enabled: false
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
EOF
cat >"$SCRATCH/config/jvm.options.d/newsflow.options" <<EOF
-Xms$HEAP
-Xmx$HEAP
EOF

RUN_AS=()
if [ "$(id -u)" -eq 0 ]; then
    if ! id "$ES_USER" >/dev/null 2>&1; then
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$ES_USER"
    fi
    chown -R "$ES_USER" "$SCRATCH"
    RUN_AS=(runuser -u "$ES_USER" --)
fi

# 3. Start (daemonized: the pid file holds the server's pid once it is up).
"${RUN_AS[@]}" env ES_JAVA_HOME="$JAVA" ES_PATH_CONF="$SCRATCH/config" ES_TMPDIR="$SCRATCH/tmp" \
    ES_JAVA_OPTS="${ES_JAVA_OPTS:-}" "$ES_HOME/bin/elasticsearch" -d -p "$PIDFILE" >"$LOG" 2>&1 || {
    cat "$LOG" >&2; echo "real engine: Elasticsearch did not start" >&2; exit 1; }

URL="http://127.0.0.1:$PORT"
# 4. Wait for health; print the engine line once.
"$PYTHON" - "$URL" <<'EOF'
import json, sys, time, urllib.request
url = sys.argv[1]
deadline = time.monotonic() + 180
while True:
    try:
        with urllib.request.urlopen(f"{url}/_cluster/health?wait_for_status=yellow&timeout=30s", timeout=40) as r:
            if json.load(r)["status"] in ("yellow", "green"):
                break
    except OSError as exc:
        if time.monotonic() > deadline:
            sys.exit(f"real engine: not healthy after 180 s: {exc}")
        time.sleep(1)
# Not `GET /`: the minimal distribution has no rest-root module, so `/` answers 405.
with urllib.request.urlopen(f"{url}/_nodes/_local/plugins?filter_path=nodes.*.version,nodes.*.modules.name,nodes.*.plugins.name", timeout=10) as r:
    node = next(iter(json.load(r)["nodes"].values()))
print(f"engine: elasticsearch {node['version']}", flush=True)
modules = ", ".join(sorted(m["name"] for m in node.get("modules", [])))
plugins = ", ".join(sorted(m["name"] for m in node.get("plugins", []))) or "none"
print(f"  at {url}; modules: {modules}; plugins: {plugins}", flush=True)
EOF

if [ "${1:-}" = "--serve" ]; then
    echo "NEWSFLOW_TEST_ES_URL=$URL NEWSFLOW_TEST_ES_MISSING_LANGUAGES=$MISSING_LANGUAGES  (Ctrl-C stops it)"
    while true; do sleep 3600 & wait $!; done
fi

if [ "${1:-}" = "--run" ]; then
    shift
    NEWSFLOW_TEST_ES_URL="$URL" NEWSFLOW_TEST_ES_MISSING_LANGUAGES="$MISSING_LANGUAGES" "$@"
    exit $?
fi

# 5. The tests that touch the index, against it.
# shellcheck disable=SC2086
NEWSFLOW_TEST_ES_URL="$URL" NEWSFLOW_TEST_ES_MISSING_LANGUAGES="$MISSING_LANGUAGES" "$PYTHON" -m pytest "${ENGINE_TESTS[@]}" ${PYTEST_ARGS:-}
