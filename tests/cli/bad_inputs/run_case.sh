#!/usr/bin/env bash
# Runs one case of a bad-input catalogue (catalogue.txt): the command must end with the exit code
# given, say each `stderr:` text on stderr and each `stdout:` text on stdout, write `stdout_lines:`
# lines, finish within `timeout:` seconds (default 20, times $QGRANT_TIME_SCALE), and never die of a
# signal.
# Usage: run_case.sh QGRANT REPO CATALOGUE NAME
set -uo pipefail
Q=$1 R=$2 CATALOGUE=$3 NAME=$4
export Q R
# Shorthands for the catalogue: the shipped policy and guide, a good application and ledger line.
export P=policies/sz-quality-brand
export G=policies/sz-quality-brand/guides/2026.yaml
export GOOD='{"id":"ok-1","applicant":{"uscc":"91440300MA5XXXXXXR","name":"深圳市示例科技有限公司","kind":"enterprise","registered_in_shenzhen":true,"serious_dishonesty":false},"measure":"china_quality_award","subject":"CQA-2025","obtained_on":"2025-09-12","facts":{"level":"winner"}}'
export LEDGER='{"uscc":"914403001922038216","policy":"sz-quality-brand","measure":"metrology","subject":"M-1","amount_fen":100,"granted_on":"2025-03-01"}'
T=$(mktemp -d)
export T
trap 'rm -rf "$T"' EXIT
block=$(awk -v name="## $NAME" '$0 == name {on = 1; next} /^## / {on = 0} on' "$CATALOGUE")
[ -n "$block" ] || { echo "no case '$NAME' in $CATALOGUE"; exit 1; }
field() { printf '%s\n' "$block" | sed -n "s/^$1: //p"; }
want_exit=$(field exit)
run=$(field run)
limit=$(field timeout); limit=${limit:-20}
# Slower builds (ASan + UBSan, scripts/sanitize.sh) stretch every limit by this factor.
limit=$((limit * ${QGRANT_TIME_SCALE:-1}))
cd "$R"
timeout "$limit" bash -c "$run" >"$T/stdout" 2>"$T/stderr"
code=$?
fail=0
say() { echo "FAIL: $*"; fail=1; }
[ "$code" = 124 ] && say "did not finish within ${limit} s"
[ "$code" -ge 128 ] && [ "$code" != 124 ] && say "died of signal $((code - 128))"
[ "$code" = "$want_exit" ] || say "exit code $code, expected $want_exit"
while IFS= read -r text; do
  [ -z "$text" ] && continue
  grep -qF -- "$text" "$T/stderr" || say "stderr does not say: $text"
done < <(field stderr)
while IFS= read -r text; do
  [ -z "$text" ] && continue
  grep -qF -- "$text" "$T/stdout" || say "stdout does not say: $text"
done < <(field stdout)
lines=$(field stdout_lines)
if [ -n "$lines" ]; then
  got=$(wc -l < "$T/stdout")
  [ "$got" = "$lines" ] || say "stdout has $got line(s), expected $lines"
fi
if [ "$fail" = 1 ]; then
  echo "--- run: $run"
  echo "--- stderr:"; head -c 2000 "$T/stderr"
  echo "--- stdout:"; head -c 2000 "$T/stdout"
  exit 1
fi
echo "ok: $NAME"
