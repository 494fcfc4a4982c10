"""openrouter-keys against the stand-in server: every subcommand, table and
--json output (byte-exact passthrough), explicit nulls on the wire, exit codes
0/1/2/3, error messages, the created secret printed exactly once, and
progress on stderr only when it is a terminal.

    OPENROUTER_KEYS_BIN=build-test/cli/openrouter-keys python3 -m unittest tests/cli/test_cli.py
"""

import hashlib
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stubproc  # noqa: E402
from clicase import CliCase  # noqa: E402

SEED_HASH_0 = hashlib.sha256(b"seed-key-0000").hexdigest()
# The library's account of an unknown hash (openrouter_error_print), as the tool shows it.
GET_404 = ("openrouter-keys: getKey: HTTP 404: Resource not found\n"
           "  OPENROUTER_EHTTP, HTTP 404, 1 attempt\n"
           "  hint: no such resource: an unknown id (key hash), or a base URL that does not point at the API "
           "(.../api/v1)\n")
SEED_HASH_2 = hashlib.sha256(b"seed-key-0002").hexdigest()


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


class CliTest(CliCase):
    def has_list_all(self):
        p = self.run_cli("list", "--all")
        return "not available yet" not in p.stderr

    # ---- help, version, usage errors -------------------------------------------------

    def test_help_and_version(self):
        p = self.run_cli("--help", expect=0)
        for word in ("list", "create", "get", "update", "delete", "current", "--all", "--json",
                     "--limit-reset", "none", "Exit status"):
            self.assertIn(word, p.stdout)
        p = self.run_cli("--version", expect=0)
        self.assertRegex(p.stdout, r"^openrouter-keys \d+\.\d+\.\d+ \(openrouter-c \d+\.\d+\.\d+\)\n$")

    # Each command's own options (the rest are global).
    COMMAND_OPTIONS = {
        "list": ["offset", "include-disabled", "workspace-id", "all", "max-pages"],
        "create": ["name", "limit", "limit-reset", "include-byok-in-limit", "expires-at", "expires-in",
                   "creator-user-id", "workspace-id", "external-user", "external-api-key-env",
                   "external-api-key-stdin"],
        "get": [], "delete": [], "current": [],
        "update": ["name", "limit", "limit-reset", "include-byok-in-limit", "disabled"],
    }

    def test_command_help_shows_that_command_only(self):
        every = {o for opts in self.COMMAND_OPTIONS.values() for o in opts}
        overview = self.run_cli("--help", expect=0).stdout
        for opt in every:
            self.assertRegex(overview, r"(?m)^ +--%s\b" % opt)
        for cmd, own in self.COMMAND_OPTIONS.items():
            for args in ((cmd, "--help"), ("--help", cmd), (cmd, "-h")):
                with self.subTest(args=args):
                    out = self.run_cli(*args, expect=0).stdout
                    self.assertTrue(out.startswith("Usage: openrouter-keys [GLOBAL OPTIONS] %s" % cmd), out)
                    for opt in own:
                        self.assertRegex(out, r"(?m)^  --%s\b" % opt)
                    for opt in every - set(own):
                        self.assertNotRegex(out, r"(?m)^ *--%s\b" % opt)
                    for other in self.COMMAND_OPTIONS:
                        if other != cmd:
                            self.assertNotIn("] %s " % other, out)
                    self.assertLess(len(out.splitlines()), len(overview.splitlines()))
        self.run_cli("frobnicate", "--help", expect=2)

    def test_usage_errors_exit_2_and_send_nothing(self):
        self.stub.control("DELETE", "/requests")
        cases = [
            (),                                          # no command
            ("frobnicate",),                             # unknown command
            ("get",),                                    # missing hash
            ("get", "a", "b"),                           # extra argument
            ("list", "--bogus"),                         # unknown option
            ("list", "--name", "x"),                     # option of another command
            ("create",),                                 # --name required
            ("create", "--name", "x", "--limit", "lots"),
            ("create", "--name", "x", "--limit-reset", "hourly"),
            ("create", "--name", "x", "--include-byok-in-limit", "yes"),
            ("create", "--name", "x", "--expires-at", "tomorrow"),
            ("create", "--name", "x", "--expires-at", "2030-01-01T00:00:00+02:00"),  # not UTC
            ("create", "--name", "x", "--external-api-key-env", "V"),  # needs --external-user
            ("update", "somehash"),                      # nothing to change
            ("update", "somehash", "--disabled", "maybe"),
            ("list", "--offset", "-1"),
            ("list", "--max-pages", "3"),                # needs --all
            ("list", "--json=yes"),
            ("list", "--limit"),                         # missing value
            ("--api-key", "sk-or-v1-x", "list"),         # never from argv
            ("list", "--timeout", "0"),
            ("create", "--name", "a", "--name", "b"),    # twice
        ]
        for args in cases:
            with self.subTest(args=args):
                p = self.run_cli(*args, expect=2)
                self.assertEqual(p.stdout, "")
                self.assertTrue(p.stderr.startswith("openrouter-keys: "), p.stderr)
        # No API key in the environment.
        p = self.run_cli("list", env=self.env(OPENROUTER_API_KEY=None), expect=2)
        self.assertIn("OPENROUTER_API_KEY", p.stderr)
        p = self.run_cli("--api-key-env", "MY_KEY", "list", env=self.env(OPENROUTER_API_KEY=None),
                         expect=2)
        self.assertIn("MY_KEY", p.stderr)
        self.assertEqual(self.stub.requests(), [], "a usage error sent a request")

    # ---- the six operations, table output ----------------------------------------------

    def test_list_table(self):
        p = self.run_cli("list", expect=0)
        lines = p.stdout.splitlines()
        self.assertTrue(lines[0].startswith("HASH"))
        for col in ("NAME", "LIMIT", "REMAINING", "RESET", "USAGE", "EXPIRES"):
            self.assertIn(col, lines[0])
        self.assertEqual(len(lines), 1 + 3 + 1)
        self.assertTrue(lines[1].startswith(SEED_HASH_2))  # newest first
        self.assertIn("seed-key-0002", lines[1])
        self.assertIn("20.00", lines[1])
        self.assertIn("weekly", lines[1])
        self.assertRegex(lines[3], r"seed-key-0000 .* none +none +never")
        self.assertEqual(lines[-1], "3 keys")
        self.assertEqual(p.stderr, "")

    def test_list_query_flags(self):
        self.stub.reset(10)  # seed 9 is disabled
        p = self.run_cli("list", "--include-disabled", "--offset", "2", "--workspace-id",
                         "0df9e665-d932-5740-b2c7-b52af166bc11", expect=0)
        q = self.last_request()["query_params"]
        self.assertEqual(q, {"include_disabled": ["true"], "offset": ["2"],
                             "workspace_id": ["0df9e665-d932-5740-b2c7-b52af166bc11"]})
        self.assertEqual(p.stdout.splitlines()[-1], "8 keys")
        self.run_cli("list", "--include-disabled=false", expect=0)
        self.assertEqual(self.last_request()["query_params"], {"include_disabled": ["false"]})
        self.run_cli("list", expect=0)
        self.assertEqual(self.last_request()["query_params"], {})

    def test_list_says_when_another_page_may_exist(self):
        self.stub.reset(150)
        p = self.run_cli("list", expect=0)
        self.assertEqual(p.stdout.splitlines()[-1], "100 keys")
        self.assertEqual(p.stderr, "openrouter-keys: a full page of 100 keys: more may follow; the next page: "
                                   "--offset 100, every key: --all\n")
        p = self.run_cli("list", "--offset", "7", expect=0)
        self.assertIn("--offset 107", p.stderr)
        p = self.run_cli("list", "--offset", "100", expect=0)
        self.assertEqual(p.stdout.splitlines()[-1], "35 keys")  # 15 of the 150 are disabled
        self.assertEqual(p.stderr, "")  # the last page
        # --json: the body on stdout stays exact; the note goes to stderr.
        p = self.run_cli("--json", "list", expect=0)
        self.assertEqual(p.stdout, self.stub.api_raw("/keys")[1].decode() + "\n")
        self.assertIn("--offset 100", p.stderr)

    def test_get_table(self):
        p = self.run_cli("get", SEED_HASH_2, expect=0)
        self.assertRegex(p.stdout, r"(?m)^hash +%s$" % SEED_HASH_2)
        self.assertRegex(p.stdout, r"(?m)^name +seed-key-0002$")
        self.assertRegex(p.stdout, r"(?m)^limit +20\.00$")
        self.assertRegex(p.stdout, r"(?m)^limit_reset +weekly$")
        self.assertRegex(p.stdout, r"(?m)^expires_at +never$")
        self.assertEqual(self.last_request()["path"], "/api/v1/keys/" + SEED_HASH_2)

    def test_update_table_and_wire(self):
        p = self.run_cli("update", SEED_HASH_2, "--name", "renamed", "--disabled", "true",
                         "--limit", "0", "--include-byok-in-limit", "false", expect=0)
        req = self.last_request()
        self.assertEqual(req["method"], "PATCH")
        self.assertEqual(req["body"], {"name": "renamed", "disabled": True, "limit": 0,
                                       "include_byok_in_limit": False})
        self.assertRegex(p.stdout, r"(?m)^name +renamed$")
        self.assertRegex(p.stdout, r"(?m)^disabled +yes$")
        self.assertRegex(p.stdout, r"(?m)^limit +0\.00$")

    def test_explicit_null_on_the_wire(self):
        self.run_cli("update", SEED_HASH_2, "--limit", "none", "--limit-reset", "none", expect=0)
        req = self.last_request()
        self.assertEqual(req["body"], {"limit": None, "limit_reset": None})
        self.assertIn('"limit":null', req["body_raw"].replace(" ", ""))
        key = [k for k in self.stub.keys() if k["hash"] == SEED_HASH_2][0]
        self.assertIsNone(key["limit"])
        self.assertIsNone(key["limit_reset"])

        self.run_cli("create", "--name", "n", "--limit", "none", "--limit-reset", "none",
                     "--expires-at", "none", "--creator-user-id", "none", expect=0)
        self.assertEqual(self.last_request()["body"],
                         {"name": "n", "limit": None, "limit_reset": None, "expires_at": None,
                          "creator_user_id": None})

    def test_create_every_field(self):
        p = self.run_cli("create", "--name", "cust 42", "--limit", "25.5", "--limit-reset", "monthly",
                         "--include-byok-in-limit", "true", "--expires-at", "2030-01-31T23:59:59Z",
                         "--creator-user-id", "user_1", "--workspace-id",
                         "0df9e665-d932-5740-b2c7-b52af166bc11", "--external-user", "u-42",
                         "--external-api-key-env", "EXT_SECRET",
                         env=self.env(EXT_SECRET="partner-secret-for-user-42-0123456789"), expect=0)
        req = self.last_request()
        self.assertEqual(req["body"], {
            "name": "cust 42", "limit": 25.5, "limit_reset": "monthly", "include_byok_in_limit": True,
            "expires_at": "2030-01-31T23:59:59Z", "creator_user_id": "user_1",
            "workspace_id": "0df9e665-d932-5740-b2c7-b52af166bc11",
            "external": {"user": "u-42", "api_key": "partner-secret-for-user-42-0123456789"}})
        self.assertNotIn("partner-secret-for-user-42-0123456789", p.stdout + p.stderr)
        self.assertRegex(p.stdout, r"(?m)^limit +25\.50$")
        self.assertRegex(p.stdout, r"(?m)^expires_at +2030-01-31T23:59:59Z$")
        # The external user's secret from stdin instead.
        self.run_cli("create", "--name", "x", "--external-user", "u-43", "--external-api-key-stdin",
                     stdin="from-stdin-secret-0123456789abcdefghij\n", expect=0)
        self.assertEqual(self.last_request()["body"]["external"],
                         {"user": "u-43", "api_key": "from-stdin-secret-0123456789abcdefghij"})

    def test_created_secret_printed_exactly_once(self):
        for mode in ((), ("--json",)):
            with self.subTest(mode=mode):
                p = self.run_cli(*mode, "create", "--name", "once", expect=0)
                secrets = re.findall(r"sk-or-v1-[0-9a-f]{64}", p.stdout)
                self.assertEqual(len(secrets), 1, p.stdout)
                secret = secrets[0]
                newest = self.stub.keys()[0]
                self.assertEqual(newest["name"], "once")
                self.assertEqual(sha256(secret), newest["hash"])  # it is the real secret
                self.assertEqual(p.stdout.count(secret), 1)
                self.assertNotIn(secret, p.stderr)
                self.assertNotIn(secret[9:25], p.stderr)
                self.assertIn("warning", p.stderr)
                self.assertIn("only this once", p.stderr)
                # The secret works against the API (as a normal key: GET /key).
                status, _ = self.stub.api_raw("/key", key=secret)
                self.assertEqual(status, 200)

    def test_delete_and_current(self):
        p = self.run_cli("delete", SEED_HASH_2, expect=0)
        self.assertEqual(p.stdout, "deleted %s\n" % SEED_HASH_2)
        self.assertEqual(self.last_request()["method"], "DELETE")
        self.assertNotIn(SEED_HASH_2, [k["hash"] for k in self.stub.keys()])
        self.run_cli("get", SEED_HASH_2, expect=1)
        p = self.run_cli("current", expect=0)
        self.assertRegex(p.stdout, r"(?m)^is_management_key +yes$")
        self.assertRegex(p.stdout, r"(?m)^label +sk-or-v1-")
        self.assertEqual(self.last_request()["path"], "/api/v1/key")

    # ---- --json passes the API's bytes through --------------------------------------------

    def assert_passthrough(self, args, path):
        p = self.run_cli("--json", *args, expect=0)
        status, body = self.stub.api_raw(path)
        self.assertEqual(status, 200)
        expected = body.decode()
        if not expected.endswith("\n"):
            expected += "\n"
        self.assertEqual(p.stdout, expected)

    def test_json_passthrough_exact(self):
        self.assert_passthrough(("list",), "/keys")
        self.assert_passthrough(("list", "--include-disabled", "--offset", "1"),
                                "/keys?include_disabled=true&offset=1")
        self.assert_passthrough(("get", SEED_HASH_0), "/keys/" + SEED_HASH_0)
        # Unknown fields and odd formatting survive: the stub answers a fixed body.
        body = ('{ "data" : {"hash":"h", "name":"caf\\u00e9", "label":"l", "disabled":false,'
                ' "limit":1.50, "limit_remaining":null, "limit_reset":null,'
                ' "include_byok_in_limit":false, "usage":0, "usage_daily":0, "usage_weekly":0,'
                ' "usage_monthly":0, "byok_usage":0, "byok_usage_daily":0, "byok_usage_weekly":0,'
                ' "byok_usage_monthly":0, "created_at":"2025-01-01T00:00:00Z", "updated_at":null,'
                ' "creator_user_id":null, "workspace_id":"w", "external_user":null,'
                ' "brand_new_field": {"x": [1, 2]}}, "extra": true}')
        self.stub.add_faults({"status": 200, "body": body})
        p = self.run_cli("--json", "get", "h", expect=0)
        self.assertEqual(p.stdout, body + "\n")
        # update and delete pass their bodies through too.
        p = self.run_cli("update", SEED_HASH_0, "--name", "j", "--json", expect=0)
        self.assertEqual(json.loads(p.stdout)["data"]["name"], "j")
        p = self.run_cli("delete", SEED_HASH_0, "--json", expect=0)
        self.assertEqual(json.loads(p.stdout), {"deleted": True})
        p = self.run_cli("current", "--json", expect=0)
        status, body = self.stub.api_raw("/key")
        self.assertEqual(json.loads(p.stdout)["data"]["label"], json.loads(body)["data"]["label"])

    # ---- values that break the description: shown as received, warned -------------------

    @staticmethod
    def odd_key(hash_, **odd):
        key = {"hash": hash_, "name": "n-" + hash_, "label": "l", "disabled": False, "limit": 10,
               "limit_remaining": 5, "limit_reset": "monthly", "include_byok_in_limit": False,
               "usage": 1, "usage_daily": 1, "usage_weekly": 1, "usage_monthly": 1, "byok_usage": 0,
               "byok_usage_daily": 0, "byok_usage_weekly": 0, "byok_usage_monthly": 0,
               "created_at": "2025-01-01T00:00:00Z", "updated_at": None, "expires_at": None,
               "creator_user_id": None, "workspace_id": "w", "external_user": None}
        key.update(odd)
        return key

    ODD = {"expires_at": "next tuesday", "usage": -5, "limit_reset": "fortnightly", "external_user": 42}
    ODD_WARNINGS = ("openrouter-keys: warning (format): {p}.expires_at: invalid date-time (expected RFC 3339)\n"
                    "openrouter-keys: warning (type): {p}.external_user: expected string, got number\n")

    def test_odd_values_shown_as_received_with_warnings(self):
        body = json.dumps({"data": self.odd_key("h", **self.ODD)})
        self.stub.add_faults({"status": 200, "body": body})
        p = self.run_cli("get", "h", expect=0)
        self.assertRegex(p.stdout, r"(?m)^expires_at +next tuesday$")   # as received
        self.assertRegex(p.stdout, r"(?m)^limit_reset +fortnightly$")   # unknown period: kept, no warning
        self.assertRegex(p.stdout, r"(?m)^usage +-5\.00 \(")            # negative: upstream allows it
        self.assertRegex(p.stdout, r"(?m)^external_user +-$")           # wrong type: left out
        self.assertEqual(p.stderr, self.ODD_WARNINGS.format(p="data"))
        self.stub.add_faults({"status": 200, "body": body})
        p = self.run_cli("--json", "get", "h", expect=0)
        self.assertEqual(p.stdout, body + "\n")
        self.assertEqual(p.stderr, self.ODD_WARNINGS.format(p="data"))
        self.stub.add_faults({"status": 200, "body": body})
        p = self.run_cli("--strict", "get", "h", expect=1)
        self.assertEqual(p.stdout, "")
        self.assertEqual(p.stderr, "openrouter-keys: getKey: data.expires_at: invalid date-time "
                                   "(expected RFC 3339)\n  OPENROUTER_EDECODE, HTTP 200, 1 attempt\n"
                                   "  hint: the response is not what the API describes: this library may be "
                                   "older than the API, or the base URL may not point at it\n")

    def test_one_odd_key_costs_one_key(self):
        keys = [self.odd_key("k%d" % i) for i in range(5)]
        keys[3] = self.odd_key("k3", **self.ODD)
        body = json.dumps({"data": keys})
        for args, prefix in ((["list"], "data[3]"), (["list", "--all"], "data[3]")):
            with self.subTest(args=args):
                self.stub.add_faults({"status": 200, "body": body})
                p = self.run_cli(*args, expect=0)
                rows = p.stdout.splitlines()
                self.assertEqual(rows[-1], "5 keys")
                self.assertRegex(rows[4], r"^k3 .* fortnightly +-5\.00 +next tuesday$")
                self.assertEqual(p.stderr, self.ODD_WARNINGS.format(p=prefix))

    # ---- errors and exit codes -----------------------------------------------------------

    def test_api_errors_exit_1_with_status_and_message(self):
        p = self.run_cli("get", "no-such-hash", expect=1)
        self.assertEqual(p.stdout, "")
        self.assertEqual(p.stderr, GET_404)
        self.stub.add_faults({"status": 400, "body": {"error": {"code": 400, "message": "limit too big"}}})
        p = self.run_cli("create", "--name", "x", "--limit", "5", expect=1)
        self.assertIn("createKey: HTTP 400: limit too big", p.stderr)
        self.stub.add_faults({"html_502": True, "times": 3})
        p = self.run_cli("list", "--retries", "0", expect=1)
        self.assertIn("listKeys: HTTP 502", p.stderr)
        self.assertIn("response body: <html>", p.stderr)
        # Control characters from the server never reach the terminal raw.
        self.stub.control("DELETE", "/faults")
        self.stub.add_faults({"status": 409, "body": {"error": {"code": 409,
                                                               "message": "bad\x1b[31mred\nline"}}})
        p = self.run_cli("delete", SEED_HASH_0, expect=1)
        self.assertNotIn("\x1b", p.stderr)
        self.assertIn("HTTP 409: bad?[31mred?line", p.stderr)
        # A normal (non-management) key gets 403.
        p = self.run_cli("list", env=self.env(OPENROUTER_API_KEY="sk-or-v1-normal-test"), expect=1)
        self.assertIn("HTTP 403", p.stderr)

    def test_create_outcome_unknown_is_reported(self):
        self.stub.add_faults({"status": 500, "apply_then": True,
                              "match": {"method": "POST"}})
        p = self.run_cli("create", "--name", "maybe", expect=1)
        self.assertIn("HTTP 500", p.stderr)
        self.assertIn("may still have carried out the request", p.stderr)

    def test_transport_errors_exit_3(self):
        env = self.env(OPENROUTER_BASE_URL="http://127.0.0.1:%d/api/v1" % stubproc.free_port())
        p = self.run_cli("list", "--retries", "0", env=env, expect=3)
        self.assertIn("listKeys: transport error", p.stderr)
        self.stub.add_faults({"delay_ms": 3000})
        p = self.run_cli("get", SEED_HASH_0, "--timeout", "0.3", "--retries", "0", expect=3)
        self.assertIn("timed out", p.stderr)
        self.stub.add_faults({"close_before_response": True, "times": 5})
        self.run_cli("current", "--retries", "1", expect=3)

    def test_base_url_flag_beats_environment_and_insecure_http_is_refused(self):
        env = self.env(OPENROUTER_BASE_URL="http://127.0.0.1:%d/api/v1" % stubproc.free_port())
        self.run_cli("--base-url", self.stub.base_url, "list", env=env, expect=0)
        p = self.run_cli("--base-url", "http://example.com/api/v1", "list", expect=2)
        self.assertIn("openrouter-keys: ", p.stderr)

    def test_bad_base_url_says_value_origin_and_remedy(self):
        self.stub.control("DELETE", "/requests")
        p = self.run_cli("--base-url", "http://example.com/api/v1", "list", expect=2)
        self.assertIn("bad base URL 'http://example.com/api/v1' (from --base-url)", p.stderr)
        self.assertIn("--allow-insecure-http", p.stderr)
        self.assertIn("https", p.stderr)
        self.assertNotIn("allow_insecure_http", p.stderr)  # the C API's option
        p = self.run_cli("list", env=self.env(OPENROUTER_BASE_URL="ftp://example.com/api/v1"), expect=2)
        self.assertIn("bad base URL 'ftp://example.com/api/v1' (from OPENROUTER_BASE_URL): scheme", p.stderr)
        # Credentials in the URL are masked, whatever else is wrong with it.
        for url in ("https://user:pw-secret@example.com/api/v1", "http://user:pw-secret@example.com/x"):
            p = self.run_cli("--base-url", url, "get", "h", expect=2)
            self.assertIn("'%s//***@example.com/" % url.split("//")[0], p.stderr)
            self.assertNotIn("pw-secret", p.stderr)
            self.assertNotIn("allow_insecure_http", p.stderr)
        self.assertEqual(self.stub.requests(), [])

    def test_404_on_a_missing_path_points_at_the_base_url(self):
        wrong = "http://127.0.0.1:%d/v1" % self.stub.port  # the server's, without /api
        hint = "openrouter-keys: the server has no such path: check the base URL '%s' (from %s)"
        for args, env, origin in ((("list",), self.env(OPENROUTER_BASE_URL=wrong), "OPENROUTER_BASE_URL"),
                                  (("--base-url", wrong, "current"), None, "--base-url"),
                                  (("create", "--name", "x"), self.env(OPENROUTER_BASE_URL=wrong),
                                   "OPENROUTER_BASE_URL")):
            with self.subTest(args=args):
                p = self.run_cli(*args, env=env, expect=1)
                self.assertIn("HTTP 404", p.stderr)
                self.assertIn(hint % (wrong, origin), p.stderr)
        # A key operation: a web server's 404 page means a wrong URL ...
        self.stub.add_faults({"status": 404, "headers": {"Content-Type": "text/html"},
                              "body": "<html><body>404 Not Found</body></html>"})
        p = self.run_cli("get", SEED_HASH_0, expect=1)
        self.assertIn(hint % (self.stub.base_url, "OPENROUTER_BASE_URL"), p.stderr)
        # ... the API's own 404 a missing key, as the API says.
        p = self.run_cli("get", "no-such-hash", expect=1)
        self.assertEqual(p.stderr, GET_404)

    def test_attribution_from_flags_and_environment(self):
        env = self.env(OPENROUTER_HTTP_REFERER="https://env.example/app",
                       OPENROUTER_APP_TITLE="Env Title", OPENROUTER_APP_CATEGORIES="cli-agent")
        self.run_cli("list", env=env, expect=0)
        h = self.last_request()["headers"]
        self.assertEqual(h.get("http-referer"), "https://env.example/app")
        self.assertEqual(h.get("x-openrouter-title"), "Env Title")
        self.assertEqual(h.get("x-title"), "Env Title")
        self.assertEqual(h.get("x-openrouter-categories"), "cli-agent")
        self.assertTrue(h.get("user-agent", "").startswith("openrouter-keys/"))
        self.run_cli("--referer", "https://flag.example", "--title", "Flag Title", "--categories",
                     "a,b", "list", env=env, expect=0)
        h = self.last_request()["headers"]
        self.assertEqual(h.get("http-referer"), "https://flag.example")
        self.assertEqual(h.get("x-openrouter-title"), "Flag Title")
        self.assertEqual(h.get("x-openrouter-categories"), "a,b")
        self.run_cli("list", expect=0)
        h = self.last_request()["headers"]
        self.assertNotIn("http-referer", h)
        self.assertNotIn("x-openrouter-title", h)

    # ---- list --all ------------------------------------------------------------------------

    def test_list_all_table_and_json(self):
        if not self.has_list_all():
            self.skipTest("list --all not built yet (no generated iterator)")
        self.stub.reset(250)
        p = self.run_cli("list", "--all", expect=0)
        lines = p.stdout.splitlines()
        self.assertEqual(lines[-1], "225 keys")  # 25 of 250 are disabled
        self.assertEqual(len(lines), 1 + 225 + 1)
        self.assertEqual(p.stderr, "")  # no progress without a terminal
        p = self.run_cli("list", "--all", "--include-disabled", "--json", expect=0)
        doc = json.loads(p.stdout)
        self.assertEqual(list(doc), ["data"])
        self.assertEqual(len(doc["data"]), 250)
        self.assertEqual(len({k["hash"] for k in doc["data"]}), 250)
        # Each item is the API's text byte for byte: find it in the raw pages.
        raw_pages = ""
        for offset in (0, 100, 200):
            status, body = self.stub.api_raw("/keys?include_disabled=true&offset=%d" % offset)
            raw_pages += body.decode()
        decoder = json.JSONDecoder()
        text = p.stdout[len('{"data":['):]
        pos = 0
        for _ in range(250):
            obj, end = decoder.raw_decode(text, pos)
            self.assertIn(text[pos:end], raw_pages)
            pos = end + 1
        self.assertEqual(text[pos - 1:], "]}\n")
        # The same keys, in the same order, as the pages.
        expected = []
        for offset in (0, 100, 200):
            expected += json.loads(self.stub.api_raw(
                "/keys?include_disabled=true&offset=%d" % offset)[1])["data"]
        self.assertEqual(doc["data"], expected)

    def test_list_all_json_items_are_exact(self):
        if not self.has_list_all():
            self.skipTest("list --all not built yet (no generated iterator)")
        key = json.loads(self.stub.api_raw("/keys")[1])["data"][0]
        items = []
        for i, name in enumerate(['a "quoted" ], {name}', "back\\slash\\", "caf\u00e9 \u2603", "[{\"x\":1}]"]):
            k = dict(key, hash="h%d" % i, name=name)
            text = json.dumps(k, ensure_ascii=(i == 2))
            if i == 1:
                text = text.replace('{"hash"', '{ "future" : {"nested": [1, {"]": "}"}]} ,\n  "hash"')
            items.append(text)
        page = '{"meta": {"data": [0]}, "data" : [ ' + ' ,\n'.join(items) + ' ] , "tail": "]}"}'
        self.stub.add_faults({"status": 200, "body": page})
        p = self.run_cli("list", "--all", "--json", expect=0)
        self.assertEqual(p.stdout, '{"data":[' + ",".join(items) + ']}\n')
        self.assertEqual([k["name"] for k in json.loads(p.stdout)["data"]],
                         [json.loads(t)["name"] for t in items])

    def test_list_all_errors_and_page_cap(self):
        if not self.has_list_all():
            self.skipTest("list --all not built yet (no generated iterator)")
        self.stub.reset(250)
        self.stub.add_faults({"status": 500, "times": 10,
                              "match": {"method": "GET", "path_prefix": "/api/v1/keys"}})
        p = self.run_cli("list", "--all", "--retries", "0", expect=1)
        self.assertIn("HTTP 500", p.stderr)
        self.stub.control("DELETE", "/faults")
        p = self.run_cli("list", "--all", "--max-pages", "1", "--json", expect=1)
        self.assertIn("max_pages" if "max_pages" in p.stderr else "page cap", p.stderr)
        json.loads(p.stdout)  # still valid JSON
        self.run_cli("list", "--all", "--retries", "0",
                     env=self.env(OPENROUTER_BASE_URL="http://127.0.0.1:%d/api/v1" % stubproc.free_port()),
                     expect=3)

    def test_list_all_page_cap_prints_what_it_fetched(self):
        self.stub.reset(250)
        for pages, fetched in ((1, 100), (2, 199)):  # each page after the first repeats one key
            with self.subTest(pages=pages):
                p = self.run_cli("list", "--all", "--max-pages", str(pages), expect=1)
                lines = p.stdout.splitlines()
                self.assertTrue(lines[0].startswith("HASH"))
                self.assertEqual(len(lines), 1 + fetched + 1)
                self.assertEqual(lines[-1], "%d keys so far (incomplete)" % fetched)
                self.assertEqual(len({line.split()[0] for line in lines[1:-1]}), fetched)
                self.assertIn("page cap of %d reached" % pages, p.stderr)
                self.assertIn("stopped after %d page%s (--max-pages); raise it to fetch more"
                              % (pages, "" if pages == 1 else "s"), p.stderr)
        # Nothing fetched: no table at all.
        self.stub.add_faults({"status": 500, "times": 3})
        p = self.run_cli("list", "--all", "--retries", "0", expect=1)
        self.assertEqual(p.stdout, "")

    def test_list_all_progress_only_on_a_terminal(self):
        if not self.has_list_all():
            self.skipTest("list --all not built yet (no generated iterator)")
        self.stub.reset(250)
        rc, out, err = self.run_stderr_on_tty(["list", "--all"])
        self.assertEqual(rc, 0)
        self.assertIn("fetched 3 pages", err)
        self.assertNotIn("fetched", out)
        self.assertEqual(out.splitlines()[-1], "225 keys")


@unittest.skipUnless(os.environ.get("OR_VALGRIND"), "set OR_VALGRIND to the valgrind binary")
class CliUnderValgrindTest(CliTest):
    """Every path of the tool once under valgrind: no leak, no invalid access."""

    def run_cli(self, *args, env=None, stdin=None, expect=None):
        return self.run_under_valgrind(args, env=env, stdin=stdin, expect=expect)

    def test_every_path(self):
        self.stub.reset(250)
        self.run_cli("list", "--all", expect=0)
        self.run_cli("list", "--all", "--json", "--include-disabled", expect=0)
        self.run_cli("list", "--all", "--max-pages", "1", "--json", expect=1)
        self.run_cli("--json", "list", "--offset", "5", expect=0)
        self.run_cli("list", "--include-disabled", expect=0)
        self.run_cli("create", "--name", "v", "--limit", "none", "--expires-at", "2030-01-01T00:00:00Z",
                     "--external-user", "u", "--external-api-key-stdin",
                     stdin="external-secret-0123456789abcdefghijklmnop\n", expect=0)
        self.run_cli("create", "--json", "--name", "v2", expect=0)
        h = self.stub.keys()[0]["hash"]
        self.run_cli("get", h, expect=0)
        self.run_cli("update", h, "--limit-reset", "none", "--json", expect=0)
        self.run_cli("delete", h, expect=0)
        self.run_cli("get", h, expect=1)
        self.run_cli("current", expect=0)
        self.stub.add_faults({"html_502": True})
        self.run_cli("current", "--retries", "0", expect=1)
        self.run_cli("update", h, expect=2)
        self.run_cli("--help", expect=0)
        self.run_cli("create", "--help", expect=0)
        self.run_cli("list", "--include-disabled", "yes", expect=2)
        self.run_cli("create", "--name", "v3", "--expires-in", "1d12h", expect=0)
        self.run_cli("list", "--all", "--max-pages", "1", expect=1)
        self.run_cli("list", expect=0)  # a full page: the next-page note
        self.run_cli("--base-url", "http://u:p@example.com/api/v1", "list", expect=2)
        self.run_cli("--base-url", "http://example.com/api/v1", "list", expect=2)
        self.run_cli("--base-url", "http://127.0.0.1:%d/v1" % self.stub.port, "list", expect=1)
        self.run_cli("list", "--retries", "0", env=self.env(
            OPENROUTER_BASE_URL="http://127.0.0.1:%d/api/v1" % stubproc.free_port()), expect=3)


def load_tests(loader, standard_tests, pattern):
    # The valgrind class re-runs only its own test, not the inherited ones.
    suite = unittest.TestSuite()
    suite.addTests(loader.loadTestsFromTestCase(CliTest))
    suite.addTest(CliUnderValgrindTest("test_every_path"))
    return suite


if __name__ == "__main__":
    unittest.main()
