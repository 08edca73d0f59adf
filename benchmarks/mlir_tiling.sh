#!/bin/bash
# Time per candidate of examples/mlir-pass (simtune-tile-matmul) on each target: MLIR tiling +
# lowering + LLVM -O2 + object emission (lower), link with the harness (link), the Unicorn run
# that checks C (check), and the Tuner's simulation (sim), from the pass's report; plus the wall
# time of the whole pass run divided by the number of candidates (linking, checking and simulating
# run on parallel workers, so the wall time per candidate is below the sum of the steps).
# "cold": an empty build cache, so every candidate is linked; "warm": the same run again, so the
# links are cache hits (the objects are bit-identical from run to run).
#   benchmarks/mlir_tiling.sh BUILD_DIR [TILES] [SIMULATOR]
set -euo pipefail
build=${1:?usage: mlir_tiling.sh BUILD_DIR [TILES] [SIMULATOR]}
tiles=${2:-"8,8,8;16,16,16;32,32,8;64,16,16;16,64,8;32,8,32"}
simulator=${3:-unicorn}
opt=$build/examples/mlir-pass/simtune-mlir-opt
input=$(cd "$(dirname "$0")/.." && pwd)/examples/mlir-pass/test/two_matmuls.mlir
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf '| target | cache | candidates | wall s | wall s/candidate | lower s | link s | check s | sim s |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
for target in host-x86-64 cortex-a72 sifive-u74; do
    export SIMTUNE_CACHE_DIR=$work/cache-$target
    for cache in cold warm; do
        start=$(date +%s.%N)
        "$opt" "--simtune-tile-matmul=target=$target tiles=$tiles simulator=$simulator report=$work/report.txt" \
            "$input" -o /dev/null
        end=$(date +%s.%N)
        awk -v target="$target" -v cache="$cache" -v wall="$(echo "$end - $start" | bc)" '
            $1 ~ /^[0-9]+$/ && NF >= 10 { n++; lower += $7; link += $8; check += $9; sim += $10 }
            $1 == "-" { failed++ }
            END {
                if (failed) { print "FAILED candidates: " failed > "/dev/stderr"; exit 1 }
                printf "| %s | %s | %d | %.2f | %.3f | %.3f | %.3f | %.3f | %.3f |\n",
                       target, cache, n, wall, wall / n, lower / n, link / n, check / n, sim / n
            }' "$work/report.txt"
    done
done
