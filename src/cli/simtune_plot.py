#!/usr/bin/python3
"""Plots for `simtune report`: reads the report-data.json the command writes and draws, per model,
<name>-predicted-vs-measured.png (one panel per workload, log-log, with the y = x line) and
<name>-importance.png (horizontal bars, largest first).

Usage: simtune_plot.py REPORT-DATA.json OUT-DIR
Exit codes: 0 ok, 2 bad usage, 3 unreadable data, 4 matplotlib missing.
"""
import json
import math
import os
import sys


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import NullFormatter
    except ImportError as error:
        print(f"simtune_plot: matplotlib is missing ({error}); install python3-matplotlib", file=sys.stderr)
        return 4
    try:
        with open(argv[1], encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as error:
        print(f"simtune_plot: cannot read {argv[1]}: {error}", file=sys.stderr)
        return 3
    out_dir = argv[2]
    for model in data["models"]:
        name = model["name"]
        workloads = model["workloads"]
        columns = min(3, max(1, len(workloads)))
        rows = math.ceil(len(workloads) / columns)
        fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.8 * rows), squeeze=False)
        for ax in axes.flat[len(workloads):]:
            ax.set_visible(False)
        for ax, w in zip(axes.flat, workloads):
            measured = [t * 1e3 for t in w["measured"]]
            predicted = [t * 1e3 for t in w["predicted"]]
            ax.scatter(measured, predicted, s=10, alpha=0.7)
            if measured:
                lo = min(measured + predicted)
                hi = max(measured + predicted)
                ax.plot([lo, hi], [lo, hi], color="grey", linewidth=0.8, linestyle="--")
                ax.set_xscale("log")
                ax.set_yscale("log")
                for axis in (ax.xaxis, ax.yaxis):  # minor tick labels of a narrow log range overlap
                    axis.set_minor_formatter(NullFormatter())
            ax.set_title(f"{w['name']} (n={len(measured)})", fontsize=9)
            ax.set_xlabel("measured (ms)")
            ax.set_ylabel("predicted (ms)")
        fig.suptitle(f"{name} ({model['kind']}, {model['simulator']} stats)")
        fig.tight_layout()
        fig.savefig(os.path.join(out_dir, f"{name}-predicted-vs-measured.png"), dpi=100)
        plt.close(fig)

        importance = sorted(model["importance"], key=lambda p: p[1])
        fig, ax = plt.subplots(figsize=(7, 0.28 * max(4, len(importance)) + 1))
        ax.barh([p[0] for p in importance], [p[1] for p in importance])
        ax.set_xlabel(model.get("importance_label") or "importance")
        ax.set_title(f"{name}: feature importance")
        fig.tight_layout()
        fig.savefig(os.path.join(out_dir, f"{name}-importance.png"), dpi=100)
        plt.close(fig)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
