"""openrouter-keys' flag forms as a table: every flag x every way of writing
it x what reached the stand-in server (query, body, headers) or what
happened (exit status, output, number of requests).

Boolean flags: --flag, --flag=true|false, --flag true|false, --flag right
before a positional argument (which stays positional), not given; and the
malformed --flag=yes, --flag yes, --flag= (exit 2, nothing sent).
Value flags: --flag VALUE and --flag=VALUE, the same on the wire.

    OPENROUTER_KEYS_BIN=build-test/cli/openrouter-keys python3 -m unittest tests/cli/test_cli_flags.py
"""

import calendar
import hashlib
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stubproc  # noqa: E402
from clicase import CliCase  # noqa: E402

HASH = hashlib.sha256(b"seed-key-0002").hexdigest()
WORKSPACE = "0df9e665-d932-5740-b2c7-b52af166bc11"
EXT_SECRET = "external-secret-0123456789abcdefghijklmnop"
MISSING = "(not sent)"
STUB_URL = "{stub}"  # replaced by the stand-in server's base URL
COMMANDS = ("list", "create", "get", "update", "delete", "current")


# ---- what to read off a run: f(run) with run.p (the process) and run.reqs ----

def query(name):
    return lambda run: run.last()["query_params"].get(name, [MISSING])[0]


def body(*path):
    def get(run):
        v = run.last()["body"]
        for k in path:
            if not isinstance(v, dict) or k not in v:
                return MISSING
            v = v[k]
        return v
    return get


def header(name):
    return lambda run: run.last()["headers"].get(name, MISSING)


def output_kind(run):
    return "json" if run.p.stdout.startswith("{") else "table"


def requests_sent(run):
    return len(run.reqs)


def base_url_outcome(run):
    if "--allow-insecure-http" in run.p.stderr:
        return "refused"
    return "attempted" if "transport error" in run.p.stderr else run.p.stderr


def expires_in(seconds):
    """A check, not a value: expires_at is now + seconds, whole seconds, UTC."""
    def check(run):
        v = body("expires_at")(run)
        sent = calendar.timegm(time.strptime(v, "%Y-%m-%dT%H:%M:%SZ"))
        return abs(sent - (run.started + seconds)) <= 5
    return check


# ---- the table ------------------------------------------------------------------

# Boolean flags: (flag, command line without it, where "--flag" goes right
# before a positional argument, what to read, {True|False|None: (exit, value)};
# None: flag not given). Seeds: 150 keys.
INSECURE_URL = "http://0.0.0.0:%d/api/v1" % stubproc.free_port()  # not loopback, nobody listening
BOOL_FLAGS = [
    ("include-disabled", ["list"], 0, query("include_disabled"),
     {True: (0, "true"), False: (0, "false"), None: (0, MISSING)}),
    ("disabled", ["update", HASH, "--name", "x"], 1, body("disabled"),
     {True: (0, True), False: (0, False), None: (0, MISSING)}),
    ("include-byok-in-limit", ["create", "--name", "n"], 0, body("include_byok_in_limit"),
     {True: (0, True), False: (0, False), None: (0, MISSING)}),
    ("include-byok-in-limit", ["update", HASH, "--name", "x"], 1, body("include_byok_in_limit"),
     {True: (0, True), False: (0, False), None: (0, MISSING)}),
    ("external-api-key-stdin", ["create", "--name", "n", "--external-user", "u"], 0, body("external", "api_key"),
     {True: (0, EXT_SECRET), False: (0, MISSING), None: (0, MISSING)}),
    ("json", ["get", HASH], 1, output_kind,
     {True: (0, "json"), False: (0, "table"), None: (0, "table")}),
    ("all", ["list"], 0, requests_sent,  # 150 keys: two pages
     {True: (0, 2), False: (0, 1), None: (0, 1)}),
    ("allow-insecure-http", ["--base-url", INSECURE_URL, "--retries", "0", "list"], 4, base_url_outcome,
     {True: (3, "attempted"), False: (2, "refused"), None: (2, "refused")}),
]

# (form, arguments for flag F at the end of the command line, the value meant)
BOOL_FORMS = [
    ("--F", lambda f: ["--" + f], True),
    ("--F=true", lambda f: ["--%s=true" % f], True),
    ("--F=false", lambda f: ["--%s=false" % f], False),
    ("--F true", lambda f: ["--" + f, "true"], True),
    ("--F false", lambda f: ["--" + f, "false"], False),
    ("--F POSITIONAL", None, True),   # inserted before a positional argument
    ("without --F", lambda f: [], None),
]
BAD_BOOL_FORMS = [
    ("--F=yes", lambda f: ["--%s=yes" % f]),
    ("--F yes", lambda f: ["--" + f, "yes"]),
    ("--F=", lambda f: ["--%s=" % f]),
]

# Value flags: (command line before the flag, flag, value, what to read,
# expected value (or True for a check), exit status, extra environment).
VALUE_FLAGS = [
    (["list"], "offset", "5", query("offset"), "5", 0, {}),
    (["list"], "workspace-id", WORKSPACE, query("workspace_id"), WORKSPACE, 0, {}),
    (["list", "--all"], "max-pages", "1", requests_sent, 1, 1, {}),
    (["create"], "name", "n 1", body("name"), "n 1", 0, {}),
    (["create", "--name", "n"], "limit", "2.5", body("limit"), 2.5, 0, {}),
    (["create", "--name", "n"], "limit", "none", body("limit"), None, 0, {}),
    (["create", "--name", "n"], "limit-reset", "weekly", body("limit_reset"), "weekly", 0, {}),
    (["create", "--name", "n"], "limit-reset", "none", body("limit_reset"), None, 0, {}),
    (["create", "--name", "n"], "expires-at", "2030-01-01T00:00:00Z", body("expires_at"),
     "2030-01-01T00:00:00Z", 0, {}),
    (["create", "--name", "n"], "expires-at", "none", body("expires_at"), None, 0, {}),
    (["create", "--name", "n"], "expires-in", "45s", expires_in(45), True, 0, {}),
    (["create", "--name", "n"], "expires-in", "90m", expires_in(90 * 60), True, 0, {}),
    (["create", "--name", "n"], "expires-in", "12h", expires_in(12 * 3600), True, 0, {}),
    (["create", "--name", "n"], "expires-in", "30d", expires_in(30 * 86400), True, 0, {}),
    (["create", "--name", "n"], "expires-in", "2w", expires_in(14 * 86400), True, 0, {}),
    (["create", "--name", "n"], "expires-in", "1d12h", expires_in(36 * 3600), True, 0, {}),
    (["create", "--name", "n"], "creator-user-id", "user_1", body("creator_user_id"), "user_1", 0, {}),
    (["create", "--name", "n"], "creator-user-id", "none", body("creator_user_id"), None, 0, {}),
    (["create", "--name", "n"], "workspace-id", WORKSPACE, body("workspace_id"), WORKSPACE, 0, {}),
    (["create", "--name", "n"], "external-user", "u-1", body("external"), {"user": "u-1"}, 0, {}),
    (["create", "--name", "n", "--external-user", "u"], "external-api-key-env", "EXT",
     body("external", "api_key"), EXT_SECRET, 0, {"EXT": EXT_SECRET}),
    (["update", HASH], "name", "renamed", body("name"), "renamed", 0, {}),
    (["update", HASH], "limit", "0", body("limit"), 0, 0, {}),
    (["update", HASH], "limit", "none", body("limit"), None, 0, {}),
    (["update", HASH], "limit-reset", "daily", body("limit_reset"), "daily", 0, {}),
    (["update", HASH], "limit-reset", "none", body("limit_reset"), None, 0, {}),
    (["list"], "title", "T 1", header("x-openrouter-title"), "T 1", 0, {}),
    (["list"], "referer", "https://r.example/app", header("http-referer"), "https://r.example/app", 0, {}),
    (["list"], "categories", "cli-agent,cloud-agent", header("x-openrouter-categories"),
     "cli-agent,cloud-agent", 0, {}),
    (["list"], "api-key-env", "MY_KEY", header("authorization"), "Bearer " + stubproc.MGMT_KEY, 0,
     {"MY_KEY": stubproc.MGMT_KEY, "OPENROUTER_API_KEY": None}),
    (["list"], "base-url", STUB_URL, requests_sent, 1, 0,  # the environment's URL is dead
     {"OPENROUTER_BASE_URL": "http://127.0.0.1:%d/api/v1" % stubproc.free_port()}),
]
VALUE_FORMS = [
    ("--F VALUE", lambda f, v: ["--" + f, v]),
    ("--F=VALUE", lambda f, v: ["--%s=%s" % (f, v)]),
]


def table_rows():
    """(label, argv, extra env, exit status, what to read, expected) for every row."""
    def label(cmd, form, flag, value=""):
        return "%s %s" % ([a for a in cmd if a in COMMANDS][0],
                          form.replace("F", flag).replace("VALUE", value))
    rows = []
    for flag, cmd, at, read, want in BOOL_FLAGS:
        for form, spell, meant in BOOL_FORMS:
            argv = cmd[:at] + ["--" + flag] + cmd[at:] if spell is None else cmd + spell(flag)
            status, value = want[meant]
            rows.append((label(cmd, form, flag), argv, {}, status, read, value))
        for form, spell in BAD_BOOL_FORMS:
            rows.append((label(cmd, form, flag), cmd + spell(flag), {}, 2, None, None))
    for cmd, flag, value, read, expected, status, env in VALUE_FLAGS:
        for form, spell in VALUE_FORMS:
            rows.append((label(cmd, form, flag, value), cmd + spell(flag, value), env, status, read, expected))
    return rows


class Run:
    def __init__(self, p, reqs, started):
        self.p, self.reqs, self.started = p, reqs, started

    def last(self):
        return self.reqs[-1]


class FlagFormsTest(CliCase):
    def test_every_flag_in_every_form(self):
        rows = table_rows()
        print("\nflag table: %d rows" % len(rows), file=sys.stderr)
        for label, argv, env, status, read, expected in rows:
            with self.subTest(row=label):
                self.stub.reset(150)
                argv = [a.replace(STUB_URL, self.stub.base_url) for a in argv]
                started = time.time()
                p = self.run_cli(*argv, env=self.env(**env), stdin=EXT_SECRET + "\n", expect=status)
                run = Run(p, self.stub.requests(), started)
                if read is None:  # a malformed boolean: refused, nothing sent
                    self.assertEqual(run.reqs, [], label)
                    self.assertIn("true or false", p.stderr)
                    continue
                self.assertEqual(read(run), expected, "%s: stdout %r stderr %r" % (label, p.stdout, p.stderr))

    def test_bad_values_exit_2_and_send_nothing(self):
        cases = [
            ("create", "--name", "n", "--expires-in", "30d", "--expires-at", "2030-01-01T00:00:00Z"),
            ("create", "--name", "n", "--expires-in", "30"),      # no unit
            ("create", "--name", "n", "--expires-in", "d"),       # no number
            ("create", "--name", "n", "--expires-in", "30x"),
            ("create", "--name", "n", "--expires-in", "0d"),      # not in the future
            ("create", "--name", "n", "--expires-in", "-1d"),
            ("create", "--name", "n", "--expires-in", "1.5d"),
            ("create", "--name", "n", "--expires-in", "30d "),
            ("create", "--name", "n", "--expires-in="),
            ("create", "--name", "n", "--expires-in", "999999999999d"),
            ("create", "--name", "n", "--expires-in", "40000d"),  # over a century
            ("update", HASH, "--expires-in", "30d"),              # fixed at creation
            ("list", "--help=true"),                              # an action, not a flag
            ("list", "--disabled"),                               # update's flag
        ]
        self.stub.control("DELETE", "/requests")
        for args in cases:
            with self.subTest(args=args):
                p = self.run_cli(*args, expect=2)
                self.assertEqual(p.stdout, "")
        self.assertEqual(self.stub.requests(), [])


if __name__ == "__main__":
    unittest.main()
