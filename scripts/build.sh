#!/usr/bin/env bash
# Configures and builds qgrant into build/ (Release, with ccache when present).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Paths relative to the checkout, so a fresh clone (as in CI) reuses the compiler cache.
export CCACHE_BASEDIR="$PWD"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)"
