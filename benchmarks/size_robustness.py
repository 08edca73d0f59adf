#!/usr/bin/python3
"""How a model's ranking within each workload moves when a kernel is scaled in size.

usage: size_robustness.py MODEL_FILE DATASET_CSV [--simulator unicorn|qemu] [--scales 0.1,10,100]

Every counter of every row is multiplied by a scale (a kernel that much larger or smaller with the
same mix, misses per access and so on) and the model's predictions for the scaled rows are ranked
within each workload against its predictions for the rows as measured. A model that reads only
size-free ratios and an anchor ranks a scaled workload exactly as before (Spearman 1); a model that
reads raw counters meets values outside its training range, where trees are flat, and reorders. The
measured times stay those of the real size, so "regret" says how much the scaled ranking's pick
would lose if the order of the real kernel still held. Needs the Python binding
(build/test/bindings/python, or PYTHONPATH) and /usr/bin/python3 with NumPy.
"""
import argparse
import csv
import os
import sys

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "build", "test", "bindings", "python"))
import simtune  # noqa: E402


def ranks(a):
    order = np.argsort(a, kind="stable")
    r = np.empty(len(a))
    r[order] = np.arange(len(a))
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("dataset")
    ap.add_argument("--simulator", default="unicorn")
    ap.add_argument("--scales", default="0.1,10,100")
    a = ap.parse_args()
    rows = list(csv.DictReader(open(a.dataset)))
    model = simtune.load_model(a.model)
    x = np.array([[float(r[f"{a.simulator}.{n}"]) for n in model.feature_names] for r in rows])
    seconds = np.array([float(r["seconds"]) for r in rows])
    workload = np.array([r["workload"] for r in rows])
    names = sorted(set(workload))
    base = np.asarray(model.predict(x))
    print("| scale | Spearman with the unscaled ranking: mean / worst workload | mean regret % |")
    print("|---|---|---|")
    for scale in [1.0] + [float(s) for s in a.scales.split(",")]:
        p = np.asarray(model.predict(x * scale))
        sp = [np.corrcoef(ranks(p[workload == w]), ranks(base[workload == w]))[0, 1] for w in names]
        regret = [seconds[workload == w][np.argmin(p[workload == w])] / seconds[workload == w].min() - 1 for w in names]
        print(f"| {scale:g} | {np.mean(sp):.3f} / {np.min(sp):.3f} | {100 * np.mean(regret):.1f} |")


if __name__ == "__main__":
    main()
