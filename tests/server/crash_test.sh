#!/usr/bin/env bash
# kill -9 of `qgrant serve` during a burst of concurrent submissions, on SQLite and, when
# QGRANT_TEST_PG names a server, on PostgreSQL (bench/crash_serve.py does the work).
# Usage: crash_test.sh QGRANT REPO [SUBMISSIONS]
set -euo pipefail
qgrant=$1 repo=$2 n=${3:-3000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$repo"
python3 "$repo/bench/crash_serve.py" "$qgrant" "$work/crash.db" "$n"
if [ -n "${QGRANT_TEST_PG:-}" ]; then
  schema="crash_$$_$(date +%s)"
  psql "$QGRANT_TEST_PG" -qc "CREATE SCHEMA $schema"
  python3 "$repo/bench/crash_serve.py" "$qgrant" "$QGRANT_TEST_PG?options=-csearch_path%3D$schema" "$n"
  psql "$QGRANT_TEST_PG" -qc "DROP SCHEMA $schema CASCADE"
fi
