#!/usr/bin/env bash
# Instructions a piece of work costs, counted by valgrind's callgrind: eval per application (with
# and without the 2026 guide), the ledger per row, screen and simulate per registry unit. Unlike
# time on a shared virtual machine, where the same run varies by a fifth from one minute to the
# next, a count is the same every run: a change of 1 % shows. It is not time: a cache miss or a
# mispredicted branch costs no more than an add here. Reading registry lines on the engine's tape
# rather than simdjson's DOM took 3 % fewer instructions and 3-9 % more time, so a change is
# confirmed in time too (eval_bench.sh, registry_bench.sh, or runs in turn on one core).
# Each figure is (count with the input - count without it) / its size, so start-up (the policy's
# YAML, about 90 million instructions) is left out. callgrind runs the threads one at a time.
# Usage: bench/instructions.sh [N]      N applications and N registry units (default 50,000);
# environment: BUILD. Takes about a minute.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
N=${1:-50000}
BUILD=${BUILD:-build}
command -v valgrind >/dev/null || apt-get install -y -qq valgrind >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
q="$BUILD/src/cli/qgrant"
"$BUILD/bench/gen_workload" --applications "$N" --out "$work/apps.jsonl" --ledger $((N / 10)) \
  --ledger-out "$work/ledger.jsonl" >/dev/null
"$BUILD/bench/gen_registry" --units "$N" --out "$work/registry.jsonl" --ledger-out "$work/rledger.jsonl" >/dev/null
: >"$work/empty.jsonl"

# The instructions `qgrant ARGS...` executes.
count() {
  if ! valgrind --tool=callgrind --callgrind-out-file=/dev/null --log-file="$work/valgrind.log" "$q" "$@" \
    >/dev/null 2>"$work/stderr.txt"; then
    echo "failed: qgrant $*" >&2
    cat "$work/stderr.txt" >&2
    exit 1
  fi
  sed -n 's/.*Collected : *//p' "$work/valgrind.log"
}
# "what: X instructions a UNIT" from the counts with and without the input of SIZE units.
report() {
  awk -v what="$1" -v with="$2" -v without="$3" -v size="$4" -v unit="$5" \
    'BEGIN { printf "%-34s %7.0f instructions per %s\n", what ":", (with - without) / size, unit }'
}

rules=(--policy policies/sz-quality-brand --as-of 2026-12-31)
guide=(--guide policies/sz-quality-brand/guides/2026.yaml)
ledger_rows=$(wc -l <"$work/ledger.jsonl")
echo "input: $N applications, a ledger of $ledger_rows rows, $N registry units; qgrant at $q"
bare=$(count eval "${rules[@]}" "$work/empty.jsonl")
with_ledger=$(count eval "${rules[@]}" --ledger "$work/ledger.jsonl" "$work/empty.jsonl")
report "ledger, read" "$with_ledger" "$bare" "$ledger_rows" row
report "eval" "$(count eval "${rules[@]}" --ledger "$work/ledger.jsonl" "$work/apps.jsonl")" "$with_ledger" "$N" \
  application
bare=$(count eval "${rules[@]}" "${guide[@]}" --ledger "$work/ledger.jsonl" "$work/empty.jsonl")
report "eval with the 2026 guide" \
  "$(count eval "${rules[@]}" "${guide[@]}" --ledger "$work/ledger.jsonl" "$work/apps.jsonl")" "$bare" "$N" application
registry=(--ledger "$work/rledger.jsonl")
bare=$(count screen "${rules[@]}" "${registry[@]}" "$work/empty.jsonl")
report "screen" "$(count screen "${rules[@]}" "${registry[@]}" "$work/registry.jsonl")" "$bare" "$N" unit
reform=(--reform examples/reform-double-certification.yaml)
bare=$(count simulate "${rules[@]}" "${registry[@]}" "${reform[@]}" "$work/empty.jsonl")
report "simulate, baseline and reform" \
  "$(count simulate "${rules[@]}" "${registry[@]}" "${reform[@]}" "$work/registry.jsonl")" "$bare" "$N" unit
