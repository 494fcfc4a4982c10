"""The base of the openrouter-keys tests: one stand-in server per class,
the tool run as a subprocess with the server's URL and key in its
environment, and after every test a check that no output held the
management key.

    OPENROUTER_KEYS_BIN=build-test/cli/openrouter-keys
"""

import os
import pty
import subprocess
import threading

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

    def run_under_valgrind(self, args, env=None, stdin=None, expect=None, timeout=120):
        """run_cli under valgrind (OR_VALGRIND, OR_VALGRIND_SUPP): any leak or
        invalid access fails the test."""
        vg = [os.environ["OR_VALGRIND"], "--quiet", "--error-exitcode=99", "--leak-check=full",
              "--show-leak-kinds=definite,indirect,possible",
              "--errors-for-leak-kinds=definite,indirect,possible"]
        if os.environ.get("OR_VALGRIND_SUPP"):
            vg.append("--suppressions=" + os.environ["OR_VALGRIND_SUPP"])
        p = subprocess.run(vg + [BIN, *args], input=stdin, capture_output=True, text=True,
                           env=env if env is not None else self.env(), timeout=timeout)
        self.outputs.append((p.stdout, p.stderr))
        self.assertNotEqual(p.returncode, 99, p.stderr)
        if expect is not None:
            self.assertEqual(p.returncode, expect, p.stderr)
        return p

    def run_stderr_on_tty(self, args, timeout=60):
        """The tool with stderr on a pseudo-terminal (stdout a pipe):
        (exit status, stdout, stderr)."""
        master, slave = pty.openpty()
        chunks = []

        def drain():
            while True:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # EIO: every writer closed it
                    return
                if not chunk:
                    return
                chunks.append(chunk)

        reader = threading.Thread(target=drain)
        reader.start()
        try:
            p = subprocess.Popen([BIN, *args], stdout=subprocess.PIPE, stderr=slave, env=self.env(), text=True)
        finally:
            os.close(slave)
        out, _ = p.communicate(timeout=timeout)
        reader.join(10)
        os.close(master)
        err = b"".join(chunks).decode(errors="replace")
        self.outputs.append((out, err))
        return p.returncode, out, err

    def last_request(self):
        reqs = self.stub.requests()
        self.assertTrue(reqs)
        return reqs[-1]
