#!/usr/bin/env bash
# The test command: installs dependencies, then builds and runs the whole suite through ctest
# twice: a Release build (build/) and an AddressSanitizer + UndefinedBehaviorSanitizer build
# (build-asan/). ZISK_TEST_SANITIZE=0 skips the sanitizer pass; ZISK_TEST_SANITIZE=only runs
# just that one.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
jobs=$(nproc)
mode=${ZISK_TEST_SANITIZE:-1}

run_suite() { # dir, cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  (cd "$dir" && ctest --output-on-failure -j "$jobs" --timeout 600)
}

if [ "$mode" != only ]; then
  echo "== Release build and tests (build/)"
  run_suite build -DCMAKE_BUILD_TYPE=Release
fi
if [ "$mode" != 0 ]; then
  echo "== AddressSanitizer + UndefinedBehaviorSanitizer build and tests (build-asan/)"
  run_suite build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZISK_SANITIZE=ON
fi
