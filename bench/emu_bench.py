#!/usr/bin/env python3
"""Emulator benchmark: emulated RISC-V instructions per second of `zisk execute` (interpreter)
on the compute-heavy bench guest, side by side with qemu-riscv64 running the Linux-ABI build of
the same guest source in the same run. Not a test: it never fails on a number.

usage: emu_bench.py [--build DIR] [--iterations N] [--repeat R] [--write docs/PERFORMANCE.md]

The instruction count is the step count zisk reports (qemu runs the same guest code; only the
runtime's start-up and exit differ, a few hundred instructions). Each figure is the best of R
runs (least disturbed by the machine). With --write, the table replaces the block between the
emu-bench markers in the given file.
"""
import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

from benchlib import cpu_model




def best_of(repeat, fn):
    return min(fn() for _ in range(repeat))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--iterations", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--write", metavar="FILE")
    args = ap.parse_args()

    zisk = os.path.join(args.build, "bin", "zisk")
    elf = os.path.join(args.build, "guests", "bench.elf")
    linux_elf = os.path.join(args.build, "guests", "linux", "bench.elf")
    qemu = shutil.which("qemu-riscv64")
    for p in (zisk, elf, linux_elf):
        if not os.path.exists(p):
            sys.exit(f"emu_bench: {p} is missing: build the project first (cmake --build {args.build})")
    if not qemu:
        sys.exit("emu_bench: qemu-riscv64 not found (apt-get install qemu-user)")

    tmp = tempfile.mkdtemp()
    try:
        rec = os.path.join(tmp, "iters.bin")
        with open(rec, "wb") as f:
            f.write(struct.pack("<QQ", 8, args.iterations))

        def zisk_run(extra=()):
            r = subprocess.run([zisk, "execute", "--elf", elf, "--input", rec, "--json", *extra],
                               capture_output=True, text=True, check=False)
            obj = json.loads(r.stdout)
            if obj["stop"] != "exit":
                sys.exit(f"emu_bench: zisk run did not exit: {obj}")
            return obj

        first = zisk_run()
        steps = first["steps"]
        t_zisk = best_of(args.repeat, lambda: zisk_run()["seconds"])
        ck = os.path.join(tmp, "ck.bin")
        t_rec = best_of(args.repeat, lambda: zisk_run(("--segment-bits", "18", "--checkpoints", ck))["seconds"])

        def qemu_run(extra=()):
            with open(rec, "rb") as stdin:  # the Linux runtime reads the input file on stdin
                t0 = time.perf_counter()
                r = subprocess.run([qemu, *extra, linux_elf], stdin=stdin, capture_output=True, check=False)
                t = time.perf_counter() - t0
            if r.returncode != 0:
                sys.exit(f"emu_bench: qemu exited with {r.returncode}: {r.stderr[-300:]}")
            # Same work, same answer: the Linux runtime prints the 64 output words on stderr.
            m = re.search(rb"zisk-outputs:([ 0-9]*)", r.stderr)
            if not m or [int(v) for v in m.group(1).split()] != first["outputs"]:
                sys.exit("emu_bench: qemu's outputs differ from zisk's: not the same work")
            return t

        t_qemu = best_of(args.repeat, qemu_run)
        t_qemu_ss = best_of(max(1, args.repeat // 2), lambda: qemu_run(("-singlestep",)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    qver = subprocess.run([qemu, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    mips = lambda t: steps / t / 1e6
    rows = [
        ("zisk execute (interpreter)", t_zisk),
        ("zisk execute --checkpoints (record mode, 2^18-step segments)", t_rec),
        ("qemu-riscv64 (TCG JIT, default)", t_qemu),
        ("qemu-riscv64 -singlestep (one instruction per translated block)", t_qemu_ss),
    ]
    lines = [
        f"Guest: `bench.elf`, {args.iterations} iterations = {steps:,} RISC-V instructions "
        f"(rv64imac, -O2). Best of {args.repeat} runs, one core.",
        f"Machine: {cpu_model()}, {os.cpu_count()} cores; {qver}.",
        "",
        "| runner | seconds | M instructions/s | zisk interpreter vs this |",
        "|---|---:|---:|---:|",
    ]
    for name, t in rows:
        lines.append(f"| {name} | {t:.3f} | {mips(t):.0f} | {t / t_zisk:.2f}x |")
    lines.append("")
    lines.append("(last column: this runner's time divided by the interpreter's; above 1 means the "
                 "interpreter is faster.) Target from issue 2: >= 150 M instructions/s on one core.")
    table = "\n".join(lines)
    print(table)
    if args.write:
        with open(args.write) as f:
            doc = f.read()
        block = f"<!-- emu-bench:begin -->\n{table}\n<!-- emu-bench:end -->"
        new, n = re.subn(r"<!-- emu-bench:begin -->.*?<!-- emu-bench:end -->", block, doc, flags=re.S)
        if n != 1:
            sys.exit(f"emu_bench: {args.write} has no emu-bench markers")
        with open(args.write, "w") as f:
            f.write(new)
        print(f"written to {args.write}")


if __name__ == "__main__":
    main()
