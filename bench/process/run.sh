#!/usr/bin/env bash
# Process exports and the process map at scale (issue 15): the bench workspace (`seed_bench`,
# PROJECTS projects × TASKS tasks, each with a walked history) exported by
# `finishline export ocel|xes` on SQLite and on PostgreSQL — wall, CPU (user + sys) and peak RSS
# from /usr/bin/time -v, the file's size — then `GET /api/v1/analytics/process-map`:
#   - the first request ever (no facts kept yet: every log replayed, facts kept),
#   - the first request after a restart (facts read back from the database),
#   - the first request after one project changed (median and max of RUNS changes),
#   - warm p50/p99 at CONNECTIONS connections, once the sweeper's first pass has settled,
# with the server's CPU seconds and the load average beside each wall time.
#
#   bench/process/run.sh [PROJECTS] [TASKS]        (defaults 2000 60)
#   BACKENDS="sqlite postgres" DURATION=10s CONNECTIONS=50 RUNS=5 bench/process/run.sh
#
# PostgreSQL at 127.0.0.1:5432 for the postgres half (database finishline_process_bench, dropped
# at the end). Scratch data in BENCH_DIR, removed at the end. Prints Markdown.
set -euo pipefail
cd "$(dirname "$0")/../.."
PROJECTS=${1:-2000}
TASKS=${2:-60}
BACKENDS=${BACKENDS:-sqlite postgres}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-50}
RUNS=${RUNS:-5}
DIR=${BENCH_DIR:-/tmp/process-bench}
# A free port unless given: other servers may run on this machine.
PORT=${PORT:-$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")}
PG=${PG_ADMIN:-postgres://postgres@127.0.0.1:5432}
PGDB=finishline_process_bench
mkdir -p "$DIR"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }

if [ -z "${SKIP_BUILD:-}" ]; then
    cargo build --release -p finishline --bin finishline --example seed_bench >&2
fi
BIN=${CARGO_TARGET_DIR:-target}/release/finishline
SEED=${CARGO_TARGET_DIR:-target}/release/examples/seed_bench
BASE="http://127.0.0.1:$PORT"

measure() { # command... → "wall cpu rss_mb"
    /usr/bin/time -v "$@" >"$DIR/out.txt" 2>"$DIR/time.txt"
    awk -F': ' '
        /Elapsed \(wall clock\)/ { n = split($2, p, ":"); wall = (n == 3) ? p[1]*3600 + p[2]*60 + p[3] : p[1]*60 + p[2] }
        /User time/ { user = $2 } /System time/ { sys = $2 }
        /Maximum resident set size/ { rss = $2 / 1024 }
        END { printf "%.2f %.2f %.0f\n", wall, user + sys, rss }' "$DIR/time.txt"
}
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
revision() { # the workspace's projects_revision, straight from the database
    case $backend in
        sqlite) sqlite3 "$DIR/bench.sqlite" "SELECT MAX(projects_revision) FROM workspaces" ;;
        postgres) psql "$PG/$PGDB" -tAc "SELECT MAX(projects_revision) FROM workspaces" ;;
    esac
}
start_server() {
    FINISHLINE_LOG=warn "$BIN" serve --listen "127.0.0.1:$PORT" --database-url "$URL" >>"$DIR/serve-$backend.log" 2>&1 &
    SERVER=$!
    trap 'kill $SERVER 2>/dev/null || true' EXIT
    for _ in $(seq 1 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
    curl -sf "$BASE/healthz" >/dev/null || { echo "the server did not start: $DIR/serve-$backend.log" >&2; exit 1; }
}
stop_server() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; trap - EXIT; }
timed_get() { # path → "| wall | server CPU | load |"
    local c0 c1 wall
    c0=$(cpu_seconds "$SERVER")
    wall=$(curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "$BASE$1")
    c1=$(cpu_seconds "$SERVER")
    echo "| $wall | $(echo "$c1 - $c0" | bc) | $(load) |"
}

for backend in $BACKENDS; do
    case $backend in
        sqlite)
            rm -f "$DIR"/bench.sqlite*
            URL="sqlite://$DIR/bench.sqlite" ;;
        postgres)
            psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $PGDB" >&2
            psql "$PG/postgres" -qc "CREATE DATABASE $PGDB" >&2
            URL="$PG/$PGDB" ;;
    esac
    "$SEED" "$URL" "$PROJECTS" "$TASKS" >"$DIR/ws.txt" 2>"$DIR/seed-$backend.log"
    echo "### $backend, $PROJECTS projects × $TASKS tasks ($(tail -1 "$DIR/seed-$backend.log"))"
    echo
    echo "| what | wall (s) | CPU (s) | peak RSS (MB) | output | load average |"
    echo "|---|---:|---:|---:|---|---|"
    for format in ocel xes; do
        out="$DIR/bench.$format"
        read -r wall cpu rss < <(measure "$BIN" export "$format" "$out" --force --database-url "$URL")
        size=$(du -m "$out" | cut -f1)
        echo "| \`finishline export $format\` | $wall | $cpu | $rss | $size MB, $(cat "$DIR/out.txt") | $(load) |"
        rm -f "$out"
    done
    echo

    TOKEN=$(FINISHLINE_DATABASE_URL="$URL" "$BIN" token create --email bench@finishline.local --name bench 2>/dev/null)
    map=/api/v1/analytics/process-map
    echo "| process map | wall (s) | server CPU (s) | load average |"
    echo "|---|---:|---:|---|"
    start_server
    echo "| first request ever (no facts kept: every log replayed, facts kept) $(timed_get $map)"
    stop_server
    start_server
    echo "| first request after a restart (facts read back) $(timed_get $map)"
    walls=()
    cpus=()
    for run in $(seq 1 "$RUNS"); do
        curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
            -d "{\"action\":\"record_status_update\",\"meeting_date\":\"2030-01-0$run\",\"text\":\"Weekly call $run\"}" \
            "$BASE/api/v1/projects/prj_bench_0004$run/commands"
        read -r wall cpu < <(timed_get $map | awk -F'|' '{print $2, $3}')
        walls+=("$wall")
        cpus+=("$cpu")
    done
    sorted=$(printf '%s\n' "${walls[@]}" | sort -n)
    echo "| first request after one project changed (median / max of $RUNS) | $(echo "$sorted" | sed -n "$(( (RUNS + 1) / 2 ))p") / $(echo "$sorted" | tail -1) | $(printf '%s\n' "${cpus[@]}" | sort -n | tail -1) (max) | $(load) |"
    bytes=$(curl -sf -H "Authorization: Bearer $TOKEN" "$BASE$map" | wc -c)
    rss_before=$(awk '/VmRSS/{print int($2/1024)}' "/proc/$SERVER/status")
    ocel=$(curl -sf -o /dev/null -w '%{time_total} %{size_download}' -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/export/ocel")
    rss_peak=$(awk '/VmHWM/{print int($2/1024)}' "/proc/$SERVER/status")
    echo "| \`GET /api/v1/export/ocel\` (curl, whole body, $(( ${ocel#* } / 1048576 )) MB; server RSS $rss_before MB before, peak $rss_peak MB) | ${ocel% *} | | $(load) |"
    echo

    # The sweeper's first pass saves every project with an overdue task (R9 escalations), each
    # save a new revision: warm figures are taken once the revision has stood still for 10 s.
    r0=$(revision)
    waited=0
    last=$r0
    while :; do
        sleep 5; waited=$((waited + 5))
        now=$(revision)
        if [ "$now" = "$last" ] && [ $waited -ge 10 ]; then break; fi
        last=$now
    done
    echo "The sweeper's first pass: revision $r0 → $last, settled after ${waited} s."
    echo
    wrk -t2 -c"$CONNECTIONS" -d3s -H "Authorization: Bearer $TOKEN" "$BASE$map" >/dev/null
    c0=$(cpu_seconds "$SERVER")
    wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" "$BASE$map" >"$DIR/wrk.txt"
    c1=$(cpu_seconds "$SERVER")
    if grep -q "Non-2xx" "$DIR/wrk.txt"; then echo "wrk saw errors: $DIR/wrk.txt" >&2; exit 1; fi
    p50=$(awk '/^ +50%/{print $2}' "$DIR/wrk.txt"); p99=$(awk '/^ +99%/{print $2}' "$DIR/wrk.txt")
    rps=$(awk '/^Requests\/sec/{print $2}' "$DIR/wrk.txt")
    echo "| warm, $CONNECTIONS connections, $DURATION | p50 | p99 | requests/s | server CPU s | load average |"
    echo "|---|---:|---:|---:|---:|---|"
    echo "| \`GET $map\` ($bytes bytes) | $p50 | $p99 | $rps | $(echo "$c1 - $c0" | bc) | $(load) |"
    echo
    stop_server
    if [ "$backend" = postgres ]; then psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $PGDB" >&2; fi
done
rm -rf "$DIR"
