#!/usr/bin/env bash
# Runs qgrant under a sanitizer; fails on the first report.
#   scripts/sanitize.sh [thread|address] [all|core]   (default thread)
# thread (TSan, build-tsan/): the multi-threaded parts — the pipeline, engine and server tests,
#   then qgrant eval on a generated workload whose ledger is large enough for the parallel paths
#   (block-wise loading, the two-thread index build), plain, with the 2026 guide, and explained.
# address (ASan + UBSan, build-asan/): every test target and the whole ctest suite — unit tests,
#   CEL conformance, policy cases, the CLI tests and bad-input catalogue, the store on SQLite and,
#   when QGRANT_TEST_PG names a server (scripts/test.sh starts one), on PostgreSQL — then the same
#   eval workload. Built at -O1 with line tables only (-g1: reports still name file and line;
#   sanitizers at -O2 and full debug information mostly cost build time, not coverage).
#   `address core` (what scripts/test.sh runs in CI, whose time the whole suite does not fit):
#   the unit tests of common, expr, policy, engine and alloc, the policy cases, the CLI tests and
#   the bad-input catalogue, then the eval workload.
# SANITIZE_JOBS sets the build's and ctest's parallelism (default: every core).
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-thread}"
scope="${2:-all}"
jobs="${SANITIZE_JOBS:-$(nproc)}"
case "$kind" in
  thread) flags="-fsanitize=thread" dir=build-tsan opt="-O2 -g -DNDEBUG" ;;
  address) flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" dir=build-asan opt="-O1 -g1 -DNDEBUG" ;;
  *) echo "usage: scripts/sanitize.sh [thread|address] [all|core]" >&2; exit 2 ;;
esac
bash scripts/setup.sh
export CCACHE_BASEDIR="$PWD"
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$opt" \
  -DQGRANT_TCMALLOC=OFF -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" >/dev/null

# Every report goes to a file under $reports as well as failing its process with an exit code no
# test expects (a CLI test that wants exit 1 must not pass on a sanitizer's exit 1), so a report
# in a child process whose output a test swallows still fails the run.
reports="$PWD/$dir/sanitizer-reports"
rm -rf "$reports" && mkdir -p "$reports"
export TSAN_OPTIONS="halt_on_error=1:exitcode=86:log_path=$reports/tsan"
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:exitcode=86:log_path=$reports/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=86:log_path=$reports/ubsan"
export LSAN_OPTIONS="exitcode=86"
# The bad-input catalogue's time limits (a hang is a failure) allow for the sanitizers' slowdown.
export QGRANT_TIME_SCALE=4
no_reports() {
  if compgen -G "$reports/*" >/dev/null; then
    echo "scripts/sanitize.sh $kind: sanitizer reports:" >&2
    for f in "$reports"/*; do echo "== $f" >&2; head -60 "$f" >&2; done
    return 1
  fi
}

if [ "$kind" = thread ]; then
  cmake --build "$dir" -j "$jobs" --target common_tests engine_tests server_tests qgrant gen_workload
  "$dir/tests/common/common_tests" --gtest_brief=1
  "$dir/tests/engine/engine_tests" --gtest_brief=1
  "$dir/tests/server/server_tests" --gtest_brief=1
elif [ "$scope" = core ]; then
  cmake --build "$dir" -j "$jobs" --target common_tests expr_tests policy_model_test policy_cases_test \
    engine_tests alloc_test qgrant gen_workload
  for t in common/common_tests expr/expr_tests policy/policy_model_test engine/engine_tests alloc/alloc_test; do
    "$dir/tests/$t" --gtest_brief=1 || { no_reports || true; exit 1; }
  done
  # The tests ctest runs through qgrant or a script: policy cases, check, the CLI and its catalogue.
  (cd "$dir" && ctest --output-on-failure -j "$jobs" -R '^(policy_cases|policy_check|policy_eval|bad_input|cli_|alloc_cli)') ||
    { no_reports || true; exit 1; }
  no_reports
else
  # Everything but the benchmarks (gen_workload is a generator the run below needs).
  targets=$(ninja -C "$dir" -t targets all | sed -n 's/^\([A-Za-z0-9_]*\): phony$/\1/p' |
    grep -vE '^cmake_|^(all|clean|help|edit_cache|rebuild_cache|install|list_install_components|test|alloc_bench|expr_bench)$|_bench$' || true)
  # shellcheck disable=SC2086  # one word per target
  cmake --build "$dir" -j "$jobs" --target $targets
  (cd "$dir" && ctest --output-on-failure -j "$jobs") || { no_reports || true; exit 1; }
  no_reports
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$dir/bench/gen_workload" --applications 50000 --out "$work/apps.jsonl" --ledger 100000 --ledger-out "$work/ledger.jsonl"
for extra in "" "--guide policies/sz-quality-brand/guides/2026.yaml" "--explain"; do
  # shellcheck disable=SC2086  # $extra is two words or none
  "$dir/src/cli/qgrant" eval --policy policies/sz-quality-brand $extra --ledger "$work/ledger.jsonl" \
    --as-of 2026-06-01 "$work/apps.jsonl" > "$work/decisions.jsonl"
done
no_reports
echo "scripts/sanitize.sh $kind: no reports"
