#!/usr/bin/env bash
# Quickstart, command line: build a kernel, simulate it, predict its run time, rank GEMM schedules.
set -euo pipefail
dir="${QUICKSTART_DIR:-$(mktemp -d)}" && mkdir -p "$dir" && cd "$dir"

cat > add.c <<'C'
void simtune_kernel(const float* a, const float* b, float* c) {
    for (int i = 0; i < 4096; ++i) c[i] = a[i] + b[i];
}
C
simtune build add.c --buffers 'a:f32:4096:in;b:f32:4096:in;c:f32:4096:out' -o add.elf
simtune simulate add.elf --collectors mix,memory
simtune predict add.elf                        # the default model for the binary's target
simtune tune --workload gemm-128x128x128 --variants 8 --top 3
