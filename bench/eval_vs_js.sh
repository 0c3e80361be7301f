#!/usr/bin/env bash
# `qgrant eval` beside a hand-written JavaScript version of the same rules (bench/reference/rules.js,
# run by Node from Debian), in one run, on the same files (issue #15). N synthetic applications
# (default 1,000,000) from gen_workload against a ledger of N/10 rows, decided as of AS_OF
# (default 2026-06-01; the workload dates achievements in 2024-2026, so a share of them lie in the
# future and are invalid: AS_OF=2026-12-31 decides every date). Each program runs RUNS times
# (default 3), alternating, each run timed on its own with GNU time (wall clock, CPU, peak memory);
# the medians give applications/s and the ratio. Then the two outputs of the last runs are compared
# line by line on id, outcome and amount_fen, and the first disagreements are listed.
# qgrant uses every core (at most 8); Node runs on one: the CPU-time ratio is printed as well.
# Usage: bench/eval_vs_js.sh [applications=1000000]     environment: RUNS, AS_OF, BUILD, NODE
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-1000000}
M=$((N / 10))
RUNS=${RUNS:-3}
AS_OF=${AS_OF:-2026-06-01}
BUILD=${BUILD:-$root/build}
NODE=${NODE:-node}
qgrant=$BUILD/src/cli/qgrant
gen=$BUILD/bench/gen_workload
rules=$root/bench/reference/rules.js
for f in "$qgrant" "$gen"; do
  [ -x "$f" ] || { echo "eval_vs_js: $f not found: build first (BUILD=$BUILD)" >&2; exit 2; }
done
command -v "$NODE" >/dev/null || { echo "eval_vs_js: node not found (apt-get install nodejs)" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$gen" --applications "$N" --out "$work/apps.jsonl" --ledger "$M" --ledger-out "$work/ledger.jsonl"
touch "$work/ledger.jsonl"  # M = 0: an empty ledger
echo "input: $(wc -l < "$work/apps.jsonl") applications ($(du -h "$work/apps.jsonl" | cut -f1)), ledger $(wc -l < "$work/ledger.jsonl") rows, as of $AS_OF"
echo "qgrant: $qgrant; js: $("$NODE" --version) $rules"

# run NAME OUT COMMAND...: one timed run; appends "wall cpu kb" to $work/NAME.runs.
run() {
  local name=$1 out=$2
  shift 2
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" > "$out" 2> "$work/$name.stderr" ||
    { echo "eval_vs_js: $name failed:" >&2; cat "$work/$name.stderr" >&2; exit 1; }
  local wall user sys kb
  read -r wall user sys kb < "$work/time.txt"
  local cpu
  cpu=$(echo "$user + $sys" | bc -l)
  echo "$wall $cpu $kb" >> "$work/$name.runs"
  printf "  %-6s run %d: %6.2f s wall, %6.2f s CPU, %8.0f applications/s, peak memory %5.0f MB\n" \
    "$name" "$(wc -l < "$work/$name.runs")" "$wall" "$cpu" "$(echo "$N / $wall" | bc -l)" "$(echo "$kb / 1024" | bc -l)"
}
for _ in $(seq "$RUNS"); do
  run qgrant "$work/qgrant.jsonl" "$qgrant" eval --policy "$root/policies/sz-quality-brand" \
    --ledger "$work/ledger.jsonl" --as-of "$AS_OF" "$work/apps.jsonl"
  run js "$work/js.jsonl" "$NODE" "$rules" --ledger "$work/ledger.jsonl" --as-of "$AS_OF" "$work/apps.jsonl"
done
grep -h -E "^qgrant eval: [0-9]" "$work/qgrant.stderr" || true
grep -h -E "^rules.js:" "$work/js.stderr" || true

# median FILE COLUMN
median() { sort -n -k"$2","$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'; }
q_wall=$(median "$work/qgrant.runs" 1) q_cpu=$(median "$work/qgrant.runs" 2) q_kb=$(median "$work/qgrant.runs" 3)
j_wall=$(median "$work/js.runs" 1) j_cpu=$(median "$work/js.runs" 2) j_kb=$(median "$work/js.runs" 3)
awk -v n="$N" -v runs="$RUNS" -v qw="$q_wall" -v qc="$q_cpu" -v qk="$q_kb" -v jw="$j_wall" -v jc="$j_cpu" -v jk="$j_kb" 'BEGIN {
  printf "median of %d runs:\n", runs
  printf "  qgrant eval: %7.2f s wall, %7.2f s CPU, %9.0f applications/s, peak %5.0f MB\n", qw, qc, n / qw, qk / 1024
  printf "  node js:     %7.2f s wall, %7.2f s CPU, %9.0f applications/s, peak %5.0f MB\n", jw, jc, n / jw, jk / 1024
  printf "ratio (qgrant / js): %.2fx the applications/s; %.2fx per CPU second\n", jw / qw, jc / qc }'

# Same decisions? id, outcome and amount_fen of each line (the first of each name in a line is the
# decision's own: reasons and items come after them, and quotes inside strings are escaped).
awk -v other="$work/js.jsonl" '
  function found(s, skip) { return RSTART ? substr(s, RSTART + skip, RLENGTH - skip) : "?" }
  function key(s,   id, outcome) {
    match(s, /^\{"id":(null|"([^"\\]|\\.)*")/); id = found(s, 6)
    match(s, /"outcome":"[a-z]+/); outcome = found(s, 11)
    match(s, /"amount_fen":[0-9]+/)
    return id " " outcome " " found(s, 13)
  }
  function codes(s,   out) {
    out = ""
    while (match(s, /"code":"[a-z_]+"/)) { out = out (out == "" ? "" : ",") substr(s, RSTART + 8, RLENGTH - 9); s = substr(s, RSTART + RLENGTH) }
    return out
  }
  {
    if ((getline js < other) <= 0) js = ""
    n++
    q = key($0); j = key(js)
    if (q == j) { same++; next }
    if (++diff <= 8) printf "  line %d: qgrant %s [%s] | js %s [%s]\n", n, q, codes($0), j, codes(js)
  }
  END {
    extra = 0
    while ((getline js < other) > 0) extra++
    printf "agreement on id, outcome and amount_fen: %d of %d lines (%.2f%%)", same, n, n ? 100 * same / n : 100
    printf "%s\n", extra ? sprintf("; js wrote %d more lines", extra) : ""
  }' "$work/qgrant.jsonl" > "$work/compare.txt"
tail -n 1 "$work/compare.txt"
if [ "$(wc -l < "$work/compare.txt")" -gt 1 ]; then
  echo "first disagreements (line: id outcome amount_fen [reason codes]):"
  head -n -1 "$work/compare.txt"
fi
