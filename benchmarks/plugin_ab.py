#!/usr/bin/python3
"""Interleaved A/B timing of QEMU plugin builds on bench_qemu's own command lines.

bench_qemu runs each configuration `--repeats` times in a row, so a slow spell of this shared
machine lands on one column. This script replays the QEMU command lines bench_qemu ran (recorded
once through a PATH wrapper) in rounds, every configuration and plugin build once per round, and
reports per kernel the fastest wall-clock and CPU (user + sys) time of each as a ratio to plain
QEMU in the same rounds.

  benchmarks/plugin_ab.py record LOG -- build/test/benchmarks/bench_qemu --repeats 1
  benchmarks/plugin_ab.py compare LOG ROUNDS NAME=PLUGIN.so[@KEY=VALUE...] [NAME=...]

`record` runs the given command with qemu-x86_64, qemu-aarch64 and qemu-riscv64 wrapped so that
each call's working directory and arguments are appended to LOG. `compare` replays, per kernel, plain QEMU and the
configurations named in $CONFIGS (default mix,caches,sampled; full also exists) with each plugin
build in place of the recorded one, its recorded plugin arguments changed by each @KEY=VALUE
(e.g. new=p.so@sample=10000000:100000:50000 compares another sampling period). Reports go to a
scratch file, so only timing is compared.
"""
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

QEMUS = ("qemu-x86_64", "qemu-aarch64", "qemu-riscv64")


def record(log, command):
    wrappers = tempfile.mkdtemp(prefix="plugin-ab-")
    for qemu in QEMUS:
        real = shutil.which(qemu)
        if real is None:
            sys.exit(f"plugin_ab: {qemu} not on PATH")
        path = os.path.join(wrappers, qemu)
        with open(path, "w") as f:
            f.write(f'#!/bin/sh\nprintf "%s\\n" "$(pwd) {qemu} $*" >> "{os.path.abspath(log)}"\nexec {real} "$@"\n')
        os.chmod(path, 0o755)
    env = dict(os.environ, PATH=wrappers + os.pathsep + os.environ["PATH"])
    sys.exit(subprocess.run(command, env=env).returncode)


def configuration(arguments):
    if "sample=" in arguments:
        return "sampled"
    if "branches=1" in arguments:
        return "full"
    if "mem=1" in arguments:
        return "caches"
    return "mix"


def parse(log):
    """Kernels in recorded order, each with its plain command and one plugin argument string per configuration."""
    kernels = []
    for line in open(log):
        _, qemu, *args = line.split()
        if "-plugin" not in args:
            binary = args[-1]
            if not kernels or kernels[-1]["binary"] != binary:
                kernels.append({"binary": binary, "qemu": qemu, "options": args[:-1], "configs": {}})
            continue
        at = args.index("-plugin")
        plugin_arguments = args[at + 1].split(",", 1)[1]
        plugin_arguments = re.sub(r"out=[^,]*", "out=" + os.path.join(tempfile.gettempdir(), "plugin-ab-stats"),
                                  plugin_arguments)
        # The simulator ran a copy of the binary in a scratch directory, gone now: run the original
        # (the same file, so the plugin's addresses hold) from its own directory.
        program = [kernels[-1]["binary"]] + args[at + 3:]
        kernels[-1]["configs"].setdefault(configuration(plugin_arguments), (program, plugin_arguments))
    return kernels


def override(arguments, overrides):
    """The plugin argument string with each KEY=VALUE of `overrides` in place of its key's value (or added)."""
    for item in overrides:
        key = item.split("=", 1)[0]
        if re.search(rf"(^|,){key}=", arguments):
            arguments = re.sub(rf"(^|,){key}=[^,]*", lambda m: m.group(1) + item, arguments)
        else:
            arguments += "," + item
    return arguments


def run(command, cwd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def compare(log, rounds, plugins):
    wanted = os.environ.get("CONFIGS", "mix,caches,sampled").split(",")
    print(f"fastest of {rounds} interleaved rounds; wall / CPU time against plain QEMU in the same rounds")
    for kernel in parse(log):
        commands = [("plain", [kernel["qemu"]] + kernel["options"] + [kernel["binary"]], None)]
        for config in wanted:
            if config not in kernel["configs"]:
                continue
            program, arguments = kernel["configs"][config]
            for name, plugin in plugins:
                plugin, *overrides = plugin.split("@")
                commands.append((f"{config}:{name}", [kernel["qemu"]] + kernel["options"] +
                                 ["-plugin", os.path.abspath(plugin) + "," + override(arguments, overrides)] +
                                 program, None))
        times = {name: [] for name, _, _ in commands}
        # Each round in its own order (plain first, the rest shuffled), so that no build always
        # runs right after another (what one leaves in the caches and the clock is the next's).
        order = random.Random(len(commands))
        for _ in range(rounds):
            rest = commands[1:]
            order.shuffle(rest)
            for name, command, cwd in commands[:1] + rest:
                times[name].append(run(command, cwd))
        plain_wall = min(w for w, _ in times["plain"])
        plain_cpu = min(c for _, c in times["plain"])
        label = os.path.basename(os.path.dirname(kernel["binary"]))
        cells = " ".join(f"{name} {min(w for w, _ in t) / plain_wall:.2f}x/{min(c for _, c in t) / plain_cpu:.2f}x"
                         for name, t in times.items() if name != "plain")
        print(f"{label:34s} plain {plain_wall:.3f} s  {cells}", flush=True)


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "record" and sys.argv[3] == "--":
        record(sys.argv[2], sys.argv[4:])
    elif len(sys.argv) >= 5 and sys.argv[1] == "compare":
        compare(sys.argv[2], int(sys.argv[3]), [a.split("=", 1) for a in sys.argv[4:]])
    else:
        sys.exit(__doc__)
