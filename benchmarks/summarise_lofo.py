#!/usr/bin/python3
"""Per-family summary of example_experiment's points.csv: for each operator family left out of
training (protocol lofo), where each model and baseline puts the truly fastest variant (top-k %,
worst workload of the family), its regret, and Spearman, in one markdown table.

usage: summarise_lofo.py POINTS_CSV [--simulator unicorn|qemu] [--protocol lofo|within]
                         [--models insn-count,mca,analytic,gbt-rel,...]
                         [--retest TIMES_CSV --dataset DATASET_CSV [--retest-truth TIMES_CSV]]
                         [--retest-halves --dataset DATASET_CSV] [--tag TAG] [--ties]

--retest-halves takes the two measurements from the dataset's own half_a_seconds and
half_b_seconds columns (simtune dataset writes them: each the minimum over half of the passes),
one half ranking the other.
--ties judges every workload at its measured resolution, as the experiment does: variants within it
of the fastest all count as the true best (top-k: the first of them in the predicted order; regret
0 for picking any). The resolution is the median relative difference of the dataset's two halves
(--dataset), or of --retest against --retest-truth (or the dataset's times) where the dataset has
no halves. Without --ties the comparison is exact.
--tag keeps only the workloads named WORKLOAD@TAG (rows example_experiment --add-dataset appended,
e.g. another machine's), '-' only the untagged ones; the retest's keys and --dataset's rows are
then matched by the untagged name.

--retest adds a column "retest": a second, independent native measurement of the same variants
(bench_native_noise ... TIMES_CSV) used as if it were a model's prediction. It is the noise
floor: no model can be shown to rank better than the ground truth agrees with itself.
--retest-truth judges that column against another measurement instead of the dataset's times (e.g.
one half of the measurements predicting the other half).

Metrics as simtune computes them (predictors/metrics.hpp): top-k % is the pessimistic position of
the true best in the predicted order over the number ranked; regret is the measured time of the
predicted best over the true best, minus 1.
"""
import argparse
import collections
import csv
import statistics


def ranks(values):
    order = sorted(range(len(values)), key=lambda i: values[i])
    r = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return r


def spearman(a, b):
    ra, rb = ranks(a), ranks(b)
    n = len(a)
    ma, mb = sum(ra) / n, sum(rb) / n
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    va = sum((x - ma) ** 2 for x in ra) ** 0.5
    vb = sum((y - mb) ** 2 for y in rb) ** 0.5
    return cov / (va * vb) if va > 0 and vb > 0 else float("nan")


def metrics(predicted, measured, resolution=0.0):
    """With a resolution r, every variant within r of the fastest counts as a true best (as
    predictors/metrics.hpp): top-k is the best predicted position of any of them, and the regret of
    a pick among them is 0."""
    best = min(measured)
    ties = [i for i, m in enumerate(measured) if m <= best * (1 + resolution)]
    position = min(sum(1 for q in predicted if q <= predicted[i]) for i in ties)
    top = 100.0 * position / len(predicted)
    best_prediction = min(predicted)
    chosen = max(m for p, m in zip(predicted, measured) if p == best_prediction)
    regret = 0.0 if chosen <= best * (1 + resolution) else 100.0 * (chosen / best - 1)
    return top, regret, spearman(predicted, measured)



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("points")
    ap.add_argument("--simulator", default="unicorn")
    ap.add_argument("--protocol", default="lofo")
    ap.add_argument("--models", default="")
    ap.add_argument("--retest")
    ap.add_argument("--dataset")
    ap.add_argument("--retest-truth")
    ap.add_argument("--retest-halves", action="store_true")
    ap.add_argument("--tag")
    ap.add_argument("--ties", action="store_true")
    args = ap.parse_args()

    data = collections.defaultdict(lambda: ([], []))
    family_of = {}
    models_seen = []
    with open(args.points) as f:
        for row in csv.DictReader(f):
            if row["protocol"] != args.protocol or row["simulator"] != args.simulator:
                continue
            if args.tag is not None:
                name, _, tag = row["workload"].partition("@")
                if (tag or "-") != args.tag:
                    continue
                row["workload"] = name
            key = (row["model"], row["workload"])
            data[key][0].append(float(row["predicted"]))
            data[key][1].append(float(row["measured"]))
            family_of[row["workload"]] = row["family"]
            if row["model"] not in models_seen:
                models_seen.append(row["model"])
    if args.retest_halves:
        with open(args.dataset) as f:
            for row in csv.DictReader(f):
                a, b = float(row["half_a_seconds"]), float(row["half_b_seconds"])
                if a > 0 and b > 0 and row["workload"] in family_of:
                    data[("retest", row["workload"])][0].append(b)
                    data[("retest", row["workload"])][1].append(a)
        models_seen.append("retest")
    if args.retest:
        retest = {}
        with open(args.retest) as f:
            for row in csv.DictReader(f):
                retest[row["key"]] = float(row["seconds"])
        truth = {}
        if args.retest_truth:
            with open(args.retest_truth) as f:
                truth = {row["key"]: float(row["seconds"]) for row in csv.DictReader(f)}
        with open(args.dataset) as f:
            for row in csv.DictReader(f):
                key = row["workload"] + "/" + row["variant"]
                if key in retest and row["workload"] in family_of:
                    data[("retest", row["workload"])][0].append(retest[key])
                    data[("retest", row["workload"])][1].append(truth[key] if truth else float(row["seconds"]))
        models_seen.append("retest")
    models = args.models.split(",") if args.models else models_seen
    if (args.retest or args.retest_halves) and "retest" not in models:
        models.append("retest")
    families = sorted(set(family_of.values()))

    resolution = collections.defaultdict(float)  # workload -> relative resolution (0: exact)
    if args.ties:
        if not args.dataset:
            ap.error("--ties needs --dataset")
        diffs = collections.defaultdict(list)
        with open(args.dataset) as f:
            for row in csv.DictReader(f):
                a, b = float(row.get("half_a_seconds") or 0), float(row.get("half_b_seconds") or 0)
                if a > 0 and b > 0:
                    diffs[row["workload"]].append(abs(a - b) / min(a, b))
        if args.retest:
            for w, (retested, truth) in ((w, data[("retest", w)]) for w in family_of):
                if w not in diffs:
                    diffs[w] = [abs(a - b) / min(a, b) for a, b in zip(retested, truth)]
        for w, d in diffs.items():
            if d:
                resolution[w] = statistics.median(d)

    per = {}  # (model, family) -> worst top, worst regret, mean spearman
    for m in models:
        for fam in families:
            tops, regrets, rhos = [], [], []
            for w, f in family_of.items():
                if f != fam or (m, w) not in data:
                    continue
                t, r, s = metrics(*data[(m, w)], resolution[w])
                tops.append(t)
                regrets.append(r)
                rhos.append(s)
            if tops:
                per[(m, fam)] = (max(tops), max(regrets), sum(rhos) / len(rhos))

    print(f"{args.protocol}, {args.simulator} statistics: per family, worst workload's true-best top-k % / "
          f"regret %, and mean Spearman" + (" (ties at each workload's measured resolution)" if args.ties else "")
          + "\n")
    print("| family | " + " | ".join(models) + " |")
    print("|---|" + "---|" * len(models))
    for fam in families:
        cells = []
        for m in models:
            if (m, fam) in per:
                t, r, s = per[(m, fam)]
                cells.append(f"{t:.1f} / {r:.1f} / {s:.2f}")
            else:
                cells.append("–")
        print(f"| {fam} | " + " | ".join(cells) + " |")
    summary = []
    for m in models:
        vals = [per[(m, f)] for f in families if (m, f) in per]
        if not vals:
            summary.append("–")
            continue
        worst_top = max(v[0] for v in vals)
        mean_top = sum(v[0] for v in vals) / len(vals)
        worst_regret = max(v[1] for v in vals)
        mean_regret = sum(v[1] for v in vals) / len(vals)
        mean_rho = sum(v[2] for v in vals) / len(vals)
        at_bar = sum(1 for v in vals if v[0] <= 3.0 and v[1] <= 2.0)
        summary.append(f"worst {worst_top:.1f} / {worst_regret:.1f}; mean {mean_top:.1f} / {mean_regret:.1f} / "
                       f"{mean_rho:.2f}; at the bar {at_bar} of {len(vals)}")
    print("| **all families** | " + " | ".join(summary) + " |")


if __name__ == "__main__":
    main()
