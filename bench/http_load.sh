#!/usr/bin/env bash
# Load test of the HTTP service with wrk (Debian `wrk`): CONNECTIONS connections (default 64)
# POST an application to /api/v1/evaluate for SECONDS (default 10). Prints requests/s, the
# latency percentiles p50 and p99, the count of non-2xx answers and the server's peak memory.
# Usage: bench/http_load.sh [SECONDS] [CONNECTIONS]   (after building the qgrant target)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
connections="${2:-64}"
qgrant="${QGRANT:-build/src/cli/qgrant}"
[ -x "$qgrant" ] || { echo "build qgrant first (cmake --build build --target qgrant)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is missing: scripts/setup.sh installs it" >&2; exit 2; }

log="$(mktemp)"
trap 'rm -f "$log"; [ -n "${pid:-}" ] && kill -TERM "$pid" 2>/dev/null || true' EXIT
# The date is fixed so that the decision (and so the work per request) is the same every day.
"$qgrant" serve --listen 127.0.0.1:0 --today 2026-03-15 2>"$log" &
pid=$!
for _ in $(seq 100); do
  port="$(sed -n 's|.*listening on http://[^ ]*:\([0-9]*\) .*|\1|p' "$log")"
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "${port:-}" ] || { cat "$log" >&2; exit 1; }
url="http://127.0.0.1:$port"
curl -sf "$url/healthz" >/dev/null

out="$(wrk -t2 -c"$connections" -d"${seconds}s" --latency -s bench/http_evaluate.lua "$url")"
echo "$out" >&2
rps="$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
p50="$(echo "$out" | awk '$1 == "50%" {print $2}')"
p99="$(echo "$out" | awk '$1 == "99%" {print $2}')"
errors="$(echo "$out" | awk '/Non-2xx/ {print $NF}')"
peak_kb="$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")"
kill -TERM "$pid"
wait "$pid" || true
pid=""
printf 'POST /api/v1/evaluate, %s connections, %ss: %s requests/s, p50 %s, p99 %s, non-2xx %s, server peak memory %s MB\n' \
  "$connections" "$seconds" "$rps" "$p50" "$p99" "${errors:-0}" "$((peak_kb / 1024))"
