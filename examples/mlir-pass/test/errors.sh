#!/bin/bash
# Bad uses of simtune-tile-matmul fail with a clear error, never a crash or silent output.
#   errors.sh OPT INPUT
set -uo pipefail
opt=$1 input=$2
status=0
expect_error() { # OPTIONS EXPECTED_MESSAGE
    local err
    err=$("$opt" "--simtune-tile-matmul=$1" "$input" -o /dev/null 2>&1)
    local rc=$?
    if [[ $rc -eq 0 || $rc -gt 128 ]]; then echo "FAILED: '$1' exited with $rc"; status=1; return; fi
    if ! grep -q -- "$2" <<< "$err"; then echo "FAILED: '$1' did not say '$2':"; echo "$err"; status=1; return; fi
    echo "ok: '$1' -> $(grep -m1 -- "$2" <<< "$err")"
}
expect_error "tiles=8,8" "bad tile sizes '8,8'"
expect_error "tiles=8,0,8" "bad tile sizes '8,0,8'"
expect_error "tiles=8,8,8;8,8,8" "listed twice"
expect_error "target=pentium-4 tiles=8,8,8" "pentium-4"
expect_error "target=cortex-a72 simulator=bochs tiles=8,8,8" "bochs"
expect_error "model=/nonexistent.model tiles=8,8,8" "/nonexistent.model"
expect_error "target=cortex-a72 confirm=2 tiles=8,8,8" "confirm=2 needs a target that runs on this machine"
[[ $status -eq 0 ]] && echo "mlir errors: all checks passed"
exit $status
