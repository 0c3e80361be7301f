#!/usr/bin/env bash
# End-to-end benchmark of `qgrant eval`: N synthetic applications (default 1,000,000) against a
# ledger of M rows (default 1,000,000), file in, file out. Reports applications per second and
# peak memory (GNU time). Usage: bench/eval_bench.sh [N] [M]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
M=${2:-1000000}
BUILD=${BUILD:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
"$BUILD/bench/gen_workload" --applications "$N" --out "$work/apps.jsonl" --ledger "$M" --ledger-out "$work/ledger.jsonl"
touch "$work/ledger.jsonl"  # M = 0: an empty ledger
echo "input: $(wc -l < "$work/apps.jsonl") applications ($(du -h "$work/apps.jsonl" | cut -f1)), ledger $(wc -l < "$work/ledger.jsonl") rows"
start=$(date +%s.%N)
/usr/bin/time -v "$BUILD/src/cli/qgrant" eval --policy policies/sz-quality-brand --ledger "$work/ledger.jsonl" \
  --as-of 2026-06-01 "$work/apps.jsonl" > "$work/decisions.jsonl" 2> "$work/time.txt"
end=$(date +%s.%N)
grep -E "^qgrant eval" "$work/time.txt" || true
secs=$(echo "$end - $start" | bc -l)
echo "decisions: $(wc -l < "$work/decisions.jsonl")"
printf "elapsed: %.2f s, throughput: %.0f applications/s\n" "$secs" "$(echo "$N / $secs" | bc -l)"
grep -E "Maximum resident set size" "$work/time.txt" | awk '{printf "peak memory: %.0f MB\n", $6/1024}'
