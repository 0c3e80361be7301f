#!/usr/bin/env bash
# A round to the end with curl against `qgrant serve` (CONTRACT §7), on a throwaway SQLite
# database: three units apply, the officer allocates a short budget, posts the notice, an
# objection is upheld, the service date moves past the notice, the round is approved and paid.
# Prints the public notice list (CSV), the payment file (CSV) and a decision letter (as text).
#   scripts/round_demo.sh            (after scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
qgrant="$PWD/build/src/cli/qgrant"
work=$(mktemp -d)
db="$work/demo.db"
port=${PORT:-18089}
api="http://127.0.0.1:$port/api/v1"
server=""
stop() { if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi; }
trap 'stop; rm -rf "$work"' EXIT

serve() {  # serve TODAY
  stop
  "$qgrant" serve --db "$db" --listen "127.0.0.1:$port" --today "$1" >"$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.1; done
  echo "qgrant serve did not start" >&2; cat "$work/serve.log" >&2; exit 1
}
user() { "$qgrant" user add --db "$db" --login "$1" --role "$2" ${3:+--uscc "$3"} --name "$4"; }
call() {  # call TOKEN METHOD PATH [BODY]
  curl -sS -X "$2" -H "Authorization: Bearer $1" -H 'Content-Type: application/json' ${4:+--data "$4"} "$api$3"
}
apply() {  # apply TOKEN USCC NAME MEASURE SUBJECT FACTS -> id (submitted and accepted)
  local body id
  body=$(jq -nc --arg u "$2" --arg n "$3" --arg m "$4" --arg s "$5" --argjson f "$6" \
    '{applicant:{uscc:$u,name:$n,kind:"enterprise",registered_in_shenzhen:true,serious_dishonesty:false},measure:$m,subject:$s,obtained_on:"2025-09-12",facts:$f}')
  id=$(call "$1" POST /rounds/r2026/applications "$body" | jq -r .id)
  call "$1" POST "/applications/$id/actions/submit" '{}' >/dev/null
  call "$reviewer" POST "/applications/$id/actions/accept" '{}' >/dev/null
  echo "$id"
}

officer=$(user officer officer "" 王科长)
reviewer=$(user reviewer reviewer "" 李审核)
finance=$(user finance finance "" 陈会计)
a=$(user unit-a applicant 91440300MA5XXXXXXR 甲)
b=$(user unit-b applicant 914403001922038216 乙)
serve 2026-06-01
call "$officer" POST /rounds '{"id":"r2026","title":"2026年度质量品牌扶持","guide":"2026","budget_fen":164000000,"opens_on":"2026-05-01","closes_on":"2026-12-31"}' >/dev/null
app1=$(apply "$a" 91440300MA5XXXXXXR 深圳市示例科技有限公司 china_quality_award CQA-2025-A '{"level":"winner"}')
app2=$(apply "$b" 914403001922038216 深圳市某通信技术有限公司 guangdong_quality_award GQA-2025-B '{"level":"winner"}')
app3=$(apply "$a" 91440300MA5XXXXXXR 深圳市示例科技有限公司 metrology ME-2025-A '{"activity":"demonstration"}')
call "$officer" POST /rounds/r2026/close '{}' >/dev/null
echo "== allocation (budget 164万元 for 480万元 approved)"
call "$officer" POST /rounds/r2026/allocate '{}' | jq -r '.applications[] | "\(.id)  \(.allocated_fen) fen  \(.step.zh)"'
echo "== notice"
call "$officer" POST /rounds/r2026/notice '{"starts_on":"2026-06-15","working_days":5}' | jq -c .
serve 2026-06-15
echo "== the public notice list (CSV, anyone)"
curl -sS "$api/rounds/r2026/notice?format=csv"
objection=$(call "$b" POST /rounds/r2026/objections "{\"application_id\":\"$app1\",\"text\":\"获奖主体与申报单位不一致\"}" | jq -r .id)
call "$officer" POST "/objections/$objection/resolve" '{"upheld":true,"note":"经核实，异议成立"}' >/dev/null
serve 2026-06-24
echo "== approval"
call "$officer" POST /rounds/r2026/approve '{}' | jq -c .
for id in $(call "$finance" GET /rounds/r2026/payments | jq -r '.items[].id'); do
  call "$finance" POST "/payments/$id" "{\"status\":\"paid\",\"reference\":\"BANK-2026-$id\"}" >/dev/null
done
echo "== the payment file (CSV, finance)"
call "$finance" GET "/rounds/r2026/payments?format=csv"
echo "== the decision letter of $app3 (HTML, shown as text)"
call "$a" GET "/applications/$app3/letter?format=pdf" > "${LETTER_PDF:-$work/letter.pdf}"
call "$a" GET "/applications/$app3/letter" | sed -e 's/<\/tr>/\n/g; s/<\/p>/\n/g; s/<\/h1>/\n/g; s/<[^>]*>/ /g' | sed -e 's/  */ /g; /^ *$/d'
echo "== audit: $("$qgrant" audit verify --db "$db")"
