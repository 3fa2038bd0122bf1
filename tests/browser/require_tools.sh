# Sourced by the browser tests' runners: exits 77 (skipped) when chromium,
# node or puppeteer-core is missing, except under CI=true, where that fails.
# Needs $here (tests/browser).
missing=""
[[ -x /usr/bin/chromium ]] || missing+=" chromium"
command -v node >/dev/null || missing+=" node"
[[ -f "$here/node_modules/puppeteer-core/package.json" ]] || missing+=" puppeteer-core"
if [[ -n "$missing" ]]; then
  echo "missing:$missing (scripts/install-deps.sh --with-chromium --with-test-tools)"
  [[ "${CI:-}" == "true" ]] && exit 1
  exit 77
fi
