#!/usr/bin/env bash
# Installs everything simtune needs from Debian 12 packages, then proves the result: for each of the
# three targets it compiles, links statically and runs a tiny C program (x86-64 natively, AArch64
# and RISC-V 64 under qemu-user), and checks the other tools the build and tests call. Package names
# are not trusted: a compiler whose C library is missing installs fine and fails at the first build.
#
#   cmake/setup-debian.sh          install what is missing (silent when all is present), then prove
#   cmake/setup-debian.sh --check  only the proof; exits non-zero naming the missing piece
#
# Idempotent. Run as root or with sudo available (only the install needs it).
set -euo pipefail

check_only=0
case "${1:-}" in
  "") ;;
  --check) check_only=1 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

packages=(
  build-essential cmake ninja-build pkg-config git      # the build
  libeigen3-dev libfmt-dev librange-v3-dev doctest-dev   # header libraries the library uses
  libunicorn-dev libcapstone-dev qemu-user               # the simulators and the decoder
  gcc-aarch64-linux-gnu gcc-riscv64-linux-gnu            # cross compilers for the board targets
  libc6-dev-arm64-cross libc6-dev-riscv64-cross          # their C libraries (only Recommends of the compilers)
  libbenchmark-dev libxgboost-dev                        # benchmarks (XGBoost only as a yardstick)
  python3 python3-dev python3-pybind11 python3-numpy     # the Python binding, for /usr/bin/python3
  python3-matplotlib nlohmann-json3-dev                  # the simtune command: report plots, --json output
  libmlir-15-dev mlir-15-tools llvm-15 llvm-15-dev       # examples/mlir-pass: MLIR 15 and llc for the targets
  libopenmpi-dev openmpi-bin                             # distributed dataset/tune (SIMTUNE_WITH_MPI)
  clang-15 libfuzzer-15-dev                              # the fuzz targets (preset fuzz, SIMTUNE_BUILD_FUZZERS)
  clang-format-15                                        # cmake/format-check.sh
)

# The proof. Each step names what it needs, so a failure says which package to look at.
prove() {
  local dir failures=0
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' RETURN
  cat >"$dir/probe.c" <<'C'
#include <stdio.h>
#include <math.h>
#include <stdint.h>
int main(void) { volatile double x = 2.0; printf("simtune-probe %d\n", (int)(sqrt(x) * 1000)); return 0; }
C
  fail() { echo "simtune setup: FAILED: $*" >&2; failures=$((failures + 1)); }
  # target: compiler, its flags, how to run the result
  local probe
  for probe in "x86-64|gcc|-march=x86-64-v2|" \
               "AArch64|aarch64-linux-gnu-gcc|-mcpu=cortex-a72|qemu-aarch64 -cpu cortex-a72" \
               "RISC-V 64|riscv64-linux-gnu-gcc|-march=rv64gc -mabi=lp64d|qemu-riscv64 -cpu rv64"; do
    IFS='|' read -r name cc flags runner <<<"$probe"
    local exe="$dir/probe-${cc%%-*}" log="$dir/log"
    if ! command -v "$cc" >/dev/null; then fail "$name: compiler $cc not found"; continue; fi
    # shellcheck disable=SC2086
    if ! "$cc" -O2 -static $flags -o "$exe" "$dir/probe.c" -lm >"$log" 2>&1; then
      fail "$name: $cc cannot build a static C program (its C library headers or static libc missing?): $(grep -m1 -E 'error|cannot find' "$log" || head -n1 "$log")"
      continue
    fi
    local runner_bin="${runner%% *}"
    if [ -n "$runner" ] && ! command -v "$runner_bin" >/dev/null; then fail "$name: $runner_bin not found (qemu-user)"; continue; fi
    # shellcheck disable=SC2086
    if ! out=$($runner "$exe" 2>&1) || [ "$out" != "simtune-probe 1414" ]; then
      fail "$name: the probe built but did not run correctly${runner:+ under $runner_bin}: $out"
    fi
  done
  local tool
  for tool in cmake ninja pkg-config /usr/bin/python3 mlir-opt-15 llc-15 mpirun clang-format-15; do
    command -v "$tool" >/dev/null || fail "tool $tool not found"
  done
  /usr/bin/python3 -c 'import pybind11, numpy' 2>/dev/null || fail "/usr/bin/python3 cannot import pybind11 and numpy"
  local pc
  for pc in eigen3 fmt capstone unicorn; do
    pkg-config --exists "$pc" || fail "pkg-config does not know $pc (its -dev package)"
  done
  [ -f /usr/include/doctest/doctest.h ] || fail "doctest header missing (doctest-dev)"
  [ -d /usr/include/range/v3 ] || fail "range-v3 headers missing (librange-v3-dev)"
  [ -f /usr/lib/llvm-15/lib/libLLVM-15.so ] || fail "libLLVM-15.so missing (llvm-15-dev)"
  # libFuzzer with the sanitizers the fuzz targets use: a one-line fuzzer must link and run.
  if ! command -v clang++-15 >/dev/null; then
    fail "clang++-15 not found (clang-15)"
  else
    echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' >"$dir/fuzz.cpp"
    if ! clang++-15 -fsanitize=fuzzer,address,undefined -o "$dir/fuzz" "$dir/fuzz.cpp" >"$dir/log" 2>&1; then
      fail "clang++-15 cannot link a libFuzzer target (libfuzzer-15-dev): $(head -n1 "$dir/log")"
    elif ! "$dir/fuzz" -runs=10 >"$dir/log" 2>&1; then
      fail "a libFuzzer target built by clang++-15 does not run: $(tail -n1 "$dir/log")"
    fi
  fi
  if [ "$failures" -ne 0 ]; then
    echo "simtune setup: $failures check(s) failed; run $0 (as root or with sudo) to install what is missing" >&2
    return 1
  fi
}

if [ "$check_only" -eq 0 ]; then
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -ne 0 ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "simtune setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi
prove
