#!/usr/bin/env python3
"""Regenerates the parts of docs/ that come from the binaries' own --help and option tables,
so the docs cannot drift from the code. Blocks look like

    <!-- gen:NAME -->
    ...generated...
    <!-- /gen:NAME -->

usage: gen_docs.py --build DIR [--check]
--check: exit 1 (and show what differs) instead of writing; ctest runs this mode.
"""
import argparse
import difflib
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"gen_docs: {' '.join(cmd)} exited {r.returncode}: {r.stderr}")
    return r.stdout.rstrip("\n")


def fenced(text):
    return "```text\n" + text + "\n```"


def blocks(build):
    b = os.path.join(build, "bin")
    zisk, worker, coord = (os.path.join(b, n) for n in ("zisk", "zisk-worker", "zisk-coordinator"))
    out = {
        "worker-config": run([worker, "--print-config-reference"]),
        "worker-help": fenced(run([worker, "--help"])),
        "zisk-help": fenced(run([zisk, "--help"])),
        "zisk-execute-help": fenced(run([zisk, "execute", "--help"])),
        "zisk-input-help": fenced(run([zisk, "input", "--help"])),
        "zisk-replay-help": fenced(run([zisk, "replay", "--help"])),
        "zisk-client-help": fenced(run([zisk, "client", "--help"])),
        "zisk-setup-help": fenced(run([zisk, "setup", "--help"])),
        "zisk-prove-help": fenced(run([zisk, "prove", "--help"])),
        "zisk-verify-help": fenced(run([zisk, "verify", "--help"])),
        "coordinator-help": fenced(run([coord, "--help"])),
    }
    r = subprocess.run([coord, "--print-config-reference"], capture_output=True, text=True)
    if r.returncode == 0:
        out["coordinator-config"] = r.stdout.rstrip("\n")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    gen = blocks(args.build)
    bad = False
    for doc in ("docs/CONFIGURATION.md", "docs/CLI.md"):
        path = os.path.join(ROOT, doc)
        with open(path) as f:
            text = f.read()

        def sub(m):
            name = m.group(1)
            if name not in gen:
                return m.group(0)
            return f"<!-- gen:{name} -->\n{gen[name]}\n<!-- /gen:{name} -->"

        new = re.sub(r"<!-- gen:([a-z-]+) -->.*?<!-- /gen:\1 -->", sub, text, flags=re.S)
        if new != text:
            if args.check:
                bad = True
                sys.stdout.writelines(difflib.unified_diff(text.splitlines(True), new.splitlines(True), doc, doc + " (from --help)"))
            else:
                with open(path, "w") as f:
                    f.write(new)
                print(f"updated {doc}")
    if bad:
        print("\ndocs differ from the binaries' --help: run scripts/gen_docs.py --build <dir> and commit")
        sys.exit(1)


if __name__ == "__main__":
    main()
