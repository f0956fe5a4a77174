#!/usr/bin/env bash
# The main job, end to end: install dependencies, build, run every example guest with the
# emulator, then start a local cluster (one coordinator, two workers, loopback, free ports) and
# run a setup and an execute job through it with `zisk client`. In between, one example is
# proven and the proof verified (`zisk setup`, `zisk prove`, `zisk verify`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)"
Z=build/bin/zisk
G=build/guests
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

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

echo
echo "== proof: sha256 of \"abc\" proven and verified (the proving key goes to a temporary folder)"
"$Z" input -o "$tmp/sha.in" --string "abc"
vk=$("$Z" setup --elf "$G/sha256.elf" --proving-key "$tmp/pk")
echo "program VK: $vk"
"$Z" prove --elf "$G/sha256.elf" --input "$tmp/sha.in" -o "$tmp/sha.proof" --proving-key "$tmp/pk"
"$Z" verify --proof "$tmp/sha.proof" --vk "$vk" --proving-key "$tmp/pk"

echo
echo "== local cluster: one coordinator and two workers on loopback"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
api=$(free_port); cluster=$(free_port); metrics=$(free_port)
build/bin/zisk-coordinator --api-port "$api" --cluster-port "$cluster" --metrics-port "$metrics" \
  --data-dir "$tmp/coordinator" --log-level warn 2>"$tmp/coordinator.log" &
pids+=($!)
mkdir -p "$tmp/inputs"
for i in 1 2; do
  ZISK_WORKER_INPUTS_FOLDER="$tmp/inputs" ZISK_WORKER_LOG_LEVEL=warn \
    build/bin/zisk-worker --coordinator-url "http://127.0.0.1:$cluster" --worker-id "demo-worker-$i" \
    --compute-capacity $((i * 5)) 2>"$tmp/worker$i.log" &
  pids+=($!)
done
export ZISK_COORDINATOR_URL="http://127.0.0.1:$api"
for _ in $(seq 100); do
  [ "$("$Z" client workers --json 2>/dev/null | grep -o '"state":"ready"' | wc -l)" -ge 2 ] && break
  sleep 0.1
done
"$Z" client workers
prog=$("$Z" client register --elf "$G/fibonacci.elf")
echo "registered fibonacci: $prog"
"$Z" client setup --program "$prog"
"$Z" client execute --program "$prog" --input "$tmp/fib.in"
"$Z" client jobs
python3 - "$metrics" <<'PY'
import sys, urllib.request
text = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics", timeout=5).read().decode()
series = [l for l in text.splitlines() if l.startswith("zisk_")]
print(f"metrics: {len(series)} zisk_* series at http://127.0.0.1:{sys.argv[1]}/metrics")
PY
