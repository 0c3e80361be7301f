#!/usr/bin/env bash
# Builds the multi-threaded parts with a sanitizer and runs them: the pipeline and engine tests,
# then qgrant eval on a generated workload whose ledger is large enough for the parallel paths
# (block-wise loading, the two-thread index build), plain, with the 2026 guide, and explained;
# and the HTTP server's tests (sessions on several threads, the worker pool, stopping).
#   scripts/sanitize.sh [thread|address]   (default thread: TSan; address: ASan + UBSan)
# Builds into build-tsan/ or build-asan/; fails on the first report.
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-thread}"
case "$kind" in
  thread) flags="-fsanitize=thread" dir=build-tsan ;;
  address) flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" dir=build-asan ;;
  *) echo "usage: scripts/sanitize.sh [thread|address]" >&2; exit 2 ;;
esac
bash scripts/setup.sh
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQGRANT_TCMALLOC=OFF \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
cmake --build "$dir" --target common_tests engine_tests server_tests qgrant gen_workload
export TSAN_OPTIONS="halt_on_error=1" ASAN_OPTIONS="detect_leaks=1"
"$dir/tests/common/common_tests" --gtest_brief=1
"$dir/tests/engine/engine_tests" --gtest_brief=1
"$dir/tests/server/server_tests" --gtest_brief=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$dir/bench/gen_workload" --applications 50000 --out "$work/apps.jsonl" --ledger 100000 --ledger-out "$work/ledger.jsonl"
for extra in "" "--guide policies/sz-quality-brand/guides/2026.yaml" "--explain"; do
  # shellcheck disable=SC2086  # $extra is two words or none
  "$dir/src/cli/qgrant" eval --policy policies/sz-quality-brand $extra --ledger "$work/ledger.jsonl" \
    --as-of 2026-06-01 "$work/apps.jsonl" > "$work/decisions.jsonl"
done
echo "scripts/sanitize.sh $kind: no reports"
