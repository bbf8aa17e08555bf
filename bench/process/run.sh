#!/usr/bin/env bash
# Process exports and the process map at scale (issue 15): the bench workspace (`seed_bench`,
# PROJECTS projects × TASKS tasks) exported by `finishline export ocel|xes` on SQLite and on
# PostgreSQL — wall, CPU (user + sys) and peak RSS from /usr/bin/time -v, the file's size — then
# `GET /api/v1/analytics/process-map`: the first request after start (cold) and, if wrk is there,
# p50/p99 warm at CONNECTIONS connections.
#
#   bench/process/run.sh [PROJECTS] [TASKS]        (defaults 2000 60)
#   BACKENDS="sqlite postgres" DURATION=10s CONNECTIONS=50 bench/process/run.sh
#
# PostgreSQL at 127.0.0.1:5432 for the postgres half. Scratch data in BENCH_DIR (never commit it).
# Prints Markdown rows for the "Process exports" section of bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
PROJECTS=${1:-2000}
TASKS=${2:-60}
BACKENDS=${BACKENDS:-sqlite postgres}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-50}
DIR=${BENCH_DIR:-/tmp/finishline-process-bench}
# A free port unless given: other servers may run on this machine.
PORT=${PORT:-$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")}
PG=${PG_ADMIN:-postgres://postgres@127.0.0.1:5432}
mkdir -p "$DIR"

if [ -z "${SKIP_BUILD:-}" ]; then
    cargo build --release -p finishline --bin finishline --example seed_bench >&2
fi
BIN=${CARGO_TARGET_DIR:-target}/release/finishline
SEED=${CARGO_TARGET_DIR:-target}/release/examples/seed_bench

measure() { # label, command... → "wall cpu rss_mb"
    /usr/bin/time -v "$@" >"$DIR/out.txt" 2>"$DIR/time.txt"
    awk -F': ' '
        /Elapsed \(wall clock\)/ { n = split($2, p, ":"); wall = (n == 3) ? p[1]*3600 + p[2]*60 + p[3] : p[1]*60 + p[2] }
        /User time/ { user = $2 } /System time/ { sys = $2 }
        /Maximum resident set size/ { rss = $2 / 1024 }
        END { printf "%.2f %.2f %.0f\n", wall, user + sys, rss }' "$DIR/time.txt"
}

echo "| backend | what | wall (s) | CPU (s) | peak RSS (MB) | output |"
echo "|---|---|---:|---:|---:|---|"
for backend in $BACKENDS; do
    case $backend in
        sqlite)
            rm -f "$DIR"/bench.sqlite*
            URL="sqlite://$DIR/bench.sqlite" ;;
        postgres)
            psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS finishline_process_bench" >&2
            psql "$PG/postgres" -qc "CREATE DATABASE finishline_process_bench" >&2
            URL="$PG/finishline_process_bench" ;;
    esac
    "$SEED" "$URL" "$PROJECTS" "$TASKS" >"$DIR/ws.txt"
    for format in ocel xes; do
        out="$DIR/bench.$format"
        read -r wall cpu rss < <(measure "$BIN" export "$format" "$out" --force --database-url "$URL")
        size=$(du -m "$out" | cut -f1)
        echo "| $backend | \`finishline export $format\` | $wall | $cpu | $rss | $size MB, $(cat "$DIR/out.txt") |"
    done

    TOKEN=$(FINISHLINE_DATABASE_URL="$URL" "$BIN" token create --email bench@finishline.local --name bench 2>/dev/null)
    FINISHLINE_LOG=warn "$BIN" serve --listen "127.0.0.1:$PORT" --database-url "$URL" >"$DIR/serve-$backend.log" 2>&1 &
    SERVER=$!
    trap 'kill $SERVER 2>/dev/null || true' EXIT
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null || { echo "the server did not start: $DIR/serve-$backend.log" >&2; exit 1; }
    map="http://127.0.0.1:$PORT/api/v1/analytics/process-map"
    cold=$(curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "$map")
    echo "| $backend | process map, first request after start (curl) | $cold | | | |"
    warm=$(curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "$map")
    echo "| $backend | process map, second request (curl) | $warm | | | |"
    rss_before=$(awk '/VmRSS/{print int($2/1024)}' "/proc/$SERVER/status")
    ocel=$(curl -sf -o /dev/null -w '%{time_total} %{size_download}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/export/ocel")
    rss_peak=$(awk '/VmHWM/{print int($2/1024)}' "/proc/$SERVER/status")
    echo "| $backend | \`GET /api/v1/export/ocel\` (curl, whole body; server RSS $rss_before MB before, peak $rss_peak MB) | ${ocel% *} | | | $(( ${ocel#* } / 1048576 )) MB |"
    if command -v wrk >/dev/null; then
        wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" "$map" >"$DIR/wrk.txt"
        if grep -q "Non-2xx" "$DIR/wrk.txt"; then echo "wrk saw errors: $DIR/wrk.txt" >&2; exit 1; fi
        p50=$(awk '/^ +50%/{print $2}' "$DIR/wrk.txt"); p99=$(awk '/^ +99%/{print $2}' "$DIR/wrk.txt")
        rps=$(awk '/^Requests\/sec/{print $2}' "$DIR/wrk.txt")
        echo "| $backend | process map warm, $CONNECTIONS connections: p50 $p50, p99 $p99, $rps req/s | | | | |"
    fi
    kill $SERVER; wait $SERVER 2>/dev/null || true
    trap - EXIT
done
