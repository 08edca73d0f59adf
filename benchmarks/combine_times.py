#!/usr/bin/python3
"""Combines independent native measurements of the same variants into one ground truth.

usage: combine_times.py OUT_CSV TIMES_CSV [TIMES_CSV ...]

Each TIMES_CSV holds "key,seconds" rows (bench_native_noise's output, or `simtune dataset
--times-csv`'s input); a dataset CSV (workload,variant,...,seconds) is read as well. OUT_CSV gets,
per key present in every input, the median of the inputs' times taken in log space (for two inputs
their geometric mean). On this machine one measurement's minimum over passes still moves by 4-12 %
between measurements, mostly with the physical pages each process gets; the median over
independent measurements averages that away (benchmarks/RESULTS.md).
"""
import csv
import math
import statistics
import sys


def read_times(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    if rows and "key" in rows[0]:
        return {r["key"]: float(r["seconds"]) for r in rows}
    return {r["workload"] + "/" + r["variant"]: float(r["seconds"]) for r in rows}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    inputs = [read_times(p) for p in sys.argv[2:]]
    keys = [k for k in inputs[0] if all(k in t for t in inputs[1:])]
    if not keys:
        sys.exit("combine_times.py: the inputs have no key in common")
    for path, times in zip(sys.argv[2:], inputs):
        if any(not (t > 0 and math.isfinite(t)) for t in times.values()):
            sys.exit(f"combine_times.py: {path} holds a time that is not finite and positive")
    with open(sys.argv[1], "w") as out:
        out.write("key,seconds\n")
        for k in keys:
            out.write(f"{k},{math.exp(statistics.median(math.log(t[k]) for t in inputs)):.9g}\n")
    print(f"{len(keys)} variants from {len(inputs)} measurements -> {sys.argv[1]}")


if __name__ == "__main__":
    main()
