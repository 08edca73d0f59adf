#!/usr/bin/python3
"""End-to-end checks of examples/tiny-compiler (run by CTest, tests/tiny_compiler.cmake).

  check.py compile EXE WORKDIR TARGET SCHEDULES DESCRIPTION...
      runs the compiler and checks its output: kernel.c exists and compiles for the target, the
      report ranks every candidate (or lists it as failed) in the Tuner's order, the winner is a
      candidate predicted no slower than the naive schedule where the model ordered both (the
      near-tie gate), the right model ranked, and the output checks passed.
  check.py reject EXE EXPECTED_MESSAGE DESCRIPTION...
      runs the compiler on a malformed description and checks it fails with a non-zero status and
      a message containing EXPECTED_MESSAGE, writing no kernel.
  check.py all-fail EXE TARGET DESCRIPTION...
      runs the compiler with no compiler on PATH (an empty folder) and a build cache of its own, so
      every schedule fails to build: each failure is listed, the overall error names the missing
      compiler, the exit status is 1, within a minute, and no kernel is written.
Any check that fails, or an exception (a missing report, a timeout), ends in exit status 1 with
the reason; nothing is retried.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

COMPILERS = {
    "host-x86-64": ["gcc", "-march=x86-64-v2"],
    "cortex-a72": ["aarch64-linux-gnu-gcc", "-mcpu=cortex-a72"],
    "sifive-u74": ["riscv64-linux-gnu-gcc", "-march=rv64gc", "-mabi=lp64d"],
}
NM = {"host-x86-64": "nm", "cortex-a72": "aarch64-linux-gnu-nm", "sifive-u74": "riscv64-linux-gnu-nm"}

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print(f"FAIL: {what}")


def compile_mode(exe, workdir, target, schedules, description):
    out = os.path.join(workdir, "out")
    shutil.rmtree(out, ignore_errors=True)
    cmd = [exe, "--target", target, "--schedules", str(schedules), "--out", out] + description
    print("$", " ".join(cmd), flush=True)
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    print(run.stdout)
    print(run.stderr, file=sys.stderr)
    check(run.returncode == 0, f"exit status {run.returncode}")
    if run.returncode != 0:
        return
    kernel = os.path.join(out, "kernel.c")
    check(os.path.isfile(kernel), "kernel.c written")
    obj = os.path.join(workdir, "kernel.o")
    cc = subprocess.run(COMPILERS[target] + ["-O2", "-std=c11", "-Wall", "-Werror", "-c", kernel, "-o", obj],
                        capture_output=True, text=True)
    check(cc.returncode == 0, f"kernel.c compiles for {target}: {cc.stderr}")
    if cc.returncode == 0:
        nm = subprocess.run([NM[target], obj], capture_output=True, text=True)
        check(" T simtune_kernel" in nm.stdout, "kernel.o defines simtune_kernel")

    with open(os.path.join(out, "report.json")) as f:
        report = json.load(f)
    cands = report["candidates"]
    check(report["target"] == target, "report names the target")
    check(report["requested"] == schedules, f"{schedules} candidates requested, report says {report['requested']}")
    check(report["ranked"] + report["failed"] == report["requested"], "every candidate is ranked or listed as failed")
    check(len(cands) == report["ranked"] and len(report["failures"]) == report["failed"], "candidate and failure lists complete")
    check(report["failed"] == 0, f"no schedule failed: {report['failures']}")
    check([c["rank"] for c in cands] == list(range(1, len(cands) + 1)), "ranks are 1..n")
    predicted = [c["predicted_seconds"] for c in cands]
    check(all(p > 0 for p in predicted), "every prediction is positive")
    # Under the near-tie gate (the Tuner's default where the model reads MCA's cycles, at 4 %): the
    # candidates the estimate prices within 4 % of its cheapest first, each part by predicted time.
    gated = all("estimate_cycles" in c for c in cands)
    inside = [True] * len(cands)
    if gated:
        cheapest = min(c["estimate_cycles"] for c in cands)
        inside = [c["estimate_cycles"] <= (1 + 0.04) * cheapest for c in cands]
    n = sum(inside)
    check(inside == [True] * n + [False] * (len(cands) - n), "the estimate's near-ties ranked first")
    check(predicted[:n] == sorted(predicted[:n]) and predicted[n:] == sorted(predicted[n:]),
          "candidates ordered by predicted time (within and after the near-ties)")
    check(len({c["name"] for c in cands}) == len(cands), "candidate names unique")
    check(len({c["schedule"] for c in cands}) == len(cands), "schedules distinct")
    naive = [c for c in cands if c["naive"]]
    check(len(naive) == 1, "the naive schedule is ranked exactly once")
    winner = report["winner"]
    check(winner["name"] == cands[0]["name"] and winner["rank"] == 1, "the winner is the first-ranked candidate")
    check(report["naive"]["name"] == naive[0]["name"], "the report's naive entry is the naive candidate")
    if inside[cands.index(naive[0])]:  # the model ordered the naive schedule too
        check(winner["predicted_seconds"] <= report["naive"]["predicted_seconds"], "winner predicted no slower than naive")
        check(report["predicted_speedup_vs_naive"] >= 1.0, "predicted speedup over naive >= 1")
    with open(kernel) as f:
        source = f.read()
    check(winner["schedule"] in source, "kernel.c carries the winner's schedule")
    check("void simtune_kernel(" in source, "kernel.c defines simtune_kernel")

    model = report["model"]
    if target == "host-x86-64":
        check(model["kind"] == "trained" and model["description"] == "builtin:host-x86-64", f"host ranked by its trained model: {model}")
    else:
        check(model["kind"] == "analytic" and model["description"] == f"analytic:{target}", f"{target} ranked by the analytic model: {model}")
        check("UNVALIDATED" in model["note"], "the report says the analytic model is unvalidated on this target")

    checks = report["verification"]
    if not winner["name"] == report["naive"]["name"]:
        check(any(c["name"] == winner["name"] and c["method"] == "unicorn" for c in checks), "the winner checked under Unicorn")
        if target == "host-x86-64":
            check(any(c["name"] == winner["name"] and c["method"] == "native" for c in checks), "the winner checked natively")
    check(all(c["ok"] and c["max_abs_diff"] <= c["tolerance"] for c in checks), "every checked schedule matches the naive output")
    check("why the winner" in run.stdout and "winner vs naive" in run.stdout, "the text report explains the choice")
    for role in ("winner", "median", "naive"):
        check(report[role]["stats"]["instructions"] > 0, f"{role} statistics present")


def reject_mode(exe, expected, description):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        cmd = [exe, "--out", out] + description
        print("$", " ".join(cmd), flush=True)
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        print(run.stdout)
        print(run.stderr, file=sys.stderr)
        check(run.returncode != 0, "non-zero exit status")
        check(expected in run.stderr, f"stderr names the problem ('{expected}')")
        check("terminate called" not in run.stderr and run.returncode > 0, "a clean error, not a crash")
        check(not os.path.exists(os.path.join(out, "kernel.c")), "no kernel written")


def all_fail_mode(exe, target, description, schedules=4):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        empty = os.path.join(tmp, "empty-path")
        os.makedirs(empty)
        env = dict(os.environ, PATH=empty, SIMTUNE_CACHE_DIR=os.path.join(tmp, "cache"))
        cmd = [exe, "--target", target, "--schedules", str(schedules), "--out", out] + description
        print("$ PATH=" + empty, " ".join(cmd), flush=True)
        start = time.monotonic()
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
        elapsed = time.monotonic() - start
        print(run.stdout)
        print(run.stderr, file=sys.stderr)
        compiler = COMPILERS[target][0]
        check(run.returncode == 1, f"exit status 1, got {run.returncode}")
        check("terminate called" not in run.stderr, "a clean error, not a crash")
        listed = [line for line in run.stderr.splitlines() if line.startswith("tiny-compiler: schedule ") and " failed: " in line]
        check(len(listed) == schedules, f"each of the {schedules} failures listed, got {len(listed)}")
        overall = (f"tiny-compiler: error: tool missing: every one of the {schedules} candidates failed "
                   f"({schedules} tool missing); the first, '")
        check(overall in run.stderr, f"stderr has the overall error '{overall}...'")
        check(f"compiler '{compiler}' for target {target} not found" in run.stderr, f"stderr names the missing {compiler}")
        check(not os.path.exists(os.path.join(out, "kernel.c")), "no kernel written")
        check(elapsed < 60, f"fails fast: {elapsed:.1f} s")
        print(f"all schedules failed in {elapsed:.1f} s")


def main():
    mode = sys.argv[1]
    try:
        if mode == "compile":
            exe, workdir, target, schedules = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
            os.makedirs(workdir, exist_ok=True)
            compile_mode(exe, workdir, target, schedules, sys.argv[6:])
        elif mode == "reject":
            reject_mode(sys.argv[2], sys.argv[3], sys.argv[4:])
        elif mode == "all-fail":
            all_fail_mode(sys.argv[2], sys.argv[3], sys.argv[4:])
        else:
            print(f"tiny-compiler: unknown mode {mode}")
            sys.exit(1)
    except (Exception, subprocess.TimeoutExpired) as e:  # a missing report, bad JSON, a hang: one clean failure
        check(False, f"{type(e).__name__}: {e}")
    if failures:
        print(f"tiny-compiler: {len(failures)} check(s) failed")
        sys.exit(1)
    print("tiny-compiler: all checks passed")


if __name__ == "__main__":
    main()
