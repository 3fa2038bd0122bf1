#!/usr/bin/env bash
# The tuning report's sweep summary in a real headless Chromium (see
# report_sweep_test.js): a generated 60-day scenario tuned over 5 growth rates
# × 3 farm upkeeps with two goals. Screenshots are kept in ARTIFACT_DIR.
# Usage: run_report_sweep_test.sh HOURGLASS SOURCE_DIR ARTIFACT_DIR
# Exit 77 (skipped) without chromium, node or puppeteer-core, except under
# CI=true, where they are required (scripts/install-deps.sh --with-chromium
# --with-test-tools installs them).
set -euo pipefail
hourglass="$1" source_dir="$2" artifacts="$3"
here="$source_dir/tests/browser"

source "$here/require_tools.sh"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$hourglass" scenario generate --settlements 6 --structures 3 --days 60 --step 1d --seed 5 --out "$work/s.json" 2>/dev/null
"$hourglass" tune "$work/s.json" --set settlement.populationGrowthRate=0.001:0.003:0.0005 \
  --set structures.farm.maintenanceCost.gold=2:6:2 --goal "level>=3 by day 20" --goal "food>0 throughout" \
  --out "$work/out" --threads 2 2>/dev/null
rm -rf "$artifacts"
node "$here/report_sweep_test.js" "$work/out/report.html" "$artifacts" "$work/out/timeline-long.csv"
