#!/usr/bin/env bash
# Memory exhausted, on whichever thread: the command says so and exits 2, writing no decision,
# instead of dying in std::terminate's abort (a bad_alloc in the ledger loader's thread, or a
# thread left joinable as the error unwound, did that). eval with a large ledger is run under
# several address-space limits (ulimit -v), from too little to start a thread to enough to get
# far into loading the ledger.
# Usage: out_of_memory.sh QGRANT REPO
set -uo pipefail
Q=$1
cd "$2" || exit 1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
good='{"id":"ok-1","applicant":{"uscc":"91440300MA5XXXXXXR","name":"深圳市示例科技有限公司","kind":"enterprise","registered_in_shenzhen":true,"serious_dishonesty":false},"measure":"china_quality_award","subject":"CQA-2025","obtained_on":"2025-09-12","facts":{"level":"winner"}}'
row='{"uscc":"914403001922038216","policy":"sz-quality-brand","measure":"metrology","subject":"M-1","amount_fen":100,"granted_on":"2025-03-01"}'
yes "$good" | head -20000 > "$T/apps.jsonl"
yes "$row" | head -400000 > "$T/ledger.jsonl"
fail=0
for kb in 60000 80000 100000; do
  (ulimit -v "$kb"; "$Q" eval --policy policies/sz-quality-brand --ledger "$T/ledger.jsonl" --as-of 2026-06-01 \
    "$T/apps.jsonl" > "$T/out" 2> "$T/err")
  code=$?
  if [ "$code" != 2 ] || ! grep -q "out of memory" "$T/err" || [ -s "$T/out" ]; then
    echo "FAIL at ulimit -v $kb: exit $code, $(wc -c < "$T/out") bytes written; stderr:"
    head -c 500 "$T/err"
    fail=1
  else
    echo "ok at ulimit -v $kb: $(tail -1 "$T/err")"
  fi
done
exit "$fail"
