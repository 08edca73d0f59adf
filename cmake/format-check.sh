#!/usr/bin/env bash
# Checks that the tree's C and C++ files follow .clang-format (clang-format-15, the version CI
# installs: another version may format some constructs differently). Every tracked *.c, *.h, *.cpp
# and *.hpp file is checked except those cmake/format-excluded.txt lists, each with its reason.
#
#   cmake/format-check.sh           check; exits non-zero naming each file that differs
#   cmake/format-check.sh --fix     reformat the checked files in place
#
# CLANG_FORMAT overrides the formatter (default: clang-format-15).
set -euo pipefail
cd "$(dirname "$0")/.."

clang_format=${CLANG_FORMAT:-clang-format-15}
if ! command -v "$clang_format" >/dev/null; then
  echo "format-check: $clang_format not found (cmake/setup-debian.sh installs clang-format-15)" >&2
  exit 2
fi
case "${1:-}" in
  --fix|"") ;;
  *) echo "usage: $0 [--fix]" >&2; exit 2 ;;
esac

mapfile -t excluded < <(grep -v -e '^#' -e '^[[:space:]]*$' cmake/format-excluded.txt)
files=()
while IFS= read -r f; do
  skip=0
  for pattern in "${excluded[@]}"; do
    # shellcheck disable=SC2053 # the pattern is a glob on purpose
    [[ "$f" == $pattern ]] && { skip=1; break; }
  done
  [ "$skip" -eq 1 ] || files+=("$f")
done < <(git ls-files '*.c' '*.h' '*.cpp' '*.hpp')
[ "${#files[@]}" -gt 0 ] || { echo "format-check: no files to check (not a git checkout?)" >&2; exit 2; }

if [ "${1:-}" = "--fix" ]; then
  "$clang_format" -i "${files[@]}"
  exit 0
fi
if ! "$clang_format" --dry-run --Werror "${files[@]}"; then
  echo "format-check: the files above differ from .clang-format; cmake/format-check.sh --fix reformats them" >&2
  exit 1
fi
echo "format-check: ${#files[@]} files follow .clang-format (excluded: cmake/format-excluded.txt)"
