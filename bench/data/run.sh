#!/usr/bin/env bash
# Data engine benchmark: finishline data check/export vs qsv validate, frictionless, polars.
# Generates the inputs into a scratch folder (never committed), runs every tool 3 times,
# reports the median wall time and peak RSS (/usr/bin/time -v) and writes the
# "Data engine" section of bench/RESULTS.md.
#
# Usage: bench/data/run.sh [ROWS]   (default 1000000; env BENCH_DIR, RUNS, SKIP_FRICTIONLESS=1)
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
FL="$ROOT/target/release/finishline"
RESULTS="$DIR/results.tsv"
: > "$RESULTS"

measure() { # name, command...
  local name=$1; shift
  for i in $(seq "$RUNS"); do
    ( cd "$DIR" && /usr/bin/time -v "$@" > "$DIR/$name.out" 2> "$DIR/$name.time" ) || true
    local wall rss
    wall=$(grep "Elapsed (wall clock)" "$DIR/$name.time" | awk '{print $NF}')
    rss=$(grep "Maximum resident set size" "$DIR/$name.time" | awk '{print $NF}')
    printf '%s\t%s\t%s\n' "$name" "$wall" "$rss" >> "$RESULTS"
    echo "$name run $i: $wall, ${rss} KB" >&2
  done
}

measure "finishline check" "$FL" data check "$NAME.csv" --map accounts.map.json --json
cp "$DIR/finishline check.out" "$DIR/check.json"
measure "finishline export" "$FL" data export "$NAME.csv" --map accounts.map.json --out clean.csv
if [ -x "$QSV" ]; then
  measure "qsv validate (JSON Schema)" "$QSV" validate "$NAME.csv" accounts.jsonschema.json
  measure "qsv validate (parse only)" "$QSV" validate "$NAME.csv"
fi
measure "polars script" python3 "$HERE/polars_check.py" "$NAME.csv"
if [ "${SKIP_FRICTIONLESS:-0}" != 1 ] && command -v frictionless >/dev/null; then
  measure "frictionless validate" frictionless validate "$NAME.csv" --schema accounts.tableschema.json --json --limit-errors 100000000
fi
python3 "$HERE/score.py" "$DIR/check.json" "$DIR/$NAME.truth.csv" > "$DIR/score.json" || true
python3 "$HERE/write_results.py" "$RESULTS" "$DIR/score.json" "$ROWS" "$(du -m "$DIR/$NAME.csv" | cut -f1)" "$ROOT/bench/RESULTS.md" "$( [ -x "$QSV" ] && echo yes || echo no )"
cat "$ROOT/bench/RESULTS.md"
