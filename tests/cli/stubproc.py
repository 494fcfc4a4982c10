"""Starts the stand-in server (tests/server/openrouter_stub.py) for the CLI,
example and install tests, and talks to its control API. Standard library
only; loopback only."""

import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
STUB_SCRIPT = os.environ.get(
    "OR_STUB_SCRIPT", os.path.join(HERE, "..", "server", "openrouter_stub.py"))

# A management key distinct from the library tests' one, so a leak is easy to
# spot in any output.
MGMT_KEY = "sk-or-v1-cli-test-management-key-0123456789abcdef"


class Stub:
    def __init__(self, seed_keys=0):
        self.dir = tempfile.TemporaryDirectory(prefix="or-stub-")
        port_file = os.path.join(self.dir.name, "port")
        self.proc = subprocess.Popen(
            [sys.executable, STUB_SCRIPT, "--port-file", port_file,
             "--seed-keys", str(seed_keys), "--management-key", MGMT_KEY,
             "--max-lifetime", "600"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 15
        while time.time() < deadline:
            if os.path.exists(port_file):
                with open(port_file) as f:
                    text = f.read().strip()
                if text:
                    self.port = int(text)
                    break
            if self.proc.poll() is not None:
                raise RuntimeError("stand-in server exited early")
            time.sleep(0.05)
        else:
            self.stop()
            raise RuntimeError("stand-in server did not start")
        self.base_url = "http://127.0.0.1:%d/api/v1" % self.port
        self.control_url = "http://127.0.0.1:%d/_control" % self.port

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.control("POST", "/shutdown")
            except Exception:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.dir.cleanup()

    def control(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.control_url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read().decode())

    def reset(self, seed_keys=0):
        self.control("POST", "/reset", {"seed_keys": seed_keys})

    def add_faults(self, *faults):
        self.control("POST", "/faults", {"faults": list(faults)})

    def requests(self):
        return self.control("GET", "/requests")["requests"]

    def keys(self):
        return self.control("GET", "/keys")["keys"]

    def api_raw(self, path, key=MGMT_KEY):
        """GET an API path directly: (status, body bytes)."""
        req = urllib.request.Request(self.base_url + path,
                                     headers={"Authorization": "Bearer " + key})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()


class StubCase(unittest.TestCase):
    """Tests sharing one stand-in server (self.stub), reset to 3 seeded keys
    before each test."""
    stub = None

    @classmethod
    def setUpClass(cls):
        cls.stub = Stub()

    @classmethod
    def tearDownClass(cls):
        cls.stub.stop()

    def setUp(self):
        self.stub.reset(3)


def free_port():
    """A loopback port with nothing listening on it."""
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
