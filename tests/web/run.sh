#!/usr/bin/env bash
# The browser tests of the pages (issue #14), run by ctest as `web_browser`:
#   tests/web/run.sh QGRANT_BINARY
# Installs playwright-core and axe-core from package-lock.json (npm ci; no browser download:
# playwright-core never downloads one) when they are missing or stale, then runs the node tests
# against Debian's Chromium (/usr/bin/chromium, or $CHROMIUM). Needs scripts/setup.sh's packages.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export QGRANT_BIN="$(realpath "${1:?usage: run.sh QGRANT_BINARY}")"
export QGRANT_ROOT="$(cd "$here/../.." && pwd)"
for tool in node npm "${CHROMIUM:-/usr/bin/chromium}"; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing; run scripts/setup.sh" >&2; exit 1; }
done
cd "$here"
if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi
exec node --test --test-concurrency=1 pages.test.mjs
