#!/usr/bin/env bash
# End-to-end benchmark of `qgrant allocate`: N synthetic decisions (default 10,000,000; about
# 70% eligible, bench/gen_decisions) from a file, pro rata under a budget of 80% of the approved
# total, output to /dev/null (OUT=file writes a file instead, which on this machine costs more
# than the allocation: the output is 2.6 times the input). Each run is timed on its own (GNU time:
# wall clock, CPU time, peak memory); the best and the median of RUNS runs (default 3) are reported,
# as the figures of a shared virtual machine vary from run to run. The input is read in blocks, so
# peak memory is the few fields kept per decision (its id's hash and line, and an eligible one's
# amount, group and place), not the file.
# Usage: bench/alloc_e2e.sh [N]        environment: RUNS, BUILD, OUT=file|null, STRATEGY_ARGS
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000000}
RUNS=${RUNS:-3}
BUILD=${BUILD:-build}
OUT=${OUT:-null}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
"$BUILD/bench/gen_decisions" "$N" > "$work/decisions.jsonl"
# Written back to disk before the runs: otherwise the kernel flushes 2.5 GB of dirty pages while
# the first runs read them, and they measure the disk.
sync "$work/decisions.jsonl"
echo "input: $N decisions ($(du -h "$work/decisions.jsonl" | cut -f1))"
# The approved total, from a run with an ample budget; the benchmark budget is 80% of it.
total=$("$BUILD/src/cli/qgrant" allocate --budget-fen 1000000000000000 "$work/decisions.jsonl" 2>&1 >/dev/null |
        sed -n 's/.*approved \([0-9]*\) fen.*/\1/p')
budget=$((total / 5 * 4))
out=/dev/null
[ "$OUT" = file ] && out="$work/allocated.jsonl"
for run in $(seq "$RUNS"); do
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$BUILD/src/cli/qgrant" allocate --budget-fen "$budget" \
    ${STRATEGY_ARGS:-} "$work/decisions.jsonl" > "$out" 2> "$work/stderr.txt"
  read -r secs user sys kb < "$work/time.txt"
  [ "$run" = 1 ] && grep -E "^qgrant allocate" "$work/stderr.txt"
  printf "run %d: %.2f s wall (%.2f s CPU), %.0f decisions/s, peak memory %.0f MB\n" "$run" "$secs" \
    "$(echo "$user + $sys" | bc -l)" "$(echo "$N / $secs" | bc -l)" "$(echo "$kb / 1024" | bc -l)"
  echo "$secs" >> "$work/runs.txt"
  rm -f "$work/allocated.jsonl"
done
sort -n "$work/runs.txt" | awk -v n="$N" '{t[NR] = $1} END {
  m = t[int((NR + 1) / 2)]
  printf "best: %.2f s (%.0f decisions/s); median: %.2f s (%.0f decisions/s); load average now %s\n", t[1], n / t[1], m, n / m, "'"$(cut -d' ' -f1 /proc/loadavg)"'" }'
