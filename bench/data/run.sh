#!/usr/bin/env bash
# Data engine benchmark: finishline data check/export vs qsv validate, frictionless, polars.
# Generates the inputs into a scratch folder (never committed), runs every tool 3 times,
# reports the median wall time, the median CPU time (user + sys) and the peak RSS
# (/usr/bin/time -v), the load average at the start and the end, and writes the
# "Data engine" section of bench/RESULTS.md.
#
# `data check` and `qsv validate` (JSON Schema) run alternately (check, qsv, check, qsv, …) so
# that a change of load on this shared machine falls on both alike: their ratio is the figure
# that matters, and it is only comparable within one run.
#
# Usage: bench/data/run.sh [ROWS]
#   (default 1000000; env BENCH_DIR, RUNS, SKIP_FRICTIONLESS=1, SKIP_POLARS=1, QSV)
set -euo pipefail
ROWS=${1:-1000000}
RUNS=${RUNS:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SHARED=${SHARED:-$ROOT/../shared/bench}
[ -d "$SHARED" ] || SHARED=/work/shared/bench
DIR=${BENCH_DIR:-/tmp/finishline-bench}
QSV=${QSV:-/tmp/qsv/bin/qsvdp}
mkdir -p "$DIR"
NAME=accounts_$ROWS
if [ ! -f "$DIR/$NAME.csv" ]; then
  python3 "$SHARED/gen_accounts.py" "$ROWS" "$DIR/$NAME.csv" --seed 7
fi
cp "$SHARED"/accounts.map.json "$SHARED"/accounts.tableschema.json "$SHARED"/accounts.jsonschema.json "$DIR/"
(cd "$ROOT" && cargo build --release -q -p finishline)
FL="${CARGO_TARGET_DIR:-$ROOT/target}/release/finishline"
RESULTS="$DIR/results.tsv"
: > "$RESULTS"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

once() { # name, command... : one timed run, appended to results.tsv
  local name=$1; shift
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  ( cd "$DIR" && /usr/bin/time -v "$@" > "$DIR/$name.out" 2> "$DIR/$name.time" ) || true
  local wall rss user sys
  wall=$(grep "Elapsed (wall clock)" "$DIR/$name.time" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$DIR/$name.time" | awk '{print $NF}')
  user=$(grep "User time (seconds)" "$DIR/$name.time" | awk '{print $NF}')
  sys=$(grep "System time (seconds)" "$DIR/$name.time" | awk '{print $NF}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$wall" "$rss" "$user" "$sys" "$load" >> "$RESULTS"
  echo "$name: wall $wall, cpu ${user}+${sys} s, ${rss} KB, load $load" >&2
}

measure() { # name, command... : RUNS runs in a row
  local name=$1; shift
  for _ in $(seq "$RUNS"); do once "$name" "$@"; done
}

CHECK=("$FL" data check "$NAME.csv" --map accounts.map.json --json)
QSV_SCHEMA=("$QSV" validate "$NAME.csv" accounts.jsonschema.json)
for _ in $(seq "$RUNS"); do
  once "finishline check" "${CHECK[@]}"
  [ -x "$QSV" ] && once "qsv validate (JSON Schema)" "${QSV_SCHEMA[@]}"
done
cp "$DIR/finishline check.out" "$DIR/check.json"
measure "finishline export" "$FL" data export "$NAME.csv" --map accounts.map.json --out clean.csv
if [ -x "$QSV" ]; then
  measure "qsv validate (parse only)" "$QSV" validate "$NAME.csv"
fi
if [ "${SKIP_POLARS:-0}" != 1 ] && python3 -c 'import polars' 2>/dev/null; then
  measure "polars script" python3 "$HERE/polars_check.py" "$NAME.csv"
fi
if [ "${SKIP_FRICTIONLESS:-0}" != 1 ] && command -v frictionless >/dev/null; then
  measure "frictionless validate" frictionless validate "$NAME.csv" --schema accounts.tableschema.json --json --limit-errors 100000000
fi
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
python3 "$HERE/score.py" "$DIR/check.json" "$DIR/$NAME.truth.csv" > "$DIR/score.json" || true
python3 "$HERE/write_results.py" "$RESULTS" "$DIR/score.json" "$ROWS" "$(du -m "$DIR/$NAME.csv" | cut -f1)" "$ROOT/bench/RESULTS.md" "$( [ -x "$QSV" ] && echo yes || echo no )" "$LOAD_START" "$LOAD_END"
cat "$ROOT/bench/RESULTS.md"
