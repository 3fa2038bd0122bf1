#!/usr/bin/env bash
# A real browser renders a `hourglass tune` report: headless Chromium takes a
# screenshot of report.html; the test fails when no PNG comes out, when the
# page logs a console error, or when the PNG is too small to hold the report.
# Usage: browser_render_test.sh HOURGLASS_EXECUTABLE SOURCE_DIR
# Exit 77 (skipped) when Chromium is not installed.
set -euo pipefail

hourglass="$1"
source_dir="$2"
chromium=/usr/bin/chromium

if [[ ! -x "$chromium" ]]; then
  echo "SKIP: chromium is not installed (scripts/install-deps.sh --with-chromium installs it)"
  exit 77
fi

work="$(mktemp -d)"
profile="$(mktemp -d)"
trap 'rm -rf "$work" "$profile"' EXIT

"$hourglass" tune "$source_dir/scenarios/examples/02-structure-lifecycle.json" \
  --set maintenance.repairPerPayment=5,20,40 --out "$work/out" --threads 2
[[ -s "$work/out/report.html" ]] || { echo "FAIL: tune wrote no report.html"; exit 1; }

png="$work/report.png"
status=0
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --enable-logging=stderr --v=0 \
  --screenshot="$png" --window-size=1280,2000 "file://$work/out/report.html" \
  >"$work/chromium.out" 2>"$work/chromium.err" || status=$?

if [[ ! -s "$png" ]]; then
  echo "FAIL: chromium produced no screenshot (exit $status)"
  tail -n 30 "$work/chromium.err"
  exit 1
fi
# Console lines read "CONSOLE(1)] ..." in older Chromium, "CONSOLE:1] ..." now.
if grep -E 'CONSOLE[(:]' "$work/chromium.err" | grep -qiE 'error|Uncaught'; then
  echo "FAIL: the report logged console errors:"
  grep -E 'CONSOLE[(:]' "$work/chromium.err"
  exit 1
fi
if [[ "$(head -c 4 "$png" | tail -c 3)" != "PNG" ]]; then
  echo "FAIL: $png is not a PNG image"
  exit 1
fi
size=$(stat -c %s "$png")
if (( size <= 10240 )); then
  echo "FAIL: the screenshot is only $size bytes; the page looks blank"
  exit 1
fi
echo "PASS: chromium rendered the report ($size-byte screenshot)"
