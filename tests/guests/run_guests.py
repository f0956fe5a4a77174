#!/usr/bin/env python3
"""Drivers for the guest tests (registered in tests/guests/CMakeLists.txt).

Modes:
  selftest   the Python references' own checks (Keccak-256 known answers, RISC-V M edge cases)
  qemu-ref   Linux-ABI guests under qemu-riscv64 against the Python references
  zisk-ref   zisk guests under `zisk execute --json` against the Python references, plus
             `--input-raw` and the `zisk input` record builder
  diff       the same guest and input under qemu-riscv64 (Linux ELF) and `zisk execute` (zisk
             ELF): exit code, console bytes and the 64 output words must agree
  faults     guests that must fault on zisk (ROM write, unmapped read, unsupported ecall) and
             the step limit: exit status 1, a message naming the pc

Exit status: 0 pass, 1 fail, 77 skipped (a tool or the ELFs are missing; ctest reports SKIP).
"""

import argparse
import concurrent.futures
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile

import references as ref

SKIP = 77
TIMEOUT_S = 120


class Result:
    def __init__(self, exit_code, outputs, console, raw=None):
        self.exit_code = exit_code
        self.outputs = outputs
        self.console = console
        self.raw = raw  # the runner's own record (JSON object, stderr), for messages

    def describe(self):
        return (f"exit {self.exit_code}, console {self.console!r:.300}, "
                f"outputs {self.outputs[:16]}...")


class Runner:
    def __init__(self, args, tmp):
        self.args = args
        self.tmp = tmp
        self.counter = itertools.count()  # next() is atomic: jobs run on threads

    def input_file(self, blob, name):
        path = os.path.join(self.tmp, f"in{next(self.counter)}-{safe(name)}.bin")
        with open(path, "wb") as f:
            f.write(blob)
        return path

    def zisk(self, guest, input_path, input_flag="--input", extra=()):
        elf = os.path.join(self.args.elf_dir, guest + ".elf")
        cmd = [self.args.zisk, "execute", "--elf", elf, "--json", *extra]
        if input_path is not None:
            cmd += [input_flag, input_path]
        p = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_S)
        try:
            obj = json.loads(p.stdout.decode())
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise CheckError(f"{' '.join(cmd)}: stdout is not one JSON object ({e}): "
                             f"{p.stdout[:300]!r}; stderr {p.stderr[-300:]!r}")
        return p.returncode, obj, p.stderr, cmd

    def zisk_result(self, guest, input_path, input_flag="--input"):
        rc, obj, stderr, cmd = self.zisk(guest, input_path, input_flag)
        where = " ".join(cmd)
        if obj.get("stop") != "exit":
            raise CheckError(f"{where}: stop {obj.get('stop')!r}, message "
                             f"{obj.get('message')!r}, console {stderr[-300:]!r}")
        outputs = obj.get("outputs")
        if not (isinstance(outputs, list) and len(outputs) == 64):
            raise CheckError(f"{where}: 'outputs' is not a list of 64 numbers: {outputs!r}")
        for key in ("steps", "exit_code", "seconds"):
            if key not in obj:
                raise CheckError(f"{where}: JSON lacks {key!r}: {obj}")
        code = obj["exit_code"]
        want_rc = 0 if code == 0 else 3
        if rc != want_rc:
            raise CheckError(f"{where}: process exit status {rc}, want {want_rc} for guest "
                             f"exit code {code}")
        return Result(code, outputs, stderr.decode("utf-8", "replace"), obj)

    def qemu_result(self, guest, input_path):
        elf = os.path.join(self.args.elf_dir, "linux", guest + ".elf")
        with open(input_path, "rb") as f:
            p = subprocess.run([self.args.qemu, elf], stdin=f, capture_output=True,
                               timeout=TIMEOUT_S)
        if p.returncode < 0:
            raise CheckError(f"qemu-riscv64 {elf}: killed by signal {-p.returncode}; "
                             f"stderr {p.stderr[-300:]!r}")
        lines = [l for l in p.stderr.decode("utf-8", "replace").splitlines()
                 if l.startswith("zisk-outputs:")]
        if len(lines) != 1:
            raise CheckError(f"qemu-riscv64 {elf}: want one zisk-outputs line on stderr, got "
                             f"{p.stderr[-500:]!r}")
        words = [int(w) for w in lines[0].split()[1:]]
        if len(words) != 64:
            raise CheckError(f"qemu-riscv64 {elf}: {len(words)} output words, want 64")
        return Result(p.returncode, words, p.stdout.decode("utf-8", "replace"))


class CheckError(Exception):
    pass


def safe(name):
    return "".join(c if c.isalnum() or c in "-_=" else "_" for c in name)


def compare(label, got, want_exit, want_outputs, want_console, want_name="want"):
    problems = []
    # Exit codes: zisk reports a0 as a u64, Linux the low 8 bits; guests use 0..255.
    if (got.exit_code & 0xFF) != (want_exit & 0xFF) or got.exit_code > 0xFF:
        problems.append(f"exit code {got.exit_code}, {want_name} {want_exit}")
    if got.console != want_console:
        problems.append(f"console {got.console!r:.400}, {want_name} {want_console!r:.400}")
    if got.outputs != want_outputs:
        diffs = [f"[{i}] {a} vs {b}" for i, (a, b) in enumerate(zip(got.outputs, want_outputs))
                 if a != b]
        problems.append("outputs differ: " + ", ".join(diffs[:8]))
    if problems:
        raise CheckError(f"{label}: " + "; ".join(problems))


def run_parallel(jobs):
    """jobs: list of (label, callable). Runs them on all cores; returns the number failed."""
    failed = 0
    workers = max(2, os.cpu_count() or 2)
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [(label, pool.submit(fn)) for label, fn in jobs]
        for label, fut in futures:
            try:
                fut.result()
                print(f"ok   {label}")
            except (CheckError, subprocess.TimeoutExpired, OSError) as e:
                failed += 1
                print(f"FAIL {label}: {e}")
    print(f"{len(jobs) - failed}/{len(jobs)} passed")
    return failed


def need_elfs(args, names, linux):
    missing = []
    for n in names:
        path = os.path.join(args.elf_dir, "linux", n + ".elf") if linux else \
            os.path.join(args.elf_dir, n + ".elf")
        if not os.path.isfile(path):
            missing.append(path)
    if missing:
        print(f"SKIP: guest ELFs not built (riscv64-unknown-elf-gcc missing or "
              f"ZISK_BUILD_GUESTS=OFF?): {missing[0]} ...")
        sys.exit(SKIP)


def need_tool(path, what):
    if not path or not (os.path.isfile(path) or shutil.which(path)):
        print(f"SKIP: {what} not found ({path})")
        sys.exit(SKIP)


# ---- modes ---------------------------------------------------------------------------------

def mode_selftest(args, runner):
    ref.keccak_self_test()
    ref.rv_m_self_test()
    print("keccak256 known answers and RISC-V M edge cases: ok")
    return 0


def mode_qemu_ref(args, runner):
    need_tool(args.qemu, "qemu-riscv64")
    cases = ref.cases()
    need_elfs(args, sorted({g for g, _, _ in cases}), linux=True)

    def job(g, name, blob):
        want = ref.REFERENCES[g](blob)
        got = runner.qemu_result(g, runner.input_file(blob, f"{g}-{name}"))
        compare(f"{g} [{name}] qemu", got, want.exit_code, want.outputs, want.console)

    return run_parallel([(f"{g} [{n}] qemu vs reference", (lambda g=g, n=n, b=b: job(g, n, b)))
                         for g, n, b in cases])


def mode_zisk_ref(args, runner):
    need_tool(args.zisk, "zisk binary")
    cases = ref.cases()
    need_elfs(args, sorted({g for g, _, _ in cases}), linux=False)

    def job(g, name, blob):
        want = ref.REFERENCES[g](blob)
        got = runner.zisk_result(g, runner.input_file(blob, f"{g}-{name}"))
        compare(f"{g} [{name}] zisk", got, want.exit_code, want.outputs, want.console)

    jobs = [(f"{g} [{n}] zisk vs reference", (lambda g=g, n=n, b=b: job(g, n, b)))
            for g, n, b in cases]

    # --input-raw wraps a plain file as one record: the sha256 guest hashes the file itself.
    def raw_job(data):
        path = runner.input_file(data, "raw")
        want = ref.ref_sha256(ref.record(data))
        got = runner.zisk_result("sha256", path, "--input-raw")
        compare(f"sha256 --input-raw {len(data)} bytes", got, want.exit_code, want.outputs,
                want.console)

    for n in (0, 5, 64, 3000):
        data = bytes((i * 7 + 3) & 0xFF for i in range(n))
        jobs.append((f"sha256 --input-raw len={n}", (lambda d=data: raw_job(d))))

    # `zisk input` must build the same bytes as our encoder.
    def input_tool_job():
        payload = runner.input_file(b"file payload\x00\x01", "payload")
        out = os.path.join(runner.tmp, "built.bin")
        cmd = [args.zisk, "input", "-o", out, "--u64", "18446744073709551615", "--string",
               "hello", "--hex", "00ff10", "--file", payload, "--string", ""]
        p = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_S)
        if p.returncode != 0:
            raise CheckError(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr[-300:]!r}")
        with open(out, "rb") as f:
            got = f.read()
        want = ref.records_file(ref.M64, b"hello", b"\x00\xff\x10", b"file payload\x00\x01", b"")
        if got != want:
            raise CheckError(f"zisk input: built {got.hex()}, want {want.hex()}")

    jobs.append(("zisk input builds the record format", input_tool_job))
    return run_parallel(jobs)


def mode_diff(args, runner):
    need_tool(args.qemu, "qemu-riscv64")
    need_tool(args.zisk, "zisk binary")
    cases = ref.cases() + ref.qemu_extra_cases()
    names = sorted({g for g, _, _ in cases})
    need_elfs(args, names, linux=True)
    need_elfs(args, names, linux=False)

    def job(g, name, blob):
        path = runner.input_file(blob, f"{g}-{name}")
        q = runner.qemu_result(g, path)
        z = runner.zisk_result(g, path)
        compare(f"{g} [{name}] zisk", z, q.exit_code, q.outputs, q.console, want_name="qemu")

    return run_parallel([(f"{g} [{n}] zisk vs qemu", (lambda g=g, n=n, b=b: job(g, n, b)))
                         for g, n, b in cases])


FAULTS = [
    # guest, console printed before the fault, words the message must contain
    ("fault_rom_write", "writing to ROM\n", ["pc"]),
    ("fault_unmapped_read", "reading unmapped memory\n", ["pc", "0x1000"]),
    ("fault_bad_ecall", "calling ecall 64\n", ["pc", "64"]),
]


def mode_faults(args, runner):
    need_tool(args.zisk, "zisk binary")
    need_elfs(args, [f[0] for f in FAULTS] + ["bench"], linux=False)
    empty = runner.input_file(b"", "empty")

    def fault_job(guest, console, words):
        rc, obj, stderr, cmd = runner.zisk(guest, empty)
        where = " ".join(cmd)
        if rc != 1:
            raise CheckError(f"{where}: exit status {rc}, want 1")
        if obj.get("stop") != "fault":
            raise CheckError(f"{where}: stop {obj.get('stop')!r}, want 'fault'")
        msg = obj.get("message", "")
        for w in words:
            if w not in msg:
                raise CheckError(f"{where}: message {msg!r} does not mention {w!r}")
        if stderr.decode("utf-8", "replace") != console:
            raise CheckError(f"{where}: console {stderr!r}, want {console!r}")
        # Without --json: the same exit status and the message on stderr, naming the pc.
        elf = os.path.join(args.elf_dir, guest + ".elf")
        p = subprocess.run([args.zisk, "execute", "--elf", elf], capture_output=True,
                           timeout=TIMEOUT_S)
        if p.returncode != 1 or b"pc" not in p.stderr:
            raise CheckError(f"zisk execute --elf {elf}: exit {p.returncode}, stderr "
                             f"{p.stderr[-300:]!r}; want exit 1 and a message naming the pc")
        if p.stdout.decode("utf-8", "replace") != console:
            raise CheckError(f"zisk execute --elf {elf}: console on stdout {p.stdout!r}, "
                             f"want {console!r}")

    def step_limit_job():
        rc, obj, stderr, cmd = runner.zisk("bench", empty, extra=("--max-steps", "10000"))
        where = " ".join(cmd)
        if rc != 1 or obj.get("stop") != "step_limit" or obj.get("steps") != 10000:
            raise CheckError(f"{where}: exit {rc}, JSON {obj}; want exit 1, stop "
                             f"'step_limit' after 10000 steps")

    jobs = [(f"{g} faults cleanly", (lambda g=g, c=c, w=w: fault_job(g, c, w)))
            for g, c, w in FAULTS]
    jobs.append(("bench stops at --max-steps 10000", step_limit_job))
    return run_parallel(jobs)


MODES = {"selftest": mode_selftest, "qemu-ref": mode_qemu_ref, "zisk-ref": mode_zisk_ref,
         "diff": mode_diff, "faults": mode_faults}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=sorted(MODES))
    ap.add_argument("--zisk", help="path of the zisk binary")
    ap.add_argument("--elf-dir", help="folder with <name>.elf and linux/<name>.elf")
    ap.add_argument("--qemu", default="qemu-riscv64", help="qemu-riscv64 executable")
    args = ap.parse_args()
    if args.mode != "selftest" and not args.elf_dir:
        ap.error("--elf-dir is required")
    if args.qemu and not os.path.isabs(args.qemu):
        args.qemu = shutil.which(args.qemu) or args.qemu
    with tempfile.TemporaryDirectory(prefix="zisk-guests-") as tmp:
        failed = MODES[args.mode](args, Runner(args, tmp))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
