#!/bin/bash
# One MLIR test: run simtune-tile-matmul on INPUT for TARGET, round-trip the output through the
# stock mlir-opt, and check it with simtune-mlir-check (see check_tiled_ir.cpp).
#   check.sh OPT CHECKER MLIR_OPT INPUT TARGET TILES TUNED UNTUNED WORKDIR [EXPECTED_REMARK [MORE_PASS_OPTIONS]]
# With SIMTUNE_MLIR_CONFIRMED=N in the environment, the report's top N rows must carry native times.
set -euo pipefail
opt=$1 checker=$2 mlir_opt=$3 input=$4 target=$5 tiles=$6 tuned=$7 untuned=$8 work=$9
remark=${10:-}
more=${11:-}
rm -rf "$work" && mkdir -p "$work"
fail() { # A second run leaves the output as it is: tuned matmuls are not tuned again.
"$opt" "--simtune-tile-matmul=target=$target tiles=$tiles report=$work/report2.txt" "$work/out.mlir" \
    -o "$work/again.mlir" 2> "$work/stderr2.txt" || { cat "$work/stderr2.txt"; fail "second run exited with $?"; }
cmp -s "$work/out.mlir" "$work/again.mlir" || fail "a second run changed the output"
echo "mlir $target $(basename "$input"): FAILED: $*"; exit 1; }

"$opt" "--simtune-tile-matmul=target=$target tiles=$tiles report=$work/report.txt${more:+ $more}" "$input" \
    -o "$work/out.mlir" 2> "$work/stderr.txt" || { cat "$work/stderr.txt"; fail "simtune-mlir-opt exited with $?"; }
cat "$work/report.txt"
"$mlir_opt" "$work/out.mlir" -o "$work/roundtrip.mlir" || fail "the stock mlir-opt does not parse the output"
"$checker" "$work/out.mlir" "$work/report.txt" "$target" "$tiles" "$tuned" "$untuned" "${SIMTUNE_MLIR_CONFIRMED:-0}" || fail "simtune-mlir-check"
if [[ -n $remark ]]; then
    grep -q -- "$remark" "$work/stderr.txt" || { cat "$work/stderr.txt"; fail "no remark '$remark'"; }
fi
# A second run leaves the output as it is: tuned matmuls are not tuned again.
"$opt" "--simtune-tile-matmul=target=$target tiles=$tiles report=$work/report2.txt" "$work/out.mlir" \
    -o "$work/again.mlir" 2> "$work/stderr2.txt" || { cat "$work/stderr2.txt"; fail "second run exited with $?"; }
cmp -s "$work/out.mlir" "$work/again.mlir" || fail "a second run changed the output"
echo "mlir $target $(basename "$input"): all checks passed"
