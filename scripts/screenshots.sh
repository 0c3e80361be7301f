#!/usr/bin/env bash
# Regenerates doc/screenshots/*.png, one per web page (README "Pages"), with Debian's Chromium
# driven by tests/web's playwright-core. Builds qgrant first when needed.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/src/cli/qgrant ] || bash scripts/build.sh
export QGRANT_BIN="$PWD/build/src/cli/qgrant" QGRANT_ROOT="$PWD"
cd tests/web
[ -d node_modules/playwright-core ] || PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
node screenshots.mjs
