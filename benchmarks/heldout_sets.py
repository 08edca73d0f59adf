#!/usr/bin/python3
"""The held-out families' pre-registered test sets, from `simtune report --json` output: mean regret
(%) of every baseline and model over each set of families, and over all of them.

usage: heldout_sets.py DATASET.csv REPORT.json [REPORT.json ...] [--last N] [--size K]

DATASET.csv is the held-out dataset the reports were made on (benchmarks/heldout-dataset-zen5.csv):
its workloads, in the order their rows were appended, are the order the families were added. The
last N of them (default 30: the five sets of six that stops 47-51 wrote after the near-tie gate's
rule was fixed) are cut into sets of K (default 6), oldest first; the table has one column per set,
one for the N together and one for every workload of the reports. Each REPORT.json is
`simtune report --model M [--near-tie-window 4] --json DATASET.csv`; its models are labelled with
their names, and the baselines are printed once (they do not depend on the model).

Why a script: the sets are what each stop's pre-registered test judged, and a set of six is decided
by one family, so the figure to read is the mean over all of them, beside the per-set ones.
"""
import csv
import json
import sys


def workload_order(path):
    order = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row["workload"] not in order:
                order.append(row["workload"])
    return order


def mean(values):
    return 100 * sum(values) / len(values) if values else float("nan")


def main(argv):
    last, size, files = 30, 6, []
    i = 0
    while i < len(argv):
        if argv[i] in ("--last", "--size") and i + 1 < len(argv):
            value = int(argv[i + 1])
            if value <= 0:
                sys.exit(f"heldout_sets.py: {argv[i]} must be positive")
            if argv[i] == "--last":
                last = value
            else:
                size = value
            i += 2
        else:
            files.append(argv[i])
            i += 1
    if len(files) < 2:
        sys.exit(__doc__)
    order = workload_order(files[0])
    if last > len(order):
        sys.exit(f"heldout_sets.py: --last {last} but {files[0]} has {len(order)} workloads")
    recent = order[-last:]
    sets = [recent[k:k + size] for k in range(0, last, size)]

    rankings = {}  # name -> {workload: regret}
    for n, path in enumerate(files[1:]):
        with open(path) as f:
            report = json.load(f)
        entries = report["models"] + (report["baselines"] if n == 0 else [])
        for entry in entries:
            rankings[entry["name"]] = {w["workload"]: w["regret"] for w in entry["workloads"]}
    for name, by_workload in rankings.items():
        missing = [w for w in recent if w not in by_workload]
        if missing:
            sys.exit(f"heldout_sets.py: '{name}' has no regret for {missing[0]} (a report of another dataset?)")

    header = [f"set {k + 1} ({len(s)})" for k, s in enumerate(sets)] + [f"last {last}", "all"]
    print("| ranking | " + " | ".join(header) + " |")
    print("|---|" + "---|" * len(header))
    for name, by_workload in rankings.items():
        cells = [mean([by_workload[w] for w in s]) for s in sets]
        cells += [mean([by_workload[w] for w in recent]), mean(list(by_workload.values()))]
        print(f"| {name} | " + " | ".join(f"{c:.2f}" for c in cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
