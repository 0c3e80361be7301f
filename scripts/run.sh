#!/usr/bin/env bash
# Builds qgrant and runs the main job: the service (`qgrant serve`) on an embedded SQLite file with
# the shipped policy, ready to try. On the first run the database is new and gets a demo data set:
# one user per role, three applicant units and an open round of the 2026 guide; their bearer
# tokens are printed once. Stop it with Ctrl-C.
# Environment: QGRANT_DB (default data/qgrant.db), QGRANT_LISTEN (default 127.0.0.1:8080).
# With arguments, runs `qgrant ARGS...` instead (e.g. ./scripts/run.sh eval --policy … FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh >&2
qgrant=build/src/cli/qgrant
if [ "$#" -gt 0 ]; then
  exec "$qgrant" "$@"
fi
policy=policies/sz-quality-brand
db=${QGRANT_DB:-data/qgrant.db}
listen=${QGRANT_LISTEN:-127.0.0.1:8080}
mkdir -p "$(dirname "$db")"
echo "== qgrant check $policy"
"$qgrant" check "$policy"
echo
echo "== qgrant serve --db $db --listen $listen (Ctrl-C stops it)"
echo "   try: curl -s http://$listen/api/v1/measures | head -c 400"
echo "        curl -s -X POST 'http://$listen/api/v1/evaluate?guide=2026' -d @examples/application.json"
echo "        curl -s -H 'Authorization: Bearer TOKEN' http://$listen/api/v1/rounds"
echo "   the whole API: http://$listen/openapi.json; audit: $qgrant audit verify --db $db"
exec "$qgrant" serve --db "$db" --listen "$listen" --policy "$policy" --demo
