"""The programs in examples/ against the stand-in server: each does what its
comment promises, prints no secret, and stores the created secret where it
says (mode 0600).

    OR_EXAMPLES_DIR=build-test python3 -m unittest tests/cli/test_examples.py
"""

import hashlib
import os
import re
import stat
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stubproc  # noqa: E402

EXAMPLES_DIR = os.environ.get("OR_EXAMPLES_DIR", ".")
SECRET_RE = re.compile(r"sk-or-v1-[0-9a-f]{64}")


class ExamplesTest(stubproc.StubCase):
    def setUp(self):
        super().setUp()
        self.tmp = tempfile.TemporaryDirectory(prefix="or-examples-")

    def tearDown(self):
        self.tmp.cleanup()

    def run_example(self, name, *args, expect=0):
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENROUTER_")}
        env["OPENROUTER_API_KEY"] = stubproc.MGMT_KEY
        env["OPENROUTER_BASE_URL"] = self.stub.base_url
        p = subprocess.run([os.path.join(EXAMPLES_DIR, name), *args], capture_output=True, text=True,
                           env=env, timeout=60)
        self.assertEqual(p.returncode, expect, "%s: stdout %r stderr %r" % (name, p.stdout, p.stderr))
        for out in (p.stdout, p.stderr):
            self.assertNotIn(stubproc.MGMT_KEY, out)
            self.assertIsNone(SECRET_RE.search(out), "%s printed a secret" % name)
        return p

    def key(self, hash_):
        return [k for k in self.stub.keys() if k["hash"] == hash_][0]

    def check_secret_file(self, path, hash_):
        st = os.stat(path)
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
        with open(path) as f:
            secret = f.read().strip()
        self.assertEqual(hashlib.sha256(secret.encode()).hexdigest(), hash_)
        status, _ = self.stub.api_raw("/key", key=secret)
        self.assertEqual(status, 200)

    def test_quickstart(self):
        p = self.run_example("quickstart")
        lines = p.stdout.splitlines()
        self.assertRegex(lines[0], r"^created [0-9a-f]{64} \(secret of 73 characters\)$")
        self.assertEqual(lines[1:], ["4 enabled keys", "disabled: yes", "deleted"])
        reqs = self.stub.requests()
        self.assertEqual([r["method"] for r in reqs], ["POST", "GET", "PATCH", "DELETE"])
        self.assertEqual(reqs[0]["body"], {"name": "customer-42", "limit": 25, "limit_reset": "monthly"})
        self.assertEqual(reqs[2]["body"], {"disabled": True, "limit": None})
        self.assertEqual(len(self.stub.keys()), 3)
        self.assertEqual(reqs[0]["headers"].get("x-openrouter-title"), "My Provisioner")

    def test_readme_shows_quickstart_verbatim(self):
        root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
        with open(os.path.join(root, "README.md")) as f:
            readme = f.read()
        with open(os.path.join(root, "examples", "quickstart.c")) as f:
            program = f.read()
        section = readme.split("## A complete example", 1)[1]
        block = section.split("```c\n", 1)[1].split("```", 1)[0]
        self.assertEqual(block, program, "README's complete example differs from examples/quickstart.c")

    def test_keys_walkthrough(self):
        p = self.run_example("keys_walkthrough")
        for step in ("create:", "list:", "get:", "update:", "delete:", "current key:"):
            self.assertIn(step, p.stdout)
        self.assertEqual(len(self.stub.keys()), 3)  # created, then deleted

    def test_provision_customer_key(self):
        secret_file = os.path.join(self.tmp.name, "cust-42.key")
        p = self.run_example("provision_customer_key", "cust-42", "25", "90", secret_file)
        new = self.stub.keys()[0]
        self.assertIn(new["hash"], p.stdout)
        self.assertEqual(new["name"], "customer cust-42")
        self.assertEqual(new["limit"], 25)
        self.assertEqual(new["limit_reset"], "monthly")
        self.assertEqual(new["external_user"], "cust-42")
        self.assertRegex(new["expires_at"], r"T00:00:00(\.0+)?(Z|\+00:00)$")
        body = self.stub.requests()[-1]["body"]
        self.assertRegex(body["expires_at"], r"^\d{4}-\d\d-\d\dT00:00:00Z$")
        self.check_secret_file(secret_file, new["hash"])
        # Never overwrites a secret file, and sends nothing then.
        n = len(self.stub.requests())
        self.run_example("provision_customer_key", "cust-43", "5", "1", secret_file, expect=2)
        self.assertEqual(len(self.stub.requests()), n)
        self.run_example("provision_customer_key", "cust-43", "-5", "1",
                         os.path.join(self.tmp.name, "x"), expect=2)

    def test_rotate_key(self):
        old = self.stub.control("POST", "/keys", {"name": "billing service", "limit": 40,
                                                  "limit_reset": "weekly",
                                                  "include_byok_in_limit": True,
                                                  "expires_at": "2031-05-01T12:00:00Z"})["data"]
        secret_file = os.path.join(self.tmp.name, "new.key")
        p = self.run_example("rotate_key", old["hash"], secret_file)
        new = self.stub.keys()[0]
        self.assertNotEqual(new["hash"], old["hash"])
        self.assertIn(new["hash"], p.stdout)
        for field in ("name", "limit", "limit_reset", "include_byok_in_limit", "workspace_id"):
            self.assertEqual(new[field], old[field], field)
        self.assertTrue(new["expires_at"].startswith("2031-05-01T12:00:00"))
        self.assertFalse(new["disabled"])
        self.assertTrue(self.key(old["hash"])["disabled"])
        # The order: create first, then disable the old key.
        methods = [(r["method"], r["path"]) for r in self.stub.requests()]
        self.assertEqual([m for m, _ in methods], ["GET", "POST", "PATCH"])
        self.check_secret_file(secret_file, new["hash"])
        # An already disabled key is not rotated again.
        self.run_example("rotate_key", old["hash"], os.path.join(self.tmp.name, "again.key"), expect=1)
        # Unknown key: nothing created.
        before = len(self.stub.keys())
        self.run_example("rotate_key", "no-such-hash", os.path.join(self.tmp.name, "x.key"), expect=1)
        self.assertEqual(len(self.stub.keys()), before)

    def test_rotate_key_keeps_old_key_when_create_fails(self):
        old = self.stub.keys()[0]
        self.stub.add_faults({"status": 500, "match": {"method": "POST"}})
        self.run_example("rotate_key", old["hash"], os.path.join(self.tmp.name, "n.key"), expect=1)
        self.assertFalse(self.key(old["hash"])["disabled"])
        self.assertFalse(os.path.exists(os.path.join(self.tmp.name, "n.key")))

    def test_audit_limits(self):
        self.stub.reset(0)
        keys = [{"name": "fine", "limit": 100, "usage": 10, "limit_remaining": 90},
                {"name": "hot", "limit": 10, "usage": 9.5, "limit_remaining": 0.5},
                {"name": "spent", "limit": 20, "usage": 20, "limit_remaining": 0, "disabled": True},
                {"name": "uncapped", "limit": None}]
        # Enough filler keys to need three pages.
        keys += [{"name": "filler-%d" % i, "limit": 50, "usage": 1, "limit_remaining": 49}
                 for i in range(230)]
        self.stub.control("POST", "/keys", keys)
        p = self.run_example("audit_limits", expect=4)
        lines = p.stdout.splitlines()
        flagged = [l for l in lines if "% of $" in l]
        self.assertEqual(len(flagged), 2, p.stdout)
        self.assertTrue(any("hot" in l and "95.0%" in l for l in flagged))
        self.assertTrue(any("spent" in l and "disabled" in l for l in flagged))
        self.assertIn("234 key(s) audited: 2 at or above 80% of their limit, 1 enabled without a limit",
                      lines[-1])
        offsets = [r["query_params"].get("offset", ["0"])[0] for r in self.stub.requests()]
        self.assertEqual(len(offsets), 3)
        p = self.run_example("audit_limits", "99", expect=4)
        self.assertEqual(len([l for l in p.stdout.splitlines() if "% of $" in l]), 1)
        self.run_example("audit_limits", "150", expect=2)
        self.stub.control("POST", "/keys", {"name": "x", "limit": 1, "limit_remaining": 0})
        self.stub.add_faults({"status": 500, "times": 5})
        self.run_example("audit_limits", expect=1)

    def test_async_poll(self):
        self.stub.reset(6)
        hashes = [k["hash"] for k in self.stub.keys()]
        # Each answer takes 300 ms: 4 in flight at once, not one by one.
        self.stub.add_faults({"delay_ms": 300, "times": 6})
        self.stub.control("POST", "/connections")
        p = self.run_example("async_poll", *hashes)
        lines = p.stdout.splitlines()
        self.assertEqual(sorted(l.split()[0] for l in lines), sorted(hashes))
        self.assertTrue(any("seed-key-0003: $0.75 used of $30.00" in l for l in lines), p.stdout)
        stats = self.stub.control("GET", "/stats")
        self.assertEqual(stats["max_concurrent"], 4)
        self.assertEqual(stats["requests"], 6)
        # An unknown key fails alone; a bad one fails before anything is sent.
        p = self.run_example("async_poll", hashes[0], "no-such-key", "a/b", expect=1)
        self.assertEqual(len(p.stdout.splitlines()), 1)
        self.assertIn("no-such-key: getKey: HTTP 404", p.stderr)
        self.assertIn("a/b: getKey: hash", p.stderr)
        self.run_example("async_poll", expect=2)

    def test_async_libuv(self):
        path = os.path.join(EXAMPLES_DIR, "async_libuv")
        if not os.path.exists(path):
            self.skipTest("built only where libuv is installed (libuv1-dev)")
        self.stub.reset(20)
        enabled = [k for k in self.stub.keys() if not k["disabled"]]
        self.stub.add_faults({"delay_ms": 200, "times": len(enabled) + 1})
        self.stub.control("POST", "/connections")
        p = self.run_example("async_libuv")
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), len(enabled) + 1)
        self.assertEqual(lines[-1], "%d key(s), $%.2f used in all" % (len(enabled), sum(k["usage"] for k in enabled)))
        stats = self.stub.control("GET", "/stats")
        self.assertEqual(stats["max_concurrent"], 8)
        self.assertEqual(stats["requests"], len(enabled) + 1)
        self.stub.add_faults({"status": 500, "times": 3})
        self.run_example("async_libuv", expect=1)


if __name__ == "__main__":
    unittest.main()
