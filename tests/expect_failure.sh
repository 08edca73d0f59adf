#!/usr/bin/env bash
# A negative test of a test helper: runs HELPER ARGS... (pointed at a deliberately failing program)
# and checks that the helper fails cleanly: exit status 1 (no crash, no recursion, no hang past
# 120 s) and its output saying MESSAGE.
#   expect_failure.sh MESSAGE HELPER ARGS...
set -uo pipefail
message=$1
shift
rc=0
out=$(timeout 120 "$@" 2>&1) || rc=$?
printf '%s\n' "$out" | tail -n 30
if [[ $rc -ne 1 ]]; then
    echo "NEGATIVE TEST FAILED: $(basename "$1") exited with $rc, not 1"
    exit 1
fi
if ! grep -qF -- "$message" <<< "$out"; then
    echo "NEGATIVE TEST FAILED: $(basename "$1") did not say '$message'"
    exit 1
fi
echo "negative test passed: $(basename "$1") failed cleanly (exit 1): $(grep -m1 -F -- "$message" <<< "$out")"
