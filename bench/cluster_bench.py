#!/usr/bin/python3
"""Cluster benchmark (not a test): execute-job latency through a local cluster, and scale.

usage: cluster_bench.py [--build DIR] [--jobs N] [--workers W] [--queued Q] [--write FILE]

1. Latency: one coordinator + 2 workers on loopback; N execute jobs of a trivial guest
   (fibonacci, n = 10), one at a time; time from SubmitJob to the WaitJobResult answer.
   Reported: median, p90, p99, max. Target (issue 3): median <= 20 ms.
2. Scale: W real zisk-worker processes connected at once, then Q jobs submitted back to back;
   reported: jobs/s to drain the queue, the coordinator's peak RSS (VmHWM).
Runs with Debian's /usr/bin/python3 (python3-grpcio, python3-grpc-tools). With --write, the
tables replace the block between the cluster-bench markers in FILE.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

import grpc
from grpc_tools import protoc

from benchlib import cpu_model

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]




def record(data):
    return struct.pack("<Q", len(data)) + data + bytes((8 - len(data) % 8) % 8)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--jobs", type=int, default=200)
    ap.add_argument("--workers", type=int, default=100)
    ap.add_argument("--queued", type=int, default=1000)
    ap.add_argument("--write")
    args = ap.parse_args()

    gen = tempfile.mkdtemp(prefix="zisk-bench-pb-")
    protoc.main(["protoc", "-I" + os.path.join(ROOT, "proto"), "--python_out=" + gen, "--grpc_python_out=" + gen,
                 os.path.join(ROOT, "proto", "zisk", "api.proto")])
    sys.path.insert(0, gen)
    from zisk import api_pb2 as api, api_pb2_grpc as apig

    bindir = os.path.join(args.build, "bin")
    elf = open(os.path.join(args.build, "guests", "fibonacci.elf"), "rb").read()
    tmp = tempfile.mkdtemp(prefix="zisk-bench-")
    procs = []

    def start_cluster(n_workers):
        api_port, cl_port, m_port = free_port(), free_port(), free_port()
        data = tempfile.mkdtemp(dir=tmp)
        log = open(os.path.join(tmp, "coordinator.log"), "a")
        coord = subprocess.Popen([os.path.join(bindir, "zisk-coordinator"), "--api-port", str(api_port),
                                  "--cluster-port", str(cl_port), "--metrics-port", str(m_port),
                                  "--data-dir", data, "--log-level", "warn"], stdout=log, stderr=log)
        procs.append(coord)
        env = dict(os.environ, ZISK_WORKER_LOG_LEVEL="warn", ZISK_WORKER_INPUTS_FOLDER=tmp)
        for i in range(n_workers):
            w = subprocess.Popen([os.path.join(bindir, "zisk-worker"), "--coordinator-url",
                                  f"http://127.0.0.1:{cl_port}", "--worker-id", f"bench-{i}"],
                                 env=env, stdout=subprocess.DEVNULL, stderr=log)
            procs.append(w)
        ch = grpc.insecure_channel(f"127.0.0.1:{api_port}")
        stub = apig.ZiskApiStub(ch)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                ws = stub.ListWorkers(api.ListWorkersRequest(), timeout=5).workers
                if sum(1 for w in ws if w.state == "ready") >= n_workers:
                    break
            except grpc.RpcError:
                pass
            time.sleep(0.2)
        else:
            sys.exit("cluster_bench: workers did not become ready")
        pid = stub.RegisterProgram(api.RegisterProgramRequest(elf=elf, name="fibonacci")).program_id
        job = stub.SubmitJob(api.JobRequest(kind=api.JOB_KIND_SETUP, program_id=pid)).job_id
        j = stub.WaitJobResult(api.WaitJobResultRequest(job_id=job, timeout_seconds=60))
        if j.state != api.JOB_STATE_COMPLETED:
            sys.exit(f"cluster_bench: setup failed: {j.message}")
        return coord, stub, pid

    def stop_all():
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                p.wait()
        procs.clear()

    try:
        coord, stub, pid = start_cluster(2)
        inp = api.JobInput(inline_data=record(struct.pack("<Q", 10)))
        lat = []
        for _ in range(args.jobs):
            t0 = time.perf_counter()
            job = stub.SubmitJob(api.JobRequest(kind=api.JOB_KIND_EXECUTE, program_id=pid, input=inp)).job_id
            j = stub.WaitJobResult(api.WaitJobResultRequest(job_id=job, timeout_seconds=30))
            lat.append((time.perf_counter() - t0) * 1000)
            if j.state != api.JOB_STATE_COMPLETED or j.execute.outputs[0] != 55:
                sys.exit(f"cluster_bench: wrong job result: {j}")
        stop_all()
        lat.sort()
        q = lambda f: lat[min(len(lat) - 1, int(f * len(lat)))]

        coord, stub, pid = start_cluster(args.workers)
        t0 = time.perf_counter()
        ids = [stub.SubmitJob(api.JobRequest(kind=api.JOB_KIND_EXECUTE, program_id=pid, input=inp)).job_id
               for _ in range(args.queued)]
        t_submit = time.perf_counter() - t0
        for job in ids:
            j = stub.WaitJobResult(api.WaitJobResultRequest(job_id=job, timeout_seconds=120))
            if j.state != api.JOB_STATE_COMPLETED:
                sys.exit(f"cluster_bench: job {job} ended {j.state}: {j.message}")
        t_all = time.perf_counter() - t0
        hwm = 0
        for line in open(f"/proc/{coord.pid}/status"):
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
        stop_all()
    finally:
        stop_all()
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(gen, ignore_errors=True)

    lines = [
        f"Machine: {cpu_model()}, {os.cpu_count()} cores; everything on loopback (coordinator, workers, client).",
        "",
        f"Latency of an execute job (fibonacci n=10, ~200 steps), {args.jobs} jobs one at a time, 2 workers,"
        " SubmitJob to the WaitJobResult answer:",
        "",
        "| median | p90 | p99 | max | target |",
        "|---:|---:|---:|---:|---:|",
        f"| {statistics.median(lat):.2f} ms | {q(0.90):.2f} ms | {q(0.99):.2f} ms | {lat[-1]:.2f} ms | <= 20 ms median |",
        "",
        f"Scale: {args.workers} zisk-worker processes connected, {args.queued} execute jobs submitted back to back:",
        "",
        "| workers | jobs | submit time | drain time | jobs/s | coordinator peak RSS |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {args.workers} | {args.queued} | {t_submit:.2f} s | {t_all:.2f} s | {args.queued / t_all:.0f} | {hwm / 1024:.1f} MiB |",
    ]
    table = "\n".join(lines)
    print(table)
    if args.write:
        doc = open(args.write).read()
        block = f"<!-- cluster-bench:begin -->\n{table}\n<!-- cluster-bench:end -->"
        new, n = re.subn(r"<!-- cluster-bench:begin -->.*?<!-- cluster-bench:end -->", block, doc, flags=re.S)
        if n != 1:
            sys.exit(f"cluster_bench: {args.write} has no cluster-bench markers")
        open(args.write, "w").write(new)


if __name__ == "__main__":
    main()
