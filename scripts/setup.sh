#!/usr/bin/env bash
# Installs every Debian package that building, running and testing qgrant needs.
# Safe to run again: apt-get skips what is already installed. Extra package names given as
# arguments are installed too (scripts/fuzz.sh adds clang this way).
set -euo pipefail
packages=(
  build-essential cmake ninja-build ccache pkg-config clang-format
  libre2-dev libyaml-cpp-dev nlohmann-json3-dev libsimdjson-dev
  libcli11-dev libhowardhinnant-date-dev tzdata
  libgtest-dev libgmock-dev libbenchmark-dev
  libgoogle-perftools-dev libxlsxwriter-dev libutf8proc-dev libpango1.0-dev libcairo2-dev fonts-noto-cjk bc time
  libsqlite3-dev sqlite3 libpq-dev libssl-dev postgresql postgresql-client python3 python3-jsonschema
  libboost1.81-dev libboost-url1.81-dev wrk unzip curl
  chromium nodejs
  "$@"
)
# Debian's nodejs comes without npm; a nodejs that bundles npm (NodeSource) conflicts with it.
command -v npm >/dev/null || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
