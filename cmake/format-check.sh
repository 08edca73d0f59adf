#!/usr/bin/env bash
# Checks that the files listed in cmake/format-checked.txt follow .clang-format (clang-format-15, the
# version CI installs: another version may format some constructs differently). Only listed files
# are checked: the tree is brought to the format file by file, as files are edited anyway, so that a
# whole-tree reformat never collides with work in progress. A file that conforms can be listed:
#
#   cmake/format-check.sh               check the listed files; exits non-zero naming each that differs
#   cmake/format-check.sh --fix         reformat the listed files in place
#   cmake/format-check.sh --conforming  print the tracked C and C++ files that already conform
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
  --conforming)
    git ls-files '*.c' '*.h' '*.cpp' '*.hpp' | while read -r f; do
      "$clang_format" --dry-run --Werror "$f" >/dev/null 2>&1 && echo "$f"
    done
    exit 0 ;;
  --fix|"") ;;
  *) echo "usage: $0 [--fix | --conforming]" >&2; exit 2 ;;
esac

mapfile -t files < <(grep -v -e '^#' -e '^[[:space:]]*$' cmake/format-checked.txt)
missing=0
for f in "${files[@]}"; do
  [ -f "$f" ] || { echo "format-check: $f is listed in cmake/format-checked.txt but does not exist" >&2; missing=1; }
done
[ "$missing" -eq 0 ] || exit 1

if [ "${1:-}" = "--fix" ]; then
  "$clang_format" -i "${files[@]}"
  exit 0
fi
if ! "$clang_format" --dry-run --Werror "${files[@]}"; then
  echo "format-check: the files above differ from .clang-format; cmake/format-check.sh --fix reformats them" >&2
  exit 1
fi
echo "format-check: ${#files[@]} files follow .clang-format"
