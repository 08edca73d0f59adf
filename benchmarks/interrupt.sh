#!/bin/bash
# The acceptance run of issue 16's interruption test: `simtune dataset` (Unicorn + QEMU, chunks of
# 2 variants) killed KILLS times in a row (default 20) at random moments with SIGINT, SIGTERM,
# SIGHUP or two of them, resumed each time; it must die of the signal, leave no process and no
# scratch directory behind, keep the CSV a prefix of an uninterrupted run's, and resume to the
# same CSV (timing columns aside). The CTest interrupt_dataset runs the same with 5 kills.
#   benchmarks/interrupt.sh [KILLS] [SEED]     (uses build/release/simtune, else build/test/simtune)
set -uo pipefail
cd "$(dirname "$0")/.."
simtune=build/release/simtune
[ -x "$simtune" ] || simtune=build/test/simtune
args=(--kills "${1:-20}")
[ $# -ge 2 ] && args+=(--seed "$2")
exec /usr/bin/python3 tests/interrupt/run.py "$simtune" "${TMPDIR:-/tmp}/simtune-interrupt-bench-$$" "${args[@]}"
