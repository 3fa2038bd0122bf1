#!/usr/bin/env bash
# Live tuning in a real headless Chromium (see live_tuning_test.js): a
# generated 90-day scenario (12 settlements x 4 structures) served by
# `hourglass tune --serve` on a free port of 127.0.0.1, 5 growth rates x 3
# farm upkeeps, the goal "level>=3 by day 30".
# Usage: run_live_tuning_test.sh HOURGLASS SOURCE_DIR ARTIFACT_DIR
# Exit 77 (skipped) without chromium, node or puppeteer-core, except under CI=true.
set -euo pipefail
hourglass="$1" source_dir="$2" artifacts="$3"
here="$source_dir/tests/browser"

source "$here/require_tools.sh"

work="$(mktemp -d)"
server=""
# Ends the server this script started (by its pid), keeping the test's status.
cleanup() {
  if [[ -n "$server" ]]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
"$hourglass" scenario generate --settlements 12 --structures 4 --days 90 --step 1d --seed 7 --out "$work/s.json" 2>/dev/null
"$hourglass" tune "$work/s.json" --set settlement.populationGrowthRate=0.001:0.003:0.0005 \
  --set structures.farm.maintenanceCost.gold=2:6:2 --goal "level>=3 by day 30" \
  --serve --port 0 2>"$work/serve.log" &
server=$!
# The server names its port once it listens: poll for it, 30 s at most.
url=""
for _ in $(seq 300); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$work/serve.log" || true)
  [[ -n "$url" ]] && break
  kill -0 "$server" 2>/dev/null || { echo "FAIL: tune --serve ended:"; cat "$work/serve.log"; exit 1; }
  sleep 0.1
done
[[ -n "$url" ]] || { echo "FAIL: tune --serve named no URL in 30 s"; cat "$work/serve.log"; exit 1; }
rm -rf "$artifacts"
node "$here/live_tuning_test.js" "$url" "$artifacts"
