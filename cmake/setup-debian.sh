#!/usr/bin/env bash
# Installs everything simtune needs from Debian 12 packages. Idempotent: it asks apt only for what
# is missing, and prints nothing when all is present. Run as root or with sudo available.
set -euo pipefail

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
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "simtune setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
