#!/usr/bin/python3
"""Integration tests of zisk-coordinator with real zisk-worker processes on 127.0.0.1.

Each scenario starts its own coordinator (fresh data directory, random free ports) and workers,
drives the public API with a third-party client (Debian's python3-grpcio; stubs generated at
test time from proto/zisk/api.proto) and always kills what it started, even on failure.

Usage: test_cluster.py --coordinator BIN --worker BIN --guests DIR --proto DIR SCENARIO...
Scenarios: registration execute duplicate kill stop term cancel queue restart garbage config
Exits 77 (ctest SKIP) when /usr/bin/python3 lacks grpcio/grpc_tools or the guests are missing.
"""
import argparse
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request

try:
    import grpc
    from grpc_tools import protoc
except ImportError as e:
    print(f"SKIP: {sys.executable} lacks grpcio/grpc_tools ({e})")
    sys.exit(77)

pb = pb_grpc = None
ARGS = None


def generate(out_dir, proto_dir):
    global pb, pb_grpc
    rc = protoc.main(["protoc", f"-I{proto_dir}", f"--python_out={out_dir}", f"--grpc_python_out={out_dir}",
                      os.path.join(proto_dir, "zisk", "api.proto")])
    if rc != 0:
        sys.exit(f"grpc_tools.protoc failed ({rc})")
    sys.path.insert(0, out_dir)
    from zisk import api_pb2, api_pb2_grpc  # noqa: E402
    pb, pb_grpc = api_pb2, api_pb2_grpc


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fib_input(n):
    return struct.pack("<QQ", 8, n)


def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, (a + b) % (1 << 64)
    return a


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def wait_for(pred, timeout, what, interval=0.05):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        v = pred()
        if v:
            return v
        time.sleep(interval)
    raise Failure(f"timed out after {timeout} s waiting for {what}")


def expect_code(fn, code, what, contains=None):
    try:
        fn()
    except grpc.RpcError as e:
        check(e.code() == code, f"{what}: expected {code}, got {e.code()} ({e.details()})")
        if contains:
            check(contains in e.details(), f"{what}: '{contains}' not in '{e.details()}'")
        return e
    raise Failure(f"{what}: expected {code}, the call succeeded")


class Cluster:
    """Processes of one scenario; stop() kills everything still running."""

    def __init__(self, tmp, hb_timeout=30, hb_interval=10, extra_coord_env=None):
        self.tmp = tmp
        self.data = os.path.join(tmp, "data")
        self.api_port, self.cluster_port, self.metrics_port = free_port(), free_port(), free_port()
        self.procs = []
        self.coord = None
        self.hb_timeout, self.hb_interval = hb_timeout, hb_interval
        self.extra_coord_env = extra_coord_env or {}
        self.channel = None
        self.n_logs = 0

    def log(self, name):
        self.n_logs += 1
        return open(os.path.join(self.tmp, f"{self.n_logs:02d}-{name}.log"), "w")

    def start_coordinator(self, args=(), env=None, wait=True):
        e = dict(os.environ, NO_COLOR="1", HOME=self.tmp, XDG_CONFIG_HOME=os.path.join(self.tmp, "xdg"),
                 ZISK_COORDINATOR_HEARTBEAT_TIMEOUT_SECONDS=str(self.hb_timeout),
                 ZISK_COORDINATOR_HEARTBEAT_INTERVAL_SECONDS=str(self.hb_interval),
                 ZISK_COORDINATOR_SHUTDOWN_TIMEOUT_SECONDS="5")
        e.pop("RUST_LOG", None)
        e.update(self.extra_coord_env)
        e.update(env or {})
        cmd = [ARGS.coordinator, "--host", "127.0.0.1", "--api-port", str(self.api_port), "--cluster-port",
               str(self.cluster_port), "--metrics-port", str(self.metrics_port), "--data-dir", self.data, *args]
        self.coord = subprocess.Popen(cmd, env=e, cwd=self.tmp, stdout=self.log("coordinator"), stderr=subprocess.STDOUT,
                                      start_new_session=True)
        self.procs.append(self.coord)
        if wait:
            # Poll the port first: a gRPC channel that meets a refused connection backs off for
            # seconds before its next try.
            wait_for(self._port_open, 15, "the coordinator's API port")
            self.channel = grpc.insecure_channel(f"127.0.0.1:{self.api_port}")
            self.api = pb_grpc.ZiskApiStub(self.channel)
            wait_for(self._api_up, 15, "the coordinator's API")
        return self.coord

    def _port_open(self):
        if self.coord.poll() is not None:
            raise Failure(f"the coordinator exited with {self.coord.returncode}")
        try:
            socket.create_connection(("127.0.0.1", self.api_port), timeout=1).close()
            return True
        except OSError:
            return False

    def _api_up(self):
        if self.coord.poll() is not None:
            raise Failure(f"the coordinator exited with {self.coord.returncode}")
        try:
            self.api.ListWorkers(pb.ListWorkersRequest(), timeout=1)
            return True
        except grpc.RpcError:
            return False

    def start_worker(self, worker_id=None, args=(), env=None, toml=None):
        e = dict(os.environ, NO_COLOR="1", HOME=self.tmp)
        for k in list(e):
            if k.startswith("ZISK_WORKER_") or k == "RUST_LOG":
                del e[k]
        e["ZISK_WORKER_RECONNECT_INTERVAL_SECONDS"] = "1"
        e["ZISK_WORKER_HEARTBEAT_TIMEOUT_SECONDS"] = str(max(3, self.hb_timeout))
        e.update(env or {})
        cmd = [ARGS.worker, "--coordinator-url", f"http://127.0.0.1:{self.cluster_port}"]
        if worker_id:
            cmd += ["--worker-id", worker_id]
        if toml is not None:
            path = os.path.join(self.tmp, f"worker-{worker_id or len(self.procs)}.toml")
            with open(path, "w") as f:
                f.write(toml)
            cmd += ["--config", path]
        cmd += list(args)
        p = subprocess.Popen(cmd, env=e, cwd=self.tmp, stdout=self.log(f"worker-{worker_id}"), stderr=subprocess.STDOUT,
                             start_new_session=True)
        self.procs.append(p)
        return p

    def workers(self):
        return {w.worker_id: w for w in self.api.ListWorkers(pb.ListWorkersRequest(), timeout=5).workers}

    def wait_workers(self, ids, state="ready", timeout=15):
        def ok():
            ws = self.workers()
            return all(i in ws and ws[i].state == state for i in ids) and ws
        return wait_for(ok, timeout, f"workers {ids} to be {state}")

    def register(self, name="fibonacci"):
        with open(os.path.join(ARGS.guests, f"{name}.elf"), "rb") as f:
            elf = f.read()
        return self.api.RegisterProgram(pb.RegisterProgramRequest(elf=elf, name=name), timeout=10).program_id

    def setup(self, program_id):
        jid = self.submit(pb.JOB_KIND_SETUP, program_id)
        job = self.wait(jid, 20)
        check(job.state == pb.JOB_STATE_COMPLETED, f"setup job: {job}")
        return job

    def submit(self, kind, program_id, **kw):
        return self.api.SubmitJob(pb.JobRequest(kind=kind, program_id=program_id, **kw), timeout=10).job_id

    def execute(self, program_id, n, **kw):
        return self.submit(pb.JOB_KIND_EXECUTE, program_id, input=pb.JobInput(inline_data=fib_input(n)), **kw)

    def wait(self, job_id, timeout):
        t0 = time.monotonic()
        while True:
            left = timeout - (time.monotonic() - t0)
            if left <= 0:
                raise Failure(f"job {job_id} did not end within {timeout} s: {self.api.GetJob(pb.GetJobRequest(job_id=job_id))}")
            job = self.api.WaitJobResult(pb.WaitJobResultRequest(job_id=job_id, timeout_seconds=max(1, min(5, int(left)))),
                                         timeout=left + 10)
            if job.state in (pb.JOB_STATE_COMPLETED, pb.JOB_STATE_FAILED, pb.JOB_STATE_CANCELLED):
                return job

    def http(self, path):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}{path}", timeout=5) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def stop(self):
        if self.channel:
            self.channel.close()
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait()

    def dump_logs(self):
        for name in sorted(os.listdir(self.tmp)):
            if name.endswith(".log"):
                with open(os.path.join(self.tmp, name), errors="replace") as f:
                    lines = f.readlines()
                print(f"----- {name} (last 40 lines) -----")
                print("".join(lines[-40:]))


def check_fib_result(job, n):
    check(job.state == pb.JOB_STATE_COMPLETED, f"job not completed: {job.state} {job.message}")
    out = job.execute.outputs
    v = fib(n) if n < 100000 else None
    if v is not None:
        check(out[0] | (out[1] << 32) == v, f"fib({n}): got {out[0] | (out[1] << 32)}, want {v}")
    check(out[2] == n & 0xffffffff and out[3] == n >> 32, f"outputs 2,3 should be n={n}: {list(out[:4])}")
    check(job.execute.stop == "exit" and job.execute.exit_code == 0, f"stop {job.execute.stop} exit {job.execute.exit_code}")


def long_n(c, pid, seconds):
    """The fibonacci n that runs about `seconds` on these workers (measured, not guessed)."""
    n0 = 2_000_000
    job = c.wait(c.execute(pid, n0), 60)
    check_fib_result(job, n0)
    rate = n0 / max(job.execute.seconds, 1e-3)
    return max(n0, int(rate * seconds))


def runner_of(c, job_id):
    def find():
        for w in c.workers().values():
            if w.current_job_id == job_id and w.state == "busy":
                return w.worker_id
        return None
    return wait_for(find, 10, f"a worker running {job_id}")


# ---------------------------------------------------------------------------------------------
# Scenarios


def sc_registration(c):
    c.start_coordinator()
    toml = "[worker]\ncompute_capacity.compute_units = 10\n"
    c.start_worker("w-flag", args=["--compute-capacity", "32"], env={"ZISK_WORKER_COMPUTE_CAPACITY": "16"}, toml=toml)
    c.start_worker("w-env", env={"ZISK_WORKER_COMPUTE_CAPACITY": "16"}, toml=toml)
    c.start_worker("w-file", toml=toml)
    ws = c.wait_workers(["w-flag", "w-env", "w-file"])
    check(ws["w-flag"].compute_units == 32, f"flag wins: {ws['w-flag'].compute_units}")
    check(ws["w-env"].compute_units == 16, f"env over file: {ws['w-env'].compute_units}")
    check(ws["w-file"].compute_units == 10, f"file: {ws['w-file'].compute_units}")
    check(ws["w-flag"].peer.startswith("ipv4:127.0.0.1"), f"peer: {ws['w-flag'].peer}")
    check(ws["w-flag"].connected_unix_ms > 0 and ws["w-flag"].version, "connected time and version")
    st, body = c.http("/metrics")
    check(st == 200 and 'zisk_coordinator_workers{state="ready"} 3' in body, f"metrics: {st} {body[:2000]}")
    check('zisk_coordinator_requests_total{method="ListWorkers",code="OK"}' in body, "request counter")
    st, body = c.http("/health")
    check(st == 200 and body.strip() == "ok", f"/health: {st} {body}")
    check(c.http("/nope")[0] == 404, "404")


def sc_execute(c):
    c.start_coordinator()
    c.start_worker("w1")
    c.wait_workers(["w1"])
    e = expect_code(lambda: c.api.RegisterProgram(pb.RegisterProgramRequest(elf=b"\x7fELF" + b"\0" * 60), timeout=5),
                    grpc.StatusCode.INVALID_ARGUMENT, "invalid ELF")
    check("not a valid RV64 guest program" in e.details(), e.details())
    expect_code(lambda: c.api.RegisterProgram(pb.RegisterProgramRequest(), timeout=5), grpc.StatusCode.INVALID_ARGUMENT,
                "empty ELF")
    pid = c.register()
    check(len(pid) == 64, pid)
    with open(os.path.join(ARGS.guests, "fibonacci.elf"), "rb") as f:
        again = c.api.RegisterProgram(pb.RegisterProgramRequest(elf=f.read()), timeout=5)
    check(again.program_id == pid and again.already_registered, "idempotent registration")
    expect_code(lambda: c.execute(pid, 10), grpc.StatusCode.FAILED_PRECONDITION, "execute before setup",
                "ERROR_PROGRAM_NOT_SET_UP")
    expect_code(lambda: c.execute("ab" * 32, 10), grpc.StatusCode.NOT_FOUND, "unknown program", "ERROR_PROGRAM_NOT_FOUND")
    expect_code(lambda: c.submit(pb.JOB_KIND_PROVE, pid), grpc.StatusCode.UNIMPLEMENTED, "prove")
    expect_code(lambda: c.submit(pb.JOB_KIND_WRAP, pid), grpc.StatusCode.UNIMPLEMENTED, "wrap")
    expect_code(lambda: c.submit(pb.JOB_KIND_EXECUTE, "xyz"), grpc.StatusCode.INVALID_ARGUMENT, "bad program id")
    setup = c.setup(pid)
    check(list(setup.workers) == ["w1"], f"setup workers {setup.workers}")
    check(pid in c.workers()["w1"].programs, "w1 has the program")

    jid = c.execute(pid, 90)
    job = c.wait(jid, 20)
    check_fib_result(job, 90)
    check(list(job.workers) == ["w1"] and job.attempts == 1, f"workers {job.workers} attempts {job.attempts}")
    check(job.created_unix_ms <= job.started_unix_ms <= job.finished_unix_ms, "times")
    got = c.api.GetJob(pb.GetJobRequest(job_id=jid), timeout=5)
    check(got.state == pb.JOB_STATE_COMPLETED and list(got.execute.outputs) == list(job.execute.outputs), "GetJob")
    events = list(c.api.WatchJob(pb.WatchJobRequest(job_id=jid), timeout=5))
    check(len(events) == 1 and events[0].type == pb.JOB_EVENT_COMPLETED, f"watch after the end: {events}")
    expect_code(lambda: c.api.GetJob(pb.GetJobRequest(job_id="nope"), timeout=5), grpc.StatusCode.NOT_FOUND, "unknown job")
    expect_code(lambda: c.api.WaitJobResult(pb.WaitJobResultRequest(job_id=jid, timeout_seconds=4000), timeout=5),
                grpc.StatusCode.INVALID_ARGUMENT, "timeout out of range")
    expect_code(lambda: c.api.CancelJob(pb.CancelJobRequest(job_id=jid), timeout=5), grpc.StatusCode.FAILED_PRECONDITION,
                "cancel a finished job", "ERROR_INVALID_JOB_STATE")

    # Watch a job from the start: queued/started ... completed.
    jid2 = c.execute(pid, 1000)
    events = list(c.api.WatchJob(pb.WatchJobRequest(job_id=jid2), timeout=20))
    check(events and events[-1].type == pb.JOB_EVENT_COMPLETED, f"watch: {[e.type for e in events]}")
    check_fib_result(events[-1].job, 1000)

    # Pushed input: queued until PushJobInput completes.
    jid3 = c.submit(pb.JOB_KIND_EXECUTE, pid, input=pb.JobInput(push=True))
    time.sleep(0.3)
    check(c.api.GetJob(pb.GetJobRequest(job_id=jid3), timeout=5).state == pb.JOB_STATE_QUEUED, "waits for its input")
    data = fib_input(77)
    r = c.api.PushJobInput(iter([pb.JobInputChunk(job_id=jid3, data=data[:5]), pb.JobInputChunk(data=data[5:])]), timeout=10)
    check(r.bytes_received == 16, f"bytes_received {r.bytes_received}")
    check_fib_result(c.wait(jid3, 20), 77)
    expect_code(lambda: c.api.PushJobInput(iter([pb.JobInputChunk(job_id=jid3, data=b"x")]), timeout=5),
                grpc.StatusCode.FAILED_PRECONDITION, "push twice")

    # A guest fault is a completed job with stop = fault (the job ran; the guest failed).
    fpid = c.register("fault_bad_ecall")
    c.setup(fpid)
    fj = c.wait(c.submit(pb.JOB_KIND_EXECUTE, fpid), 20)
    check(fj.state == pb.JOB_STATE_COMPLETED and fj.execute.stop == "fault", f"fault job: {fj}")
    # Input by path escaping the worker's inputs folder: a clear, non-retryable failure.
    pj = c.wait(c.submit(pb.JOB_KIND_EXECUTE, pid, input=pb.JobInput(path="../../etc/passwd")), 20)
    check(pj.state == pb.JOB_STATE_FAILED and "w1" in pj.message, f"path escape: {pj.state} {pj.message}")

    # A worker joining later gets the set-up programs before it is ready.
    c.start_worker("w2")
    ws = c.wait_workers(["w2"])
    check(pid in ws["w2"].programs and fpid in ws["w2"].programs, f"w2 programs {ws['w2'].programs}")
    jobs = c.api.ListJobs(pb.ListJobsRequest(limit=100), timeout=5).jobs
    check(len(jobs) >= 7 and jobs[0].created_unix_ms >= jobs[-1].created_unix_ms, f"ListJobs: {len(jobs)}")
    done = c.api.ListJobs(pb.ListJobsRequest(state=pb.JOB_STATE_FAILED), timeout=5).jobs
    check([j.job_id for j in done] == [pj.job_id], "ListJobs state filter")
    st, body = c.http("/metrics")
    check('zisk_coordinator_jobs_total{kind="execute",outcome="completed"}' in body, "jobs_total")
    check('zisk_coordinator_job_duration_seconds_bucket{kind="execute",le="+Inf"}' in body, "histogram")
    check('zisk_coordinator_worker_tasks_total{worker="w1",outcome="completed"}' in body, "tasks by worker")
    check("zisk_coordinator_registered_programs 2" in body, "programs gauge")


def sc_duplicate(c):
    c.start_coordinator()
    c.start_worker("dup")
    c.wait_workers(["dup"])
    p2 = c.start_worker("dup")
    log = os.path.join(c.tmp, f"{c.n_logs:02d}-worker-dup.log")
    wait_for(lambda: "already connected" in open(log).read(), 10, "the second worker to be refused")
    check(p2.poll() is None, "a refused worker keeps retrying")
    ws = c.workers()
    check(len(ws) == 1 and ws["dup"].state == "ready", f"one dup worker: {ws}")


def sc_kill(c):
    c.start_coordinator()
    c.start_worker("k1")
    c.start_worker("k2")
    c.wait_workers(["k1", "k2"])
    pid = c.register()
    c.setup(pid)
    n = long_n(c, pid, 2.0)
    jid = c.execute(pid, n)
    victim = runner_of(c, jid)
    proc = c.procs[1] if victim == "k1" else c.procs[2]
    time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGKILL)
    job = c.wait(jid, 60)
    check_fib_result(job, n)
    check(job.attempts == 2 and list(job.workers) == [victim, "k2" if victim == "k1" else "k1"],
          f"reassigned: attempts {job.attempts} workers {list(job.workers)}")
    ws = c.workers()
    check(ws[victim].state == "offline", f"killed worker state {ws[victim].state}")
    st, body = c.http("/metrics")
    check(f'zisk_coordinator_worker_tasks_total{{worker="{victim}",outcome="lost"}} 1' in body, "lost task counted")


def sc_stop(c):
    c.hb_timeout, c.hb_interval = 2, 1
    c.start_coordinator()
    c.start_worker("s1")
    c.start_worker("s2")
    c.wait_workers(["s1", "s2"])
    pid = c.register()
    c.setup(pid)
    n = long_n(c, pid, 2.0)
    jid = c.execute(pid, n)
    victim = runner_of(c, jid)
    proc = c.procs[1] if victim == "s1" else c.procs[2]
    os.killpg(proc.pid, signal.SIGSTOP)
    try:
        t0 = time.monotonic()
        wait_for(lambda: c.workers()[victim].state == "offline", 10, "the frozen worker to be offline")
        took = time.monotonic() - t0
        check(took < 5, f"offline after {took:.1f} s with a 2 s heartbeat timeout")
        job = c.wait(jid, 60)
        check_fib_result(job, n)
        check(job.attempts == 2 and job.workers[-1] != victim, f"reassigned: {list(job.workers)}")
    finally:
        os.killpg(proc.pid, signal.SIGCONT)
    # The thawed worker reconnects by itself and becomes ready again.
    c.wait_workers([victim], timeout=20)


def sc_term(c):
    c.start_coordinator()
    w = c.start_worker("t1")
    c.wait_workers(["t1"])
    pid = c.register()
    c.setup(pid)
    n = long_n(c, pid, 1.5)
    jid = c.execute(pid, n)
    runner_of(c, jid)
    w.send_signal(signal.SIGTERM)
    job = c.wait(jid, 30)
    check_fib_result(job, n)
    check(job.attempts == 1, f"the draining worker delivered: attempts {job.attempts}")
    rc = w.wait(timeout=15)
    check(rc == 0, f"worker exit status {rc}")
    wait_for(lambda: c.workers()["t1"].state == "offline", 5, "t1 offline after leaving")


def sc_cancel(c):
    c.start_coordinator()
    c.start_worker("c1")
    c.wait_workers(["c1"])
    pid = c.register()
    c.setup(pid)
    n = long_n(c, pid, 5.0)
    jid = c.execute(pid, n)
    runner_of(c, jid)
    r = c.api.CancelJob(pb.CancelJobRequest(job_id=jid, reason="test"), timeout=5)
    check(r.state == pb.JOB_STATE_CANCELLED, f"cancel: {r}")
    job = c.api.GetJob(pb.GetJobRequest(job_id=jid), timeout=5)
    check(job.state == pb.JOB_STATE_CANCELLED and job.message == "test", f"cancelled job: {job.state} {job.message}")
    wait_for(lambda: c.workers()["c1"].state == "ready", 5, "c1 back to ready after the cancel")
    check_fib_result(c.wait(c.execute(pid, 50), 20), 50)
    # Cancel a queued job: never runs.
    q = c.submit(pb.JOB_KIND_EXECUTE, pid, input=pb.JobInput(push=True))
    c.api.CancelJob(pb.CancelJobRequest(job_id=q), timeout=5)
    check(c.api.GetJob(pb.GetJobRequest(job_id=q), timeout=5).state == pb.JOB_STATE_CANCELLED, "queued job cancelled")
    expect_code(lambda: c.api.CancelJob(pb.CancelJobRequest(job_id="missing"), timeout=5), grpc.StatusCode.NOT_FOUND,
                "cancel unknown")


def sc_queue(c):
    c.extra_coord_env = {"ZISK_COORDINATOR_MAX_QUEUED_JOBS": "4"}
    c.start_coordinator()
    c.start_worker("q1")
    c.wait_workers(["q1"])
    pid = c.register()
    c.setup(pid)
    n = long_n(c, pid, 1.5)
    first = c.execute(pid, n)
    runner_of(c, first)
    low = [c.execute(pid, n + i, priority=0) for i in range(2)]
    high = c.execute(pid, n + 10, priority=5)
    states = [c.api.GetJob(pb.GetJobRequest(job_id=j), timeout=5).state for j in low + [high]]
    check(all(s == pb.JOB_STATE_QUEUED for s in states), f"jobs wait as queued: {states}")
    # Bounded queue: 3 waiting + 1 more fills it; the next is refused.
    extra = c.execute(pid, 5)
    expect_code(lambda: c.execute(pid, 6), grpc.StatusCode.RESOURCE_EXHAUSTED, "queue full")
    jobs = {j: c.wait(j, 60) for j in [first, *low, high, extra]}
    for j, job in jobs.items():
        check(job.state == pb.JOB_STATE_COMPLETED, f"{j}: {job.state} {job.message}")
    check(jobs[high].started_unix_ms <= min(jobs[x].started_unix_ms for x in low), "priority 5 ran before priority 0")
    check(jobs[low[0]].started_unix_ms <= jobs[low[1]].started_unix_ms, "FIFO within a priority")


def sc_restart(c):
    c.start_coordinator()
    c.start_worker("r1")
    c.wait_workers(["r1"])
    pid = c.register()
    c.setup(pid)
    done = c.execute(pid, 42)
    check_fib_result(c.wait(done, 20), 42)
    n = long_n(c, pid, 1.5)
    running = c.execute(pid, n)
    runner_of(c, running)
    queued = [c.execute(pid, 100 + i) for i in range(3)]
    os.killpg(c.coord.pid, signal.SIGKILL)
    c.coord.wait()
    c.channel.close()
    c.start_coordinator()
    job = c.api.GetJob(pb.GetJobRequest(job_id=done), timeout=5)
    check_fib_result(job, 42)
    c.wait_workers(["r1"], timeout=20)  # reconnects by itself
    check_fib_result(c.wait(running, 60), n)
    for i, j in enumerate(queued):
        check_fib_result(c.wait(j, 60), 100 + i)
    # A graceful stop: exit 0, and the state is still there afterwards.
    c.coord.send_signal(signal.SIGTERM)
    check(c.coord.wait(timeout=15) == 0, f"coordinator exit status after SIGTERM: {c.coord.returncode}")
    c.channel.close()
    c.start_coordinator()
    check(len(c.api.ListJobs(pb.ListJobsRequest(), timeout=5).jobs) >= 6, "jobs survive a graceful restart")


def sc_garbage(c):
    c.start_coordinator()
    c.start_worker("g1")
    c.wait_workers(["g1"])
    for port in (c.api_port, c.cluster_port, c.metrics_port):
        for junk in (b"\x00" * 64, b"GET / HTTP/1.1\r\n\r\n", os.urandom(4096),
                     b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + os.urandom(512)):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                    s.sendall(junk)
                    s.settimeout(0.5)
                    try:
                        s.recv(1024)
                    except OSError:
                        pass
            except OSError:
                pass
    raw = c.channel.unary_unary("/zisk.api.v1.ZiskApi/GetJob")
    expect_code(lambda: raw(b"\xff\xff\xff\xff", timeout=5), grpc.StatusCode.INVALID_ARGUMENT, "undecodable request")
    with grpc.insecure_channel(f"127.0.0.1:{c.cluster_port}") as ch:
        stream = ch.stream_stream("/zisk.cluster.v1.ClusterService/WorkerStream")
        expect_code(lambda: list(stream(iter([b"\xff\xfe\xfd"]), timeout=5)), grpc.StatusCode.INVALID_ARGUMENT,
                    "undecodable worker message")
        # A well-formed message that is not register/reconnect first (a heartbeat, field 3).
        expect_code(lambda: list(stream(iter([b"\x1a\x02\x08\x01"]), timeout=5)), grpc.StatusCode.INVALID_ARGUMENT,
                    "heartbeat before register")
        # Register with an empty id.
        expect_code(lambda: list(stream(iter([b"\x0a\x02\x10\x01"]), timeout=5)), grpc.StatusCode.ALREADY_EXISTS,
                    "register without an id", "worker id")
        expect_code(lambda: list(ch.unary_unary("/zisk.cluster.v1.ClusterService/Nope")(b"", timeout=5)),
                    grpc.StatusCode.UNIMPLEMENTED, "unknown method")
    st, _ = c.http("/metrics")
    check(st == 200 and c.coord.poll() is None, "the coordinator survived")
    check(c.workers()["g1"].state == "ready", "the real worker is unaffected")


def sc_config(c):
    out = subprocess.run([ARGS.coordinator, "--print-config-reference"], capture_output=True, text=True)
    check(out.returncode == 0 and "ZISK_COORDINATOR_API_PORT" in out.stdout, "config reference")
    out = subprocess.run([ARGS.coordinator, "--help"], capture_output=True, text=True)
    check(out.returncode == 0 and "--cluster-port" in out.stdout, "help")
    out = subprocess.run([ARGS.coordinator, "--no-such-flag"], capture_output=True, text=True)
    check(out.returncode == 2 and "no-such-flag" in out.stderr, f"bad flag: {out.returncode} {out.stderr}")
    out = subprocess.run([ARGS.coordinator, "--api-port", "70000"], capture_output=True, text=True)
    check(out.returncode == 2 and "70000" in out.stderr, f"bad port: {out.stderr}")
    # The file search: $XDG_CONFIG_HOME/zisk/coordinator.toml then ./coordinator.toml (layered),
    # env over file, flag over env.
    xdg = os.path.join(c.tmp, "xdg", "zisk")
    os.makedirs(xdg)
    with open(os.path.join(xdg, "coordinator.toml"), "w") as f:
        f.write("[jobs]\nmax_queued = 7\nexecute_timeout_seconds = 11\n[logging]\nformat = \"compact\"\n")
    with open(os.path.join(c.tmp, "coordinator.toml"), "w") as f:
        f.write("[jobs]\nexecute_timeout_seconds = 12\nbogus_key = 1\n")
    c.start_coordinator(env={"ZISK_COORDINATOR_SETUP_TIMEOUT_SECONDS": "13"}, args=["--log-level", "debug"])
    c.coord.send_signal(signal.SIGTERM)
    check(c.coord.wait(timeout=15) == 0, "clean exit")
    log = open(os.path.join(c.tmp, f"{c.n_logs:02d}-coordinator.log")).read()
    for want in ("jobs.max_queued = 7 (file", "jobs.execute_timeout_seconds = 12 (file", "coordinator.toml:2",
                 "jobs.setup_timeout_seconds = 13 (env ZISK_COORDINATOR_SETUP_TIMEOUT_SECONDS)",
                 "logging.level = debug (flag --log-level)", "bogus_key"):
        check(want in log, f"banner lacks '{want}'")
    bad = os.path.join(c.tmp, "bad.toml")
    with open(bad, "w") as f:
        f.write("[server]\nport = \"x\"\n")
    out = subprocess.run([ARGS.coordinator, "--config", bad], capture_output=True, text=True)
    check(out.returncode == 2 and "bad.toml:2" in out.stderr, f"malformed file: {out.stderr}")


SCENARIOS = {name[3:]: fn for name, fn in globals().items() if name.startswith("sc_")}


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--coordinator", required=True)
    ap.add_argument("--worker", required=True)
    ap.add_argument("--guests", required=True)
    ap.add_argument("--proto", required=True)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("scenarios", nargs="+")
    ARGS = ap.parse_args()
    for k in ("coordinator", "worker", "guests", "proto"):
        setattr(ARGS, k, os.path.abspath(getattr(ARGS, k)))
    if not os.path.exists(os.path.join(ARGS.guests, "fibonacci.elf")):
        print(f"SKIP: no guest ELFs in {ARGS.guests}")
        sys.exit(77)
    failed = 0
    with tempfile.TemporaryDirectory(prefix="zisk-coord-") as gen:
        generate(gen, ARGS.proto)
        for name in ARGS.scenarios:
            tmp = tempfile.mkdtemp(prefix=f"zisk-coord-{name}-")
            c = Cluster(tmp)
            t0 = time.monotonic()
            try:
                SCENARIOS[name](c)
                print(f"ok   {name} ({time.monotonic() - t0:.1f} s)")
            except Exception as e:  # noqa: BLE001 (report every failure with the logs)
                failed += 1
                print(f"FAIL {name}: {e}")
                traceback.print_exc()
                c.stop()
                c.dump_logs()
            finally:
                c.stop()
                if not ARGS.keep:
                    subprocess.run(["rm", "-rf", tmp])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
