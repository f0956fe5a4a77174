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
