#!/usr/bin/env bash
# The training corpus and its leave-one-family-out table (benchmarks/RESULTS.md, "Operators the
# model never saw") in one command: every corpus workload (127 operator families, the eighty-seven of
# benchmarks/heldout-dataset-zen5.csv among them), N variants each, built for x86-64-v2, simulated
# with Unicorn and QEMU (every collector, the MCA pipeline model included) and timed natively (6
# interleaved passes of 20 ms on alternating CPUs; RESULTS.md's rounds 2 and 3 combine four such
# measurements with benchmarks/combine_times.py). The dataset is resumable: run it again and it
# continues where it stopped. Then the experiment: every baseline (the untrained cycle estimate
# among them) and model, the shipped recipe included, within each workload and leaving each family
# out, with and without the MCA features, the TLB/stream counters and the store-miss/forwarding
# counters.
#
#   benchmarks/corpus.sh [OUT_DIR [VARIANTS_PER_WORKLOAD]]     (defaults: corpus-run, 40)
#
# SIMTUNE_ADD_DATASETS="FILE@TAG ..." adds other machines' datasets (e.g.
# "benchmarks/corpus-dataset.csv@intel benchmarks/corpus-dataset-amd.csv@amd"): every family is then
# left out on all machines at once and each machine's rows are ranked (RESULTS.md, round 6;
# summarise_lofo.py --tag TAG picks one machine's).
#
# Needs the release build (cmake --workflow --preset release). Run it on a machine doing nothing
# else: the native times are the ground truth.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${SIMTUNE_BUILD_DIR:-$here/build/release}
out=${1:-corpus-run}
variants=${2:-40}
export SIMTUNE_QEMU_PLUGIN=${SIMTUNE_QEMU_PLUGIN:-$build/src/qemu_plugin/libsimtune_qemu_plugin.so}
added=()
for d in ${SIMTUNE_ADD_DATASETS:-}; do added+=(--add-dataset "$d"); done
exec "$build/examples/example_experiment" "${added[@]}" --workloads corpus --variants "$variants" --passes 6 --ms 20 \
    --simulators unicorn,qemu --models ridge,gbt,ridge-rel,gbt-rel,gbt-rel-rank,gbt+gbt-rel-rank,estimate+gbt+gbt-rel-rank,estimate+gbt+gbt-rel-rank-b3 \
    --ablate "mca_,dtlb_|stlb_|l1d_stream|l2_stream,l1d_store|store_forwarded" --out "$out"
