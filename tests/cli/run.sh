#!/usr/bin/env bash
# CLI tests: runs the built `simtune` on real kernels, checks exit codes, messages and --json output.
# usage: run.sh SECTION SIMTUNE WORKDIR SOURCE_DIR
#   SECTION: usage | binaries | dataset | models | allfail
#   allfail: every candidate fails (no cross compiler on PATH, or every binary faults): each failure
#            is listed, the overall error names the first, the exit code is its kind's, fast.
# The dataset section writes WORKDIR/data.csv, which the models section uses (a CTest fixture).
set -uo pipefail
section=$1 simtune=$(realpath "$2") work=$3 src=$(realpath "$4")
here=$src/tests/cli
python=/usr/bin/python3
mkdir -p "$work"
cd "$work" || exit 1
failures=0
buffers='a:f32:4096:in;b:f32:4096:in;c:f32:4096:out'

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# expect CODE CMD...: runs CMD, keeps stdout in out.txt and stderr in err.txt, checks the exit code.
expect() {
    local want=$1; shift
    "$@" >out.txt 2>err.txt
    local got=$?
    if [ "$got" -ne "$want" ]; then
        fail "expected exit $want, got $got: $*"
        sed 's/^/  stdout: /' out.txt | head -20
        sed 's/^/  stderr: /' err.txt | head -20
        return 1
    fi
    echo "ok (exit $got): $*"
}
# stderr (or stdout) of the last command contains TEXT
expect_err() { grep -q -- "$1" err.txt || { fail "stderr lacks '$1'"; sed 's/^/  stderr: /' err.txt | head; }; }
expect_out() { grep -q -- "$1" out.txt || { fail "stdout lacks '$1'"; sed 's/^/  stdout: /' out.txt | head; }; }
# json EXPR: stdout of the last command parses as JSON and the Python expression on it (`d`) holds
json() {
    $python -c "import json,sys; d=json.load(open('out.txt')); sys.exit(0 if ($1) else 1)" ||
        { fail "JSON check failed: $1"; head -30 out.txt; }
}

case $section in
usage)
    expect 0 "$simtune" --help && expect_out "exit codes"
    expect 2 "$simtune"
    expect 0 "$simtune" --version && expect_out "simtune "
    expect 2 "$simtune" frobnicate && expect_err "unknown command 'frobnicate'"
    for c in build simulate measure predict tune dataset train report targets workloads; do
        expect 0 "$simtune" $c --help && expect_out "usage: simtune $c"
    done
    expect 0 "$simtune" help tune && expect_out "usage: simtune tune"
    expect 2 "$simtune" build "$here/add.c" --bogus && expect_err "unknown option '--bogus'"
    expect 2 "$simtune" build "$here/add.c" --buffers && expect_err "needs a value"
    expect 2 "$simtune" build "$here/add.c" && expect_err "needs --buffers"
    expect 2 "$simtune" build && expect_err "needs SOURCE.c"
    expect 2 "$simtune" build "$here/add.c" --buffers 'a:f99:4:in' && expect_err "f99"
    expect 2 "$simtune" build "$here/add.c" --buffers "$buffers" --target pentium && expect_err "pentium"
    expect 2 "$simtune" simulate x.elf --simulator bochs && expect_err "bochs"
    expect 2 "$simtune" simulate x.elf --collectors mix,tlb && expect_err "unknown collector 'tlb'"
    expect 2 "$simtune" simulate x.elf --max-instructions lots && expect_err "expects an integer"
    expect 2 "$simtune" measure x.elf --passes 0 && expect_err "between 1 and"
    expect 2 "$simtune" tune && expect_err "either --workload"
    expect 2 "$simtune" train data.csv && expect_err "needs --out"
    expect 2 "$simtune" train data.csv --out m --model svm && expect_err "unknown model 'svm'"
    expect 2 "$simtune" report data.csv && expect_err "at least one --model"
    expect 2 "$simtune" dataset --out d.csv --workloads nosuch && expect_err "unknown workload 'nosuch'"
    # A time limit whose deadline would overflow the clock is a usage error, not an instant timeout.
    expect 2 "$simtune" dataset --out d.csv --workloads dense-512x1024 --variants 1 --passes 1 --ms 1 -q \
        --timeout-ms 9223372036854775 && expect_err "timeout-ms must be between 1 and 31622400000"
    expect 0 "$simtune" targets --json && json "[t['name'] for t in d][:1] == ['host-x86-64'] and len(d) == 3"
    expect 0 "$simtune" workloads --json && json "any(w['name'] == 'gemm-128x128x128' and w['variants'] > 100 for w in d) and len({w['family'] for w in d}) >= 15"
    ;;
binaries)
    expect 0 "$simtune" build "$here/add.c" --buffers "$buffers" -o add.elf && [ -x add.elf ] || fail "add.elf not executable"
    expect 0 "$simtune" build "$here/add.c" --buffers "$buffers" --json &&
        json "d['isa'] == 'x86-64' and len(d['buffers']) == 3 and d['buffers'][2]['role'] == 'out'"
    expect 0 "$simtune" build - --buffers "$buffers" --target cortex-a72 -o add-a72.elf < "$here/add.c"
    expect 1 "$simtune" build "$here/broken.c" --buffers 'a:f32:4:inout' && expect_err "undeclared_name"
    expect 3 "$simtune" build no-such-file.c --buffers "$buffers" && expect_err "no-such-file.c"

    expect 0 "$simtune" simulate add.elf && expect_out "instructions"
    expect 0 "$simtune" simulate add.elf add-a72.elf --json &&
        json "len(d) == 2 and d[1]['target'] == 'cortex-a72' and d[0]['stats']['mem_reads'] >= 8192 and d[0]['stats']['mem_writes'] >= 4096"
    expect 0 "$simtune" simulate add.elf --simulator qemu --collectors mix --json &&
        json "d[0]['simulator'] == 'qemu' and d[0]['stats']['instructions'] > 4096 and d[0]['stats']['l1d_accesses'] == 0"
    expect 1 "$simtune" simulate add.elf --max-instructions 1000 && expect_err "instruction limit"
    head -c 4000 add.elf > truncated.elf
    expect 3 "$simtune" simulate truncated.elf && expect_err "truncated.elf"
    echo "not an elf" > text.elf
    expect 3 "$simtune" simulate text.elf && expect_err "invalid binary"
    expect 3 "$simtune" simulate add-a72.elf --target host-x86-64 && expect_err "wrong ISA"

    expect 0 "$simtune" measure add.elf --passes 2 --ms 5 && expect_out "add.elf"
    expect 0 "$simtune" measure add.elf add.elf --passes 2 --ms 5 --json &&
        json "len(d) == 2 and all(0 < t['seconds'] < 1e-3 and len(t['pass_seconds']) == 2 for t in d)"
    expect 3 "$simtune" measure add-a72.elf --passes 1 --ms 5 && expect_err "cannot run on this machine"
    # A board has no trained model: predict says how to get one; --model analytic uses the cost model.
    expect 3 "$simtune" predict add-a72.elf --target cortex-a72 && expect_err "--model analytic"
    expect 0 "$simtune" predict add-a72.elf --target cortex-a72 --model analytic --json &&
        json "d['model'] == 'analytic:cortex-a72' and d['predicted_seconds'] > 0"
    ;;
dataset)
    rm -f data.csv
    expect 0 "$simtune" dataset --workloads gemm-128x128x128,dense-512x1024 --variants 8 --passes 2 --ms 4 \
        --out data.csv --json && json "d['rows'] >= 14 and d['simulators'] == ['unicorn'] and len(d['workloads']) == 2"
    # resuming adds nothing new
    expect 0 "$simtune" dataset --workloads gemm-128x128x128,dense-512x1024 --variants 8 --passes 2 --ms 4 \
        --out data.csv -q && expect_out "data.csv"
    ;;
models)
    # The dataset section's CSV (a CTest fixture), or one left here by a previous run.
    [ -n "${SIMTUNE_CLI_DATASET:-}" ] && [ -f "$SIMTUNE_CLI_DATASET" ] && cp "$SIMTUNE_CLI_DATASET" data.csv
    [ -f data.csv ] || { echo "FAIL: data.csv missing (the dataset test must run first)"; exit 1; }
    expect 0 "$simtune" train data.csv --model ridge -o ridge.model --json &&
        json "d['kind'] == 'ridge' and d['rows'] >= 14 and d['simulator'] == 'unicorn'"
    expect 0 "$simtune" train data.csv --model gbt --rounds 30 --depth 3 -o gbt.model && expect_out "gbt model"
    expect 0 "$simtune" report data.csv --model ridge.model --model gbt.model --out-dir report --json &&
        json "len(d['models']) == 2 and len(d['plots']) == 4 and all(m['mean']['candidates'] > 0 for m in d['models'])"
    for png in report/ridge-predicted-vs-measured.png report/gbt-importance.png; do
        head -c 8 "$png" | grep -q PNG || fail "$png is not a PNG"
    done
    grep -q "| ridge | gemm-128x128x128 |" report/report.md || fail "report.md lacks the ridge row"
    expect 0 "$simtune" report data.csv --model ridge.model --out-dir report2 --no-plots && expect_out "top-k"
    # report.md cannot be written (a directory stands in its way): an I/O error, not a silent success.
    rm -rf report4 && mkdir -p report4/report.md
    expect 3 "$simtune" report data.csv --model ridge.model --out-dir report4 --no-plots && expect_err "report.md"
    # Without matplotlib (a stand-in package that fails to import), plots fail clearly: exit 4.
    mkdir -p no-mpl/matplotlib && echo 'raise ImportError("matplotlib hidden by the test")' > no-mpl/matplotlib/__init__.py
    expect 4 env PYTHONPATH="$work/no-mpl" "$simtune" report data.csv --model ridge.model --out-dir report3 &&
        expect_err "python3-matplotlib"

    "$simtune" build "$here/add.c" --buffers "$buffers" -o add.elf >/dev/null || fail "build add.elf"
    expect 0 "$simtune" predict add.elf --model ridge.model --json &&
        json "d['predicted_seconds'] > 0 and d['simulator'] == 'unicorn' and d['stats']['instructions'] > 0"
    expect 0 "$simtune" predict "$here/add.c" --buffers "$buffers" --model gbt.model && expect_out "per call on host-x86-64"

    expect 0 "$simtune" tune --workload gemm-64x256x128 --variants 6 --top 3 --confirm 2 --passes 2 --ms 4 \
        --model ridge.model --json &&
        json "d['candidates'] == 6 and len(d['ranking']) == 3 and d['ranking'][0]['measured_seconds'] > 0 and d['ranking'][2]['measured_seconds'] is None"
    rm -rf candidates && mkdir -p candidates
    "$simtune" build "$here/add.c" --buffers "$buffers" -o candidates/o2.elf >/dev/null
    "$simtune" build "$here/add.c" --buffers "$buffers" --flag -O0 -o candidates/o0.elf >/dev/null
    expect 0 "$simtune" tune candidates --model ridge.model --json &&
        json "d['succeeded'] == 2 and {r['name'] for r in d['ranking']} == {'o0.elf', 'o2.elf'}"
    echo "not an elf" > candidates/junk.elf
    expect 3 "$simtune" tune candidates --model ridge.model && expect_err "invalid binary"

    # malformed inputs: exit 3 with the file named
    head -n 3 ridge.model > truncated.model
    expect 3 "$simtune" predict add.elf --model truncated.model && expect_err "truncated.model"
    echo "not a model" > junk.model
    expect 3 "$simtune" predict add.elf --model junk.model && expect_err "invalid model"
    expect 3 "$simtune" predict add.elf --model missing.model
    printf 'workload,variant\nonly,two,columns,here\n' > junk.csv
    expect 3 "$simtune" train junk.csv -o x.model && expect_err "junk.csv"
    expect 3 "$simtune" report junk.csv --model ridge.model --no-plots
    ;;
allfail)
    # No cross compiler: PATH is an empty folder (simtune is run by its absolute path) and the build
    # cache is this test's own, so nothing built before can stand in for the compiler.
    empty=$work/empty-path
    rm -rf "$empty" cache nocc.csv && mkdir -p "$empty"
    nocc=(env PATH="$empty" SIMTUNE_CACHE_DIR="$work/cache")
    start=$SECONDS
    expect 4 "${nocc[@]}" "$simtune" tune --workload gemm-64x256x128 --variants 4 --target cortex-a72 --model analytic -q &&
        expect_err "failed: .*compiler 'aarch64-linux-gnu-gcc' for target cortex-a72 not found" &&
        expect_err "simtune tune: error: tool missing: every one of the 4 candidates failed (4 tool missing); the first, '.*': compiler 'aarch64-linux-gnu-gcc' for target cortex-a72 not found"
    [ "$(grep -c '^failed: ' err.txt)" -eq 4 ] || fail "tune does not list each of the 4 failures"
    expect 4 "${nocc[@]}" "$simtune" tune --workload gemm-64x256x128 --variants 4 --target cortex-a72 --model analytic --json &&
        json "d['succeeded'] == 0 and d['failed'] == 4 and d['ranking'] == [] and all(f['error_kind'] == 'tool_missing' for f in d['failures'])"
    expect 4 "${nocc[@]}" "$simtune" dataset --workloads gemm-128x128x128 --variants 3 --target cortex-a72 --times-csv /dev/null \
        --out nocc.csv -q &&
        expect_err "skipped .*compiler 'aarch64-linux-gnu-gcc'" &&
        expect_err "simtune dataset: error: tool missing: no dataset row could be made: 3 variant(s) failed; the first, .*: compiler 'aarch64-linux-gnu-gcc' for target cortex-a72 not found"
    # Every binary faults in the simulator: exit 1 and the fault named.
    rm -rf faulting && mkdir -p faulting
    "$simtune" build "$src/tests/kernels/segfault.c" --buffers 'a:f32:16:inout' -o faulting/a.elf >/dev/null || fail "build a.elf"
    "$simtune" build "$src/tests/kernels/segfault.c" --buffers 'a:f32:16:inout' --flag -O0 -o faulting/b.elf >/dev/null || fail "build b.elf"
    expect 1 "$simtune" tune faulting -q &&
        expect_err "simtune tune: error: simulation fault: every one of the 2 candidates failed (2 simulation fault); the first, 'a.elf'"
    [ $((SECONDS - start)) -le 60 ] || fail "the all-fail runs took $((SECONDS - start)) s; failing should be fast"
    echo "(the all-fail runs took $((SECONDS - start)) s)"
    ;;
*)
    echo "unknown section $section"; exit 2 ;;
esac

if [ $failures -gt 0 ]; then
    echo "$failures check(s) failed in section $section"
    exit 1
fi
echo "cli $section: all checks passed"
