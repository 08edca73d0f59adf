#!/bin/bash
# The pass's scratch directory is its own (mkdtemp), never one someone else made under a name they
# could predict: a directory planted at the old name simtune-mlir-<pid>-0 (world-writable, with a
# file in it) is neither used nor removed, and the pass leaves no scratch directory behind.
#   scratch.sh OPT INPUT
set -uo pipefail
opt=$1 input=$2
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
status=0
# The subshell plants the directory under its own pid, then becomes the pass (exec keeps the pid).
(
    planted=$tmp/simtune-mlir-$BASHPID-0
    mkdir -p "$planted" && chmod 777 "$planted" && echo "not yours" > "$planted/kernel.o"
    exec env TMPDIR="$tmp" "$opt" "--simtune-tile-matmul=target=host-x86-64 tiles=8,8,8;16,16,16 verify=false" \
        "$input" -o /dev/null 2> "$tmp/err.txt"
)
rc=$?
[[ $rc -eq 0 ]] || { echo "FAILED: the pass exited with $rc"; tail -20 "$tmp/err.txt"; status=1; }
planted=$(ls -d "$tmp"/simtune-mlir-*-0 2>/dev/null)
if [[ -z "$planted" || "$(cat "$planted/kernel.o" 2>/dev/null)" != "not yours" ]]; then
    echo "FAILED: the pass used (and removed) the planted directory"
    status=1
fi
others=$(ls -d "$tmp"/simtune-mlir-* 2>/dev/null | grep -v -- "-0$")
[[ -z "$others" ]] || { echo "FAILED: scratch directories left behind: $others"; status=1; }
[[ $status -eq 0 ]] && echo "mlir scratch: all checks passed"
exit $status
