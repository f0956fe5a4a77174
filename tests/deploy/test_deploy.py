#!/usr/bin/env python3
"""The example coordinator configs in deploy/config start a coordinator without warnings, and it
answers /health; the systemd units name the binaries and configs that exist.

usage: test_deploy.py ZISK_COORDINATOR DEPLOY_DIR
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

COORD, DEPLOY = sys.argv[1:3]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Deploy(unittest.TestCase):
    def test_coordinator_configs(self):
        for name in ("coordinator.dev.toml", "coordinator.prod.toml"):
            with tempfile.TemporaryDirectory() as tmp:
                mport = free_port()
                p = subprocess.Popen([COORD, "--config", os.path.join(DEPLOY, "config", name), "--api-port", "0",
                                      "--cluster-port", "0", "--metrics-port", str(mport), "--data-dir", tmp,
                                      "--host", "127.0.0.1"],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                try:
                    body = None
                    for _ in range(100):
                        try:
                            body = urllib.request.urlopen(f"http://127.0.0.1:{mport}/health", timeout=2).read()
                            break
                        except OSError:
                            time.sleep(0.1)
                    self.assertIsNotNone(body, f"{name}: /health never answered")
                finally:
                    p.send_signal(signal.SIGTERM)
                    out, _ = p.communicate(timeout=30)
                self.assertEqual(p.returncode, 0, out)
                self.assertNotIn("unknown key", out, name)
                self.assertIn(name, out)  # the banner names the file as the origin of settings

    def test_units(self):
        for unit, binary, cfg in (("zisk-worker.service", "zisk-worker", "/etc/zisk/worker.toml"),
                                  ("zisk-coordinator.service", "zisk-coordinator", "/etc/zisk/coordinator.toml")):
            text = open(os.path.join(DEPLOY, "systemd", unit)).read()
            self.assertIn(f"ExecStart=/usr/local/bin/{binary} --config {cfg}", text)
            self.assertIn("KillSignal=SIGTERM", text)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
