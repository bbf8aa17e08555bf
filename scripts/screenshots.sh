#!/usr/bin/env bash
# Screenshots of each main page (login, portfolio, project, customer preview, handoff, playbooks,
# settings, the customer portal) at 1280 px and 375 px wide, taken by headless Chromium against
# the demo workspace. Needs chromium and chromium-driver (apt-get install -y chromium chromium-driver).
#
#   scripts/screenshots.sh [out-dir]      (default /tmp/finishline-screenshots)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/finishline-screenshots}"
port="${FINISHLINE_SCREENSHOT_PORT:-7988}"
data="$(mktemp -d)"
cargo build -q --bin finishline
./target/debug/finishline demo --listen "127.0.0.1:$port" --data-dir "$data" >"$data/demo.log" 2>&1 &
demo=$!
trap 'kill "$demo" 2>/dev/null || true; wait "$demo" 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done
FINISHLINE_SCREENSHOT_URL="http://127.0.0.1:$port" FINISHLINE_SCREENSHOT_DIR="$out" \
    cargo test -q -p finishline-web --test browser -- --ignored --nocapture screenshots
ls -l "$out"/*.png
