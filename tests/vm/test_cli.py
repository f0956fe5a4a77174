#!/usr/bin/env python3
"""CLI tests for `zisk` (execute, input, replay) and the cluster binaries' honest stubs.

usage: test_cli.py ZISK ZISK_WORKER ZISK_COORDINATOR PROGS_DIR
Exits 77 (skip) when the hand-written test programs were not built.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import unittest

ZISK, WORKER, COORD, PROGS = sys.argv[1:5]


def run(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=120, **kw)


def prog(name):
    return os.path.join(PROGS, name + ".elf")


class Cli(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def raw_input(self, data=b"A"):
        p = self.path("in.raw")
        with open(p, "wb") as f:
            f.write(data)
        return p

    # ---- zisk itself ----
    def test_help_and_version(self):
        r = run(ZISK, "--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("execute", r.stdout)
        self.assertEqual(run(ZISK, "--version").returncode, 0)
        r = run(ZISK, "frobnicate")
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown command", r.stderr)
        for sub in ("execute", "input", "replay"):
            r = run(ZISK, sub, "--help")
            self.assertEqual(r.returncode, 0, sub)
            self.assertIn("Usage: zisk " + sub, r.stdout)

    def test_execute_usage_errors(self):
        cases = [
            ([], "--elf FILE is required"),
            (["--elf", prog("memmix"), "--input", "a", "--input-raw", "b"], "not both"),
            (["--elf", prog("memmix"), "--max-steps", "ten"], "--max-steps"),
            (["--elf", prog("memmix"), "--max-steps", "0"], "--max-steps"),
            (["--elf", prog("memmix"), "--segment-bits", "41", "--checkpoints", "x"], "--segment-bits"),
            (["--elf", prog("memmix"), "--segment-bits", "5"], "--checkpoints"),
            (["--elf"], "needs a value"),
            (["--bogus"], "unknown option"),
        ]
        for args, frag in cases:
            r = run(ZISK, "execute", *args)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn(frag, r.stderr, args)

    def test_execute_bad_files(self):
        r = run(ZISK, "execute", "--elf", self.path("missing.elf"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("missing.elf", r.stderr)
        notelf = self.raw_input(b"this is not an ELF file at all, just text\n" * 4)
        r = run(ZISK, "execute", "--elf", notelf)
        self.assertEqual(r.returncode, 1)
        self.assertIn("ELF", r.stderr)
        r = run(ZISK, "execute", "--elf", prog("memmix"), "--input", self.path("nope"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("nope", r.stderr)

    def test_execute_json(self):
        r = run(ZISK, "execute", "--elf", prog("memmix"), "--input-raw", self.raw_input(), "--json")
        obj = json.loads(r.stdout)  # stdout is exactly one JSON object
        self.assertEqual(obj["stop"], "exit")
        self.assertEqual(len(obj["outputs"]), 64)
        self.assertTrue(all(0 <= v < 2**32 for v in obj["outputs"]))
        self.assertGreater(obj["steps"], 1000)
        self.assertIn("seconds", obj)
        self.assertIn("mhz", obj)
        # memmix exits with the checksum's low byte, which is non-zero: status 3.
        self.assertNotEqual(obj["exit_code"], 0)
        self.assertEqual(obj["exit_code"], obj["outputs"][0] & 0xFF)
        self.assertEqual(r.returncode, 3)
        self.assertIn("...", r.stderr)  # the guest console went to stderr

    def test_execute_human(self):
        r = run(ZISK, "execute", "--elf", prog("memmix"), "--input-raw", self.raw_input())
        self.assertEqual(r.returncode, 3)
        self.assertIn("...", r.stdout)  # console on stdout
        for word in ("exit code:", "steps:", "seconds:", "MHz", "outputs:"):
            self.assertIn(word, r.stderr)

    def test_input_changes_result(self):
        a = json.loads(run(ZISK, "execute", "--elf", prog("memmix"), "--input-raw", self.raw_input(b"A"), "--json").stdout)
        b = json.loads(run(ZISK, "execute", "--elf", prog("memmix"), "--input-raw", self.raw_input(b"B"), "--json").stdout)
        self.assertNotEqual(a["outputs"][:2], b["outputs"][:2])

    def test_faults(self):
        r = run(ZISK, "execute", "--elf", prog("fault_store_rom"), "--json")
        self.assertEqual(r.returncode, 1)
        obj = json.loads(r.stdout)
        self.assertEqual(obj["stop"], "fault")
        self.assertIn("write to read-only ROM at address 0x80000000", obj["message"])
        self.assertIn("pc 0x80000008", obj["message"])
        r = run(ZISK, "execute", "--elf", prog("bad_syscall"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("unsupported system call 64", r.stderr)
        r = run(ZISK, "execute", "--elf", prog("loop_forever"), "--max-steps", "1000", "--json")
        self.assertEqual(r.returncode, 1)
        obj = json.loads(r.stdout)
        self.assertEqual((obj["stop"], obj["steps"]), ("step_limit", 1000))
        self.assertIn("step limit", obj["message"])

    def test_input_builder(self):
        out = self.path("rec.bin")
        r = run(ZISK, "input", "-o", out, "--u64", "5", "--string", "abc", "--hex", "00ff",
                "--u64-list", "1,0x2", "--file", self.raw_input(b"xyz123456"))
        self.assertEqual(r.returncode, 0, r.stderr)
        want = (struct.pack("<QQ", 8, 5) + struct.pack("<Q", 3) + b"abc" + bytes(5) +
                struct.pack("<Q", 2) + b"\x00\xff" + bytes(6) + struct.pack("<QQQ", 16, 1, 2) +
                struct.pack("<Q", 9) + b"xyz123456" + bytes(7))
        with open(out, "rb") as f:
            self.assertEqual(f.read(), want)
        for bad in (["--hex", "abc"], ["--hex", "zz"], ["--u64", "-1"], ["--u64-list", "1,,x"]):
            r = run(ZISK, "input", "-o", out, *bad)
            self.assertEqual(r.returncode, 2, bad)
        self.assertEqual(run(ZISK, "input", "--u64", "1").returncode, 2)  # no -o

    def test_record_file_feeds_guest(self):
        rec = self.path("rec.bin")
        self.assertEqual(run(ZISK, "input", "-o", rec, "--string", "A").returncode, 0)
        a = json.loads(run(ZISK, "execute", "--elf", prog("memmix"), "--input", rec, "--json").stdout)
        b = json.loads(run(ZISK, "execute", "--elf", prog("memmix"), "--input-raw", self.raw_input(b"A"), "--json").stdout)
        self.assertEqual(a["outputs"], b["outputs"])
        # A file that is not a record stream is used verbatim, with a warning.
        r = run(ZISK, "execute", "--elf", prog("memmix"), "--input", self.raw_input(b"A"), "--json")
        self.assertIn("not a well-formed record stream", r.stderr)
        self.assertEqual(json.loads(r.stdout)["stop"], "exit")

    def test_checkpoints_and_replay(self):
        ck = self.path("ck.bin")
        r = run(ZISK, "execute", "--elf", prog("memmix"), "--input-raw", self.raw_input(),
                "--segment-bits", "7", "--checkpoints", ck, "--json")
        obj = json.loads(r.stdout)
        self.assertEqual(obj["segments"], (obj["steps"] + 127) // 128)
        r = run(ZISK, "replay", "--elf", prog("memmix"), "--checkpoints", ck)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("all chain up", r.stdout)
        r = run(ZISK, "replay", "--elf", prog("memmix"), "--checkpoints", ck, "--segment", "3")
        self.assertEqual(r.returncode, 0, r.stderr)
        # Replaying against another program fails; so does a corrupted file.
        r = run(ZISK, "replay", "--elf", prog("loop_forever"), "--checkpoints", ck)
        self.assertEqual(r.returncode, 1)
        with open(ck, "r+b") as f:
            f.seek(0)
            f.write(b"X")
        r = run(ZISK, "replay", "--elf", prog("memmix"), "--checkpoints", ck)
        self.assertEqual(r.returncode, 1)
        self.assertIn("bad magic", r.stderr)

    def test_bench_quick_json(self):
        r = run(ZISK, "bench", "--quick", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        obj = json.loads(r.stdout)
        for key in ("goldilocks_mul_scalar_mps", "poseidon2_scalar_mps", "ntt_2^16_x1_ms",
                    "merkle_2^16_x32_ms", "stark_20x2^14_prove_ms", "stark_verify_ms",
                    "stark_proof_kib", "stark_prove_over_hash_floor"):
            self.assertIn(key, obj)
            self.assertGreater(obj[key], 0)

    # ---- cluster binaries: --help and --version answer and exit 0 ----
    def test_cluster_binaries_identify(self):
        for b, name in ((WORKER, "zisk-worker"), (COORD, "zisk-coordinator")):
            r = run(b, "--help")
            self.assertEqual(r.returncode, 0)
            self.assertIn("Usage: " + name, r.stdout)
            r = run(b, "--version")
            self.assertEqual(r.returncode, 0)
            self.assertIn(name, r.stdout)


if __name__ == "__main__":
    if not os.path.exists(prog("memmix")):
        print("test programs not built (no guest toolchain): skipping")
        sys.exit(77)
    unittest.main(argv=[sys.argv[0], "-v"])
