#!/usr/bin/env bash
# Runs the fuzz targets of `fuzz/` for a while each, starting from their committed corpora, with
# libFuzzer's coverage but without cargo-fuzz or a nightly toolchain: the same instrumentation
# cargo-fuzz asks rustc for (sancov), minus AddressSanitizer (the code is safe Rust; what is
# looked for is panics, runaway memory and time).
#
#   scripts/fuzz.sh [SECONDS] [--web]     (default 15 s per target; data targets only)
#
# CI runs the three data-engine targets (customer files and maps) for 15 s each. `--web` adds
# the CRM webhook bodies and the Salesforce XML (building the web crate with coverage takes
# several minutes more; their corpora are replayed by `cargo test` in CI either way). For long
# runs: `scripts/fuzz.sh 600 --web`. New inputs found are written to a scratch folder, not to
# the committed corpus; a crash is saved under target/fuzz-artifacts/ and fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-15}"
targets=(csv_reader xlsx_reader data_map)
features=()
if [ "${2:-}" = "--web" ]; then
    targets+=(crm_webhook salesforce_xml)
    features=(--features web)
fi

export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
# An explicit --target keeps RUSTFLAGS off build scripts and proc macros (as cargo-fuzz does):
# they run on the host and must not be instrumented.
host="$(rustc -vV | sed -n 's/^host: //p')"
cargo build --release --manifest-path fuzz/Cargo.toml --target-dir target/fuzz --target "$host" \
    "${features[@]}" $(printf -- '--bin %s ' "${targets[@]}")

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
rm -rf target/fuzz-artifacts && mkdir -p target/fuzz-artifacts
for t in "${targets[@]}"; do
    mkdir -p "$scratch/$t"
    printf '== fuzz %s for %s s\n' "$t" "$seconds"
    # -rss_limit_mb: a reader that grows with the input is a finding, not a pass.
    target/fuzz/"$host"/release/"$t" "$scratch/$t" "fuzz/corpus/$t" \
        -max_total_time="$seconds" -rss_limit_mb=512 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="target/fuzz-artifacts/$t-" 2>&1 | grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE|==[0-9]+== ERROR|.*panicked)' || true
    if ls target/fuzz-artifacts/"$t"-* >/dev/null 2>&1; then
        echo "fuzz $t found a failing input: $(ls target/fuzz-artifacts/"$t"-*)" >&2
        exit 1
    fi
done
echo "fuzz: ${#targets[@]} targets, ${seconds} s each, no failure"
