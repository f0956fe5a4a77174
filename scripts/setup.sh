#!/usr/bin/env bash
# Installs everything the build and the tests need, with apt-get (Debian; run as root or with
# sudo available). Idempotent: when every package is already present it only checks, in well
# under a second.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config   # the build
  libcmocka-dev                                  # unit tests
  python3                                        # test drivers and native references
  gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf  # guest toolchain
  qemu-user                                      # qemu-riscv64: the reference emulator in tests and benchmarks
  libgrpc-dev protobuf-c-compiler libprotobuf-c-dev  # the wire: gRPC C core + protobuf-c
  libsqlite3-dev libmicrohttpd-dev uuid-dev libssl-dev  # coordinator state, /metrics, ids, SHA-256
  python3-grpcio python3-grpc-tools              # a real third-party gRPC client in tests (/usr/bin/python3)
)
if [ "${ZISK_SETUP_FUZZ:-0}" = 1 ]; then
  PACKAGES+=(clang libclang-rt-dev)             # libFuzzer, for tests/fuzz/run_fuzzers.sh
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1
  fi
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
