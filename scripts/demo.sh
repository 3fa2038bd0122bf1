#!/usr/bin/env bash
# Install dependencies, build, and replay example scenario 02, checking its
# records against the expected output. Records are printed to stdout.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh >&2
# Only what the demo runs: hourglass-replay, the hourglass executable with its
# replay command alone (the whole hourglass and the tests are test.sh's).
bash scripts/build.sh hourglass-replay >&2
./build/runtime/hourglass-replay replay scenarios/examples/02-structure-lifecycle.json \
  --check scenarios/examples/02-structure-lifecycle.expected.jsonl \
  --check-state scenarios/examples/02-structure-lifecycle.state.json
