#!/usr/bin/python3
"""Independent native measurements of the same variants as one dataset: the counters and columns of
the first dataset, one time from all runs, and two halves (half_a_seconds, half_b_seconds) from
disjoint runs, so that the resolution simtune computes from the halves is the agreement of
independent measurements.

usage: merge_runs.py FIRST.csv SECOND.csv [MORE.csv ...] OUT.csv

- Two runs: the time of the faster run (each run's time is already a minimum over its passes);
  the halves are the two runs.
- More runs (four, say): the median of the runs' times in log space (one run's minimum moves by a
  few per cent with the physical pages its process gets: the median averages that away); the halves
  are the geometric means of the odd-numbered runs (first, third, ...) and the even-numbered ones.

All are `simtune dataset` files of the same variants; the runs after the first may have other
simulators and collectors (only their times are read), e.g. quick re-runs with
`--simulators unicorn --collectors mix`.
"""
import csv
import math
import statistics
import sys


def read(path):
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def key(row):
    return row["workload"] + "/" + row["variant"]


def geometric_mean(values):
    return math.exp(statistics.mean(math.log(v) for v in values))


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    paths, out_path = sys.argv[1:-1], sys.argv[-1]
    fields, first = read(paths[0])
    others = []
    for path in paths[1:]:
        _, rows = read(path)
        if len(rows) != len(first):
            sys.exit(f"{path} has {len(rows)} rows, {paths[0]} {len(first)}")
        others.append({key(r): r for r in rows})
    diffs = []
    out = []
    for row in first:
        runs = [row]
        for path, other in zip(paths[1:], others):
            if key(row) not in other:
                sys.exit(f"{path} has no row {key(row)}")
            runs.append(other[key(row)])
        times = [float(r["seconds"]) for r in runs]
        if not all(t > 0 for t in times):
            sys.exit(f"{key(row)}: a time is not positive ({times})")
        merged = dict(row)
        if len(runs) == 2:
            merged["seconds"] = repr(min(times))
            merged["median_seconds"] = repr(min(float(r["median_seconds"]) for r in runs))
            a, b = times
        else:
            merged["seconds"] = repr(math.exp(statistics.median(math.log(t) for t in times)))
            merged["median_seconds"] = repr(
                math.exp(statistics.median(math.log(float(r["median_seconds"])) for r in runs)))
            a, b = geometric_mean(times[0::2]), geometric_mean(times[1::2])
        merged["half_a_seconds"] = repr(a)
        merged["half_b_seconds"] = repr(b)
        merged["native_seconds"] = repr(sum(float(r["native_seconds"]) for r in runs))
        diffs.append(abs(a - b) / min(a, b))
        out.append(merged)
    with open(out_path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(out)
    diffs.sort()
    what = "the two runs" if len(paths) == 2 else "the two halves"
    print(f"{out_path}: {len(out)} rows; {what} differ by a median {100 * statistics.median(diffs):.2f} %, "
          f"90th percentile {100 * diffs[int(0.9 * len(diffs))]:.2f} %")


if __name__ == "__main__":
    main()
