#!/usr/bin/env bash
# Usage: check.sh find_package|add_subdirectory SOURCE_DIR BUILD_DIR WORK_DIR
# Builds and runs tests/consumer against simtune installed from BUILD_DIR, or as a subdirectory.
set -euo pipefail
mode=$1 src=$2 build=$3 work=$4
# The first failing step ends the script with exit status 1 and says which step it was.
trap 'echo "consumer ($mode): FAILED: \"$BASH_COMMAND\" exited with $?" >&2; exit 1' ERR
rm -rf "$work" && mkdir -p "$work"
if [ "$mode" = find_package ]; then
  cmake --install "$build" --prefix "$work/prefix" >/dev/null
  cmake -S "$src/tests/consumer" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
else
  cmake -S "$src/tests/consumer" -B "$work/build" -G Ninja -DSIMTUNE_SOURCE_DIR="$src" >/dev/null
  # add_subdirectory must not drag simtune's own tests, benchmarks and examples into the consumer.
  if grep -q "test_kernel_binary" "$work/build/build.ninja"; then
    echo "simtune's tests were built as part of a consumer" >&2; exit 1
  fi
fi
cmake --build "$work/build" -j2 >/dev/null
"$work/build/consumer"
