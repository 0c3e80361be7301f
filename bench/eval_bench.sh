#!/usr/bin/env bash
# End-to-end benchmark of `qgrant eval`: N synthetic applications (default 1,000,000) against a
# ledger of M rows (default 1,000,000), file in, file out. Each run is timed on its own (GNU time:
# wall clock and peak memory); the best and the median of RUNS runs (default 3) are reported, as
# the figures of a shared virtual machine vary from run to run. Decided as of 2026-12-31: the
# workload dates its achievements in 2024-2026, and a date after the evaluation date is invalid.
# Usage: bench/eval_bench.sh [N] [M]       environment: RUNS, GUIDE (a guide file), BUILD,
# ESCAPED=1 (the applications as Python's json.dumps writes them by default: every character
# above 127 as a \u escape)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
M=${2:-1000000}
RUNS=${RUNS:-3}
BUILD=${BUILD:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
"$BUILD/bench/gen_workload" --applications "$N" --out "$work/apps.jsonl" --ledger "$M" --ledger-out "$work/ledger.jsonl"
touch "$work/ledger.jsonl"  # M = 0: an empty ledger
if [ -n "${ESCAPED:-}" ]; then
  python3 -c 'import json, sys
for line in sys.stdin:
    try:
        sys.stdout.write(json.dumps(json.loads(line)) + "\n")
    except ValueError:
        sys.stdout.write(line)  # a broken line stays broken' < "$work/apps.jsonl" > "$work/escaped.jsonl"
  mv "$work/escaped.jsonl" "$work/apps.jsonl"
fi
echo "input: $(wc -l < "$work/apps.jsonl") applications ($(du -h "$work/apps.jsonl" | cut -f1))${ESCAPED:+, escaped}, ledger $(wc -l < "$work/ledger.jsonl") rows${GUIDE:+, guide $GUIDE}"
guide=()
[ -n "${GUIDE:-}" ] && guide=(--guide "$GUIDE")
for run in $(seq "$RUNS"); do
  rm -f "$work/decisions.jsonl"
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$BUILD/src/cli/qgrant" eval --policy policies/sz-quality-brand "${guide[@]}" \
    --ledger "$work/ledger.jsonl" --as-of 2026-12-31 "$work/apps.jsonl" > "$work/decisions.jsonl" 2> "$work/stderr.txt"
  read -r secs kb < "$work/time.txt"
  [ "$run" = 1 ] && grep -E "^qgrant eval" "$work/stderr.txt" && echo "decisions: $(wc -l < "$work/decisions.jsonl")"
  printf "run %d: %.2f s, %.0f applications/s, peak memory %.0f MB\n" "$run" "$secs" "$(echo "$N / $secs" | bc -l)" "$(echo "$kb / 1024" | bc -l)"
  echo "$secs" >> "$work/runs.txt"
done
sort -n "$work/runs.txt" | awk -v n="$N" '{t[NR] = $1} END {
  m = t[int((NR + 1) / 2)]
  printf "best: %.2f s (%.0f applications/s); median: %.2f s (%.0f applications/s)\n", t[1], n / t[1], m, n / m }'
