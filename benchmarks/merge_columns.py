#!/usr/bin/python3
"""Adds newly appended counters to an older dataset without re-simulating what it already holds.

usage: merge_columns.py [--subset] OLD_DATASET NEW_DATASET OUT_DATASET COUNTER...
       merge_columns.py --replace OLD_DATASET NEW_DATASET[+NEW_DATASET...] OUT_DATASET COUNTER...

OUT has NEW's columns and rows; every column OLD also has comes from OLD, except the named
counters (for every simulator), which come from NEW. Rows are matched by (workload, variant).

--replace: OUT has OLD's columns and rows, the named counters of every simulator OLD has taken
from NEW (which may be several files, one per simulator, joined with '+'); for re-simulated
counters whose meaning changed, in a dataset whose layout stays as it was.

Why: counters that depend only on the binary and the ISA (dataflow_cycles) can be computed on any
machine, while the host's MCA cycles and cache counters depend on the machine the host target
describes. A dataset whose times were measured on one machine keeps that machine's counters and
gains the new machine-independent ones from a simulation run elsewhere.

--subset: NEW may hold rows OLD does not (one simulation of the union of two machines' variants,
merged into each machine's dataset); those rows are left out, and OUT has OLD's rows.
"""
import csv
import sys


def named(column, counters):
    """Whether `column` is one of the named counters, of any simulator ("qemu.l1d_misses")."""
    return any(column.endswith('.' + c) for c in counters)


def replace(old_path, new_paths, out_path, counters):
    new = {}
    for path in new_paths.split('+'):
        with open(path, newline='') as f:
            for r in csv.DictReader(f):
                values = new.setdefault((r['workload'], r['variant']), {})
                values.update({k: v for k, v in r.items() if named(k, counters) and v != ''})
    with open(old_path, newline='') as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    changed = 0
    for row in rows:
        key = (row['workload'], row['variant'])
        if key not in new:
            sys.exit(f'{new_paths}: no row {key[0]}/{key[1]} of {old_path}')
        for column in fields:
            if named(column, counters):
                if column not in new[key]:
                    sys.exit(f'{new_paths}: no {column} for {key[0]}/{key[1]}')
                changed += row[column] != new[key][column]
                row[column] = new[key][column]
    with open(out_path, 'w', newline='') as out:
        writer = csv.DictWriter(out, fieldnames=fields, lineterminator='\n')
        writer.writeheader()
        writer.writerows(rows)
    print(f'{out_path}: {len(rows)} rows, {", ".join(counters)} from {new_paths} ({changed} values changed)')


def main():
    args = sys.argv[1:]
    if args and args[0] == '--replace':
        if len(args) < 5:
            sys.exit(__doc__)
        replace(args[1], args[2], args[3], args[4:])
        return
    subset = bool(args) and args[0] == '--subset'
    if subset:
        args = args[1:]
    if len(args) < 4:
        sys.exit(__doc__)
    old_path, new_path, out_path, counters = args[0], args[1], args[2], args[3:]
    with open(old_path, newline='') as f:
        old = {(r['workload'], r['variant']): r for r in csv.DictReader(f)}
    with open(new_path, newline='') as f, open(out_path, 'w', newline='') as out:
        reader = csv.DictReader(f)
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator='\n')
        writer.writeheader()
        rows = 0
        for row in reader:
            key = (row['workload'], row['variant'])
            if key not in old and subset:
                continue
            if key not in old:
                sys.exit(f'{new_path}: {key[0]}/{key[1]} is not in {old_path}')
            for column in reader.fieldnames:
                if column in old[key] and not named(column, counters):
                    row[column] = old[key][column]
            writer.writerow(row)
            rows += 1
    if rows != len(old):
        sys.exit(f'{new_path} has {rows} rows, {old_path} {len(old)}')
    print(f'{out_path}: {rows} rows, {", ".join(counters)} from {new_path}')


if __name__ == '__main__':
    main()
