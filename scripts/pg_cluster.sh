#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the store's tests (Debian's postgresql package).
#
#   scripts/pg_cluster.sh start        starts a cluster on 127.0.0.1 at a free port, in a new temp
#                                      directory, and prints its URL (postgresql://…/qgrant_test)
#   scripts/pg_cluster.sh stop URL     stops that cluster and removes its directory
#
# PostgreSQL refuses to run as root, so under root (as in CI) the server runs as the `postgres`
# user the package creates. Trust authentication on loopback only: the cluster lives for one test
# run and holds nothing but test data.
set -euo pipefail
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  echo "pg_cluster.sh: PostgreSQL server binaries not found (install the postgresql package)" >&2
  exit 2
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 40000))
    # Nothing answers on it: the connection attempt fails.
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  echo "pg_cluster.sh: no free port found" >&2
  return 1
}

start() {
  local port dir
  port=$(free_port)
  dir=$(mktemp -d "${TMPDIR:-/tmp}/qgrant-pg.$port.XXXXXX")
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  as_owner "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=on -c max_connections=200" start >/dev/null ||
    { cat "$dir/server.log" >&2; exit 1; }
  as_owner "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres qgrant_test
  echo "postgresql://postgres@127.0.0.1:$port/qgrant_test"
}

stop() {
  local url=${1:?usage: pg_cluster.sh stop URL}
  local port=${url##*:}
  port=${port%%/*}
  local dir
  for dir in "${TMPDIR:-/tmp}"/qgrant-pg."$port".*; do
    [ -d "$dir/data" ] || continue
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: pg_cluster.sh start | stop URL" >&2; exit 2 ;;
esac
