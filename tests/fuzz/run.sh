#!/bin/bash
# Runs one libFuzzer target for a time and reports executions and findings.
#   run.sh FUZZER SEED_CORPUS WORKDIR SECONDS
# New inputs go to WORKDIR/corpus (the checked-in seeds are only read), crashes, leaks, timeouts
# and out-of-memory inputs to WORKDIR/artifacts. Prints "<name>: no findings" or the findings.
set -uo pipefail
fuzzer=$1 seeds=$2 work=$3 seconds=$4
name=$(basename "$fuzzer")
rm -rf "$work" && mkdir -p "$work/corpus" "$work/artifacts"
# stdout closed (-close_fd_mask=1): the argument parser prints --help there; reports go to stderr.
"$fuzzer" "$work/corpus" "$seeds" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
    -close_fd_mask=1 -artifact_prefix="$work/artifacts/" > "$work/log.txt" 2>&1
rc=$?
execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/log.txt" | grep -o '[0-9]*$')
cov=$(grep -o 'cov: [0-9]*' "$work/log.txt" | tail -1 | grep -o '[0-9]*')
findings=$(ls "$work/artifacts" | wc -l)
echo "$name: ${seconds} s, ${execs:-?} executions, coverage ${cov:-?}, corpus $(ls "$work/corpus" | wc -l) new + $(ls "$seeds" | wc -l) seeds, exit $rc, $findings finding(s)"
if [[ $rc -ne 0 || $findings -ne 0 ]]; then
    grep -E "ERROR|SUMMARY|runtime error|==[0-9]+==" "$work/log.txt" | head -20
    ls -la "$work/artifacts"
    echo "$name: FINDINGS (log: $work/log.txt)"
    exit 1
fi
echo "$name: no findings"
