#!/usr/bin/python3
"""How often the sampled cache counters' stated 95 % intervals hold, over a sweep of schedules.

bench_qemu and bench_unicorn check one schedule (the defaults, one fixed seed) and the three miss
counters. This runs `simtune simulate` once exactly and then with twelve schedules (period 4-7 M,
warm-up 100 k, window 50 k, with and without a 2 M exact prefix) per kernel binary, and prints per
counter how many estimates fall outside their interval, and the mean signed error in half-widths
and in per cent, and the median half-width in per cent of the exact count (+-). A 95 % interval
should leave out about one in twenty.

  benchmarks/sampling_coverage.py SIMTUNE_CLI unicorn|qemu KERNEL_BINARY...

WARMUP_LIMIT=N in the environment appends it to every schedule (SamplingOptions::warmup_limit;
0 keeps every warm-up at 100 k; unset: the default). PERIOD_SCALE=X multiplies the six periods
(2: 8-14 M). DATAFLOW=1 adds the dataflow walk and dataflow_cycles (Unicorn samples the walk;
QEMU counts exactly with it).

(for instance the binaries of tests/kernels/test_kernels.hpp's large_kernels(), which bench_qemu
builds into the kernel cache, ~/.cache/simtune/kernels/<target>-<hash>/kernel).
"""
import os
import re
import statistics
import subprocess
import sys

COUNTERS = ["l1d_misses", "l2_misses", "llc_misses", "dtlb_misses", "l1d_stream_misses", "l2_stream_misses",
            "l1d_store_misses", "l1d_store_stream_misses"]
COLLECTORS = "mix,memory,caches"
if os.environ.get("DATAFLOW") == "1":
    COUNTERS.append("dataflow_cycles")
    COLLECTORS += ",dataflow"
LIMIT = f":{os.environ['WARMUP_LIMIT']}" if os.environ.get("WARMUP_LIMIT") else ""
SCALE = float(os.environ.get("PERIOD_SCALE", "1"))
SCHEDULES = [f"{int(period * SCALE)}:100000:50000:{prefix}{LIMIT}" for prefix in (0, 2_000_000)
             for period in (4_000_000, 4_500_000, 5_000_000, 5_500_000, 6_000_000, 7_000_000)]


def simulate(cli, simulator, kernel, sample=None):
    command = [cli, "simulate", "--simulator", simulator, "--collectors", COLLECTORS]
    if sample:
        command += ["--sample", sample]
    out = subprocess.run(command + [kernel], capture_output=True, text=True, check=True).stdout
    values = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\w+)\s+(\d+)(?:\s+\+-\s+(\d+))?\s*$", line)
        if m:
            values[m.group(1)] = (int(m.group(2)), int(m.group(3) or 0))
    return values


def main():
    if len(sys.argv) < 4 or sys.argv[2] not in ("unicorn", "qemu"):
        sys.exit(__doc__)
    cli, simulator, kernels = sys.argv[1], sys.argv[2], sys.argv[3:]
    outside_all = {c: 0 for c in COUNTERS}
    for kernel in kernels:
        exact = simulate(cli, simulator, kernel)
        errors = {c: [] for c in COUNTERS}
        for schedule in SCHEDULES:
            sampled = simulate(cli, simulator, kernel, schedule)
            for c in COUNTERS:
                value, half = sampled[c]
                truth = exact[c][0]
                in_half_widths = (value - truth) / half if half else (0.0 if value == truth else float("inf"))
                errors[c].append((in_half_widths, 100.0 * (value - truth) / truth if truth else 0.0,
                                  100.0 * half / truth if truth else 0.0))
        cells = []
        for c in COUNTERS:
            outside = sum(abs(h) > 1 for h, _, _ in errors[c])
            outside_all[c] += outside
            cells.append(f"{c} {outside}/{len(SCHEDULES)} {statistics.mean(h for h, _, _ in errors[c]):+.2f}hw "
                         f"{statistics.mean(p for _, p, _ in errors[c]):+.1f}% "
                         f"+-{statistics.median(w for _, _, w in errors[c]):.1f}%")
        print(f"{os.path.basename(os.path.dirname(os.path.abspath(kernel)))}: " + "; ".join(cells), flush=True)
    print("outside their interval, all kernels: " +
          ", ".join(f"{c} {n}/{len(SCHEDULES) * len(kernels)}" for c, n in outside_all.items()))


if __name__ == "__main__":
    main()
