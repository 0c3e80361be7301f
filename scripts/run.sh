#!/usr/bin/env bash
# Builds qgrant and runs the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
exec build/src/cli/qgrant "${@:-demo}"
