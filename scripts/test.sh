#!/usr/bin/env bash
# Builds everything and runs every test: CEL conformance, unit tests, policy cases, CLI tests,
# the store's suite on SQLite and PostgreSQL; then the core of the suite again under ASan + UBSan
# (scripts/sanitize.sh address core: the whole suite under the sanitizers does not fit CI's time).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
# The conformance suite's per-file counts, shown in full (ctest below runs it again as a test).
build/tests/expr/cel_conformance --dir ../shared/conformance/cel \
  --skip tests/expr/conformance_skips.txt --min-pass 1167 | grep -v "^  "
# The store's suite runs on SQLite and on a throwaway PostgreSQL cluster, stopped however we leave.
pg_cluster="$PWD/scripts/pg_cluster.sh"
QGRANT_TEST_PG=$("$pg_cluster" start)
export QGRANT_TEST_PG
trap '"$pg_cluster" stop "$QGRANT_TEST_PG"' EXIT
(cd build && ctest --output-on-failure -j "$(nproc)")
bash scripts/sanitize.sh address core
