#!/usr/bin/env bash
# `qgrant serve` end to end: starts on an ephemeral port, answers /healthz and /api/v1/evaluate,
# stops with exit status 0 on SIGTERM; unusable arguments exit 2 without starting.
# Usage: serve_cli_test.sh QGRANT POLICY_DIR
set -euo pipefail
qgrant="$1"
policy="$2"
log="$(mktemp)"
trap 'rm -f "$log"; [ -n "${pid:-}" ] && kill -TERM "$pid" 2>/dev/null || true' EXIT

fail() { echo "FAIL: $*" >&2; cat "$log" >&2; exit 1; }

# A request through bash's /dev/tcp: no HTTP client needs to be installed.
request() {
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf '%s %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s' "$1" "$2" "${#3}" "$3" >&3
  cat <&3
  exec 3<&-
}

"$qgrant" serve --listen 127.0.0.1:0 --today 2026-03-15 --policy "$policy" 2>"$log" &
pid=$!
for _ in $(seq 100); do
  port="$(sed -n 's|.*listening on http://[^ ]*:\([0-9]*\) .*|\1|p' "$log")"
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "${port:-}" ] || fail "the server did not say where it listens"
request GET /healthz "" | grep -q '{"status":"ok"}' || fail "healthz"
app='{"id":"A","applicant":{"uscc":"91440300MA5XXXXXXR","name":"n","kind":"enterprise","registered_in_shenzhen":true,"serious_dishonesty":false},"measure":"china_quality_award","subject":"CQA-2025-winner","obtained_on":"2025-09-12","facts":{"level":"winner"}}'
request POST /api/v1/evaluate "$app" | grep -q '"outcome":"eligible"' || fail "evaluate"
request POST /api/v1/rounds "{}" | grep -q '^HTTP/1.1 401' || fail "rounds without a token"
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=""
[ "$status" -eq 0 ] || fail "exit status $status after SIGTERM"
grep -q "SIGTERM, stopping" "$log" || fail "no stop message"

for bad in "--listen nowhere" "--listen 127.0.0.1:99999" "--today 2026-02-30"; do
  status=0
  # shellcheck disable=SC2086
  "$qgrant" serve $bad --policy "$policy" 2>"$log" || status=$?
  [ "$status" -eq 2 ] || fail "'serve $bad' exited $status, not 2"
done
echo "serve: ok"
