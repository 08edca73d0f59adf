#!/usr/bin/env bash
# Writes 20 variants of a kernel that is no built-in workload — a 3-point row stencil over a 64×256
# grid, out[r][c] = (in[r][c-1] + 2·in[r][c] + in[r][c+1]) / 4 (edges copied) — into DIR, with the
# buffer-spec file (buffers.spec). Variants differ in loop order (rows outermost or columns), the
# inner loop's unrolling, vectorisation and column tiling: the kind of space a user's own operator
# has. Each runs well under a million instructions (< 0.2 s simulated).
# usage: generate.sh DIR
set -euo pipefail
dir=$1
mkdir -p "$dir"
cat > "$dir/buffers.spec" <<'SPEC'
# the stencil's grid, 64 rows of 256 floats, and its output
in:f32:16384:in
out:f32:16384:out
SPEC

# variant NAME ORDER UNROLL VECTORISE TILE: ORDER rc (rows outer) or cr (columns outer); TILE 0 or a
# column block.
variant() {
    local name=$1 order=$2 unroll=$3 vec=$4 tile=$5 attr=""
    [ "$vec" = 0 ] && attr='__attribute__((optimize("no-tree-vectorize")))'
    [ "$vec" = 3 ] && attr='__attribute__((optimize("O3")))'
    {
        echo "#define R 64"
        echo "#define C 256"
        echo "$attr void simtune_kernel(const float* restrict in, float* restrict out) {"
        echo "    for (int r = 0; r < R; ++r) { out[r * C] = in[r * C]; out[r * C + C - 1] = in[r * C + C - 1]; }"
        if [ "$tile" = 0 ]; then
            if [ "$order" = rc ]; then
                echo "    for (int r = 0; r < R; ++r)"
                echo "        #pragma GCC unroll $unroll"
                echo "        for (int c = 1; c < C - 1; ++c)"
            else
                echo "    for (int c = 1; c < C - 1; ++c)"
                echo "        #pragma GCC unroll $unroll"
                echo "        for (int r = 0; r < R; ++r)"
            fi
        else
            echo "    for (int c0 = 1; c0 < C - 1; c0 += $tile)"
            echo "        for (int r = 0; r < R; ++r)"
            echo "            #pragma GCC unroll $unroll"
            echo "            for (int c = c0; c < (c0 + $tile < C - 1 ? c0 + $tile : C - 1); ++c)"
        fi
        echo "            out[r * C + c] = (in[r * C + c - 1] + 2.0f * in[r * C + c] + in[r * C + c + 1]) * 0.25f;"
        echo "}"
    } > "$dir/$name.c"
}
for order in rc cr; do
    for unroll in 1 2 4 8; do
        for vec in 0 2; do variant "$order-u$unroll-v$vec" $order $unroll $vec 0; done
    done
done
variant rc-u1-v3 rc 1 3 0
variant cr-u4-v3 cr 4 3 0
variant tile32-u1-v2 rc 1 2 32
variant tile64-u4-v0 rc 4 0 64
