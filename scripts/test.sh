#!/usr/bin/env bash
# The test command: installs dependencies, builds (Release) and runs every test through ctest.
# ZISK_SANITIZE=1 builds into build-asan with AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
jobs=$(nproc)
if [ "${ZISK_SANITIZE:-0}" = 1 ]; then
  dir=build-asan; extra=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DZISK_SANITIZE=ON)
else
  dir=build; extra=(-DCMAKE_BUILD_TYPE=Release)
fi
cmake -S . -B "$dir" -G Ninja "${extra[@]}" >/dev/null
cmake --build "$dir" -j "$jobs"
cd "$dir"
ctest --output-on-failure -j "$jobs" --timeout 600
