#!/usr/bin/env bash
# Moving a workspace: `finishline backup`, `restore` and `copy --to postgres://…` on the bench
# workspace (PROJECTS projects × TASKS tasks, seeded as bench/api/run.sh seeds it).
#
#   bench/copy/run.sh [PROJECTS] [TASKS]      (defaults 2000 60)
#
# Needs PostgreSQL at 127.0.0.1:5432 (PG_ADMIN). Prints a Markdown table for bench/RESULTS.md:
# wall and CPU seconds (user + sys) and peak RSS of each whole command, with the load average.
set -euo pipefail
cd "$(dirname "$0")/../.."
PROJECTS=${1:-2000}
TASKS=${2:-60}
DIR=${BENCH_DIR:-/tmp/finishline-copy-bench}
PG=${PG_ADMIN:-postgres://postgres@127.0.0.1:5432}
rm -rf "$DIR" && mkdir -p "$DIR/source"

cargo build --release -p finishline --bin finishline --example seed_bench >&2
BIN=$PWD/target/release/finishline
SEED=$PWD/target/release/examples/seed_bench
"$SEED" "sqlite://$DIR/source/finishline.sqlite" "$PROJECTS" "$TASKS" >/dev/null
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS finishline_copy_bench" >&2
psql "$PG/postgres" -qc "CREATE DATABASE finishline_copy_bench" >&2

measure() { # label, command… → one table row
    local label=$1; shift
    local load; load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -f "%e %U %S %M" -o "$DIR/time" "$@" >"$DIR/out" 2>"$DIR/err" || {
        cat "$DIR/err" >&2; exit 1; }
    read -r wall user sys rss < "$DIR/time"
    printf '| %s | %s | %.2f | %d | %s | %s |\n' "$label" "$wall" "$(echo "$user + $sys" | bc)" \
        "$((rss / 1024))" "$load" "$(tail -n1 "$DIR/out" | cut -c1-90)"
}

size=$(du -m "$DIR/source/finishline.sqlite" | cut -f1)
echo "Bench workspace: $PROJECTS projects × $TASKS tasks, SQLite file $size MB; $(nproc) cores."
echo
echo "| command | wall (s) | CPU (s) | peak RSS (MB) | load (1 min) | last line |"
echo "|---|---:|---:|---:|---:|---|"
measure "backup" "$BIN" backup "$DIR/backup.sqlite" --data-dir "$DIR/source"
measure "restore" "$BIN" restore "$DIR/backup.sqlite" --data-dir "$DIR/restored"
measure "copy --to postgres" "$BIN" copy --data-dir "$DIR/source" --to "$PG/finishline_copy_bench"
