#!/usr/bin/python3
"""Kills `simtune dataset` at random moments and resumes it.

usage: run.py SIMTUNE WORKDIR [--kills N] [--seed S]

A reference run writes the dataset uninterrupted. Then `simtune dataset` is started on another CSV
and sent SIGINT, SIGTERM or SIGHUP (sometimes two signals in a row) after a random delay, again and
again; each interrupted run must
  - die of the signal it was sent (or finish, if the signal came too late),
  - leave no process behind (nothing whose command line or working directory lies in WORKDIR),
  - leave no scratch directory behind (simtune-qemu-* in TMPDIR, .build-* in the build cache),
  - leave the CSV complete or as it was: whole lines only, each a row of the reference in order.
A run that finishes completes a round: its CSV must equal the reference's (apart from the
wall-clock and timing columns), and the next round starts on an empty CSV and a cold build cache,
so the kills land in builds, QEMU runs, Unicorn runs and native timing alike. The last round is
resumed to its end without a kill and compared too.
"""
import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import time

WORKLOADS = "dense-512x1024"
VARIANTS = "6"


def dataset_command(simtune, out):
    return [simtune, "dataset", "--out", out, "--workloads", WORKLOADS, "--variants", VARIANTS,
            "--simulators", "unicorn,qemu", "--chunk", "2", "--workers", "2", "--passes", "2", "--ms", "2",
            "--quiet"]


# Measured, not computed: they differ between any two runs (the noise gate's extra passes included).
TIMING_COLUMNS = ("seconds", "median_seconds", "spread", "half_a_seconds", "half_b_seconds", "native_seconds")


def masked(path):
    """The CSV's lines without the wall-clock and timing columns."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines[-1] != "":
        raise AssertionError(f"{path}: the last line has no newline (a torn write): {lines[-1][:80]!r}")
    lines = lines[:-1]
    header = lines[0].split(",")
    keep = [i for i, name in enumerate(header)
            if not (name.endswith(".sim_seconds") or name in TIMING_COLUMNS)]
    return [",".join(cells[i] for i in keep) for cells in (line.split(",") for line in lines)]


def ancestors():
    """This process and the ones that started it (their command lines may name WORKDIR)."""
    pids, pid = set(), os.getpid()
    while pid > 1:
        pids.add(pid)
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            pid = int(f.read().rsplit(")", 1)[1].split()[1])
    return pids


def leftovers(workdir, env):
    """Processes and scratch directories an interrupted run left behind."""
    found = []
    mine = ancestors()
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) in mine:
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue  # gone, or not ours to look at
        if workdir in cmdline or cwd.startswith(workdir):
            found.append(f"process {pid}: {cmdline.strip()} (in {cwd})")
    for name in os.listdir(env["TMPDIR"]):
        if name.startswith("simtune-"):
            found.append(f"scratch directory {env['TMPDIR']}/{name}")
    kernels = os.path.join(env["SIMTUNE_CACHE_DIR"], "kernels")
    if os.path.isdir(kernels):
        found += [f"scratch directory {kernels}/{n}" for n in os.listdir(kernels) if n.startswith(".build-")]
    return found


def wait_for_no_leftovers(workdir, env, seconds=5.0):
    # Grandchildren killed with their group (cc1, as) are reaped by init, a moment later.
    deadline = time.monotonic() + seconds
    while True:
        found = leftovers(workdir, env)
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("simtune")
    parser.add_argument("workdir")
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    workdir = os.path.realpath(args.workdir)
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(os.path.join(workdir, "tmp"))
    rng = random.Random(args.seed)
    print(f"interrupt test: seed {args.seed}, {args.kills} kills", flush=True)

    env = dict(os.environ, TMPDIR=os.path.join(workdir, "tmp"))

    def run_env(cache):
        return dict(env, SIMTUNE_CACHE_DIR=os.path.join(workdir, cache))

    # The reference: uninterrupted, cold cache; its duration bounds the random delays.
    reference = os.path.join(workdir, "reference.csv")
    start = time.monotonic()
    r = subprocess.run(dataset_command(args.simtune, reference), env=run_env("cache-reference"),
                       capture_output=True, text=True)
    full = time.monotonic() - start
    if r.returncode != 0:
        print(f"FAIL: the reference run exited {r.returncode}:\n{r.stderr}")
        return 1
    expected = masked(reference)
    print(f"reference: {len(expected) - 1} rows in {full:.1f} s", flush=True)

    failures = []
    out = os.path.join(workdir, "interrupted.csv")
    rounds, kills, attempts = 1, 0, 0
    cache = f"cache-{rounds}"
    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]
    while kills < args.kills and attempts < 4 * args.kills + 10:
        attempts += 1
        e = run_env(cache)
        before = masked(out) if os.path.exists(out) else None
        delay = rng.uniform(0.0, full)
        sigs = [rng.choice(signals)] + ([rng.choice(signals)] if rng.random() < 0.25 else [])
        p = subprocess.Popen(dataset_command(args.simtune, out), env=e, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        delivered = p.poll() is None
        for s in sigs:
            if p.poll() is None:
                p.send_signal(s)
                time.sleep(0.02)
        try:
            _, err = p.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            _, err = p.communicate()
            failures.append(f"kill {attempts}: still running 60 s after {sigs[0].name}")
            break
        what = f"attempt {attempts} (round {rounds}, {'+'.join(s.name for s in sigs)} after {delay:.2f} s)"
        finished = p.returncode == 0
        if delivered and not finished:
            kills += 1
            if p.returncode != -sigs[0]:
                failures.append(f"{what}: exit status {p.returncode}, expected death by {sigs[0].name}\n{err[-2000:]}")
        elif not finished:
            failures.append(f"{what}: exit status {p.returncode}\n{err[-2000:]}")
        for left in wait_for_no_leftovers(workdir, e):
            failures.append(f"{what}: left behind {left}")
        if os.path.exists(out):
            try:
                now = masked(out)
                if now[0] != expected[0] or now != expected[:len(now)]:
                    failures.append(f"{what}: the CSV is not a prefix of the reference")
                if before is not None and now[:len(before)] != before:
                    failures.append(f"{what}: rows that were in the CSV changed")
            except (AssertionError, IndexError) as error:
                failures.append(f"{what}: {error}")
        rows = len(masked(out)) - 1 if os.path.exists(out) and os.path.getsize(out) > 0 else 0
        print(f"{what}: {'finished' if finished else f'exit {p.returncode}'}, {rows} rows", flush=True)
        if finished:
            # A round ends: the resumed CSV equals the reference; start again, cold.
            if masked(out) != expected:
                failures.append(f"{what}: the completed CSV differs from the reference")
            rounds += 1
            cache = f"cache-{rounds}"
            os.remove(out)
        if failures:
            break
    if not failures:
        r = subprocess.run(dataset_command(args.simtune, out), env=run_env(cache), capture_output=True, text=True)
        if r.returncode != 0:
            failures.append(f"the final resume exited {r.returncode}:\n{r.stderr}")
        elif masked(out) != expected:
            failures.append("the resumed CSV differs from the reference (apart from timing columns)")
        failures += [f"after the final resume: left behind {x}" for x in wait_for_no_leftovers(workdir, run_env(cache))]
        if kills < args.kills:
            failures.append(f"only {kills} of {attempts} signals came while simtune ran")
    for f in failures:
        print("FAIL:", f)
    if failures:
        return 1
    print(f"interrupt test: all checks passed ({kills} kills in {attempts} attempts over {rounds} rounds, seed {args.seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
