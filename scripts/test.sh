#!/usr/bin/env bash
# Install dependencies, build, and run the test suite with ctest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh --with-chromium --with-test-tools
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j2
