#!/usr/bin/env bash
# Load benchmark of the JSON API: a workspace of PROJECTS projects × TASKS tasks, the project
# view and the portfolio list under 50 concurrent connections, on SQLite and on PostgreSQL.
#
#   bench/api/run.sh [PROJECTS] [TASKS]      (defaults 2000 60)
#   DURATION=20s CONNECTIONS=50 BACKENDS="sqlite postgres" bench/api/run.sh
#
# Needs wrk (Debian package) and PostgreSQL at 127.0.0.1:5432 for the postgres half.
# Prints a Markdown table for bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
PROJECTS=${1:-2000}
TASKS=${2:-60}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-50}
BACKENDS=${BACKENDS:-sqlite postgres}
DIR=${BENCH_DIR:-/tmp/finishline-api-bench}
PORT=${PORT:-7890}
PG=${PG_ADMIN:-postgres://postgres@127.0.0.1:5432}
mkdir -p "$DIR"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }

cargo build --release -p finishline --bin finishline --example seed_bench >&2
BIN=target/release/finishline
SEED=target/release/examples/seed_bench

latency() { # wrk output → "p50 p99 req/s"
    awk '/^ +50%/{p50=$2} /^ +99%/{p99=$2} /^Requests\/sec/{rps=$2} END{print p50, p99, rps}'
}

echo "| backend | request | p50 | p99 | requests/s |"
echo "|---|---|---:|---:|---:|"
for backend in $BACKENDS; do
    case $backend in
        sqlite)
            rm -f "$DIR"/bench.sqlite*
            URL="sqlite://$DIR/bench.sqlite" ;;
        postgres)
            psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS finishline_bench" >&2
            psql "$PG/postgres" -qc "CREATE DATABASE finishline_bench" >&2
            URL="$PG/finishline_bench" ;;
    esac
    "$SEED" "$URL" "$PROJECTS" "$TASKS" > "$DIR/ws.txt"
    TOKEN=$(FINISHLINE_DATABASE_URL="$URL" "$BIN" token create --email bench@finishline.local --name bench 2>/dev/null)
    FINISHLINE_LOG=warn "$BIN" serve --listen "127.0.0.1:$PORT" --database-url "$URL" >"$DIR/serve-$backend.log" 2>&1 &
    SERVER=$!
    trap 'kill $SERVER 2>/dev/null || true' EXIT
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
    for path in "/api/v1/projects/prj_bench_00042" "/api/v1/projects" "/api/v1/projects?limit=200" "/api/v1/projects?limit=1000"; do
        # Warm up (first reads parse documents into the cache), then measure.
        wrk -t2 -c"$CONNECTIONS" -d3s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$path" >/dev/null
        read -r p50 p99 rps < <(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$path" | latency)
        bytes=$(curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$path" | wc -c)
        echo "| $backend | GET $path ($bytes bytes) | $p50 | $p99 | $rps |"
    done
    kill $SERVER; wait $SERVER 2>/dev/null || true
    trap - EXIT
done
