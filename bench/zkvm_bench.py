#!/usr/bin/env python3
"""zkVM proving benchmark (not a test): RISC-V steps proven per second, peak memory per step,
proof size and verification time, with the breakdown by phase and by AIR.

usage: zkvm_bench.py [--build DIR] [--logs 18,19,20] [--segment-bits K] [--runs N] [--write FILE]

The guest is guests/examples/bench.c (memory traffic, mul/div, SHA-256); its iteration count
is chosen so that each run has about 2^log RISC-V steps (one iteration is ~275k steps, the
set-up ~232k). For each size: `zisk prove --json` N times (default 5; the run with the median
prove time is reported, with the fastest and slowest; peak RSS of the process from wait4), then
`zisk verify` (wall time, best of 3). The machine is a shared 2-core VM whose single runs vary
by 5-10%, so one run is not a measurement. With --write, the tables replace the block between the
zkvm-bench markers in FILE (docs/PERFORMANCE.md).
"""
import argparse
import json
import os
import struct
import subprocess
import tempfile
import time

from benchlib import cpu_model

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))




def run_rusage(cmd):
    """Runs cmd; returns (returncode, stdout, stderr, seconds, peak RSS bytes)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = b"", b""
    # read pipes fully, then reap with wait4 to get this child's own rusage
    out, err = p.stdout.read(), p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, out.decode(), err.decode(), time.perf_counter() - t0, ru.ru_maxrss * 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--logs", default="18,19,20")
    ap.add_argument("--segment-bits", type=int, default=18)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--write")
    a = ap.parse_args()
    zisk = os.path.join(a.build, "bin", "zisk")
    elf = os.path.join(a.build, "guests", "bench.elf")
    tmp = tempfile.mkdtemp(prefix="zkvm-bench-")
    pk = os.path.join(tmp, "pk")
    subprocess.run([zisk, "setup", "--elf", elf, "--proving-key", pk], check=True, capture_output=True)
    rows = []
    for lg in [int(x) for x in a.logs.split(",")]:
        target = 1 << lg
        iters = max(0, round((target - 232000) / 275000))
        inp = os.path.join(tmp, f"in{lg}")
        with open(inp, "wb") as f:
            f.write(struct.pack("<QQ", 8, iters))
        proof = os.path.join(tmp, f"p{lg}")
        runs = []
        for _ in range(a.runs):
            rc, out, err, secs, rss = run_rusage([zisk, "prove", "--elf", elf, "--input", inp, "-o", proof,
                                                 "--segment-bits", str(a.segment_bits), "--proving-key", pk, "--json"])
            if rc != 0:
                raise SystemExit(f"prove failed for 2^{lg}: {err}")
            runs.append((json.loads(out), secs, rss))
        runs.sort(key=lambda r: r[0]["seconds"]["total"])
        p, secs, rss = runs[len(runs) // 2]
        p["_spread"] = (runs[0][0]["seconds"]["total"], runs[-1][0]["seconds"]["total"])
        best = None
        for _ in range(3):
            t0 = time.perf_counter()
            r = subprocess.run([zisk, "verify", "--proof", proof, "--proving-key", pk], capture_output=True)
            dt = time.perf_counter() - t0
            if r.returncode != 0:
                raise SystemExit(f"verify failed for 2^{lg}: {r.stderr.decode()}")
            best = dt if best is None else min(best, dt)
        rows.append((lg, iters, p, secs, rss, best))
        print(f"2^{lg}: {p['steps']} steps, prove {p['seconds']['total']:.2f} s (runs {p['_spread'][0]:.2f}-{p['_spread'][1]:.2f}) = {p['steps'] / p['seconds']['total']:.0f} "
              f"steps/s, peak RSS {rss / 2**20:.0f} MiB ({rss / p['steps']:.0f} B/step), proof {p['proof_bytes'] / 2**20:.1f} MiB, "
              f"verify {best * 1000:.0f} ms ({p['instances']} instances)", flush=True)
        os.remove(proof)
    ncpu = os.cpu_count()
    lines = [
        f"Machine: {cpu_model()}, {ncpu} cores; guest `bench.elf`; `zisk prove --segment-bits {a.segment_bits}` "
        f"(all instances in one process, {ncpu} threads), the median of {a.runs} runs (all {a.runs} in the "
        "range column); verification: `zisk verify` wall time, best of 3, proving-key folder present.",
        "",
        "| steps | instances | prove s | steps/s | runs (s) | peak RSS | bytes/step | proof | verify | verify per instance |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for lg, iters, p, secs, rss, vt in rows:
        st = p["steps"]
        lines.append(f"| {st:,} (~2^{lg}) | {p['instances']} | {p['seconds']['total']:.2f} | {st / p['seconds']['total']:,.0f} | "
                     f"{p['_spread'][0]:.2f}-{p['_spread'][1]:.2f} | "
                     f"{rss / 2**20:,.0f} MiB | {rss / st:,.0f} | {p['proof_bytes'] / 2**20:.1f} MiB | {vt * 1000:.0f} ms | "
                     f"{vt * 1000 / p['instances']:.1f} ms |")
    lg, iters, p, secs, rss, vt = rows[-1]
    s = p["seconds"]
    lines += ["", f"Breakdown of the largest run (2^{lg}), by phase: execute {s['execute']:.2f} s, traces {s['trace']:.2f} s, "
              f"keys {s['setup']:.2f} s, STARK {s['prove']:.2f} s (of {s['total']:.2f} s). By AIR (STARK seconds, "
              "stage 1 + finish, all instances of the kind) below."]
    ps = p["prove_seconds_by_step"]
    stot = sum(ps.values())
    lines += ["", "The same run by STARK step (all instances; `commit` is Merkle hashing, the rest is field "
              f"work), {p['lde_cells'] / p['steps']:,.0f} committed LDE cells per RISC-V step "
              f"({p['lde_cells'] / 8 / p['steps']:,.0f} Poseidon2 permutations for the leaves):", "",
              "| step | seconds | share |", "|---|---:|---:|"]
    for k, v in ps.items():
        lines.append(f"| {k} | {v:.2f} | {100 * v / stot:.0f}% |")
    lines += ["", "By AIR:", "", "| AIR | seconds | share |", "|---|---:|---:|"]
    tot = sum(p["prove_seconds_by_air"].values())
    for k, v in sorted(p["prove_seconds_by_air"].items(), key=lambda kv: -kv[1]):
        lines.append(f"| {k} | {v:.2f} | {100 * v / tot:.0f}% |")
    table = "\n".join(lines)
    print(table)
    if a.write:
        text = open(a.write).read()
        b, e = "<!-- zkvm-bench:begin -->", "<!-- zkvm-bench:end -->"
        if b in text and e in text:
            text = text[: text.index(b) + len(b)] + "\n" + table + "\n" + text[text.index(e):]
        else:
            text += f"\n{b}\n{table}\n{e}\n"
        open(a.write, "w").write(text)


if __name__ == "__main__":
    main()
