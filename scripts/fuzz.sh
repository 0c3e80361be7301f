#!/usr/bin/env bash
# Builds the CEL fuzzer (libFuzzer + ASan + UBSan, clang) into build-fuzz/ and runs it for a
# bounded time. Usage:
#   scripts/fuzz.sh [SECONDS] [extra libFuzzer flags...]      (default 60 seconds)
#   scripts/fuzz.sh 0 build-fuzz/artifacts/crash-...          (replay one input: SECONDS=0)
# New interesting inputs accumulate in build-fuzz/corpus; the seeds in fuzz/corpus stay as they
# are. A crash leaves its input in build-fuzz/artifacts/ and makes this script fail.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
[ $# -gt 0 ] && shift

# The main build's packages plus clang and its fuzzer/sanitizer runtimes, which only fuzzing
# needs (so the main setup stays lean).
bash scripts/setup.sh clang libclang-rt-14-dev

cmake -S fuzz -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j "${FUZZ_JOBS:-$(nproc)}"

mkdir -p build-fuzz/corpus build-fuzz/artifacts
if [ "$seconds" = "0" ]; then
  # Replay mode: run the given inputs once each (e.g. a crash artifact).
  exec build-fuzz/parser_fuzz "$@"
fi
# -timeout: one input taking longer than this is reported (a hang is a bug too);
# -rss_limit_mb: so is runaway memory. The first corpus directory receives new inputs.
exec build-fuzz/parser_fuzz \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -dict=fuzz/cel.dict -artifact_prefix=build-fuzz/artifacts/ -print_final_stats=1 \
  "$@" build-fuzz/corpus fuzz/corpus
