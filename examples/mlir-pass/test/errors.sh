#!/bin/bash
# Bad uses of simtune-tile-matmul fail with a clear error, never a crash or silent output.
#   errors.sh OPT INPUT
set -uo pipefail
opt=$1 input=$2
status=0
# expect_error OPTIONS EXPECTED_MESSAGE [NAME=VALUE...]: the pass, with those variables in its
# environment, must fail (a status from 1 to 128: no crash, no hang past 120 s) and say the message.
expect_error() {
    local err rc=0
    err=$(timeout 120 env "${@:3}" "$opt" "--simtune-tile-matmul=$1" "$input" -o /dev/null 2>&1) || rc=$?
    if [[ $rc -eq 0 || $rc -gt 128 || $rc -eq 124 ]]; then echo "FAILED: '$1' exited with $rc"; echo "$err" | tail -20; status=1; return; fi
    if ! grep -q -- "$2" <<< "$err"; then echo "FAILED: '$1' did not say '$2':"; echo "$err" | tail -20; status=1; return; fi
    echo "ok: '$1' ${3:+($3) }-> $(grep -m1 -- "$2" <<< "$err")"
}
expect_error "tiles=8,8" "bad tile sizes '8,8'"
expect_error "tiles=8,0,8" "bad tile sizes '8,0,8'"
expect_error "tiles=8,8,8;8,8,8" "listed twice"
expect_error "target=pentium-4 tiles=8,8,8" "pentium-4"
expect_error "target=cortex-a72 simulator=bochs tiles=8,8,8" "bochs"
expect_error "model=/nonexistent.model tiles=8,8,8" "/nonexistent.model"
expect_error "target=cortex-a72 confirm=2 tiles=8,8,8" "confirm=2 needs a target that runs on this machine"
# Every candidate fails to build: the cross compiler that links them is not on PATH (an empty
# folder; the build cache is one of this test's own). Each candidate is reported, then the overall
# error names the cause.
empty=$(mktemp -d) && trap 'rm -rf "$empty"' EXIT
start=$SECONDS
expect_error "target=cortex-a72 tiles=8,8,8;16,16,16" \
    "every candidate tiling failed (2 of 2, see the report above); the first, tiles 8,8,8: tool missing: compiler 'aarch64-linux-gnu-gcc' for target cortex-a72 not found" \
    PATH="$empty" SIMTUNE_CACHE_DIR="$empty/cache"
expect_error "target=cortex-a72 tiles=8,8,8;16,16,16" "16,16,16 *failed: tool missing: compiler 'aarch64-linux-gnu-gcc'" \
    PATH="$empty" SIMTUNE_CACHE_DIR="$empty/cache"
echo "(the all-fail runs took $((SECONDS - start)) s)"
[[ $status -eq 0 ]] && echo "mlir errors: all checks passed"
exit $status
