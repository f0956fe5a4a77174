#!/bin/sh
# run_fuzzers.sh: builds the libFuzzer targets with clang and runs each for a while.
# For developers; CI only replays the saved corpora (ctest -R fuzz_replay).
#
# Usage: tests/fuzz/run_fuzzers.sh [SECONDS_EACH] [TARGET...]
#   SECONDS_EACH  default 60; TARGETs default to "elf decode".
# Environment:
#   BUILD_DIR     build folder (default <repo>/build-fuzz), configured with clang + ZISK_FUZZ=ON
#   JOBS          parallel fuzzing processes per target (default 1)
#   MERGE=1       afterwards, merge the inputs that add coverage into tests/fuzz/corpus/<target>
#                 (libFuzzer -merge keeps only inputs with new coverage; review before committing)
#
# Fuzzing works on a scratch copy of the corpus under $BUILD_DIR/fuzz-work/<target>, so the
# committed corpus only grows through MERGE=1. Crashes land in $BUILD_DIR/fuzz-artifacts/; a
# crash reproduces with: $BUILD_DIR/bin/fuzz_<target> <artifact>, or in any build with
# bin/fuzz_replay_<target> <artifact>. Minimise one with: fuzz_<target> -minimize_crash=1
# -runs=10000 <artifact>.
set -eu

seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-elf decode}

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-$repo/build-fuzz}
jobs=${JOBS:-1}
cc=${CC:-clang}

cmake -S "$repo" -B "$build" -DCMAKE_C_COMPILER="$cc" -DZISK_FUZZ=ON \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZISK_BUILD_GUESTS=OFF >/dev/null
for t in $targets; do
    cmake --build "$build" --target "fuzz_$t" -j "$(nproc)" >/dev/null
done

status=0
mkdir -p "$build/fuzz-artifacts"
for t in $targets; do
    work="$build/fuzz-work/$t"
    mkdir -p "$work"
    cp -n "$here/corpus/$t/"* "$work/" 2>/dev/null || true
    echo "== fuzz_$t for ${seconds}s ($jobs job(s)); corpus $work"
    # -max_len keeps inputs corpus-sized (the largest seeds, repacked guests, are < 8 KiB);
    # -timeout flags hangs (every run is step-bounded, so a slow input is a bug too).
    # With JOBS > 1, libFuzzer runs child processes that share $work (logs: fuzz-N.log in $build).
    par=""
    [ "$jobs" -gt 1 ] && par="-jobs=$jobs -workers=$jobs"
    # shellcheck disable=SC2086
    if ! (cd "$build" && "$build/bin/fuzz_$t" -max_total_time="$seconds" -max_len=8192 \
            -timeout=10 -rss_limit_mb=4096 $par -print_final_stats=1 \
            -artifact_prefix="$build/fuzz-artifacts/${t}-" "$work" \
            >"$build/fuzz-$t.log" 2>&1); then
        status=1
        echo "   fuzz_$t stopped on a finding; see $build/fuzz-$t.log and $build/fuzz-artifacts/"
    fi
    tail -n 8 "$build/fuzz-$t.log" | grep -E "stat::|Done|ERROR" || true
    if [ "${MERGE:-0}" = 1 ]; then
        "$build/bin/fuzz_$t" -merge=1 -max_len=8192 "$here/corpus/$t" "$work" \
            >"$build/fuzz-$t-merge.log" 2>&1
        echo "   merged new-coverage inputs into tests/fuzz/corpus/$t"
    fi
done
exit $status
