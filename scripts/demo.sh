#!/usr/bin/env bash
# The main job, end to end: install dependencies, build, then run every example guest with the
# emulator and print its results. (Proving and the local cluster join this script when they
# exist.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)"
Z=build/bin/zisk
G=build/guests
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

run() { # name, then input args for 'zisk input'
  local name=$1; shift
  echo "== $name"
  if [ $# -gt 0 ]; then
    "$Z" input -o "$tmp/$name.in" "$@"
    "$Z" execute --elf "$G/$name.elf" --input "$tmp/$name.in"
  else
    "$Z" execute --elf "$G/$name.elf"
  fi
  echo
}

run hello      --u64 2
run fibonacci  --u64 90
run sha256     --string "abc"
run keccak     --string "abc"
run sort       --u64 6 --u64-list 42,7,1000000007,3,99,7
run bigint     --hex 0123456789abcdeffedcba9876543210 --hex ffffffffffffffffffffffffffffffff
echo "== checkpoints: record fibonacci in segments of 2^6 steps, then replay every segment alone"
"$Z" input -o "$tmp/fib.in" --u64 90
"$Z" execute --elf "$G/fibonacci.elf" --input "$tmp/fib.in" --segment-bits 6 --checkpoints "$tmp/fib.ckpt" >/dev/null 2>&1
"$Z" replay --elf "$G/fibonacci.elf" --checkpoints "$tmp/fib.ckpt"
echo
echo "== emulator speed: bench guest (about 2.8e8 instructions)"
"$Z" input -o "$tmp/bench.in" --u64 1000
"$Z" execute --elf "$G/bench.elf" --input "$tmp/bench.in" 2>&1 | grep -E 'bench:|steps:|seconds:|speed:'
