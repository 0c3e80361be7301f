#!/usr/bin/env bash
# Builds qgrant and runs the main job. With arguments, runs `qgrant ARGS...` instead.
# The main job (until the service exists): check the shipped policy, decide the example
# applications under the 2026 guide against the example ledger, and allocate a budget.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh >&2
qgrant=build/src/cli/qgrant
if [ "$#" -gt 0 ]; then
  exec "$qgrant" "$@"
fi
policy=policies/sz-quality-brand
echo "== qgrant check $policy"
"$qgrant" check "$policy"
echo
echo "== qgrant eval (examples/applications.jsonl, 2026 guide, examples/ledger.jsonl, as of 2026-06-01)"
decisions=$(mktemp)
trap 'rm -f "$decisions"' EXIT
"$qgrant" eval --policy "$policy" --guide "$policy/guides/2026.yaml" --ledger examples/ledger.jsonl \
  --as-of 2026-06-01 examples/applications.jsonl > "$decisions"
cat "$decisions"
echo
echo "== qgrant allocate --budget-fen 300000000 (3,000,000 yuan; the quality awards of 三（八） first)"
"$qgrant" allocate --budget-fen 300000000 --strategy tiers --tier 'awards=clause:三（八）' "$decisions"
echo
echo "== qgrant explain --id 2026-CERT-0001 --lang en"
"$qgrant" explain --policy "$policy" --guide "$policy/guides/2026.yaml" --ledger examples/ledger.jsonl \
  --as-of 2026-06-01 --id 2026-CERT-0001 --lang en examples/applications.jsonl
