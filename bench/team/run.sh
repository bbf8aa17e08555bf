#!/usr/bin/env bash
# The Team page at scale (issue 17): the bench workspace (PROJECTS projects × TASKS tasks, each
# with a history, from seed_bench), MEMBERS members owning them with weekly capacities, and a year
# of time entries (seed_team). Then on each backend, warm, under wrk at CONNECTIONS connections
# for DURATION: the Team page (session cookie), GET /api/v1/team, and GET /api/v1/time for one
# member's last four weeks; plus the first Team page after a time entry is logged (median and max
# of RUNS). Server CPU seconds and the load average beside each.
#
#   bench/team/run.sh [PROJECTS] [TASKS] [MEMBERS]     (defaults 2000 60 40)
#   DURATION=20s CONNECTIONS=50 RUNS=5 BACKENDS="sqlite postgres" bench/team/run.sh
#
# Needs wrk and curl; PostgreSQL at 127.0.0.1:5432 for the postgres half (database
# finishline_team_bench, dropped at the end). Scratch in BENCH_DIR, removed. Prints Markdown.
set -euo pipefail
cd "$(dirname "$0")/../.."
PROJECTS=${1:-2000}
TASKS=${2:-60}
MEMBERS=${3:-40}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-50}
RUNS=${RUNS:-5}
BACKENDS=${BACKENDS:-sqlite postgres}
DIR=${BENCH_DIR:-/tmp/team-bench}
PORT=${PORT:-$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")}
PG=${PG_ADMIN:-postgres://postgres@127.0.0.1:5432}
TARGET=${CARGO_TARGET_DIR:-target}
mkdir -p "$DIR"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }

if [ -z "${SKIP_BUILD:-}" ]; then
    cargo build --release -p finishline --bin finishline --example seed_bench --example seed_team >&2
fi
BIN=$TARGET/release/finishline
SEED=$TARGET/release/examples/seed_bench
TEAM=$TARGET/release/examples/seed_team
BASE="http://127.0.0.1:$PORT"

cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
under_wrk() { # path header → "| p50 | p99 | req/s | cpu s | load |"
    local path=$1 header=$2
    wrk -t2 -c"$CONNECTIONS" -d3s -H "$header" "$BASE$path" >/dev/null
    local before after
    before=$(cpu_seconds "$SERVER")
    read -r p50 p99 rps non2xx < <(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "$header" "$BASE$path" |
        awk '/^ +50%/{p50=$2} /^ +99%/{p99=$2} /^Requests\/sec/{rps=$2} /Non-2xx/{bad=$NF} END{print p50, p99, rps, bad+0}')
    after=$(cpu_seconds "$SERVER")
    [ "$non2xx" = 0 ] || { echo "$path answered $non2xx non-2xx responses" >&2; exit 1; }
    echo "| $p50 | $p99 | $rps | $(echo "$after - $before" | bc) | $(load) |"
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
            psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS finishline_team_bench" >&2
            psql "$PG/postgres" -qc "CREATE DATABASE finishline_team_bench" >&2
            URL="$PG/finishline_team_bench" ;;
    esac
    start=$(date +%s.%N)
    "$SEED" "$URL" "$PROJECTS" "$TASKS" > "$DIR/ws.txt" 2> "$DIR/seed-$backend.log"
    WS=$(cat "$DIR/ws.txt")
    ENTRIES=$("$TEAM" "$URL" "$WS" "$MEMBERS")
    echo "seeded $PROJECTS projects, $MEMBERS members and $ENTRIES time entries in $(echo "$(date +%s.%N) - $start" | bc | cut -c1-6) s" >&2
    TOKEN=$(FINISHLINE_DATABASE_URL="$URL" "$BIN" token create --email bench@finishline.local --name bench 2>/dev/null)
    AUTH="Authorization: Bearer $TOKEN"
    start_server
    JAR="$DIR/cookies-$backend.txt"; rm -f "$JAR"
    csrf=$(curl -s -c "$JAR" -b "$JAR" "$BASE/login" | grep -o 'name="csrf" value="[^"]*"' | head -1 | cut -d'"' -f4)
    curl -s -o /dev/null -c "$JAR" -b "$JAR" --data-urlencode "csrf=$csrf" --data-urlencode "email=bench@finishline.local" \
        --data-urlencode "password=bench-password" --data-urlencode "next=/" "$BASE/login"
    COOKIE="Cookie: fl_session=$(awk '$6 == "fl_session" {print $7}' "$JAR")"
    first=$(curl -s -o /dev/null -w '%{time_total}' -H "$COOKIE" "$BASE/team")
    page_bytes=$(curl -s -H "$COOKIE" "$BASE/team" | wc -c)
    over=$(curl -s -H "$AUTH" "$BASE/api/v1/team" | python3 -c 'import json,sys; t=json.load(sys.stdin); print(sum(any(w["over_allocated"] for w in m["weeks"]) for m in t["members"]), "of", len(t["members"]), "members over-allocated in some week;", t["projects_total"], "projects with work planned in the 16 weeks")')
    MEMBER=$(curl -s -H "$AUTH" "$BASE/api/v1/members" | python3 -c 'import json,sys; print([m["id"] for m in json.load(sys.stdin) if m["email"] == "member7@vendor.test"][0])')
    FROM=$(date -u -d '28 days ago' +%F); TO=$(date -u +%F)
    rows=$(curl -s -H "$AUTH" "$BASE/api/v1/time?user=$MEMBER&from=$FROM&to=$TO" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
    # The first Team page after an entry is logged (the kept sums are stale: recomputed).
    walls=(); cpus=()
    PROJECT=$(curl -s -H "$AUTH" "$BASE/api/v1/time?user=$MEMBER&from=$FROM&to=$TO" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["project_id"])')
    for run in $(seq 1 "$RUNS"); do
        curl -s -o /dev/null -H "$AUTH" -H 'content-type: application/json' \
            -d "{\"project_id\":\"$PROJECT\",\"day\":\"$TO\",\"hours\":0.25,\"note\":\"bench $run\"}" "$BASE/api/v1/time"
        c0=$(cpu_seconds "$SERVER")
        walls+=("$(curl -s -o /dev/null -w '%{time_total}' -H "$COOKIE" "$BASE/team")")
        cpus+=("$(echo "$(cpu_seconds "$SERVER") - $c0" | bc)")
    done
    sorted=$(printf '%s\n' "${walls[@]}" | sort -n)
    echo "### $backend: $PROJECTS projects × $TASKS tasks, $MEMBERS members, $ENTRIES time entries over a year"
    echo
    echo "$over. The Team page is $page_bytes bytes."
    echo
    echo "| one request | wall s | server CPU s | load average |"
    echo "|---|---:|---:|---|"
    echo "| GET /team, first after start | $first | | $(load) |"
    echo "| GET /team after an entry is logged (median / max of $RUNS) | $(echo "$sorted" | sed -n "$(( (RUNS + 1) / 2 ))p") / $(echo "$sorted" | tail -1) | $(printf '%s\n' "${cpus[@]}" | sort -n | tail -1) (max) | $(load) |"
    echo
    echo "| warm, $CONNECTIONS connections, $DURATION | p50 | p99 | requests/s | server CPU s | load average |"
    echo "|---|---:|---:|---:|---:|---|"
    echo "| GET /team (page) $(under_wrk /team "$COOKIE")"
    echo "| GET /api/v1/team $(under_wrk /api/v1/team "$AUTH")"
    echo "| GET /api/v1/time, one member's last 4 weeks ($rows entries) $(under_wrk "/api/v1/time?user=$MEMBER&from=$FROM&to=$TO" "$AUTH")"
    echo
    kill $SERVER; wait $SERVER 2>/dev/null || true
    trap - EXIT
    if [ "$backend" = postgres ]; then psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS finishline_team_bench" >&2; fi
done
rm -rf "$DIR"
