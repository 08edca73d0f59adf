"""A small real model for the Python tests: a RidgeRegressor fitted on a few GEMM variants'
Unicorn stats and their native times (two short interleaved passes), cached per process."""
import functools

import numpy as np

import simtune

WORKLOAD = "gemm-128x128x128"


@functools.lru_cache(maxsize=None)
def fitted_ridge(variants=8):
    binaries, rows = [], []
    for v in simtune.enumerate_variants(WORKLOAD, variants, seed=7):
        binary = simtune.build_kernel(v.source, v.buffers, flags=v.flags)
        binaries.append(binary)
        rows.append(simtune.stats_to_features(simtune.simulate(binary)))
    times = np.array([t["seconds"] for t in simtune.measure(binaries, passes=2, ms=4)])
    model = simtune.RidgeRegressor(penalties=[1.0], target="host-x86-64")
    model.fit(np.array(rows), times, [WORKLOAD] * len(rows))
    return model
