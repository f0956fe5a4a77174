#!/usr/bin/python3
"""zisk-worker against a scripted coordinator (Debian's python3-grpcio).

usage: test_worker.py ZISK_WORKER PROTO_DIR GUESTS_DIR PROGS_DIR

Each test starts a fake ClusterService on a free loopback port, starts the real zisk-worker
against it, and drives the conversation message by message. Exits 77 when grpc is missing or
the guests were not built.
"""
import hashlib
import json
import os
import queue
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

WORKER, PROTO_DIR, GUESTS, PROGS = sys.argv[1:5]

try:
    import grpc
    from grpc_tools import protoc
except ImportError:
    print("python3-grpcio / python3-grpc-tools missing: skipping")
    sys.exit(77)

GEN = tempfile.mkdtemp(prefix="zisk-pb-")
if protoc.main(["protoc", "-I" + PROTO_DIR, "--python_out=" + GEN, "--grpc_python_out=" + GEN,
                os.path.join(PROTO_DIR, "zisk", "cluster.proto")]) != 0:
    sys.exit("protoc failed")
sys.path.insert(0, GEN)
from zisk import cluster_pb2 as pb  # noqa: E402
from zisk import cluster_pb2_grpc as pbg  # noqa: E402

FIB = os.path.join(GUESTS, "fibonacci.elf")
BENCH = os.path.join(GUESTS, "bench.elf")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def record(data):
    return struct.pack("<Q", len(data)) + data + bytes((8 - len(data) % 8) % 8)


def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, (a + b) % 2**64
    return a


class Session:
    """One WorkerStream: inbound messages in a queue, outbound pushed by the test."""

    def __init__(self):
        self.inbox = queue.Queue()
        self.outbox = queue.Queue()
        self.closed = threading.Event()

    def send(self, **kw):
        self.outbox.put(pb.CoordinatorMessage(**kw))

    def recv(self, kind=None, timeout=15.0, skip=("heartbeat", "heartbeat_ack")):
        """Next message (of `kind` if given), skipping heartbeats unless asked for."""
        deadline = time.time() + timeout
        while True:
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError(f"no {kind or 'message'} within {timeout}s")
            try:
                m = self.inbox.get(timeout=left)
            except queue.Empty:
                continue
            which = m.WhichOneof("payload")
            if kind and which == kind:
                return m
            if which in skip and kind not in skip:
                continue
            if kind is None:
                return m
            raise AssertionError(f"expected {kind}, got {which}: {m}")

    def end(self):
        self.outbox.put(None)


class FakeCoordinator(pbg.ClusterServiceServicer):
    def __init__(self):
        self.sessions = queue.Queue()
        self.port = free_port()
        self.server = grpc.server(__import__("concurrent.futures").futures.ThreadPoolExecutor(max_workers=16))
        pbg.add_ClusterServiceServicer_to_server(self, self.server)
        self.server.add_insecure_port(f"127.0.0.1:{self.port}")
        self.server.start()

    def WorkerStream(self, request_iterator, context):
        s = Session()
        self.sessions.put(s)

        def reader():
            try:
                for m in request_iterator:
                    s.inbox.put(m)
            except grpc.RpcError:
                pass
            finally:
                s.closed.set()
                s.outbox.put(None)

        threading.Thread(target=reader, daemon=True).start()
        while True:
            m = s.outbox.get()
            if m is None or not context.is_active():
                return
            yield m

    def session(self, timeout=15.0):
        return self.sessions.get(timeout=timeout)

    def stop(self):
        self.server.stop(0)


class WorkerTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.inputs = os.path.join(self.tmp.name, "inputs")
        os.mkdir(self.inputs)
        self.coord = FakeCoordinator()
        self.addCleanup(self.coord.stop)
        self.procs = []
        self.addCleanup(self.kill_all)

    def kill_all(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()

    def start_worker(self, *args, env=None, timeout_s=30, config=None):
        e = {k: v for k, v in os.environ.items() if not k.startswith("ZISK_WORKER_") and k != "RUST_LOG"}
        e.update({"ZISK_WORKER_INPUTS_FOLDER": self.inputs, "ZISK_WORKER_LOG_FORMAT": "json",
                  "ZISK_WORKER_HEARTBEAT_TIMEOUT_SECONDS": str(timeout_s),
                  "ZISK_WORKER_RECONNECT_INTERVAL_SECONDS": "1"})
        e.update(env or {})
        cmd = [WORKER, "--coordinator-url", f"http://127.0.0.1:{self.coord.port}", *args]
        if config:
            path = os.path.join(self.tmp.name, "worker.toml")
            with open(path, "w") as f:
                f.write(config)
            cmd += ["--config", path]
        log = open(os.path.join(self.tmp.name, f"worker{len(self.procs)}.log"), "w+")
        p = subprocess.Popen(cmd, env=e, stdout=log, stderr=subprocess.STDOUT)
        p.log = log
        self.procs.append(p)
        return p

    def logs(self, p):
        p.log.flush()
        with open(p.log.name) as f:
            return [json.loads(line) for line in f if line.startswith("{")]

    def registered(self, accept=True, directive=0, message=""):
        s = self.coord.session()
        first = s.recv()
        self.assertIn(first.WhichOneof("payload"), ("register", "reconnect"))
        s.send(register_response=pb.RegisterResponse(accepted=accept, message=message, directive=directive,
                                                     heartbeat_interval_ms=500))
        return s, first

    def setup_program(self, s, path):
        elf = open(path, "rb").read()
        pid = hashlib.sha256(elf).hexdigest()
        s.send(setup_program=pb.SetupProgram(program_id=pid, elf=elf))
        ack = s.recv("setup_ack").setup_ack
        self.assertTrue(ack.ok, ack.message)
        return pid

    # ---- tests ----

    def test_precedence_as_registered(self):
        """The spec's example, as the coordinator sees it: TOML 10 < env 16 < flag 32."""
        toml = "[worker]\ncompute_capacity.compute_units = 10\nworker_id = \"from-toml\"\n"
        for extra_env, args, want in (({}, [], 10), ({"ZISK_WORKER_COMPUTE_CAPACITY": "16"}, [], 16),
                                      ({"ZISK_WORKER_COMPUTE_CAPACITY": "16"}, ["--compute-capacity", "32"], 32)):
            p = self.start_worker(*args, env=extra_env, config=toml)
            s, first = self.registered()
            self.assertEqual(first.register.compute_units, want)
            self.assertEqual(first.register.worker_id, "from-toml")
            p.send_signal(signal.SIGTERM)
            self.assertEqual(p.wait(10), 0)

    def test_defaults_registered(self):
        p = self.start_worker()
        s, first = self.registered()
        r = first.register
        self.assertEqual(r.compute_units, 10)
        self.assertEqual(len(r.worker_id), 36)  # random UUID
        self.assertEqual(r.environment, "development")
        self.assertEqual(r.backend, "emulator")
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(10), 0)
        banner = " ".join(l["message"] for l in self.logs(p))
        for frag in ("coordinator.url = http://127.0.0.1", "(flag --coordinator-url)",
                     "worker.compute_capacity = 10 (default)", "random UUID",
                     "connection.reconnect_interval_seconds = 1 (env ZISK_WORKER_RECONNECT_INTERVAL_SECONDS)",
                     "backend: emulator"):
            self.assertIn(frag, banner)

    def test_deploy_configs_are_clean(self):
        """The example configs parse without unknown keys; install-worker.sh writes a usable one."""
        deploy = os.path.join(os.path.dirname(PROTO_DIR), "deploy")
        for name in ("worker.dev.toml", "worker.prod.toml"):
            p = self.start_worker("--config", os.path.join(deploy, "config", name))
            s, first = self.registered()
            self.assertEqual(first.register.compute_units, 10)
            p.send_signal(signal.SIGTERM)
            self.assertEqual(p.wait(10), 0)
            text = " ".join(l["message"] for l in self.logs(p))
            self.assertNotIn("unknown key", text)
            self.assertIn(name, text)  # settings from the file name their origin
        root = os.path.join(self.tmp.name, "root")
        r = subprocess.run(["bash", os.path.join(deploy, "install-worker.sh"), "--root", root, "--build",
                            os.path.dirname(os.path.dirname(WORKER)), "--coordinator-url", "http://c.lan:50051",
                            "--with-snark", self.tmp.name], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        cfg = open(os.path.join(root, "etc/zisk/worker.toml")).read()
        self.assertIn('inputs_folder = "/var/lib/zisk-worker/inputs"', cfg)
        self.assertIn('url = "http://c.lan:50051"', cfg)
        self.assertTrue(os.path.isdir(os.path.join(root, "var/lib/zisk-worker/inputs")))
        self.assertTrue(os.access(os.path.join(root, "usr/local/bin/zisk-worker"), os.X_OK))
        self.assertTrue(os.path.exists(os.path.join(root, "etc/systemd/system/zisk-worker.service")))

    def test_spec_defaults(self):
        """Every default of the spec's table, seen in the start-up banner of a worker started with
        no flags, no config file and no ZISK_WORKER_* variables (in an empty folder)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("ZISK_WORKER_") and k != "RUST_LOG"}
        env["HOME"] = self.tmp.name
        p = subprocess.Popen([WORKER], cwd=self.inputs, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)
        self.procs.append(p)
        lines = []
        deadline = time.time() + 10
        while time.time() < deadline:
            line = p.stdout.readline()
            lines.append(line)
            if "backend:" in line:
                break
        p.send_signal(signal.SIGTERM)
        out, _ = p.communicate(timeout=15)
        self.assertEqual(p.returncode, 0)
        text = "".join(lines) + out
        for want in ("coordinator.url = http://127.0.0.1:50051 (default)",
                     "worker.compute_capacity = 10 (default)",
                     "worker.worker_id = ",  # followed by a random UUID
                     "random UUID: no id configured",
                     "worker.proving_key = ~/.zisk/provingKey (default)",
                     "proving_key_snark is unset",
                     "backend: emulator (the default assembly backend is not built in yet",
                     "worker.inputs_folder = . (default)",
                     "connection.reconnect_interval_seconds = 5 (default)",
                     "connection.heartbeat_timeout_seconds = 30 (default)",
                     "logging.level = info (default)",
                     "logging.format = pretty (default)"):
            self.assertIn(want, text)
        self.assertRegex(text, r"worker\.worker_id = [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")

    def test_unreachable_coordinator_keeps_retrying(self):
        """No coordinator: the worker keeps retrying every reconnect interval, logging without
        flooding (the first failure at once, later ones held back with a count)."""
        port = free_port()  # nothing listens here
        e = {k: v for k, v in os.environ.items() if not k.startswith("ZISK_WORKER_")}
        e.update({"ZISK_WORKER_INPUTS_FOLDER": self.inputs, "ZISK_WORKER_LOG_FORMAT": "json",
                  "ZISK_WORKER_RECONNECT_INTERVAL_SECONDS": "1"})
        log = open(os.path.join(self.tmp.name, "unreachable.log"), "w+")
        p = subprocess.Popen([WORKER, "-c", f"http://127.0.0.1:{port}"], env=e, stdout=log, stderr=subprocess.STDOUT)
        p.log = log
        self.procs.append(p)
        time.sleep(4.5)
        self.assertIsNone(p.poll())  # still running, still trying
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(10), 0)
        warns = [l for l in self.logs(p) if "cannot reach the coordinator" in l["message"]]
        self.assertGreaterEqual(len(warns), 2)   # attempts go on ...
        self.assertLessEqual(len(warns), 4)      # ... but ~4 attempts in 4.5 s log at most 3-4 lines

    def test_setup_and_execute(self):
        self.start_worker()
        s, _ = self.registered()
        pid = self.setup_program(s, FIB)
        s.send(task=pb.Task(job_id="j1", task_id="t1", kind=pb.TASK_KIND_EXECUTE, program_id=pid,
                            input_inline=record(struct.pack("<Q", 90))))
        r = s.recv("task_result").task_result
        self.assertEqual((r.job_id, r.task_id, r.execute.stop, r.execute.exit_code), ("j1", "t1", "exit", 0))
        self.assertEqual(len(r.execute.outputs), 64)
        f = fib(90)
        self.assertEqual((r.execute.outputs[0], r.execute.outputs[1]), (f & 0xFFFFFFFF, f >> 32))
        # input by path inside the inputs folder; then escapes refused with a reason
        with open(os.path.join(self.inputs, "n10.bin"), "wb") as fh:
            fh.write(record(struct.pack("<Q", 10)))
        s.send(task=pb.Task(job_id="j2", task_id="t2", kind=pb.TASK_KIND_EXECUTE, program_id=pid, input_path="n10.bin"))
        r = s.recv("task_result").task_result
        self.assertEqual(r.execute.outputs[0], 55)
        for bad, frag in (("../etc/passwd", ".."), ("/etc/passwd", "absolute"), ("nope.bin", "not found")):
            s.send(task=pb.Task(job_id="j3", task_id="t3", kind=pb.TASK_KIND_EXECUTE, program_id=pid, input_path=bad))
            e = s.recv("task_error").task_error
            self.assertIn(frag, e.message)
            self.assertFalse(e.retryable)
        # streamed input in two chunks
        data = record(struct.pack("<Q", 20))
        s.send(task=pb.Task(job_id="j4", task_id="t4", kind=pb.TASK_KIND_EXECUTE, program_id=pid, input_streamed=len(data)))
        s.send(input_data=pb.InputData(job_id="j4", task_id="t4", chunk=data[:5]))
        s.send(input_data=pb.InputData(job_id="j4", task_id="t4", chunk=data[5:], last=True))
        r = s.recv("task_result").task_result
        self.assertEqual(r.execute.outputs[0], fib(20))
        # unknown program: retryable error
        s.send(task=pb.Task(job_id="j5", task_id="t5", kind=pb.TASK_KIND_EXECUTE, program_id="0" * 64))
        e = s.recv("task_error").task_error
        self.assertTrue(e.retryable)
        self.assertIn("not set up", e.message)

    def test_bad_setup(self):
        self.start_worker()
        s, _ = self.registered()
        s.send(setup_program=pb.SetupProgram(program_id="ab" * 32, elf=open(FIB, "rb").read()))
        ack = s.recv("setup_ack").setup_ack
        self.assertFalse(ack.ok)
        self.assertIn("SHA-256", ack.message)
        junk = b"not an elf at all"
        s.send(setup_program=pb.SetupProgram(program_id=hashlib.sha256(junk).hexdigest(), elf=junk))
        ack = s.recv("setup_ack").setup_ack
        self.assertFalse(ack.ok)
        self.assertIn("invalid ELF", ack.message)

    def test_heartbeats(self):
        self.start_worker(timeout_s=30)
        s, _ = self.registered()
        s.send(heartbeat=pb.Heartbeat(seq=7))
        self.assertEqual(s.recv("heartbeat_ack", skip=("heartbeat",)).heartbeat_ack.seq, 7)
        # the worker heartbeats on its own (interval 0.5 s from the register response)
        self.assertGreater(s.recv("heartbeat", skip=("heartbeat_ack",), timeout=5).heartbeat.seq, 0)

    def test_silent_coordinator_is_left(self):
        """heartbeat_timeout_seconds is honoured: a silent coordinator makes the worker reconnect."""
        p = self.start_worker(timeout_s=2)
        s, _ = self.registered()
        t0 = time.time()
        s2 = self.coord.session(timeout=10)  # a new stream: the worker gave up on the silent one
        self.assertLess(time.time() - t0, 6)
        self.assertIn(s2.recv().WhichOneof("payload"), ("register", "reconnect"))
        self.assertIn("silent", " ".join(l["message"] for l in self.logs(p)))

    def test_refused_then_retries(self):
        self.start_worker()
        s, _ = self.registered(accept=False, message="worker id already connected")
        s2, first = self.registered()
        self.assertEqual(first.WhichOneof("payload"), "register")

    def test_sigterm_drains_running_task(self):
        p = self.start_worker()
        s, _ = self.registered()
        pid = self.setup_program(s, BENCH)
        s.send(task=pb.Task(job_id="long", task_id="t", kind=pb.TASK_KIND_EXECUTE, program_id=pid,
                            input_inline=record(struct.pack("<Q", 2500))))
        time.sleep(0.3)
        p.send_signal(signal.SIGTERM)
        r = s.recv("task_result", timeout=60).task_result
        self.assertEqual((r.job_id, r.execute.stop), ("long", "exit"))
        self.assertEqual(p.wait(20), 0)
        # a task sent while draining is refused as retryable (another worker can take it)

    def test_second_sigint_forces_exit(self):
        p = self.start_worker()
        s, _ = self.registered()
        pid = self.setup_program(s, BENCH)
        s.send(task=pb.Task(job_id="long", task_id="t", kind=pb.TASK_KIND_EXECUTE, program_id=pid,
                            input_inline=record(struct.pack("<Q", 100000))))
        time.sleep(0.3)
        p.send_signal(signal.SIGINT)
        time.sleep(0.3)
        self.assertIsNone(p.poll())  # still draining
        p.send_signal(signal.SIGINT)
        self.assertEqual(p.wait(10), 130)

    def test_cancel(self):
        self.start_worker()
        s, _ = self.registered()
        pid = self.setup_program(s, BENCH)
        s.send(task=pb.Task(job_id="c1", task_id="t", kind=pb.TASK_KIND_EXECUTE, program_id=pid,
                            input_inline=record(struct.pack("<Q", 100000))))
        time.sleep(0.3)
        s.send(job_cancelled=pb.JobCancelled(job_id="c1", reason="user"))
        self.assertEqual(s.recv("cancel_ack", timeout=10).cancel_ack.job_id, "c1")
        # back to idle: a new task runs
        fpid = self.setup_program(s, FIB)
        s.send(task=pb.Task(job_id="j", task_id="t", kind=pb.TASK_KIND_EXECUTE, program_id=fpid,
                            input_inline=record(struct.pack("<Q", 5))))
        self.assertEqual(s.recv("task_result").task_result.execute.outputs[0], 5)

    def test_reconnect_keeps_or_drops_job(self):
        for directive, expect_result in ((pb.DIRECTIVE_KEEP_COMPUTING, True), (pb.DIRECTIVE_CANCEL_STALE_JOB, False)):
            p = self.start_worker()
            s, _ = self.registered()
            pid = self.setup_program(s, BENCH)
            s.send(task=pb.Task(job_id="r1", task_id="t", kind=pb.TASK_KIND_EXECUTE, program_id=pid,
                                input_inline=record(struct.pack("<Q", 1500))))
            time.sleep(0.2)
            s.end()  # drop the stream while the task runs
            s2, first = self.registered(directive=directive)
            self.assertEqual(first.WhichOneof("payload"), "reconnect")
            self.assertEqual(first.reconnect.last_job_id, "r1")
            if expect_result:
                self.assertEqual(s2.recv("task_result", timeout=60).task_result.job_id, "r1")
            else:
                s2.send(heartbeat=pb.Heartbeat(seq=1))
                self.assertEqual(s2.recv("heartbeat_ack", skip=("heartbeat",)).heartbeat_ack.seq, 1)
                with self.assertRaises(AssertionError):
                    s2.recv("task_result", timeout=3)
            p.send_signal(signal.SIGTERM)
            self.assertEqual(p.wait(30), 0)


if __name__ == "__main__":
    if not os.path.exists(FIB) or not os.path.exists(BENCH):
        print("example guests not built: skipping")
        sys.exit(77)
    unittest.main(argv=[sys.argv[0], "-v"])
