#!/usr/bin/python3
"""Predicted vs measured time per workload, from example_experiment's points.csv.

usage: plot_experiment.py POINTS_CSV OUT_PNG [--protocol within|lofo] [--simulator S] [--model M]
Uses Debian's matplotlib (python3-matplotlib) with /usr/bin/python3.
"""
import csv
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    points, out = argv[1], argv[2]
    want = {"protocol": "lofo", "simulator": "unicorn", "model": "gbt"}
    rest = argv[3:]
    for i in range(0, len(rest) - 1, 2):
        want[rest[i].lstrip("-")] = rest[i + 1]
    by_workload = defaultdict(lambda: ([], []))
    with open(points, newline="") as f:
        for row in csv.DictReader(f):
            if all(row[k] == v for k, v in want.items()):
                by_workload[row["workload"]][0].append(float(row["measured"]) * 1e3)
                by_workload[row["workload"]][1].append(float(row["predicted"]) * 1e3)
    if not by_workload:
        print(f"no points for {want} in {points}", file=sys.stderr)
        return 1
    n = len(by_workload)
    cols = min(3, n)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.8 * rows), squeeze=False)
    for ax, (workload, (measured, predicted)) in zip(axes.flat, sorted(by_workload.items())):
        ax.scatter(measured, predicted, s=10, alpha=0.7)
        lo, hi = min(measured + predicted), max(measured + predicted)
        ax.plot([lo, hi], [lo, hi], color="grey", linewidth=0.8)
        best = min(range(len(measured)), key=measured.__getitem__)
        ax.scatter([measured[best]], [predicted[best]], s=40, facecolors="none", edgecolors="red", label="true best")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(f"{workload} (n={len(measured)})", fontsize=9)
        ax.set_xlabel("measured ms")
        ax.set_ylabel("predicted ms")
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.suptitle(f"simtune: predicted vs measured ({want['protocol']}, {want['simulator']} stats, {want['model']})")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
