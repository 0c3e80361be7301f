#!/usr/bin/env bash
# The C++ sources follow .clang-format (Google style, 120 columns): every file of src, tests,
# bench and fuzz formatted as clang-format would. Run by ctest as `format`; a file that is not
# names itself with clang-format's first complaint. Fix with: clang-format -i FILE.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v clang-format >/dev/null || { echo "clang-format is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
bad=0
while IFS= read -r f; do
  if ! out=$(clang-format --dry-run --Werror "$f" 2>&1); then
    echo "$f: not formatted: $(echo "$out" | head -1)" >&2
    bad=$((bad + 1))
  fi
done < <(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'tests/*.h' 'bench/*.cc' 'bench/*.h' 'fuzz/*.cc' 2>/dev/null ||
         find src tests bench fuzz -name '*.cc' -o -name '*.h')
[ "$bad" -eq 0 ] || { echo "$bad file(s) not formatted" >&2; exit 1; }
echo "every C++ file formatted"
