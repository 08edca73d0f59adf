#!/usr/bin/python3
"""Leave one operator family out through the command line: for each family of EVAL.csv, train the
shipped recipe (`simtune train --model ensemble`) on the TRAIN rows of every other family, rank
EVAL's rows of that family with it (`simtune report --json`), and print the mean over families of
regret, Spearman and top-k per machine tag (a workload named NAME@TAG is NAME measured on machine
TAG; untagged rows print as '-').

usage: lofo_cli.py SIMTUNE OUT_DIR TRAIN.csv[@TAG][,...] EVAL.csv[@TAG][,...] [--seed S]
                   [--near-tie-window PCT] [-- TRAIN_ARGS...]

--near-tie-window PCT also ranks each family under the near-tie gate (`simtune report
--near-tie-window`: the model orders only the variants the cycle estimate prices within PCT % of its
cheapest) and prints a second table for it, and one for the estimate alone.

FILE@TAG renames FILE's workloads NAME@TAG (another machine's rows, as the shipped model's training
file names the AMD rows). Several files are joined on the columns they all have.

Why beside example_experiment's lofo: this trains one recipe and nothing else (about 2 min for 57
families where the experiment takes 10), so a question about the training rows (which machines,
which families) can be asked at several seeds in the time of one experiment. A family is the
workload's operator family from `simtune workloads --json` (a name it does not know is its own
family). Per-workload results go to OUT_DIR/per-workload.csv. A family's figure is the mean over
its workloads on that tag; summarise_lofo.py takes a family's worst workload for top-k and regret
(and the mean Spearman), so where families have several workloads (the Intel rows) it reads higher.
"""
import collections
import os
import sys

from dataset_rows import family_lookup, read_tagged, report_json, train_ensemble, write_rows


def main():
    args = sys.argv[1:]
    extra = []
    if '--' in args:
        extra = args[args.index('--') + 1:]
        args = args[:args.index('--')]
    seed = '7'
    if '--seed' in args:
        i = args.index('--seed')
        seed = args[i + 1]
        del args[i:i + 2]
    window = None
    if '--near-tie-window' in args:
        i = args.index('--near-tie-window')
        window = args[i + 1]
        del args[i:i + 2]
    if len(args) != 4:
        sys.exit(__doc__)
    simtune, out = args[0], args[1]
    family = family_lookup(simtune)

    os.makedirs(out, exist_ok=True)
    train_rows, train_columns = read_tagged(args[2])
    eval_rows, eval_columns = read_tagged(args[3])

    results = collections.defaultdict(list)  # per ranking: the model, and with a window the gate and the estimate
    for fam in sorted({family(r['workload']) for r in eval_rows}):
        train_csv, eval_csv, model = (os.path.join(out, n) for n in ('train.csv', 'eval.csv', 'left-out.model'))
        write_rows(train_csv, train_columns, [r for r in train_rows if family(r['workload']) != fam])
        write_rows(eval_csv, eval_columns, [r for r in eval_rows if family(r['workload']) == fam])
        train_ensemble(simtune, train_csv, model, seed, extra)
        report = report_json(simtune, model, eval_csv, os.path.join(out, 'report'), window)
        rankings = [('model', report['models'][0])]
        if window:
            rankings += [(f'gated {window}%', report['models'][1]),
                         ('estimate', next(b for b in report['baselines'] if b['name'] == 'untrained cycle estimate'))]
        for label, ranking in rankings:
            for w in ranking['workloads']:
                results[label].append((fam, w['workload'], w['regret'], w['spearman'], w['top_k_percent']))
    for label, rows in results.items():
        suffix = '' if label == 'model' else '-' + label.replace(' ', '-').replace('%', '')
        with open(os.path.join(out, f'per-workload{suffix}.csv'), 'w') as f:
            f.write('family,workload,regret,spearman,top_k_percent\n')
            for r in rows:
                f.write(','.join(map(str, r)) + '\n')

    for label, rows in results.items():
        by_tag = collections.defaultdict(lambda: collections.defaultdict(list))
        for fam, workload, regret, spearman, top_k in rows:
            by_tag[workload.split('@')[1] if '@' in workload else '-'][fam].append((regret, spearman, top_k))
        if window:
            print(f'\nranking: {label}\n')
        print('| tag | families | mean regret % | mean Spearman | mean top-k % | families at <= 3 % regret |')
        print('|---|---:|---:|---:|---:|---:|')
        for tag, families in sorted(by_tag.items()):
            means = [[sum(v[i] for v in values) / len(values) for i in range(3)] for values in families.values()]
            n = len(means)
            print(f"| {tag} | {n} | {100 * sum(m[0] for m in means) / n:.2f} | {sum(m[1] for m in means) / n:.3f} | "
                  f"{sum(m[2] for m in means) / n:.1f} | {sum(m[0] <= 0.03 for m in means)} |")


if __name__ == '__main__':
    main()
