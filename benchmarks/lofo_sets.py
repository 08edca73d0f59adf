#!/usr/bin/python3
"""Leave one fold of operator families out, where the folds are the held-out sets: a training-rows
question (which rows the shipped recipe should train on) asked of every machine's rows at once.

usage: lofo_sets.py SIMTUNE OUT_DIR TRAIN.csv[@TAG][,...] EVAL.csv[@TAG][,...] [--seed S]
                    [--corpus-folds K] [--near-tie-window PCT] [--held-out-tag TAG] [-- TRAIN_ARGS...]

The folds: the families of EVAL's rows tagged @TAG (default `ho`, benchmarks/heldout-dataset-zen5.csv)
cut into sets of six in the order their rows were appended (the pre-registered test sets), and every
other family of EVAL dealt round robin, by sorted name, into K folds (default 8). For each fold the
recipe (`simtune train --model ensemble`, TRAIN_ARGS added) is trained on the TRAIN rows of every
family outside it, on every machine, and ranks EVAL's rows of the fold's families (`simtune report
--json`, alone and under the near-tie gate at PCT %, default 4). A fold none of whose families has
TRAIN rows reuses the model trained on all of them. It prints the mean regret over families per
machine tag (untagged rows are `-`) and writes OUT_DIR/per-workload.csv (ranking, fold, family,
workload, regret, Spearman).

Why beside lofo_cli.py: when the held-out families themselves are training candidates, leaving one
family out at a time costs one training per family (160 here); folds of six cost 19, and a held-out
set is left out whole, as it was when it was tested.
"""
import collections
import os
import sys

from dataset_rows import family_lookup, read_tagged, report_json, train_ensemble, write_rows


def main():
    args = sys.argv[1:]
    extra = []
    if '--' in args:
        extra, args = args[args.index('--') + 1:], args[:args.index('--')]

    def option(name, default):
        if name in args:
            i = args.index(name)
            value = args[i + 1]
            del args[i:i + 2]
            return value
        return default

    seed = option('--seed', '7')
    corpus_folds = int(option('--corpus-folds', '8'))
    window = option('--near-tie-window', '4')
    held_out_tag = option('--held-out-tag', 'ho')
    if len(args) != 4:
        sys.exit(__doc__)
    simtune, out, train_files, eval_files = args
    os.makedirs(out, exist_ok=True)
    family = family_lookup(simtune)

    train_rows, train_columns = read_tagged(train_files)
    eval_rows, eval_columns = read_tagged(eval_files)
    held_out = []
    for r in eval_rows:
        if r['workload'].endswith('@' + held_out_tag) and family(r['workload']) not in held_out:
            held_out.append(family(r['workload']))
    others = sorted({family(r['workload']) for r in eval_rows} - set(held_out))
    folds = [held_out[i:i + 6] for i in range(0, len(held_out), 6)] + \
        [others[i::corpus_folds] for i in range(corpus_folds)]

    trained_on_all = None
    results = collections.defaultdict(list)
    for index, fold in enumerate(folds):
        left_out = set(fold)
        kept = [r for r in train_rows if family(r['workload']) not in left_out]
        model = os.path.join(out, f'fold{index}.model')
        if len(kept) == len(train_rows) and trained_on_all:
            model = trained_on_all
        else:
            write_rows(os.path.join(out, 'train.csv'), train_columns, kept)
            train_ensemble(simtune, os.path.join(out, 'train.csv'), model, seed, extra)
            if len(kept) == len(train_rows):
                trained_on_all = model
        write_rows(os.path.join(out, 'eval.csv'), eval_columns,
                   [r for r in eval_rows if family(r['workload']) in left_out])
        report = report_json(simtune, model, os.path.join(out, 'eval.csv'), os.path.join(out, 'report'), window)
        for label, ranking in (('model', report['models'][0]), (f'gated {window}%', report['models'][1])):
            for w in ranking['workloads']:
                results[label].append((index, family(w['workload']), w['workload'], w['regret'], w['spearman']))
        print(f'fold {index + 1} of {len(folds)} done', file=sys.stderr, flush=True)

    with open(os.path.join(out, 'per-workload.csv'), 'w') as f:
        f.write('ranking,fold,family,workload,regret,spearman\n')
        for label, rows in results.items():
            for r in rows:
                f.write(','.join(map(str, (label,) + r)) + '\n')
    print('| ranking | tag (families): mean regret % |')
    print('|---|---|')
    for label, rows in results.items():
        by_tag = collections.defaultdict(lambda: collections.defaultdict(list))
        for _, fam, workload, regret, _ in rows:
            by_tag[workload.split('@')[1] if '@' in workload else '-'][fam].append(regret)
        cells = [f'{tag} ({len(fams)}): {100 * sum(sum(v) / len(v) for v in fams.values()) / len(fams):.2f}'
                 for tag, fams in sorted(by_tag.items())]
        print(f'| {label} | ' + ', '.join(cells) + ' |')


if __name__ == '__main__':
    main()
