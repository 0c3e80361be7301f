#!/usr/bin/env bash
# Builds everything and runs every test: CEL conformance, unit tests, policy cases, CLI tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
# The conformance suite's per-file counts, shown in full (ctest below runs it again as a test).
build/tests/expr/cel_conformance --dir ../shared/conformance/cel \
  --skip tests/expr/conformance_skips.txt --min-pass 1080 | grep -v "^  "
cd build
ctest --output-on-failure -j "$(nproc)"
