#!/usr/bin/env bash
# End-to-end benchmark of `qgrant screen` and `qgrant simulate` over a synthetic registry of N units
# (default 2,500,000, a city's registered market entities; bench/gen_registry) with its ledger of
# earlier grants: screen against every measure (JSON Lines to /dev/null), simulate baseline and a
# reform (examples/reform-double-certification.yaml). Each run is timed on its own (GNU time: wall
# clock, CPU time, peak memory); the best and the median of RUNS runs (default 3) are reported, as
# the figures of a shared virtual machine vary from run to run.
# Usage: bench/registry_bench.sh [N]        environment: RUNS, BUILD
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2500000}
RUNS=${RUNS:-3}
BUILD=${BUILD:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
"$BUILD/bench/gen_registry" --units "$N" --out "$work/registry.jsonl" --ledger-out "$work/ledger.jsonl" >/dev/null
echo "input: $N units ($(du -h "$work/registry.jsonl" | cut -f1)), ledger $(wc -l < "$work/ledger.jsonl") rows"
q="$BUILD/src/cli/qgrant"
rules=(--policy policies/sz-quality-brand --ledger "$work/ledger.jsonl" --as-of 2026-12-31)
for command in screen simulate; do
  rm -f "$work/runs.txt"
  args=("${rules[@]}")
  [ "$command" = simulate ] && args+=(--reform examples/reform-double-certification.yaml)
  for run in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$q" "$command" "${args[@]}" "$work/registry.jsonl" \
      > /dev/null 2> "$work/stderr.txt"
    read -r secs user sys kb < "$work/time.txt"
    [ "$run" = 1 ] && grep -E "^qgrant $command" "$work/stderr.txt"
    printf "%s run %d: %.2f s wall (%.2f s CPU), peak memory %.0f MB\n" "$command" "$run" "$secs" \
      "$(echo "$user + $sys" | bc -l)" "$(echo "$kb / 1024" | bc -l)"
    echo "$secs" >> "$work/runs.txt"
  done
  sort -n "$work/runs.txt" | awk -v c="$command" '{t[NR] = $1} END {
    printf "%s best: %.2f s; median: %.2f s; load average now %s\n", c, t[1], t[int((NR + 1) / 2)], "'"$(cut -d' ' -f1 /proc/loadavg)"'" }'
done
