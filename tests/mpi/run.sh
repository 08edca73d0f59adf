#!/usr/bin/env bash
# The simtune command under MPI: `mpirun -np 2 simtune dataset|tune ...` must produce what one
# process produces. usage: run.sh SECTION SIMTUNE WORKDIR SOURCE_DIR MPIEXEC
#   dataset:  CSV and JSON summary of an MPI build equal the single-process ones (Unicorn and QEMU),
#             also when resuming an interrupted file; native timing on rank 0 works under MPI
#   tune:     the ranking (names, predicted seconds, statistics) equals the single-process one;
#             --confirm times the top candidates natively on rank 0
#   failures: a candidate faulting on rank 1 reaches rank 0 as a failure; a rank that cannot go on
#             ends the whole job with its message (MPI_Abort), never a hang
#   unsupported: (a simtune built without SIMTUNE_WITH_MPI) refuses to run as several processes
set -uo pipefail
section=$1 simtune=$(realpath "$2") work=$3 src=$(realpath "$4") mpiexec=$5
python=/usr/bin/python3
# As root Open MPI needs --allow-run-as-root; on this 2-core machine 2 ranks need --oversubscribe
# when other processes hold cores. --bind-to none: each rank runs its own worker threads.
mpirun=("$mpiexec" --allow-run-as-root --oversubscribe --bind-to none)
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# run NAME WANT CMD...: stdout to NAME.out, stderr to NAME.err, checks the exit code. `timeout`
# turns a hung MPI job into exit 124 instead of a stuck test.
run() {
    local name=$1 want=$2; shift 2
    timeout 600 "$@" >"$name.out" 2>"$name.err"
    local got=$?
    if [ "$got" -ne "$want" ]; then
        fail "$name: expected exit $want, got $got: $*"
        sed 's/^/  stdout: /' "$name.out" | head -20
        sed 's/^/  stderr: /' "$name.err" | head -30
        return 1
    fi
    echo "ok (exit $got): $name: $*"
}
check() { $python -c "$1" "${@:2}" || fail "check failed: $1 ${*:2}"; }

# Compares two dataset CSVs: same header, same rows in the same order, and every cell equal except
# the wall-clock columns '<simulator>.sim_seconds' (how long each simulation took: it differs
# between any two runs, even two single-process ones); prints which columns differed.
same_dataset='
import csv, sys
a, b = (list(csv.reader(open(f))) for f in sys.argv[1:3])
assert a[0] == b[0], "headers differ"
assert len(a) == len(b) and len(a) > 1, f"{len(a)} vs {len(b)} lines"
wall = {i for i, c in enumerate(a[0]) if c.endswith(".sim_seconds")}
assert wall, "no wall-clock columns found"
differing = {a[0][i] for ra, rb in zip(a, b) for i, (x, y) in enumerate(zip(ra, rb)) if x != y}
assert all(c.endswith(".sim_seconds") for c in differing), f"columns differ: {sorted(differing)}"
drop = lambda rows: [",".join(c for i, c in enumerate(r) if i not in wall) for r in rows]
assert drop(a) == drop(b)
print(f"identical: {len(a) - 1} rows x {len(a[0]) - len(wall)} columns; wall-clock columns that differed: {sorted(differing)}")
'
# Compares two `simtune tune --json` outputs, without the wall-clock and file-location fields of
# each result ("simulation_seconds", "cache_hit", "binary": the path of the built file).
same_ranking='
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
def strip(d):
    for key in ("ranking", "failures"):
        for r in d[key]:
            for k in ("simulation_seconds", "cache_hit", "binary"): r.pop(k, None)
    return d
a, b = strip(a), strip(b)
assert a == b, json.dumps(a, indent=1) + "\n!=\n" + json.dumps(b, indent=1)
print("identical rankings:", [r["name"] for r in a["ranking"]], "failures:", [r["name"] for r in a["failures"]])
'
workloads=gemm-128x128x128,dense-512x1024

case $section in
dataset)
    # Real measured times, fixed for both runs: one native single-process build, then its
    # (key, seconds) pairs as --times-csv.
    mkdir -p native single mpi resumed
    run native 0 "$simtune" dataset --workloads $workloads --variants 4 --passes 2 --ms 4 --out native/data.csv -q
    check 'import csv,sys; rows=list(csv.DictReader(open(sys.argv[1]))); assert len(rows)==8 and all(float(r["seconds"])>0 for r in rows); open(sys.argv[2],"w").write("key,seconds\n"+"".join(r["workload"]+"/"+r["variant"]+","+r["seconds"]+"\n" for r in rows))' native/data.csv times.csv
    args=(dataset --workloads $workloads --variants 4 --simulators unicorn,qemu --times-csv ../times.csv --out data.csv --json)
    (cd single && run single 0 "$simtune" "${args[@]}")
    (cd mpi && run mpi 0 "${mpirun[@]}" -np 2 "$simtune" "${args[@]}")
    check "$same_dataset" single/data.csv mpi/data.csv
    cmp single/single.out mpi/mpi.out && echo "identical JSON summaries" || fail "JSON summaries differ"
    check 'import json,sys; d=json.load(open(sys.argv[1])); assert d["rows"]==8 and d["simulators"]==["qemu","unicorn"], d' mpi/mpi.out

    # Resuming under MPI: rank 0 reads the interrupted file, both ranks do only what is missing.
    head -n 4 mpi/data.csv > resumed/data.csv
    (cd resumed && run resumed 0 "${mpirun[@]}" -np 2 "$simtune" "${args[@]}")
    check "$same_dataset" single/data.csv resumed/data.csv
    cmp <(head -n 4 mpi/data.csv) <(head -n 4 resumed/data.csv) || fail "resuming rewrote the rows already there"

    # Native timing under MPI: the ranks send the binaries they simulated; rank 0 times them.
    run native-mpi 0 "${mpirun[@]}" -np 2 "$simtune" dataset --workloads gemm-128x128x128 --variants 3 --passes 1 --ms 3 \
        --out native-mpi.csv --json
    check 'import csv,sys; rows=list(csv.DictReader(open(sys.argv[1]))); assert len(rows)==3 and all(float(r["seconds"])>0 for r in rows), rows' native-mpi.csv
    ;;
tune)
    args=(tune --workload gemm-64x256x128 --variants 8 --top 8 --json)
    run single 0 "$simtune" "${args[@]}" && cp single.out single.json
    run mpi 0 "${mpirun[@]}" -np 2 "$simtune" "${args[@]}" && cp mpi.out mpi.json
    check "$same_ranking" single.json mpi.json
    check 'import json,sys; d=json.load(open(sys.argv[1])); assert d["succeeded"]==8 and len(d["ranking"])==8 and all(r["stats"]["instructions"]>0 for r in d["ranking"])' mpi.json
    # --confirm: rank 0 times the best 2 (built on either rank) and orders them by measured time.
    run confirm 0 "${mpirun[@]}" -np 2 "$simtune" tune --workload gemm-64x256x128 --variants 8 --top 3 --confirm 2 --passes 2 --ms 4 --json
    check 'import json,sys; d=json.load(open(sys.argv[1])); r=d["ranking"]; assert r[0]["measured_seconds"]>0 and r[1]["measured_seconds"]>0 and r[2]["measured_seconds"] is None and r[0]["measured_seconds"]<=r[1]["measured_seconds"], r' confirm.out
    ;;
failures)
    # Candidates in name order, named by stem: a (rank 0), b-faults (rank 1: round-robin), c (rank 0).
    mkdir -p candidates
    buffers='a:f32:4096:in;b:f32:4096:in;c:f32:4096:out'
    "$simtune" build "$src/tests/cli/add.c" --buffers "$buffers" -o candidates/a.elf >/dev/null || fail "build a.elf"
    "$simtune" build "$src/tests/kernels/segfault.c" --buffers 'a:f32:16:inout' -o candidates/b-faults.elf >/dev/null || fail "build b"
    "$simtune" build "$src/tests/cli/add.c" --buffers "$buffers" --flag -O0 -o candidates/c.elf >/dev/null || fail "build c.elf"
    run single 0 "$simtune" tune candidates --json && cp single.out single.json
    run mpi 0 "${mpirun[@]}" -np 2 "$simtune" tune candidates --json && cp mpi.out mpi.json
    check "$same_ranking" single.json mpi.json
    check 'import json,sys; d=json.load(open(sys.argv[1])); f=d["failures"]; assert d["succeeded"]==2 and len(f)==1 and f[0]["name"]=="b-faults" and f[0]["error_kind"]=="simulation_fault" and f[0]["index"]==1, d' mpi.json
    # Rank 1 started with other inputs (e.g. a node with another copy of a script): it stops with
    # a clear message and MPI_Abort ends rank 0 too, which would otherwise wait for it forever.
    common=(dataset --workloads gemm-128x128x128 --times-csv /dev/null --out abort.csv -q)
    run abort 2 "${mpirun[@]}" -np 1 "$simtune" "${common[@]}" --variants 3 : -np 1 "$simtune" "${common[@]}" --variants 2
    grep -q "\[rank 1\] simtune dataset: error: .*rank 1 was given other dataset inputs" abort.err ||
        { fail "no clear message from rank 1"; sed 's/^/  stderr: /' abort.err | head -20; }
    # Rank 0 cannot write the CSV while rank 1 waits for its list of finished rows: same ending.
    run root-fails 3 "${mpirun[@]}" -np 2 "$simtune" dataset --workloads gemm-128x128x128 --variants 2 --times-csv /dev/null \
        --out no-such-dir/data.csv -q
    grep -q "^simtune dataset: error: .*no-such-dir/data.csv" root-fails.err ||
        { fail "no clear message from rank 0"; sed 's/^/  stderr: /' root-fails.err | head -20; }
    # Commands that do not distribute refuse to run as several ranks.
    run build 2 "${mpirun[@]}" -np 2 "$simtune" build "$src/tests/cli/add.c" --buffers "$buffers" -o x.elf
    grep -q "only 'dataset' and 'tune'" build.err || fail "no message for a non-distributed command"
    ;;
unsupported)
    run unsupported 2 "${mpirun[@]}" -np 2 "$simtune" dataset --workloads gemm-128x128x128 --variants 2 --out data.csv
    grep -q "built without MPI support" unsupported.err || fail "no message about the missing MPI support"
    [ ! -e data.csv ] || fail "data.csv written by a run that should have refused"
    ;;
*)
    echo "unknown section $section"; exit 2 ;;
esac

if [ $failures -gt 0 ]; then
    echo "$failures check(s) failed in section $section"
    exit 1
fi
echo "mpi $section: all checks passed"
