#!/usr/bin/python3
"""Two native measurements of the same variants as one dataset: the counters and columns of the
first dataset, the time of the faster run (each run's time is already a minimum over its passes),
and the two runs' times as the halves (half_a_seconds, half_b_seconds), so that the resolution
simtune computes from the halves is the agreement of two independent runs.

usage: merge_runs.py FIRST.csv SECOND.csv OUT.csv

Both are `simtune dataset` files of the same variants; SECOND may have other simulators and
collectors (only its times are read), e.g. a quick re-run with `--simulators unicorn --collectors mix`.
"""
import csv
import statistics
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    first_path, second_path, out_path = sys.argv[1:]
    with open(first_path, newline="") as f:
        reader = csv.DictReader(f)
        fields = reader.fieldnames
        first = list(reader)
    with open(second_path, newline="") as f:
        second = {r["workload"] + "/" + r["variant"]: r for r in csv.DictReader(f)}
    diffs = []
    out = []
    for row in first:
        key = row["workload"] + "/" + row["variant"]
        if key not in second:
            sys.exit(f"{second_path} has no row {key}")
        other = second[key]
        a, b = float(row["seconds"]), float(other["seconds"])
        if not (a > 0 and b > 0):
            sys.exit(f"{key}: a time is not positive ({a}, {b})")
        merged = dict(row)
        merged["seconds"] = repr(min(a, b))
        merged["median_seconds"] = repr(min(float(row["median_seconds"]), float(other["median_seconds"])))
        merged["half_a_seconds"] = repr(a)
        merged["half_b_seconds"] = repr(b)
        merged["native_seconds"] = repr(float(row["native_seconds"]) + float(other["native_seconds"]))
        diffs.append(abs(a - b) / min(a, b))
        out.append(merged)
    if len(second) != len(first):
        sys.exit(f"{second_path} has {len(second)} rows, {first_path} {len(first)}")
    with open(out_path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(out)
    diffs.sort()
    print(f"{out_path}: {len(out)} rows; the two runs differ by a median {100 * statistics.median(diffs):.2f} %, "
          f"90th percentile {100 * diffs[int(0.9 * len(diffs))]:.2f} %")


if __name__ == "__main__":
    main()
