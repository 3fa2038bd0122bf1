#!/usr/bin/env bash
# The contract test: validates a list of GraphQL operations against the
# campaign API's schema with graphql-js (tests/contract/graphql_validator.js).
#   run_contract_test.sh SCHEMA (--print-with PROGRAM | --file OPERATIONS.json)
# --print-with runs PROGRAM (print_api_operations) for the operations that
# the code sends. Exit 0 when all are valid, 1 when any is not; 77 (skipped)
# only when node or graphql-js is missing outside CI, a failure in CI.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
schema="$1"; mode="$2"; arg="$3"

missing() {
  echo "contract test: $1 (scripts/install-deps.sh --with-test-tools installs it)" >&2
  if [[ "${CI:-}" == "true" ]]; then exit 1; fi
  exit 77
}
command -v node >/dev/null || missing "node is not installed"
[[ -d "$here/node_modules/graphql" ]] || missing "graphql-js is not installed in $here/node_modules"

case "$mode" in
  --print-with)
    ops="$(mktemp)"; trap 'rm -f "$ops"' EXIT
    "$arg" > "$ops"
    exec node "$here/graphql_validator.js" "$schema" "$ops" ;;
  --file)
    exec node "$here/graphql_validator.js" "$schema" "$arg" ;;
  *) echo "usage: $0 SCHEMA (--print-with PROGRAM | --file OPERATIONS.json)" >&2; exit 2 ;;
esac
