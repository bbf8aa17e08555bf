#!/usr/bin/env bash
# Fuzzes the real server against its own OpenAPI document with schemathesis: every operation,
# every check (`--checks all`: no 5xx, documented statuses, content types, headers and bodies,
# schema-invalid input refused, schema-valid input accepted, …). The document must tell the
# truth about the server, or this fails.
#
#   scripts/schemathesis.sh            (exits non-zero on any failure; a summary line at the end)
#
# What it does: installs schemathesis (pinned, in a virtualenv under target/) if missing, builds
# the `finishline` binary, creates a fresh SQLite database in a temporary folder with an admin,
# a workspace, two API tokens and one project, serves it on a free loopback port, runs
# schemathesis over every operation but token revocation with the first token, then token
# revocation alone with the second (so the main run never revokes its own token), and stops
# the server. Only 127.0.0.1 is ever contacted.
#
# Knobs (environment): FINISHLINE_ST_MAX_EXAMPLES (default 25 per operation),
# FINISHLINE_ST_TIMEOUT (seconds for the main run, default 600), FINISHLINE_ST_SEED,
# FINISHLINE_ST_VENV (where schemathesis is installed), FINISHLINE_ST_REPORT (folder for
# junit and ndjson reports; default a temporary folder, removed), FINISHLINE_ST_BIN (a
# `finishline` binary to test instead of building one), FINISHLINE_ST_KEEP (keep the temporary
# folder: database, server log, document, outputs).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

st_version="4.32.5"
# hypothesis is pinned too, so that a new release cannot change what a run generates.
hypothesis_version="6.170.27"
venv="${FINISHLINE_ST_VENV:-$root/target/schemathesis-$st_version}"
max_examples="${FINISHLINE_ST_MAX_EXAMPLES:-25}"
timeout_s="${FINISHLINE_ST_TIMEOUT:-600}"
seed="${FINISHLINE_ST_SEED:-20261203}"

log() { printf '== %s\n' "$*" >&2; }

if ! "$venv/bin/st" --version 2>/dev/null | grep -qx "st, version $st_version"; then
    log "installing schemathesis $st_version into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$st_version" \
        "hypothesis==$hypothesis_version"
fi
st="$venv/bin/st"

if [ -n "${FINISHLINE_ST_BIN:-}" ]; then
    bin="$FINISHLINE_ST_BIN"
else
    log "building finishline"
    cargo build -q --bin finishline
    bin="$root/target/debug/finishline"
fi

work="$(mktemp -d)"
report="${FINISHLINE_ST_REPORT:-$work/report}"
mkdir -p "$report"
server=""
cleanup() {
    if [ -n "$server" ]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    if [ -z "${FINISHLINE_ST_KEEP:-}" ]; then
        rm -rf "$work"
    else
        log "kept $work"
    fi
}
trap cleanup EXIT

export FINISHLINE_DATABASE_URL="sqlite://$work/finishline.sqlite"
export FINISHLINE_DATA_DIR="$work"
export FINISHLINE_LOG="${FINISHLINE_LOG:-warn}"
admin="fuzz@finishline.test"

log "a fresh database in $work: one admin, two tokens, one project"
FINISHLINE_PASSWORD="schemathesis-password" "$bin" user create --email "$admin" \
    --name "Fuzz Admin" --workspace-name "Schemathesis" --admin >/dev/null
token="$("$bin" token create --email "$admin" --name "schemathesis" 2>/dev/null)"
revoke_token="$("$bin" token create --email "$admin" --name "schemathesis revocation" 2>/dev/null)"
cat >"$work/handoff.json" <<'JSON'
{
  "customer": "Fuzzed Logistics",
  "sold": "Dispatch module, 5 seats",
  "promises": [{"text": "Custom SAP connector", "class": "needs_custom_work"}],
  "champion": "Lee",
  "expected_timeline": "30 days",
  "segment": "smb",
  "contract_date": "2026-03-01",
  "owner": {"name": "Dana Reyes", "email": "dana@vendor.test"}
}
JSON
"$bin" handoff import "$work/handoff.json" >/dev/null

# A free loopback port: bind port 0 and read what the kernel gave.
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
base="http://127.0.0.1:$port"
log "serving on $base"
# Every request comes from 127.0.0.1, and schemathesis sends thousands of wrong passwords,
# links and credentials on purpose: the lockouts (tested in login_throttling.rs) are raised out
# of the way so that they do not answer 429 to the conformance checks that follow.
"$bin" serve --listen "127.0.0.1:$port" --public-url "$base" --sweep-seconds 3600 \
    --sign-in-failures-per-account 1000000 --sign-in-failures-per-address 1000000 \
    --credential-failures-per-address 1000000 \
    >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 150); do
    curl -fsS "$base/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -fsS "$base/healthz" >/dev/null
curl -fsS "$base/api/v1/openapi.json" -o "$work/openapi.json"
operations="$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(len(v) for v in d["paths"].values()))' "$work/openapi.json")"

common=(
    run "$work/openapi.json" --url "$base"
    --checks all
    --max-examples "$max_examples"
    --seed "$seed"
    # One worker: with two threads, hypothesis parses source files in both at once, and
    # CPython before 3.11.8 keeps the AST builder's depth in one shared place, so a run could
    # die on "AST constructor recursion depth mismatch" (CPython gh-106905), which is not the
    # server's fault and would hide whether the server passed.
    --workers 1
    --request-timeout 30
    --generation-database none
    --suppress-health-check all
    --no-color
)

log "main run: $((operations - 1)) operations, token revocation excluded"
set +e
# schemathesis keeps its state in `.schemathesis/` of the working folder: the temporary one.
(cd "$work" && timeout --signal=INT --kill-after=30 "$timeout_s" \
    "$st" --config-file "$root/scripts/schemathesis.toml" "${common[@]}" \
    -H "Authorization: Bearer $token" \
    --exclude-operation-id revoke_token \
    --report junit,ndjson --report-dir "$report/main") 2>&1 | tee "$work/main.txt"
main_rc=${PIPESTATUS[0]}
log "token revocation alone, with its own token"
(cd "$work" && timeout --signal=INT --kill-after=30 120 \
    "$st" --config-file "$root/scripts/schemathesis.toml" "${common[@]}" \
    -H "Authorization: Bearer $revoke_token" \
    --include-operation-id revoke_token \
    --report junit,ndjson --report-dir "$report/revoke") 2>&1 | tee "$work/revoke.txt"
revoke_rc=${PIPESTATUS[0]}
set -e

server_errors="$(grep -c ' 5[0-9][0-9] \|internal error' "$work/server.log" || true)"
if [ "$main_rc" -eq 0 ] && [ "$revoke_rc" -eq 0 ]; then
    verdict="PASS"
else
    verdict="FAIL"
    log "server log (last 40 lines):"
    tail -n 40 "$work/server.log" >&2
fi
printf 'schemathesis %s: %s operations, %s examples max each: main run exit %s, token revocation exit %s, %s internal errors logged: %s\n' \
    "$st_version" "$operations" "$max_examples" "$main_rc" "$revoke_rc" "$server_errors" "$verdict"
[ "$verdict" = "PASS" ]
