#!/usr/bin/python3
"""How far rankings from sampled statistics move from those from exact ones, per model.

  benchmarks/sampled_rankings.py OUT/points.csv

OUT is an example_experiment run (leave one family out) whose dataset holds the exact rows (W) and,
through --add-dataset FILE@TAG, the same variants with sampled statistics (W@TAG), ranked by
models trained on the exact rows only (--train-on -). Per model and tag: Spearman of each
workload's predicted order from sampled against exact statistics (min / median / mean over
workloads), on how many workloads both pick the same variant, and the mean regret of the pick
(measured time of the pick over the best measured, less one) from exact and from sampled.
"""
import csv, sys, statistics
from collections import defaultdict
pts = defaultdict(list)
for r in csv.DictReader(open(sys.argv[1])):
    if r["protocol"] != "lofo": continue
    w, _, tag = r["workload"].partition("@")
    pts[(r["model"], tag or "-", w)].append((float(r["predicted"]), float(r["measured"])))
def ranks(x):
    order = sorted(range(len(x)), key=lambda i: x[i]); rk = [0.0]*len(x); i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and x[order[j+1]] == x[order[i]]: j += 1
        for k in range(i, j+1): rk[order[k]] = (i + j) / 2
        i = j + 1
    return rk
def spearman(a, b):
    ra, rb = ranks(a), ranks(b); ma, mb = statistics.mean(ra), statistics.mean(rb)
    num = sum((x-ma)*(y-mb) for x, y in zip(ra, rb))
    den = (sum((x-ma)**2 for x in ra) * sum((y-mb)**2 for y in rb)) ** 0.5
    return num / den if den else 1.0
def regret(p):
    best = min(m for _, m in p); pick = min(p)[1]
    return pick / best - 1
models = sorted({m for m, _, _ in pts}); tags = sorted({t for _, t, _ in pts if t != "-"})
print("| model | statistics | Spearman min / median / mean | same pick (of N) | mean regret exact -> sampled |")
print("|---|---|---|---|---|")
for m in models:
    for t in tags:
        rho, same, re, rs = [], 0, [], []
        for (mm, tt, w), p in pts.items():
            if mm != m or tt != "-" or (m, t, w) not in pts: continue
            q = pts[(m, t, w)]
            assert [x[1] for x in p] == [x[1] for x in q], w
            rho.append(spearman([x[0] for x in p], [x[0] for x in q]))
            re.append(regret(p)); rs.append(regret(q))
            same += min(range(len(p)), key=lambda i: p[i][0]) == min(range(len(q)), key=lambda i: q[i][0])
        if rho:
            print(f"| {m} | {t} | {min(rho):.3f} / {statistics.median(rho):.3f} / {statistics.mean(rho):.3f} | {same} of {len(rho)} | "
                  f"{100*statistics.mean(re):.2f} -> {100*statistics.mean(rs):.2f} % |")
