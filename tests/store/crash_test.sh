#!/usr/bin/env bash
# Durability: kill -9 a process in the middle of a burst of writes, then check that every
# acknowledged write is stored exactly once and the audit chain verifies (crash_writer.cc).
# SQLite always; PostgreSQL too when QGRANT_TEST_PG is set (in a fresh schema).
set -uo pipefail
writer=${1:?usage: crash_test.sh STORE_CRASH_WRITER [SECONDS]}
seconds=${2:-2}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
status=0

crash_once() {  # crash_once NAME URL
  "$writer" write "$2" 16 >"$dir/acks-$1" 2>"$dir/err-$1" &
  local pid=$!
  sleep "$seconds"
  kill -9 "$pid"
  wait "$pid" 2>/dev/null
  printf '%s: ' "$1"
  "$writer" check "$2" "$dir/acks-$1" || { status=1; head -5 "$dir/err-$1"; }
}

crash_once sqlite "sqlite:$dir/crash.db"
# A second crash on the same database: recovery after the first left it consistent and writable.
crash_once sqlite-again "sqlite:$dir/crash.db"
if [ -n "${QGRANT_TEST_PG:-}" ]; then
  schema="crash_$$"
  psql -q "$QGRANT_TEST_PG" -c "CREATE SCHEMA $schema" || exit 1
  sep='?'; [[ $QGRANT_TEST_PG == *\?* ]] && sep='&'
  crash_once postgresql "$QGRANT_TEST_PG${sep}options=-csearch_path%3D$schema"
  psql -q "$QGRANT_TEST_PG" -c "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1
fi
exit $status
