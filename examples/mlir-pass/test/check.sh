#!/bin/bash
# One MLIR test: run simtune-tile-matmul on INPUT for TARGET, round-trip the output through the
# stock mlir-opt, and check it with simtune-mlir-check (see check_tiled_ir.cpp).
#   check.sh OPT CHECKER MLIR_OPT INPUT TARGET TILES TUNED UNTUNED WORKDIR [EXPECTED_REMARK [MORE_PASS_OPTIONS]]
# With SIMTUNE_MLIR_CONFIRMED=N in the environment, the report's top N rows must carry native times.
# Every check that fails ends the script at once: fail() prints why and exits 1 (it never runs
# another check, so it cannot recurse).
set -uo pipefail
opt=$1 checker=$2 mlir_opt=$3 input=$4 target=$5 tiles=$6 tuned=$7 untuned=$8 work=$9
remark=${10:-}
more=${11:-}
fail() { echo "mlir $target $(basename "$input"): FAILED: $*"; exit 1; }
# show FILE: a file of the failed step, indented.
show() { [[ -f $1 ]] && sed 's/^/  | /' "$1"; }
# run_pass OUTPUT REPORT STDERR INPUT [MORE]: the pass; fails with its exit status and stderr.
run_pass() {
    local rc=0
    "$opt" "--simtune-tile-matmul=target=$target tiles=$tiles report=$2${5:+ $5}" "$4" -o "$1" 2> "$3" || rc=$?
    if [[ $rc -ne 0 ]]; then
        show "$3"
        [[ $rc -gt 128 ]] && fail "simtune-mlir-opt on $(basename "$4") was killed by signal $((rc - 128))"
        fail "simtune-mlir-opt on $(basename "$4") exited with $rc"
    fi
}
rm -rf "$work" && mkdir -p "$work" || fail "cannot create $work"

run_pass "$work/out.mlir" "$work/report.txt" "$work/stderr.txt" "$input" "$more"
cat "$work/report.txt"
"$mlir_opt" "$work/out.mlir" -o "$work/roundtrip.mlir" || fail "the stock mlir-opt does not parse the output"
"$checker" "$work/out.mlir" "$work/report.txt" "$target" "$tiles" "$tuned" "$untuned" "${SIMTUNE_MLIR_CONFIRMED:-0}" ||
    fail "simtune-mlir-check"
if [[ -n $remark ]]; then
    grep -q -- "$remark" "$work/stderr.txt" || { show "$work/stderr.txt"; fail "no remark '$remark'"; }
fi
# A second run leaves the output as it is: tuned matmuls are not tuned again.
run_pass "$work/again.mlir" "$work/report2.txt" "$work/stderr2.txt" "$work/out.mlir"
cmp -s "$work/out.mlir" "$work/again.mlir" || fail "a second run changed the output"
echo "mlir $target $(basename "$input"): all checks passed"
