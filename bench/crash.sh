#!/usr/bin/env bash
# The crash test at bench size: 200 cycles of concurrent writers and `kill -9` on SQLite, 30 on
# PostgreSQL (CI runs a few of each). Prints each backend's summary line for bench/RESULTS.md:
# cycles, acknowledged writes, writes cut off by the kill, lost (must be 0), half-written (must
# be 0) and SQLite's integrity_check.
#
#   bench/crash.sh                 SQLITE_CYCLES=200 POSTGRES_CYCLES=30
set -euo pipefail
cd "$(dirname "$0")/.."
export FINISHLINE_REQUIRE_POSTGRES=${FINISHLINE_REQUIRE_POSTGRES:-1}
for pair in "sqlite ${SQLITE_CYCLES:-200}" "postgres ${POSTGRES_CYCLES:-30}"; do
    set -- $pair
    start=$(date +%s)
    FINISHLINE_CRASH_CYCLES=$2 cargo test --release -q -p finishline --test crash "$1" -- --nocapture 2>&1 \
        | grep '^crash test'
    echo "($1: $(( $(date +%s) - start )) s wall, load average $(cut -d' ' -f1-3 /proc/loadavg))"
done
