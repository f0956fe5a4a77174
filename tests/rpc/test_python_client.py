#!/usr/bin/python3
"""Interop: a third-party gRPC client (Debian's python3-grpcio) against our C server.

Stubs are generated at test time from tests/rpc/echo.proto and our copy of the standard
health.proto with grpc_tools.protoc. Exits 77 (ctest SKIP) when /usr/bin/python3 lacks grpcio or
grpc_tools. Usage: test_python_client.py <test_rpc binary> <echo.proto dir> <health.proto dir>
"""
import os
import subprocess
import sys
import tempfile
import time

try:
    import grpc
    from grpc_tools import protoc
except ImportError as e:
    print(f"SKIP: {sys.executable} lacks grpcio/grpc_tools ({e})")
    sys.exit(77)


def generate(out_dir, proto_dir, proto):
    rc = protoc.main(["protoc", f"-I{proto_dir}", f"--python_out={out_dir}",
                      f"--grpc_python_out={out_dir}", os.path.join(proto_dir, proto)])
    if rc != 0:
        sys.exit(f"grpc_tools.protoc failed on {proto} ({rc})")


def expect_code(fn, code, what):
    try:
        fn()
    except grpc.RpcError as e:
        if e.code() != code:
            sys.exit(f"{what}: expected {code}, got {e.code()} ({e.details()})")
        return e
    sys.exit(f"{what}: expected {code}, the call succeeded")


def main():
    with tempfile.TemporaryDirectory(prefix="zisk-rpc-py-") as tmp:
        run(tmp, *sys.argv[1:4])
    print("python interop: ok")


def run(tmp, server_bin, echo_dir, health_dir):
    generate(tmp, echo_dir, "echo.proto")
    generate(tmp, health_dir, "health.proto")
    sys.path.insert(0, tmp)
    import echo_pb2, echo_pb2_grpc, health_pb2, health_pb2_grpc  # noqa: E401

    srv = subprocess.Popen([server_bin, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        port = int(srv.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
            stub = echo_pb2_grpc.EchoStub(ch)
            r = stub.Unary(echo_pb2.EchoRequest(text="py", blob=b"x" * 1000), timeout=10)
            assert r.text == "echo: py" and r.blob_size == 1000, r

            replies = list(stub.ServerStream(echo_pb2.EchoRequest(text="s", count=5), timeout=10))
            assert [x.index for x in replies] == list(range(5)), replies
            assert replies[4].text == "s #4", replies

            reqs = (echo_pb2.EchoRequest(text=t, blob=b"ab") for t in "xyz")
            r = stub.ClientStream(reqs, timeout=10)
            assert r.text == "xyz" and r.index == 3 and r.blob_size == 6, r

            reqs = [echo_pb2.EchoRequest(text=f"m{i}") for i in range(8)]
            replies = list(stub.Bidi(iter(reqs), timeout=10))
            assert [x.text for x in replies] == [f"m{i}" for i in range(8)], replies

            e = expect_code(lambda: stub.Unary(echo_pb2.EchoRequest(fail_code=5), timeout=10),
                            grpc.StatusCode.NOT_FOUND, "fail_code")
            assert e.details() == "asked to fail with 5", e.details()

            t0 = time.monotonic()
            expect_code(lambda: stub.Unary(echo_pb2.EchoRequest(delay_ms=1500), timeout=0.2),
                        grpc.StatusCode.DEADLINE_EXCEEDED, "deadline")
            assert time.monotonic() - t0 < 1.2

            raw = ch.unary_unary("/zisk.test.v1.Echo/Unary")  # bytes in, bytes out
            e = expect_code(lambda: raw(b"\xff\xff\xff\xff", timeout=10),
                            grpc.StatusCode.INVALID_ARGUMENT, "garbage")
            assert "does not decode" in e.details(), e.details()
            expect_code(lambda: ch.unary_unary("/zisk.test.v1.Echo/Nope")(b"", timeout=10),
                        grpc.StatusCode.UNIMPLEMENTED, "unknown method")

            h = health_pb2_grpc.HealthStub(ch)
            r = h.Check(health_pb2.HealthCheckRequest(service=""), timeout=10)
            assert r.status == health_pb2.HealthCheckResponse.SERVING, r
            expect_code(lambda: h.Check(health_pb2.HealthCheckRequest(service="nope"), timeout=10),
                        grpc.StatusCode.NOT_FOUND, "health unknown service")
            w = h.Watch(health_pb2.HealthCheckRequest(service=""), timeout=10)
            assert next(w).status == health_pb2.HealthCheckResponse.SERVING
            w.cancel()
    finally:
        srv.stdin.close()
        try:
            rc = srv.wait(timeout=20)
        except subprocess.TimeoutExpired:
            srv.kill()
            sys.exit("the C server did not exit after stdin closed")
    if rc != 0:
        sys.exit(f"the C server exited with {rc}")


if __name__ == "__main__":
    main()
