#!/usr/bin/env bash
# qgrant user add and qgrant audit verify, end to end, on SQLite and (when QGRANT_TEST_PG is set)
# on a fresh PostgreSQL schema: exit codes, the one-line token, refusals, tampering caught.
set -uo pipefail
qgrant=${1:?usage: cli_test.sh QGRANT}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failures=0
check() {  # check NAME EXPECTED_RC ACTUAL_RC
  if [ "$2" != "$3" ]; then echo "FAIL $1: exit $3, expected $2"; failures=$((failures + 1)); else echo "ok   $1"; fi
}

run_suite() {  # run_suite DB_URL TAMPER_COMMAND
  local db=$1 out rc
  out=$("$qgrant" user add --db "$db" --login alice --role officer --name "Alice Li"); rc=$?
  check "add officer" 0 $rc
  [[ $(printf '%s\n' "$out" | wc -l) -eq 1 && $out =~ ^[0-9a-f]{64}$ ]] || { echo "FAIL token line: '$out'"; failures=$((failures + 1)); }
  "$qgrant" user add --db "$db" --login bob --role applicant --uscc 91350100M000100Y43 >/dev/null; check "add applicant" 0 $?
  "$qgrant" user add --db "$db" --login alice --role officer 2>"$dir/err" >/dev/null; check "duplicate login" 1 $?
  grep -q "already exists" "$dir/err" || { echo "FAIL duplicate message"; failures=$((failures + 1)); }
  "$qgrant" user add --db "$db" --login carl --role applicant >/dev/null 2>&1; check "applicant without uscc" 1 $?
  "$qgrant" user add --db "$db" --login carl --role applicant --uscc 91440300MA5FUTURE1 >/dev/null 2>&1
  check "applicant with a bad check character" 1 $?
  "$qgrant" user add --db "$db" --login carl --role wizard >/dev/null 2>&1; check "unknown role" 1 $?
  out=$("$qgrant" audit verify --db "$db"); check "verify" 0 $?
  [[ $out =~ ^ok:\ 2\ entries,\ head\ [0-9a-f]{64}$ ]] || { echo "FAIL verify line: '$out'"; failures=$((failures + 1)); }
  eval "$2"
  out=$("$qgrant" audit verify --db "$db"); check "verify after tampering" 1 $?
  [ "$out" = "entry 2: hash does not match the entry's contents" ] || { echo "FAIL tamper line: '$out'"; failures=$((failures + 1)); }
}

"$qgrant" audit verify --db "$dir/absent.db" 2>/dev/null; check "verify a missing file" 2 $?
[ ! -e "$dir/absent.db" ] || { echo "FAIL verify created a file"; failures=$((failures + 1)); }
"$qgrant" audit verify --no-such-flag >/dev/null 2>&1; check "verify unusable arguments" 2 $?
"$qgrant" user add --db "$dir/x.db" --login x --role wizard >/dev/null 2>&1
[ ! -e "$dir/x.db" ] || { echo "FAIL a refused user add created a database"; failures=$((failures + 1)); }

run_suite "sqlite:$dir/q.db" \
  "sqlite3 '$dir/q.db' \"DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'mallory' WHERE seq = 2\""

if [ -n "${QGRANT_TEST_PG:-}" ]; then
  schema="cli_$$"
  psql -q "$QGRANT_TEST_PG" -c "CREATE SCHEMA $schema" || exit 1
  sep='?'; [[ $QGRANT_TEST_PG == *\?* ]] && sep='&'
  run_suite "$QGRANT_TEST_PG${sep}options=-csearch_path%3D$schema" \
    "psql -q '$QGRANT_TEST_PG' -c 'SET search_path = $schema; DROP TRIGGER audit_log_no_update ON audit_log; UPDATE audit_log SET actor = '\\''mallory'\\'' WHERE seq = 2'"
  psql -q "$QGRANT_TEST_PG" -c "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1
fi
[ "$failures" -eq 0 ] && echo "all passed" || { echo "$failures failed"; exit 1; }
