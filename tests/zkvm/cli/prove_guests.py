#!/usr/bin/env python3
"""End-to-end proofs through the `zisk` command: every example guest is set up, proven and
verified at a small size, and its public values are compared with the guest's Python reference
(tests/guests/references.py). Then the negative cases: faulting guests cannot be proven, a proof
does not verify for another program's VK, a changed public value or any flipped byte is refused
(never a crash), a truncated file is refused, and a missing or damaged proving key is refused
with an error saying so.

Usage: prove_guests.py --zisk BIN --elf-dir DIR [--quick]   (exit 77 = skip: ELFs missing)
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "guests"))
import references as R  # noqa: E402

# (guest, references.py case): small runs (1k..45k RISC-V instructions)
CASES = [
    ("fibonacci", "n=10"), ("fibonacci_nc", "n=10"), ("sha256", "len=64"), ("sha256_nc", "len=1"),
    ("keccak", "abc"), ("sort", "random-N=3"), ("bigint", "one*one"), ("bigint_nc", "one*one"),
    ("hello", "k=1"),
]
HEAVY = [("bench", "iterations=0")]  # 232k instructions: several segments at --segment-bits 16
FAULTS = ["fault_bad_ecall", "fault_rom_write", "fault_unmapped_read"]

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zisk", required=True)
    ap.add_argument("--elf-dir", required=True)
    ap.add_argument("--quick", action="store_true", help="skip the heavy guest")
    a = ap.parse_args()
    elf = lambda g: os.path.join(a.elf_dir, g + ".elf")  # noqa: E731
    if not os.path.exists(elf("fibonacci")):
        print("SKIP: guest ELFs not built")
        return 77
    inputs = {(g, n): blob for g, n, blob in R.cases()}
    tmp = tempfile.mkdtemp(prefix="zisk-prove-")
    pk = os.path.join(tmp, "pk")
    try:
        # a missing proving key is refused with a hint
        r = run([a.zisk, "prove", "--elf", elf("fibonacci"), "-o", os.path.join(tmp, "x"), "--proving-key", pk])
        check(r.returncode == 1 and "zisk setup" in r.stderr, "prove without a proving key says to run zisk setup")
        vks = {}
        cases = CASES + ([] if a.quick else HEAVY)
        for g, case in cases:
            inp = os.path.join(tmp, f"{g}.in")
            with open(inp, "wb") as f:
                f.write(inputs[(g, case)])
            r = run([a.zisk, "setup", "--elf", elf(g), "--proving-key", pk, "--json"])
            check(r.returncode == 0, f"{g}: setup ({r.stderr.strip()[:200]})")
            vks[g] = json.loads(r.stdout)["vk"]
            proof = os.path.join(tmp, f"{g}.proof")
            extra = ["--segment-bits", "16"] if (g, case) in HEAVY else []
            if g == "fibonacci":
                extra += ["--verify-constraints"]
            r = run([a.zisk, "prove", "--elf", elf(g), "--input", inp, "-o", proof, "--proving-key", pk, "--json"] + extra)
            check(r.returncode == 0, f"{g} {case}: prove ({r.stderr.strip()[:300]})")
            if r.returncode != 0:
                continue
            p = json.loads(r.stdout)
            check(p["vk"] == vks[g], f"{g}: the proof names the VK zisk setup printed")
            r = run([a.zisk, "verify", "--proof", proof, "--elf", elf(g), "--proving-key", pk, "--json"])
            v = json.loads(r.stdout) if r.stdout else {}
            check(r.returncode == 0 and v.get("valid") is True, f"{g}: verify --elf ({r.stdout.strip()[:200]})")
            want = R.REFERENCES[g](inputs[(g, case)])
            if True:
                check(v.get("exit_code") == want.exit_code and v.get("outputs") == list(want.outputs),
                      f"{g}: public values equal the Python reference")
            check(v.get("exit_code") == p["exit_code"] and v.get("outputs") == p["outputs"],
                  f"{g}: verify prints the prover's public values")
            r = run([a.zisk, "verify", "--proof", proof, "--vk", vks[g], "--proving-key", pk])
            check(r.returncode == 0 and "matches --vk" in r.stdout, f"{g}: verify --vk")
        # a proof of one program does not verify as another's
        fib, hello = os.path.join(tmp, "fibonacci.proof"), os.path.join(tmp, "hello.proof")
        r = run([a.zisk, "verify", "--proof", fib, "--elf", elf("hello"), "--proving-key", pk])
        check(r.returncode == 1 and "another program" in r.stderr, "fibonacci's proof with hello's ELF is refused")
        r = run([a.zisk, "verify", "--proof", hello, "--vk", vks["sort"], "--proving-key", pk])
        check(r.returncode == 1 and "another program" in r.stderr, "hello's proof with sort's VK is refused")
        r = run([a.zisk, "verify", "--proof", fib, "--proving-key", pk])
        check(r.returncode == 0 and "taken from the proof itself" in r.stdout,
              "verify with neither --elf nor --vk says the VK comes from the proof")
        # a changed public value: fibonacci(10) = 55 is output word 0 (a u64 55 in the boundary's
        # publics); change every such element to 56
        data = bytearray(open(fib, "rb").read())
        pat = (55).to_bytes(8, "little")
        pos = data.find(pat)
        hits = 0
        while pos >= 0:
            hits += 1
            data[pos] = 56
            pos = data.find(pat, pos + 1)
        bad = os.path.join(tmp, "bad.proof")
        open(bad, "wb").write(data)
        r = run([a.zisk, "verify", "--proof", bad, "--elf", elf("fibonacci"), "--proving-key", pk])
        check(hits > 0 and r.returncode == 1 and "INVALID" in r.stderr, f"a changed output word is refused ({hits} places)")
        # random byte flips never verify and never crash
        orig = open(fib, "rb").read()
        rng = random.Random(5)
        flips = 24 if a.quick else 60
        ok = True
        for i in range(flips):
            d = bytearray(orig)
            at = rng.randrange(len(d)) if i % 3 else rng.randrange(min(len(d), 4096))
            d[at] ^= 1 << rng.randrange(8)
            open(bad, "wb").write(d)
            r = run([a.zisk, "verify", "--proof", bad, "--proving-key", pk])
            if r.returncode != 1 or "INVALID" not in r.stderr:
                ok = False
                print(f"  flip at byte {at}: exit {r.returncode}: {r.stderr.strip()[:200]}")
        check(ok, f"{flips} single-bit flips are all refused with exit 1")
        open(bad, "wb").write(orig[: len(orig) // 2])
        r = run([a.zisk, "verify", "--proof", bad, "--proving-key", pk])
        check(r.returncode == 1 and "INVALID" in r.stderr, "a truncated proof is refused")
        # faulting guests cannot be proven
        for g in FAULTS:
            r = run([a.zisk, "prove", "--elf", elf(g), "-o", os.path.join(tmp, g + ".proof"), "--proving-key", pk])
            check(r.returncode == 1 and "faults" in r.stderr, f"{g}: prove refuses a faulting run ({r.stderr.strip()[:150]})")
        # a damaged or foreign proving key is refused
        keys = os.path.join(pk, "universal.keys")
        text = open(keys).read()
        open(keys, "w").write(text.replace("entry range", "entry rangf"))
        r = run([a.zisk, "verify", "--proof", fib, "--proving-key", pk])
        check(r.returncode == 1 and "damaged" in r.stderr, "a damaged proving key is refused")
        lines = text.splitlines(True)
        lines[1] = "fingerprint " + "0" * 64 + "\n"
        body = "".join(lines[:-1])
        open(keys, "w").write(body + "checksum " + hashlib.sha256(body.encode()).hexdigest() + "\n")
        r = run([a.zisk, "verify", "--proof", fib, "--proving-key", pk])
        check(r.returncode == 1 and "another build" in r.stderr, "a proving key from another build is refused")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("FAILED: " + "; ".join(failures) if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
