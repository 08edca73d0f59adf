#!/usr/bin/env bash
# CLI tests: runs the built `simtune` on real kernels, checks exit codes, messages and --json output.
# usage: run.sh SECTION SIMTUNE WORKDIR SOURCE_DIR
#   SECTION: usage | binaries | dataset | models | allfail | userdir | userdir_board
#   userdir, userdir_board: a directory of a user's own C kernel variants (tests/cli/stencil, not a
#            built-in workload) tuned with and without --calibrate and made into a dataset, on this
#            host (timed natively) and on cortex-a72 (times from a CSV the test writes).
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
    expect 2 "$simtune" simulate x.elf --simulator qemu --sample 1:2 && expect_err "PERIOD:WARMUP:WINDOW"
    expect 2 "$simtune" simulate x.elf --sample 100:10:10:5:5:5 && expect_err "WINDOW.:PREFIX"
    expect 2 "$simtune" simulate x.elf --simulator qemu --sample 100:60:50 && expect_err "WARMUP + WINDOW < PERIOD"
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
    # Sampled statistics, both simulators: exact traffic, misses with their interval; warm caches:
    # 48 KiB of buffers fit in L2, so (a stack line aside) nothing misses it, in both simulators.
    for sim in unicorn qemu; do
        expect 0 "$simtune" simulate add.elf --simulator $sim --collectors mix,memory,caches --sample 6000:500:500:0 --json &&
            json "d[0]['sampling']['windows'] >= 3 and d[0]['stats']['mem_reads'] == 8193 and d[0]['sampling']['half_width']['l1d_misses'] > 0"
        expect 0 "$simtune" simulate add.elf --simulator $sim --collectors memory,caches --sample on &&
            expect_out "sampled: 1 windows"
    done
    for sim in unicorn qemu; do
        expect 0 "$simtune" simulate add.elf --simulator $sim --collectors memory,warm-caches --json &&
            json "d[0]['collectors'] == 'memory+warm-caches' and d[0]['stats']['l2_misses'] <= 2 and d[0]['stats']['l1d_accesses'] >= 12288"
        expect 0 "$simtune" simulate add.elf --simulator $sim --collectors memory,caches --json &&
            json "d[0]['stats']['l2_misses'] >= 768"
    done
    expect 1 "$simtune" simulate add.elf --max-instructions 1000 && expect_err "instruction limit"
    head -c 4000 add.elf > truncated.elf
    expect 3 "$simtune" simulate truncated.elf && expect_err "truncated.elf"
    echo "not an elf" > text.elf
    expect 3 "$simtune" simulate text.elf && expect_err "invalid binary"
    expect 3 "$simtune" simulate add-a72.elf --target host-x86-64 && expect_err "wrong ISA"

    expect 0 "$simtune" measure add.elf --passes 2 --ms 5 && expect_out "add.elf"
    expect 0 "$simtune" measure add.elf add.elf --passes 2 --ms 5 --json &&
        json "len(d) == 2 and all(0 < t['seconds'] < 1e-3 and len(t['pass_seconds']) >= 2 for t in d)" # the noise gate may add passes
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
    # The shipped model's recipe: an ensemble file (the untrained estimate and relative pairwise trees), usable like any other.
    expect 0 "$simtune" train data.csv --model ensemble --rounds 20 --depth 3 -o ensemble.model --json &&
        json "d['kind'] == 'ensemble'"
    head -1 ensemble.model | grep -q "^simtune-model 1 ensemble$" || fail "ensemble.model is not an ensemble file"
    # Another recipe in the experiment's grammar; a member the experiment does not know is named.
    expect 0 "$simtune" train data.csv --model ensemble --recipe estimate+gbt-rel-rank-b3 --rounds 20 --depth 3 \
        -o ensemble-b3.model --json && json "d['kind'] == 'ensemble' and d['recipe'] == 'estimate+gbt-rel-rank-b3'"
    cmp -s ensemble.model ensemble-b3.model && fail "--recipe trained the shipped recipe"
    expect 2 "$simtune" train data.csv --model ensemble --recipe estimate+gbt-bogus -o bogus.model &&
        expect_err "gbt-bogus"
    expect 2 "$simtune" train data.csv --model gbt --recipe estimate -o bogus.model && expect_err "ensemble only"
    # --anchor: the relative trees learn times relative to the cycle estimate instead of MCA's cycles.
    expect 0 "$simtune" train data.csv --model ensemble --anchor estimate --rounds 20 --depth 3 -o anchored.model &&
        [ "$(grep -a '^anchor ' anchored.model | sort -u | wc -l)" = 1 ] ||
        fail "--anchor estimate: the trees are not anchored on the estimate member's expression"
    [ "$(grep -a '^anchor ' ensemble.model | sort -u | wc -l)" = 2 ] ||
        fail "the shipped recipe's trees are anchored on the estimate (they should use MCA's cycles)"
    expect 2 "$simtune" train data.csv --model ridge --anchor estimate -o bogus.model && expect_err "ensemble only"
    expect 0 "$simtune" report data.csv --model ridge.model --model gbt.model --out-dir report --json &&
        json "len(d['models']) == 2 and len(d['plots']) == 4 and all(m['mean']['candidates'] > 0 for m in d['models'])"
    # Beside the models, the untrained baselines of the same rows, simplest first.
    json "d['baselines'][0]['name'] == 'instruction count' and d['baselines'][-1]['name'] == 'untrained cycle estimate' and all(b['mean']['candidates'] == d['models'][0]['mean']['candidates'] and len(b['workloads']) == len(d['models'][0]['workloads']) for b in d['baselines'])"
    for png in report/ridge-predicted-vs-measured.png report/gbt-importance.png; do
        head -c 8 "$png" | grep -q PNG || fail "$png is not a PNG"
    done
    grep -q "| ridge | gemm-128x128x128 |" report/report.md || fail "report.md lacks the ridge row"
    grep -q "^| instruction count | " report/report.md || fail "report.md lacks the instruction-count baseline"
    expect 0 "$simtune" report data.csv --model ridge.model --out-dir report2 --no-plots && expect_out "top-k"
    # Ranking by an expression of the counters, no model needed: judged beside the baselines, on
    # their rows and metrics, so ranking by "instructions" reproduces the instruction-count baseline
    # workload by workload, and a second expression is judged on its own.
    expect 0 "$simtune" report data.csv --rank-by instructions --rank-by "max(instructions,2*mca_cycles)+15*branch_mispredicts" \
        --out-dir report6 --json &&
        json "d['models'] == [] and d['plots'] == [] and [b['name'] for b in d['baselines']][-2:] == ['instructions', 'max(instructions,2*mca_cycles)+15*branch_mispredicts'] and d['baselines'][-2]['workloads'] == d['baselines'][0]['workloads'] and d['baselines'][-1]['ranks_by'] == d['baselines'][-1]['name'] and d['baselines'][-1]['mean']['candidates'] == d['baselines'][0]['mean']['candidates']"
    expect 2 "$simtune" report data.csv --rank-by "instructions+no_such_counter" --no-plots &&
        expect_err "--rank-by" && expect_err "no_such_counter"
    expect 3 "$simtune" report data.csv --rank-by instructions --simulator qemu --no-plots &&
        expect_err "no qemu statistics"
    # The near-tie gate: each model judged a second time, ordering only the estimate's near-ties; positions, no MAPE.
    expect 0 "$simtune" report data.csv --model ensemble.model --near-tie-window 4 --out-dir report5 --no-plots --json &&
        json "[m['name'] for m in d['models']] == ['ensemble', 'ensemble gated 4%'] and d['models'][1]['mean']['mape'] is None and d['models'][1]['mean']['candidates'] == d['models'][0]['mean']['candidates']"
    # Leave one family out through the CLI (benchmarks/lofo_cli.py): gemm and dense, each ranked by
    # the recipe trained on the other only; FILE@TAG names the evaluated rows' machine.
    expect 0 $python "$src/benchmarks/lofo_cli.py" "$simtune" lofo data.csv data.csv@m -- --rounds 20 --depth 3 &&
        expect_out "^| m | 2 | "
    [ "$(tail -n +2 lofo/per-workload.csv | cut -d, -f1,2 | sort | tr '\n' ' ')" = "dense,dense-512x1024@m gemm,gemm-128x128x128@m " ] ||
        fail "lofo/per-workload.csv: $(cat lofo/per-workload.csv)"
    expect 0 $python "$src/benchmarks/lofo_cli.py" "$simtune" lofo2 data.csv data.csv@m --near-tie-window 4 -- \
        --rounds 20 --depth 3 && expect_out "^ranking: gated 4%" && expect_out "^ranking: estimate"
    [ "$(tail -n +2 lofo2/per-workload-gated-4.csv | wc -l)" = 2 ] || fail "lofo2/per-workload-gated-4.csv lacks rows"
    # Leave folds of families out (benchmarks/lofo_sets.py): two corpus folds, gemm and dense, each
    # ranked by the recipe trained on the other only, alone and gated.
    expect 0 $python "$src/benchmarks/lofo_sets.py" "$simtune" lofo3 data.csv data.csv@m --corpus-folds 2 -- \
        --rounds 20 --depth 3 && expect_out "^| model | m (2): " && expect_out "^| gated 4% | m (2): "
    [ "$(tail -n +2 lofo3/per-workload.csv | cut -d, -f1,3 | sort | tr '\n' ' ')" = "gated 4%,dense gated 4%,gemm model,dense model,gemm " ] ||
        fail "lofo3/per-workload.csv: $(cat lofo3/per-workload.csv)"
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
    expect 0 "$simtune" predict add.elf --model ensemble.model --json && json "d['predicted_seconds'] > 0"

    expect 0 "$simtune" tune --workload gemm-64x256x128 --variants 6 --top 3 --confirm 2 --passes 2 --ms 4 \
        --model ridge.model --json &&
        json "d['candidates'] == 6 and len(d['ranking']) == 3 and d['ranking'][0]['measured_seconds'] > 0 and d['ranking'][2]['measured_seconds'] is None"
    # With the gate, the near-ties (within 4 % of the estimate's cheapest) come first, by the model.
    expect 0 "$simtune" tune --workload gemm-64x256x128 --variants 8 --top 8 --model ensemble.model \
        --near-tie-window 4 --json &&
        json "(lambda r, n: n >= 1 and all(c['estimate_cycles'] <= 1.04 * min(x['estimate_cycles'] for x in r) for c in r[:n]) and all(c['estimate_cycles'] > 1.04 * min(x['estimate_cycles'] for x in r) for c in r[n:]) and [c['predicted_seconds'] for c in r[:n]] == sorted(c['predicted_seconds'] for c in r[:n]))(d['ranking'], d['near_tie_gate']['near_ties'])"
    rm -rf candidates && mkdir -p candidates
    "$simtune" build "$here/add.c" --buffers "$buffers" -o candidates/o2.elf >/dev/null
    "$simtune" build "$here/add.c" --buffers "$buffers" --flag -O0 -o candidates/o0.elf >/dev/null
    expect 0 "$simtune" tune candidates --model ridge.model --json &&
        json "d['succeeded'] == 2 and {r['name'] for r in d['ranking']} == {'o0', 'o2'}"
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
        expect_err "simtune tune: error: simulation fault: every one of the 2 candidates failed (2 simulation fault); the first, 'a'"
    [ $((SECONDS - start)) -le 60 ] || fail "the all-fail runs took $((SECONDS - start)) s; failing should be fast"
    echo "(the all-fail runs took $((SECONDS - start)) s)"
    ;;
userdir)
    # 20 variants of a 3-point row stencil (no built-in workload) and its buffers.spec.
    rm -rf stencil && "$here/stencil/generate.sh" stencil
    [ "$(ls stencil/*.c | wc -l)" -eq 20 ] || fail "the generator wrote $(ls stencil/*.c | wc -l) sources, not 20"
    timing=(--passes 3 --ms 2)
    expect 0 "$simtune" tune stencil --calibrate 0 --top 20 -q --json &&
        json "d['succeeded'] == 20 and len(d['ranking']) == 20 and 'calibration' not in d and len({r['name'] for r in d['ranking']}) == 20 and 'rc-u1-v0' in {r['name'] for r in d['ranking']}"
    cp out.txt uncalibrated.json
    expect 0 "$simtune" tune stencil --calibrate 5 --top 20 "${timing[@]}" -q --json &&
        json "d['succeeded'] == 20 and len(d['ranking']) == 20 and d['calibration']['measured'] == 5" &&
        json "len(set(d['calibration']['picks'])) == 5 and all(p in {r['name'] for r in d['ranking']} for p in d['calibration']['picks'])" &&
        json "sum(r['measured_seconds'] is not None for r in d['ranking']) == 5 and all(r['calibrated_seconds'] > 0 for r in d['ranking'])" &&
        json "all(r['calibrated_seconds'] == r['measured_seconds'] for r in d['ranking'] if r['measured_seconds'] is not None)" &&
        json "[r['calibrated_seconds'] for r in d['ranking']] == sorted(r['calibrated_seconds'] for r in d['ranking'])" &&
        json "d['calibration']['spearman_loo'] is not None and -1 <= d['calibration']['spearman_loo'] <= 1 and -1 <= d['calibration']['spearman_model'] <= 1"
    # The picks are spread over the predicted order: not simply the model's top 5.
    $python -c "
import json
before = json.load(open('uncalibrated.json'))['ranking']
picks = json.load(open('out.txt'))['calibration']['picks']
top5 = {r['name'] for r in before[:5]}
assert set(picks) != top5, (picks, top5)
assert picks[0] == before[0]['name'], (picks, before[0])  # the predicted best is measured first
positions = sorted([r['name'] for r in before].index(p) for p in picks)
assert positions[-1] >= 10, positions  # one from the slower half (the last stratum)
" || fail "the calibration picks are not spread over the predicted order"
    cp out.txt calibrated.json
    # Deterministic for a seed (the measured times differ, the picks do not).
    expect 0 "$simtune" tune stencil --calibrate 5 "${timing[@]}" -q --json &&
        $python -c "import json,sys; sys.exit(json.load(open('out.txt'))['calibration']['picks'] != json.load(open('calibrated.json'))['calibration']['picks'])" ||
        fail "the calibration picks differ between two runs with one seed"
    expect 0 "$simtune" tune stencil --calibrate 5 "${timing[@]}" -q && expect_out "calibrated on 5 measured candidates" &&
        expect_out "leave-one-out" && expect_out "calibrated"
    # --buffers instead of the spec file, and the dataset of the directory, which trains like any other.
    rm -rf nospec && mkdir nospec && cp stencil/*.c nospec/
    expect 2 "$simtune" tune nospec -q && expect_err "no buffers" && expect_err "buffers.spec"
    expect 0 "$simtune" tune nospec --buffers 'in:f32:16384:in;out:f32:16384:out' -q --json && json "d['succeeded'] == 20"
    rm -f stencil.csv
    expect 0 "$simtune" dataset stencil --out stencil.csv "${timing[@]}" -q --json &&
        json "d['rows'] == 20 and d['workloads'] == ['stencil']"
    grep -q '^stencil,rc-u1-v0,,' stencil.csv || fail "stencil.csv lacks the row stencil,rc-u1-v0"
    expect 0 "$simtune" dataset stencil --out named.csv --name rowblur "${timing[@]}" -q --json && json "d['workloads'] == ['rowblur']"
    expect 0 "$simtune" train stencil.csv --model ridge -o stencil.model --json && json "d['rows'] == 20 and d['workloads'] == ['stencil']"
    expect 0 "$simtune" tune stencil --model stencil.model --calibrate 5 "${timing[@]}" -q --json && json "d['succeeded'] == 20"
    expect 2 "$simtune" dataset stencil --workloads gemm-128x128x128 --out x.csv && expect_err "not both"
    # Bad inputs: an empty directory, a source that does not compile, bad --calibrate use.
    rm -rf empty && mkdir empty
    expect 2 "$simtune" tune empty -q && expect_err "no candidates in"
    expect 2 "$simtune" dataset empty --out e.csv -q && expect_err "no candidates in"
    rm -rf broken && mkdir broken && cp stencil/buffers.spec stencil/rc-u1-v0.c stencil/cr-u1-v0.c broken/
    printf 'void simtune_kernel(const float* in, float* out) { out[0] = in[0] +; }\n' > broken/typo.c
    expect 0 "$simtune" tune broken -q && expect_err "failed: typo: build failed"
    expect 0 "$simtune" tune broken --calibrate 2 "${timing[@]}" -q --json &&
        json "d['succeeded'] == 2 and d['failed'] == 1 and d['failures'][0]['name'] == 'typo' and d['calibration']['measured'] == 2"
    rm broken/rc-u1-v0.c broken/cr-u1-v0.c
    expect 1 "$simtune" tune broken -q && expect_err "the only candidate failed (1 build failed); the first, 'typo'"
    expect 2 "$simtune" tune stencil --calibrate 3 --confirm 2 && expect_err "choose one"
    expect 2 "$simtune" tune stencil --times-csv t.csv && expect_err "need --calibrate"
    ;;
userdir_board)
    # The same directory for a board: cortex-a72 (cross-compiled, simulated, ranked by the analytic
    # model), its times given as a CSV as a user would write after timing on the board.
    rm -rf stencil && "$here/stencil/generate.sh" stencil
    a72=(--target cortex-a72 --model analytic)
    # No way to time: the error names the candidates to time on the board.
    expect 2 "$simtune" tune stencil "${a72[@]}" --calibrate 5 -q && expect_err "time these 5 candidates on the board"
    picks=$(sed -n 's/.*--command TEMPLATE: //p' err.txt)
    # The board's times: every candidate (keys by stem), as `key,seconds` rows.
    { echo "key,seconds"; i=0; for f in stencil/*.c; do i=$((i + 1)); n=$(basename "$f" .c)
        echo "$n,$(awk -v i=$i 'BEGIN { printf "%.3e", 2e-5 * (1 + (i * 7) % 20) }')"; done; } > board.csv
    expect 0 "$simtune" tune stencil "${a72[@]}" --calibrate 0 --top 20 -q --json &&
        json "d['target'] == 'cortex-a72' and d['succeeded'] == 20 and len(d['ranking']) == 20"
    expect 0 "$simtune" tune stencil "${a72[@]}" --calibrate 5 --times-csv board.csv --top 20 -q --json &&
        json "d['succeeded'] == 20 and len(d['ranking']) == 20 and len(set(d['calibration']['picks'])) == 5" &&
        json "', '.join(d['calibration']['picks']) == '$picks'" &&
        json "d['calibration']['spearman_loo'] is not None and abs(d['calibration']['spearman_loo']) <= 1"
    # Times keyed "<directory>/<stem>" (a dataset's keys) work too; missing keys are named.
    sed '2,$ s/^/stencil\//' board.csv > board-keyed.csv
    expect 0 "$simtune" tune stencil "${a72[@]}" --calibrate 5 --times-csv board-keyed.csv -q --json && json "d['calibration']['measured'] == 5"
    first_pick=${picks%%,*}
    grep -v "^$first_pick," board.csv > board-missing.csv
    expect 3 "$simtune" tune stencil "${a72[@]}" --calibrate 5 --times-csv board-missing.csv -q &&
        expect_err "board-missing.csv has no time for 1 of the 5 candidates to calibrate on: $first_pick"
    printf 'key,seconds\nrc-u1-v0,fast\n' > board-bad.csv
    expect 3 "$simtune" tune stencil "${a72[@]}" --calibrate 5 --times-csv board-bad.csv -q && expect_err "board-bad.csv:2"
    # The board's dataset from the directory and its times; it trains, and the model ranks.
    rm -f a72.csv
    expect 0 "$simtune" dataset stencil --target cortex-a72 --times-csv board.csv --out a72.csv -q --json &&
        json "d['rows'] == 20 and d['target'] == 'cortex-a72'"
    expect 0 "$simtune" train a72.csv --target cortex-a72 --model gbt --rounds 20 --depth 2 -o a72.model && expect_out "gbt model"
    expect 0 "$simtune" tune stencil --target cortex-a72 --model a72.model --calibrate 5 --times-csv board.csv -q --json &&
        json "d['succeeded'] == 20 and d['calibration']['measured'] == 5"
    ;;
*)
    echo "unknown section $section"; exit 2 ;;
esac

if [ $failures -gt 0 ]; then
    echo "$failures check(s) failed in section $section"
    exit 1
fi
echo "cli $section: all checks passed"
