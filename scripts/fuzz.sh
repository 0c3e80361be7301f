#!/usr/bin/env bash
# Builds every libFuzzer target in fuzz/ (libFuzzer + ASan + UBSan, clang) into build-fuzz/ and
# runs each for a bounded time, printing one summary line per target. Usage:
#   scripts/fuzz.sh [SECONDS] [TARGET...]          (default 60 seconds each, every target)
#   scripts/fuzz.sh 0 TARGET FILE...               (replay inputs, e.g. a crash artifact)
# A target is fuzz/NAME.cc plus one line in fuzz/CMakeLists.txt; its seeds are fuzz/corpus/NAME/
# and its dictionary fuzz/NAME.dict when present. New interesting inputs accumulate in
# build-fuzz/corpus/NAME; a crash, hang (-timeout) or runaway memory (-rss_limit_mb) leaves its
# input in build-fuzz/artifacts/NAME/ and makes this script fail.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
[ $# -gt 0 ] && shift

# The main build's packages plus clang and its fuzzer/sanitizer runtimes, which only fuzzing
# needs (so the main setup stays lean).
bash scripts/setup.sh clang libclang-rt-14-dev

cmake -S fuzz -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets=("$@")
if [ "$seconds" = "0" ]; then
  # Replay mode: run the given inputs once each with the named target.
  cmake --build build-fuzz -j "${FUZZ_JOBS:-$(nproc)}" --target "${targets[0]}"
  exec "build-fuzz/${targets[0]}" "${targets[@]:1}"
fi
if [ "${#targets[@]}" -eq 0 ]; then
  for f in fuzz/*.cc; do targets+=("$(basename "$f" .cc)"); done
fi

status=0
summaries=()
for t in "${targets[@]}"; do
  # Each target is built on its own, so that one that does not compile (a reader's module
  # changed) is reported in the summary and the others still run.
  if ! cmake --build build-fuzz -j "${FUZZ_JOBS:-$(nproc)}" --target "$t" >"build-fuzz/$t.build.log" 2>&1; then
    summaries+=("$(printf '%-24s BUILD FAILED (log build-fuzz/%s.build.log)' "$t" "$t")")
    echo "${summaries[-1]}"
    status=1
    continue
  fi
  mkdir -p "build-fuzz/corpus/$t" "build-fuzz/artifacts/$t"
  seeds=(); [ -d "fuzz/corpus/$t" ] && seeds=("fuzz/corpus/$t")
  dict=(); [ -f "fuzz/$t.dict" ] && dict=("-dict=fuzz/$t.dict")
  log="build-fuzz/$t.log"
  # -timeout: one input taking longer than this is reported (a hang is a bug too);
  # -rss_limit_mb: so is runaway memory. The first corpus directory receives new inputs.
  if "build-fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 "${dict[@]}" \
      -artifact_prefix="build-fuzz/artifacts/$t/" -print_final_stats=1 \
      "build-fuzz/corpus/$t" "${seeds[@]}" >"$log" 2>&1; then
    result="ok"
  else
    result="FAILED ($(grep -m1 -oE 'ERROR: [^:]*: [^ ]+|ERROR: libFuzzer: [a-z-]+' "$log" || echo "exit $?")); input: $(grep -m1 -oE 'Test unit written to [^ ]+' "$log" | cut -d' ' -f5)"
    status=1
  fi
  # libFuzzer's closing statistics (-print_final_stats) and its last status line.
  stat() { grep -oE "stat::$1:[[:space:]]+[0-9]+" "$log" | awk '{print $2}' | tail -1 || true; }
  runs=$(stat number_of_executed_units)
  rss=$(stat peak_rss_mb)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}' || true)
  corpus=$(find "build-fuzz/corpus/$t" -type f | wc -l)
  summaries+=("$(printf '%-24s %s: %s runs in %ss, coverage %s, corpus %s, peak RSS %s MB (log %s)' \
    "$t" "$result" "${runs:-?}" "$seconds" "${cov:-?}" "$corpus" "${rss:-?}" "$log")")
  echo "${summaries[-1]}"
done
echo "--- fuzzing summary ---"
printf '%s\n' "${summaries[@]}"
exit "$status"
