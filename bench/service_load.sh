#!/usr/bin/env bash
# Load of the service on a real store (wrk, CONNECTIONS connections, SECONDS each):
#   1. POST /api/v1/evaluate, anonymous          (bench/http_evaluate.lua)
#   2. GET /api/v1/applications/{id}, signed in  (bench/service_read.lua)
#   3. POST /api/v1/rounds/{id}/applications     (bench/service_create.lua): durable writes
# Prints requests/s, p50/p99 and the server's peak memory for each. DB: a fresh SQLite file, or
# a postgresql:// URL in QGRANT_BENCH_DB.
# Usage: bench/service_load.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
connections="${2:-64}"
qgrant="${QGRANT:-build/src/cli/qgrant}"
work="$(mktemp -d)"
db="${QGRANT_BENCH_DB:-$work/bench.db}"
trap 'rm -rf "$work"; [ -n "${pid:-}" ] && kill -TERM "$pid" 2>/dev/null || true' EXIT
"$qgrant" serve --db "$db" --listen 127.0.0.1:0 --today 2026-06-01 --demo >"$work/out" 2>"$work/log" &
pid=$!
for _ in $(seq 100); do
  port="$(sed -n 's|.*listening on http://[^ ]*:\([0-9]*\) .*|\1|p' "$work/log")"
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "${port:-}" ] || { cat "$work/log" >&2; exit 1; }
url="http://127.0.0.1:$port"
export QGRANT_TOKEN="$(awk '$3 == "unit-a" {print $4}' "$work/out")"
app=$(curl -sf -X POST -H "Authorization: Bearer $QGRANT_TOKEN" "$url/api/v1/rounds/2026-demo/applications" \
  -d @examples/application.json | python3 -c 'import sys, json; print(json.load(sys.stdin)["id"])')
export QGRANT_APP="$app"
run() {
  local what="$1" script="$2"
  local out
  out="$(wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$script" "$url")"
  printf '%s: %s requests/s, p50 %s, p99 %s, non-2xx %s\n' "$what" "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
    "$(echo "$out" | awk '$1 == "50%" {print $2}')" "$(echo "$out" | awk '$1 == "99%" {print $2}')" \
    "$(echo "$out" | awk '/Non-2xx/ {print $NF}' | grep . || echo 0)"
}
run "POST /api/v1/evaluate (anonymous)" bench/http_evaluate.lua
run "GET /api/v1/applications/{id} (applicant)" bench/service_read.lua
run "POST /api/v1/rounds/{id}/applications (durable)" bench/service_create.lua
echo "server peak memory: $(( $(awk '/VmHWM/ {print $2}' "/proc/$pid/status") / 1024 )) MB; database $("$qgrant" audit verify --db "$db")"
