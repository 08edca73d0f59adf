#!/bin/bash
# Runs every libFuzzer target (tests/fuzz) for SECONDS each (default 120) from its checked-in seed
# corpus and prints executions and findings per target (a line each, then a markdown table for
# benchmarks/RESULTS.md). Builds the `fuzz` preset first (clang-15, ASan+UBSan).
#   benchmarks/fuzz.sh [SECONDS] [TARGET...]
# Work (new corpus entries, logs, any crash input) goes to build/fuzz/fuzz-run/<target>/.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-120}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(kernel_binary model_file dataset_csv qemu_report buffer_spec cli_args)
[ -d build/fuzz ] || cmake --preset fuzz >/dev/null || exit 1
nice -n 10 cmake --build --preset fuzz >/dev/null || { echo "fuzz.sh: the fuzz build failed"; exit 1; }
status=0
rows=()
for t in "${targets[@]}"; do
    out=$(nice -n 10 tests/fuzz/run.sh "build/fuzz/tests/fuzz/fuzz_$t" "tests/fuzz/corpus/$t" "build/fuzz/fuzz-run/$t" "$seconds")
    rc=$?
    echo "$out"
    [ $rc -eq 0 ] || status=1
    line=$(grep -m1 "^fuzz_$t: .* executions" <<<"$out")
    execs=$(grep -o '[0-9?]* executions' <<<"$line" | cut -d' ' -f1)
    cov=$(grep -o 'coverage [0-9?]*' <<<"$line" | cut -d' ' -f2)
    found=$(grep -o '[0-9]* finding(s)' <<<"$line" | cut -d' ' -f1)
    rows+=("| fuzz_$t | $seconds | $execs | $cov | $found |")
done
echo
echo "| target | seconds | executions | coverage (edges) | findings |"
echo "|---|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
exit $status
