"""Rows of `simtune dataset` CSV files, shared by the leave-out scripts (lofo_cli.py, lofo_sets.py):
files read with a machine tag, rows written back, each workload's operator family, and the two
`simtune` calls every left-out part makes (train the recipe, report on the left-out rows).

FILE@TAG renames FILE's workloads NAME@TAG (another machine's rows, as the shipped model's training
file names the AMD rows). Several files are joined on the columns they all have.
"""
import csv
import json
import subprocess


def read_tagged(files):
    """Rows and common columns of comma-separated FILE[@TAG] specifications."""
    rows, columns = [], None
    for spec in files.split(','):
        path, _, tag = spec.partition('@')
        with open(path, newline='') as f:
            reader = csv.DictReader(f)
            columns = [c for c in (columns or reader.fieldnames) if c in reader.fieldnames]
            for r in reader:
                if tag:
                    r['workload'] = r['workload'].split('@')[0] + '@' + tag
                rows.append(r)
    return rows, columns


def write_rows(path, columns, rows):
    with open(path, 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=columns, lineterminator='\n', extrasaction='ignore')
        w.writeheader()
        w.writerows(rows)


def family_lookup(simtune):
    """workload (NAME or NAME@TAG) -> its operator family from `simtune workloads --json`; a name the
    corpus does not know is its own family."""
    listing = json.loads(subprocess.run([simtune, 'workloads', '--json'], check=True, capture_output=True,
                                        text=True).stdout)
    family_of_name = {w['name']: w['family'] for w in listing}

    def family(workload):
        name = workload.split('@')[0]
        return family_of_name.get(name, name)
    return family


def train_ensemble(simtune, train_csv, model, seed, extra=()):
    """`simtune train --model ensemble` on Unicorn statistics at SEED, EXTRA added (e.g. --recipe)."""
    subprocess.run([simtune, 'train', '--model', 'ensemble', '--simulator', 'unicorn', '--seed', seed, *extra,
                    train_csv, '--out', model], check=True, capture_output=True)


def report_json(simtune, model, eval_csv, out_dir, window=None):
    """`simtune report --json` of MODEL on EVAL_CSV (no plots), judged also under the near-tie gate at
    WINDOW % when given; the parsed document."""
    return json.loads(subprocess.run([simtune, 'report', '--model', model, '--no-plots', '--json', '--out-dir',
                                      out_dir, eval_csv] + (['--near-tie-window', window] if window else []),
                                     check=True, capture_output=True, text=True).stdout)
