#!/usr/bin/env bash
# expect.sh RC REGEX -- COMMAND...: passes when COMMAND exits with RC and its
# combined output matches REGEX (grep -E). Used by the CLI's CTest cases.
set -u
want_rc=$1 pattern=$2
shift 3
output=$("$@" 2>&1)
rc=$?
if [[ $rc -ne $want_rc ]]; then
  printf 'expected exit %s, got %s\n%s\n' "$want_rc" "$rc" "$output"
  exit 1
fi
if ! grep -Eq -- "$pattern" <<<"$output"; then
  printf 'output does not match /%s/:\n%s\n' "$pattern" "$output"
  exit 1
fi
echo "ok: exit $rc, output matches /$pattern/"
