"""The base of the openrouter-keys tests: one stand-in server per class,
the tool run as a subprocess with the server's URL and key in its
environment, and after every test a check that no output held the
management key.

    OPENROUTER_KEYS_BIN=build-test/cli/openrouter-keys
"""

import os
import subprocess

import stubproc

BIN = os.environ.get("OPENROUTER_KEYS_BIN", "openrouter-keys")


class CliCase(stubproc.StubCase):
    def setUp(self):
        super().setUp()
        self.outputs = []

    def tearDown(self):
        # Whatever a test ran: the management key never appears in any output.
        for out, err in self.outputs:
            self.assertNotIn(stubproc.MGMT_KEY, out)
            self.assertNotIn(stubproc.MGMT_KEY, err)
            self.assertNotIn(stubproc.MGMT_KEY[10:30], out + err)

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("OPENROUTER_")}
        env["OPENROUTER_API_KEY"] = stubproc.MGMT_KEY
        env["OPENROUTER_BASE_URL"] = self.stub.base_url
        env.update(extra)
        return {k: v for k, v in env.items() if v is not None}

    def run_cli(self, *args, env=None, stdin=None, expect=None, binary=None):
        p = subprocess.run([binary or BIN, *args], input=stdin, capture_output=True, text=True,
                           env=env if env is not None else self.env(), timeout=60)
        self.outputs.append((p.stdout, p.stderr))
        if expect is not None:
            self.assertEqual(p.returncode, expect,
                             "exit %d, stdout %r, stderr %r" % (p.returncode, p.stdout, p.stderr))
        return p

    def last_request(self):
        reqs = self.stub.requests()
        self.assertTrue(reqs)
        return reqs[-1]
