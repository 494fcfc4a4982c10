"""The programs in examples/ against the stand-in server: each does what its
comment promises, prints no secret, and stores the created secret where it
says (mode 0600).

    OR_EXAMPLES_DIR=build-test python3 -m unittest tests/cli/test_examples.py
"""

import datetime
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
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")

# The three tasks of issue 12 (a newcomer's first hour), each at most this
# many lines of code: the Python SDK needs about five.
TASK_EXAMPLES = ("provision", "audit", "errors")
MAX_TASK_LINES = 25


def code_lines(text):
    """Lines of C that are neither blank nor only comment."""
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    return sum(1 for line in text.splitlines() if line.strip())


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

    # ---- the three tasks ----------------------------------------------------------------

    def test_task_examples_are_short(self):
        for name in TASK_EXAMPLES:
            with open(os.path.join(ROOT, "examples", name + ".c")) as f:
                n = code_lines(f.read())
            self.assertLessEqual(n, MAX_TASK_LINES, "examples/%s.c has %d lines of code" % (name, n))
        # The counter counts: comments and blank lines out, everything else in.
        self.assertEqual(code_lines("/* a\n b */\nint x; // y\n\n  }\n#include <z.h>\n"), 3)

    def test_provision(self):
        p = self.run_example("provision")
        new = self.stub.keys()[0]
        self.assertEqual(new["name"], "acme")
        self.assertEqual(new["limit"], 10)
        self.assertEqual(new["limit_reset"], "monthly")
        reqs = self.stub.requests()
        self.assertEqual([(r["method"], r["path"]) for r in reqs],
                         [("POST", "/api/v1/keys"), ("GET", "/api/v1/keys/" + new["hash"])])
        self.assertEqual(sorted(reqs[0]["body"]), ["expires_at", "limit", "limit_reset", "name"])
        sent = datetime.datetime.strptime(reqs[0]["body"]["expires_at"], "%Y-%m-%dT%H:%M:%SZ")
        days = (sent - datetime.datetime.utcnow()).total_seconds() / 86400
        self.assertTrue(29.99 < days <= 30, days)
        self.assertRegex(p.stdout, r"^acme: \$10\.00 monthly, expires %s(\.0+)?(Z|\+00:00)\n$"
                         % re.escape(reqs[0]["body"]["expires_at"][:-1]))
        self.assertEqual(p.stderr, "")
        # A failure on the way: the error as openrouter_error_print shows it.
        self.stub.add_faults({"status": 500, "match": {"method": "POST"}})
        p = self.run_example("provision", expect=1)
        self.assertEqual(p.stdout, "")
        self.assertIn("createKey: HTTP 500", p.stderr)
        self.assertIn("OPENROUTER_EHTTP, HTTP 500", p.stderr)
        self.assertIn("note: the server may still have carried out the request", p.stderr)

    def test_audit(self):
        self.stub.reset(0)
        keys = [{"name": "fine", "limit": 100, "usage": 10},
                {"name": "hot", "limit": 10, "usage": 9.5},
                {"name": "at-80", "limit": 10, "usage": 8},
                {"name": "uncapped", "limit": None, "usage": 500},
                {"name": "already-off", "limit": 1, "usage": 5, "disabled": True}]
        keys += [{"name": "filler-%d" % i, "limit": 50, "usage": 1} for i in range(200)]
        keys += [{"name": "late-hot", "limit": 20, "usage": 19}]  # newest: the first page
        self.stub.control("POST", "/keys", keys)
        p = self.run_example("audit")
        self.assertEqual(sorted(p.stdout.splitlines()),
                         ["disabled hot: $9.50 of $10.00 used", "disabled late-hot: $19.00 of $20.00 used"])
        state = {k["name"]: k["disabled"] for k in self.stub.keys()}
        self.assertEqual(sorted(n for n, off in state.items() if off), ["already-off", "hot", "late-hot"])
        reqs = self.stub.requests()
        # Every page (206 keys); disabling keys under a walk of enabled ones
        # shifts the rest, which the walk steps back for.
        self.assertGreaterEqual(len([r for r in reqs if r["method"] == "GET"]), 3)
        patches = [r for r in reqs if r["method"] == "PATCH"]
        self.assertEqual([r["body"] for r in patches], [{"disabled": True}] * 2)
        # A failed update stops the walk, and says why.
        self.stub.control("POST", "/keys", {"name": "hot-2", "limit": 1, "usage": 1})
        self.stub.add_faults({"status": 403, "match": {"method": "PATCH"}})
        p = self.run_example("audit", expect=1)
        self.assertIn("updateKey: HTTP 403", p.stderr)
        self.assertIn("hint: the key may not do this: key operations need a management key", p.stderr)

    def test_errors(self):
        p = self.run_example("errors")
        self.assertEqual(p.stdout, "")
        blocks = p.stderr.split("\n" + "getKey")
        self.assertEqual(len(blocks), 3, p.stderr)
        self.assertTrue(p.stderr.startswith("getCurrentKeyMetadata: HTTP 401: "))
        self.assertIn("OPENROUTER_EHTTP, HTTP 401, 1 attempt\n  hint: the API key was not accepted", p.stderr)
        self.assertIn("getKey: HTTP 404: Resource not found\n  OPENROUTER_EHTTP, HTTP 404, 1 attempt\n"
                      "  hint: no such resource: an unknown id (key hash)", p.stderr)
        self.assertIn('getKey: hash: must not contain "/" or "\\"\n  OPENROUTER_EINVAL\n'
                      "  hint: nothing was sent; fix hash\n", p.stderr)
        # Two requests: the wrong key's and the unknown hash's; the bad
        # argument never left the program.
        self.assertEqual([r["path"] for r in self.stub.requests()],
                         ["/api/v1/key", "/api/v1/keys/0123456789abcdef"])

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
