#!/usr/bin/env bash
# Analytics at scale (issue 15): the bench workspace (PROJECTS projects × TASKS tasks, each with
# a history walked through the lifecycle: loops, waits on both sides, pauses, moved dates), then
# on each backend:
#   - the first GET /api/v1/analytics ever (no facts kept yet: every document and log read and
#     replayed, the facts kept in the database),
#   - the first one after a restart (the kept facts read back),
#   - the first one after a change to one project (median and max of RUNS changes),
#   - /api/v1/analytics, /analytics (the page) and /api/v1/scorecard warm, under wrk at
#     CONNECTIONS connections for DURATION, once the sweeper's first pass has settled,
# with the server's CPU seconds during each wrk run and the load average beside the wall times.
#
#   bench/analytics/run.sh [PROJECTS] [TASKS]          (defaults 2000 60)
#   DURATION=20s CONNECTIONS=50 RUNS=5 BACKENDS="sqlite postgres" bench/analytics/run.sh
#
# Needs wrk and curl; PostgreSQL at 127.0.0.1:5432 for the postgres half (database
# finishline_analytics_bench, dropped at the end). Scratch in BENCH_DIR, removed. Prints Markdown.
set -euo pipefail
cd "$(dirname "$0")/../.."
PROJECTS=${1:-2000}
TASKS=${2:-60}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-50}
RUNS=${RUNS:-5}
BACKENDS=${BACKENDS:-sqlite postgres}
DIR=${BENCH_DIR:-/tmp/process-analytics-bench}
PORT=${PORT:-$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")}
PG=${PG_ADMIN:-postgres://postgres@127.0.0.1:5432}
TARGET=${CARGO_TARGET_DIR:-target}
mkdir -p "$DIR"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }

if [ -z "${SKIP_BUILD:-}" ]; then
    cargo build --release -p finishline --bin finishline --example seed_bench >&2
fi
BIN=$TARGET/release/finishline
SEED=$TARGET/release/examples/seed_bench
BASE="http://127.0.0.1:$PORT"

cpu_seconds() { # utime + stime of a process, in seconds
    awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"
}
load() { cut -d' ' -f1-3 /proc/loadavg; }
seconds() { # wall time of one GET, in seconds
    curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "$BASE$1"
}
under_wrk() { # path [header] → "| p50 | p99 | req/s | cpu s | load |"
    local path=$1 header=${2:-"Authorization: Bearer $TOKEN"}
    wrk -t2 -c"$CONNECTIONS" -d3s -H "$header" "$BASE$path" >/dev/null
    local before after
    before=$(cpu_seconds "$SERVER")
    read -r p50 p99 rps < <(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "$header" "$BASE$path" |
        awk '/^ +50%/{p50=$2} /^ +99%/{p99=$2} /^Requests\/sec/{rps=$2} END{print p50, p99, rps}')
    after=$(cpu_seconds "$SERVER")
    echo "| $p50 | $p99 | $rps | $(echo "$after - $before" | bc) | $(load) |"
}
revision() { # the workspace's projects_revision, straight from the database
    case $backend in
        sqlite) sqlite3 "$DIR/bench.sqlite" "SELECT MAX(projects_revision) FROM workspaces" ;;
        postgres) psql "$PG/finishline_analytics_bench" -tAc "SELECT MAX(projects_revision) FROM workspaces" ;;
    esac
}
start_server() {
    FINISHLINE_LOG=warn "$BIN" serve --listen "127.0.0.1:$PORT" --database-url "$URL" >>"$DIR/serve-$backend.log" 2>&1 &
    SERVER=$!
    trap 'kill $SERVER 2>/dev/null || true' EXIT
    for _ in $(seq 1 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
    curl -sf "$BASE/healthz" >/dev/null || { echo "the server did not start: $DIR/serve-$backend.log" >&2; exit 1; }
}

for backend in $BACKENDS; do
    case $backend in
        sqlite)
            rm -f "$DIR"/bench.sqlite*
            URL="sqlite://$DIR/bench.sqlite" ;;
        postgres)
            psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS finishline_analytics_bench" >&2
            psql "$PG/postgres" -qc "CREATE DATABASE finishline_analytics_bench" >&2
            URL="$PG/finishline_analytics_bench" ;;
    esac
    start=$(date +%s.%N)
    "$SEED" "$URL" "$PROJECTS" "$TASKS" > "$DIR/ws.txt" 2> "$DIR/seed-$backend.log"
    echo "seeded $PROJECTS projects in $(echo "$(date +%s.%N) - $start" | bc | cut -c1-6) s; $(tail -1 "$DIR/seed-$backend.log")" >&2
    TOKEN=$(FINISHLINE_DATABASE_URL="$URL" "$BIN" token create --email bench@finishline.local --name bench 2>/dev/null)
    start_server
    first_ever_cpu0=$(cpu_seconds "$SERVER")
    first_ever=$(seconds /api/v1/analytics)
    first_ever_cpu=$(echo "$(cpu_seconds "$SERVER") - $first_ever_cpu0" | bc)
    first_ever_load=$(load)
    kill $SERVER; wait $SERVER 2>/dev/null || true
    start_server
    # A session cookie for the page.
    JAR="$DIR/cookies-$backend.txt"; rm -f "$JAR"
    csrf=$(curl -s -c "$JAR" -b "$JAR" "$BASE/login" | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
    curl -s -o /dev/null -c "$JAR" -b "$JAR" --data-urlencode "csrf=$csrf" --data-urlencode "email=bench@finishline.local" \
        --data-urlencode "password=bench-password" --data-urlencode "next=/" "$BASE/login"
    COOKIE="Cookie: fl_session=$(awk '$6 == "fl_session" {print $7}' "$JAR")"

    cpu0=$(cpu_seconds "$SERVER")
    cold=$(seconds /api/v1/analytics)
    cpu1=$(cpu_seconds "$SERVER")
    bytes=$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/analytics" | wc -c)
    echo "### $backend, $PROJECTS projects × $TASKS tasks ($(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/analytics" | python3 -c 'import json,sys; a=json.load(sys.stdin); print(a["projects"], "projects,", a["live"], "live,", sum(l["count"] for l in a["loops"]), "loops")'))"
    echo
    echo "| first computation | wall s | server CPU s | load average |"
    echo "|---|---:|---:|---|"
    echo "| GET /api/v1/analytics, first ever (no facts kept: every log replayed) | $first_ever | $first_ever_cpu | $first_ever_load |"
    echo "| GET /api/v1/analytics after a restart (facts read back; $bytes bytes) | $cold | $(echo "$cpu1 - $cpu0" | bc) | $(load) |"
    # After a change: one command on one project, then the first read.
    walls=()
    cpus=()
    for run in $(seq 1 "$RUNS"); do
        curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
            -d "{\"action\":\"record_status_update\",\"meeting_date\":\"2030-01-0$run\",\"text\":\"Weekly call $run\"}" \
            "$BASE/api/v1/projects/prj_bench_0004$run/commands"
        c0=$(cpu_seconds "$SERVER")
        walls+=("$(seconds /api/v1/analytics)")
        c1=$(cpu_seconds "$SERVER")
        cpus+=("$(echo "$c1 - $c0" | bc)")
    done
    sorted=$(printf '%s\n' "${walls[@]}" | sort -n)
    echo "| GET /api/v1/analytics after one project changed (median / max of $RUNS) | $(echo "$sorted" | sed -n "$(( (RUNS + 1) / 2 ))p") / $(echo "$sorted" | tail -1) | $(printf '%s\n' "${cpus[@]}" | sort -n | tail -1) (max) | $(load) |"
    curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
        -d '{"action":"record_status_update","meeting_date":"2030-02-01","text":"Weekly call"}' "$BASE/api/v1/projects/prj_bench_00050/commands"
    echo "| GET /api/v1/scorecard after one project changed | $(seconds /api/v1/scorecard) | | $(load) |"
    echo
    # The sweeper's first pass saves every project with an overdue task (R9 escalations), each
    # save a new revision: warm figures are taken once the revision has stood still for 10 s.
    r0=$(revision); waited=0; last=$r0
    while :; do
        sleep 5; waited=$((waited + 5))
        now=$(revision)
        if [ "$now" = "$last" ] && [ $waited -ge 10 ]; then break; fi
        last=$now
    done
    echo "The sweeper's first pass: revision $r0 → $last, settled after ${waited} s."
    echo
    echo "| warm, $CONNECTIONS connections, $DURATION | p50 | p99 | requests/s | server CPU s | load average |"
    echo "|---|---:|---:|---:|---:|---|"
    echo "| GET /api/v1/analytics $(under_wrk /api/v1/analytics)"
    echo "| GET /api/v1/analytics?segment=enterprise&playbook=standard@2 $(under_wrk '/api/v1/analytics?segment=enterprise&playbook=standard@2')"
    echo "| GET /analytics (page) $(under_wrk /analytics "$COOKIE")"
    echo "| GET /api/v1/scorecard $(under_wrk /api/v1/scorecard)"
    echo
    kill $SERVER; wait $SERVER 2>/dev/null || true
    trap - EXIT
    if [ "$backend" = postgres ]; then psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS finishline_analytics_bench" >&2; fi
done
rm -rf "$DIR"
