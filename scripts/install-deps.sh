#!/usr/bin/env bash
# Install every Debian 12 package Hourglass needs. Idempotent: when all
# packages are already installed it does no apt work at all.
# Usage: scripts/install-deps.sh [--with-chromium] [--with-test-tools]
#   --with-chromium    Debian's chromium (the tuning report's render test)
#   --with-test-tools  node and npm (Debian's, unless the machine has them),
#                      graphql-js in tests/contract/node_modules (the
#                      reference GraphQL validator of the contract test and
#                      of the fake campaign API), and socket.io,
#                      @socket.io/redis-adapter and redis in
#                      tests/socketio/node_modules (the real Socket.IO test),
#                      and puppeteer-core in tests/browser/node_modules (the
#                      report's browser test, with Debian's chromium),
#                      and python3-yaml (the docs' YAML blocks parse)
set -euo pipefail

PACKAGES=(
  build-essential g++ cmake make pkg-config git ca-certificates
  libcaf-dev libhiredis-dev nlohmann-json3-dev libcurl4-openssl-dev
  libspdlog-dev libfmt-dev catch2 libcli11-dev libcpp-httplib-dev
  libmsgpack-cxx-dev libgoogle-perftools-dev
  redis-server
)

with_chromium=0
with_test_tools=0
for arg in "$@"; do
  case "$arg" in
    --with-chromium) with_chromium=1 ;;
    --with-test-tools) with_test_tools=1 ;;
    -h|--help) echo "usage: $0 [--with-chromium] [--with-test-tools]"; exit 0 ;;
    *) echo "install-deps.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

is_installed() {
  local status
  status="$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)"
  [[ "$status" == "install ok installed" ]]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done
need_chromium=0
if [[ $with_chromium -eq 1 ]] && ! is_installed chromium; then
  need_chromium=1
fi
# node may come with the machine (not from Debian): only what is missing.
if [[ $with_test_tools -eq 1 ]]; then
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  # PyYAML: the YAML blocks of docs/operations.md are parsed (tests/docs).
  is_installed python3-yaml || missing+=(python3-yaml)
fi

# npm packages pinned in a test folder's package.json, from the npm registry
# (no package-lock): install_npm_tools DIR WHAT PACKAGE...
install_npm_tools() {
  local dir="$1" what="$2" pkg; shift 2
  local absent=0
  for pkg in "$@"; do
    [[ -f "$dir/node_modules/$pkg/package.json" ]] || absent=1
  done
  if [[ $absent -eq 0 ]]; then
    echo "install-deps: $what already installed"
    return 0
  fi
  echo "install-deps: installing $what into $dir/node_modules"
  (cd "$dir" && npm install --no-package-lock --no-save --no-audit --no-fund --loglevel=error)
}

# graphql-js (tests/contract) and a Socket.IO server with the Redis adapter
# the campaign API uses (tests/socketio).
install_test_tools() {
  [[ $with_test_tools -eq 1 ]] || return 0
  local tests
  tests="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests"
  install_npm_tools "$tests/contract" graphql-js graphql
  install_npm_tools "$tests/socketio" "socket.io and @socket.io/redis-adapter" \
    socket.io @socket.io/redis-adapter redis
  install_npm_tools "$tests/browser" puppeteer-core puppeteer-core
}

if [[ ${#missing[@]} -eq 0 && $need_chromium -eq 0 ]]; then
  echo "install-deps: all packages already installed"
  install_test_tools
  exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive

"${SUDO[@]}" apt-get update

if [[ ${#missing[@]} -gt 0 ]]; then
  echo "install-deps: installing: ${missing[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
fi

if [[ $need_chromium -eq 1 ]]; then
  echo "install-deps: installing chromium"
  if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y --no-install-recommends chromium; then
    echo "WARNING: install-deps: could not install chromium; browser tests will be unavailable" >&2
  fi
fi

install_test_tools
echo "install-deps: done"
