#!/usr/bin/env bash
# Wall-clock time of one small dataset build, single process vs `mpirun -np 2`, on this machine.
# usage: benchmarks/mpi_dataset.sh SIMTUNE [REPEATS] [VARIANTS per workload]
# Builds come from a warmed build cache and times from --times-csv, so what is timed is simulation
# (Unicorn and QEMU) plus the MPI exchange. Configurations run interleaved, REPEATS rounds; the
# table shows the median and the range.
set -euo pipefail
simtune=$(realpath "$1") repeats=${2:-3} variants=${3:-24}
python=/usr/bin/python3
work=$(mktemp -d /tmp/simtune-bench-mpi-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
export SIMTUNE_CACHE_DIR=$work/cache
mpirun=(mpirun --allow-run-as-root --oversubscribe --bind-to none)
space=(--workloads gemm-128x128x128,dense-512x1024 --variants "$variants" --simulators unicorn,qemu)

# Warm-up: fills the build cache and measures real times once (reused as --times-csv).
"$simtune" dataset "${space[@]}" --passes 1 --ms 3 --out warm.csv -q > /dev/null
$python -c 'import csv,sys; rows=list(csv.DictReader(open("warm.csv"))); open("times.csv","w").write("key,seconds\n"+"".join(r["workload"]+"/"+r["variant"]+","+r["seconds"]+"\n" for r in rows))'

configs=("1 process, --workers 1|-np 1|1" "1 process, --workers 2 (default)|-np 1|2"
         "mpirun -np 2, --workers 1 each|-np 2|1" "mpirun -np 2, --workers 2 each|-np 2|2")
declare -A seconds
for round in $(seq "$repeats"); do
    for c in "${configs[@]}"; do
        IFS='|' read -r name np workers <<< "$c"
        rm -f out.csv
        if [ "$np" = "-np 1" ]; then cmd=("$simtune"); else cmd=("${mpirun[@]}" $np "$simtune"); fi
        start=$(date +%s.%N)
        "${cmd[@]}" dataset "${space[@]}" --times-csv times.csv --workers "$workers" --out out.csv -q > /dev/null
        seconds[$name]="${seconds[$name]:-} $(echo "$(date +%s.%N) - $start" | bc)"
    done
done
start=$(date +%s.%N)
"${mpirun[@]}" -np 2 "$simtune" --version > /dev/null
launch=$(echo "$(date +%s.%N) - $start" | bc)
echo "$(( $(wc -l < times.csv) - 1 )) variants, Unicorn and QEMU each; mpirun -np 2 start-up and exit alone: ${launch} s"
printf '%-36s %10s %18s\n' configuration median "range (s)"
for c in "${configs[@]}"; do
    name=${c%%|*}
    $python -c 'import sys,statistics as s; v=sorted(map(float,sys.argv[2:])); print(f"{sys.argv[1]:<36} {s.median(v):9.2f}s {v[0]:8.2f} - {v[-1]:.2f}")' "$name" ${seconds[$name]}
done
