#!/usr/bin/env bash
# Builds everything and runs every test: unit tests, CEL conformance, policy cases.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd build
ctest --output-on-failure -j "$(nproc)"
