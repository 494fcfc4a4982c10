"""Tests for the local OpenRouter stub server (stdlib only).

Run: python3 -m unittest discover -s tests/server
"""

import base64
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "openrouter_stub.py")
MGMT = "sk-or-v1-mgmt-test"
NORMAL = "sk-or-v1-normal-test"
DEFAULT_WS = "0df9e665-d932-5740-b2c7-b52af166bc11"
OTHER_WS = "11111111-2222-4333-8444-555555555555"
ODD_HASH = "a/b?c#d%e..f"


class StubProcess:
    def __init__(self, *extra):
        self.dir = tempfile.mkdtemp(prefix="orstub-test-")
        self.port_file = os.path.join(self.dir, "port")
        self.proc = subprocess.Popen(
            [sys.executable, SCRIPT, "--port-file", self.port_file] + list(extra),
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("LISTENING "):
            raise RuntimeError("stub did not start: %r" % line)
        self.port = int(line.split()[1])
        with open(self.port_file) as f:
            assert int(f.read().strip()) == self.port

    def stop(self):
        if self.proc.poll() is None:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("POST", "/_control/shutdown")
                conn.getresponse().read()
                conn.close()
            except OSError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        try:
            os.unlink(self.port_file)
        except OSError:
            pass
        os.rmdir(self.dir)


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.raw = body
        try:
            self.json = json.loads(body) if body else None
        except (ValueError, RecursionError):
            self.json = None


class StubTestCase(unittest.TestCase):
    stub = None

    @classmethod
    def setUpClass(cls):
        cls.stub = StubProcess("--idle-timeout", "60", "--max-lifetime", "120")

    @classmethod
    def tearDownClass(cls):
        cls.stub.stop()

    def setUp(self):
        self.control("POST", "/reset", {})

    # -- helpers ----------------------------------------------------------
    def conn(self, timeout=10):
        return http.client.HTTPConnection("127.0.0.1", self.stub.port, timeout=timeout)

    def request(self, method, path, body=None, key=MGMT, headers=None, conn=None, raw=None):
        own = conn is None
        c = conn or self.conn()
        h = dict(headers or {})
        if key is not None:
            h["Authorization"] = "Bearer " + key
        data = raw
        if body is not None:
            data = json.dumps(body)
        if data is not None:
            h.setdefault("Content-Type", "application/json")
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            return Resp(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
        finally:
            if own:
                c.close()

    def api(self, method, path, body=None, **kw):
        return self.request(method, "/api/v1" + path, body, **kw)

    def control(self, method, path, body=None):
        r = self.request(method, "/_control" + path, body, key=None)
        self.assertLess(r.status, 300, r.raw)
        return r.json

    def add_keys(self, keys):
        return self.control("POST", "/keys", keys)["data"]

    def faults(self, *faults):
        self.control("POST", "/faults", {"faults": list(faults)})

    def requests_log(self):
        return self.control("GET", "/requests")["requests"]

    def create(self, **body):
        body.setdefault("name", "k")
        r = self.api("POST", "/keys", body)
        self.assertEqual(r.status, 201, r.raw)
        return r.json

    def assertError(self, r, code):
        self.assertEqual(r.status, code, r.raw)
        self.assertEqual(r.json["error"]["code"], code)
        self.assertIsInstance(r.json["error"]["message"], str)


KEY_FIELDS = {
    "hash", "name", "label", "disabled", "limit", "limit_remaining", "limit_reset",
    "include_byok_in_limit", "usage", "usage_daily", "usage_weekly", "usage_monthly",
    "byok_usage", "byok_usage_daily", "byok_usage_weekly", "byok_usage_monthly",
    "created_at", "updated_at", "expires_at", "creator_user_id", "workspace_id", "external_user",
}


class RoutesTest(StubTestCase):
    def test_create_get_update_delete(self):
        created = self.create(name="My Key", limit=50, limit_reset="monthly",
                              include_byok_in_limit=True, expires_at="2027-12-31T23:59:59Z",
                              creator_user_id="user_x",
                              external={"user": "end-user-1", "api_key": "k" * 40})
        key, data = created["key"], created["data"]
        self.assertRegex(key, r"^sk-or-v1-[0-9a-f]{64}$")
        self.assertEqual(set(data), KEY_FIELDS)
        self.assertRegex(data["hash"], r"^[0-9a-f]{64}$")
        self.assertRegex(data["label"], r"^sk-or-v1-[0-9a-f]{3}\.\.\.[0-9a-f]{3}$")
        self.assertEqual(data["name"], "My Key")
        self.assertEqual(data["limit"], 50)
        self.assertEqual(data["limit_remaining"], 50)
        self.assertEqual(data["limit_reset"], "monthly")
        self.assertTrue(data["include_byok_in_limit"])
        self.assertEqual(data["expires_at"], "2027-12-31T23:59:59Z")
        self.assertEqual(data["creator_user_id"], "user_x")
        self.assertEqual(data["external_user"], "end-user-1")
        self.assertEqual(data["workspace_id"], DEFAULT_WS)
        self.assertIsNone(data["updated_at"])
        self.assertTrue(data["created_at"].endswith("Z"))
        self.assertNotIn("k" * 40, json.dumps(created))

        r = self.api("GET", "/keys/" + data["hash"])
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["data"], data)
        self.assertIn("application/json", r.headers["content-type"])

        r = self.api("PATCH", "/keys/" + data["hash"], {"name": "Renamed", "disabled": True})
        self.assertEqual(r.status, 200, r.raw)
        self.assertEqual(r.json["data"]["name"], "Renamed")
        self.assertTrue(r.json["data"]["disabled"])
        self.assertRegex(r.json["data"]["updated_at"],
                         r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$")

        r = self.api("DELETE", "/keys/" + data["hash"])
        self.assertEqual((r.status, r.json), (200, {"deleted": True}))
        self.assertError(self.api("GET", "/keys/" + data["hash"]), 404)
        self.assertError(self.api("DELETE", "/keys/" + data["hash"]), 404)
        self.assertError(self.api("PATCH", "/keys/" + data["hash"], {"name": "x"}), 404)
        self.assertEqual(self.api("GET", "/keys/" + "0" * 64).json,
                         {"error": {"code": 404, "message": "Resource not found"}})

    def test_list_default_shape(self):
        self.control("POST", "/reset", {"seed_keys": 3})
        r = self.api("GET", "/keys")
        self.assertEqual(r.status, 200)
        self.assertEqual([k["name"] for k in r.json["data"]],
                         ["seed-key-0002", "seed-key-0001", "seed-key-0000"])
        for k in r.json["data"]:
            self.assertEqual(set(k), KEY_FIELDS)

    def test_current_key(self):
        for key, mgmt in ((MGMT, True), (NORMAL, False)):
            r = self.api("GET", "/key", key=key)
            self.assertEqual(r.status, 200, r.raw)
            d = r.json["data"]
            self.assertIs(d["is_management_key"], mgmt)
            for f in ("label", "limit", "usage", "usage_daily", "usage_weekly", "usage_monthly",
                      "byok_usage", "byok_usage_daily", "byok_usage_weekly", "byok_usage_monthly",
                      "is_free_tier", "is_provisioning_key", "limit_remaining", "limit_reset",
                      "include_byok_in_limit", "creator_user_id", "expires_at", "rate_limit",
                      "allowed_data_regions", "free_model_daily_requests", "organization_id",
                      "workspace_id"):
                self.assertIn(f, d)
            self.assertEqual(set(d["rate_limit"]), {"requests", "interval", "note"})
            self.assertEqual(d["allowed_data_regions"], ["global"])
            self.assertEqual(set(d["free_model_daily_requests"]), {"limit", "remaining", "used"})

    def test_created_key_authenticates_as_normal_key(self):
        created = self.create(name="child", limit=7)
        r = self.api("GET", "/key", key=created["key"])
        self.assertEqual(r.status, 200)
        self.assertFalse(r.json["data"]["is_management_key"])
        self.assertEqual(r.json["data"]["limit"], 7)
        self.assertEqual(self.api("GET", "/keys", key=created["key"]).status, 403)

    def test_unknown_route_and_wrong_method(self):
        self.assertError(self.api("GET", "/nope"), 404)
        self.assertError(self.request("GET", "/keys"), 404)
        self.assertError(self.api("GET", "/keys/a/b"), 404)
        r = self.api("DELETE", "/keys")
        self.assertError(r, 405)
        self.assertIn("GET", r.headers["allow"])
        self.assertError(self.api("POST", "/key", {}), 405)
        self.assertError(self.api("POST", "/keys/abc", {}), 405)


class AuthTest(StubTestCase):
    def test_missing_and_invalid(self):
        r = self.api("GET", "/keys", key=None)
        self.assertEqual(r.json, {"error": {"code": 401, "message": "Missing Authentication header"}})
        self.assertError(self.api("GET", "/key", key=None), 401)
        self.assertError(self.api("GET", "/keys", key="sk-or-v1-wrong"), 401)
        self.assertError(self.request("GET", "/api/v1/keys", key=None,
                                      headers={"Authorization": "Basic abc"}), 401)

    def test_normal_key_forbidden(self):
        h = self.add_keys({"name": "x"})["hash"]
        for method, path, body in (("GET", "/keys", None), ("POST", "/keys", {"name": "n"}),
                                   ("GET", "/keys/" + h, None),
                                   ("PATCH", "/keys/" + h, {"name": "y"}),
                                   ("DELETE", "/keys/" + h, None)):
            r = self.api(method, path, body, key=NORMAL)
            self.assertEqual(r.json, {"error": {"code": 403, "message":
                                                "Only management keys can perform this operation"}})
        self.assertEqual(self.control("GET", "/keys")["count"], 1)


class ValidationTest(StubTestCase):
    def test_list_query_400(self):
        for q in ("offset=-1", "offset=abc", "offset=1.5", "offset=", "include_disabled=True",
                  "include_disabled=1", "include_disabled=", "workspace_id=not-a-uuid"):
            self.assertError(self.api("GET", "/keys?" + q), 400)
        for q in ("offset=0", "offset=100", "include_disabled=true", "include_disabled=false",
                  "workspace_id=" + OTHER_WS):
            self.assertEqual(self.api("GET", "/keys?" + q).status, 200, q)

    def test_create_400(self):
        bad_raw = ["{", "[]", '"x"', "null", ""]
        for raw in bad_raw:
            r = self.request("POST", "/api/v1/keys", raw=raw,
                             headers={"Content-Type": "application/json"})
            self.assertError(r, 400)
        bad = [{}, {"name": ""}, {"name": 5}, {"name": None},
               {"name": "n", "limit": -1}, {"name": "n", "limit": "5"}, {"name": "n", "limit": True},
               {"name": "n", "limit_reset": "yearly"}, {"name": "n", "limit_reset": 1},
               {"name": "n", "include_byok_in_limit": "yes"},
               {"name": "n", "expires_at": "2027-12-31T23:59:59+01:00"},
               {"name": "n", "expires_at": "2027-12-31T23:59:59"},
               {"name": "n", "expires_at": "garbageZ"}, {"name": "n", "expires_at": 5},
               {"name": "n", "creator_user_id": 5}, {"name": "n", "workspace_id": 5},
               {"name": "n", "external": "u"}, {"name": "n", "external": {}},
               {"name": "n", "external": {"user": 1}},
               {"name": "n", "external": {"user": "u", "api_key": "short"}}]
        for body in bad:
            self.assertError(self.api("POST", "/keys", body), 400)
        self.assertEqual(self.control("GET", "/keys")["count"], 0)
        ok = [{"name": "n", "limit": 0}, {"name": "n", "limit": None, "limit_reset": None},
              {"name": "n", "limit": 2.5, "expires_at": "2027-12-31T23:59:59.123Z"},
              {"name": "n", "creator_user_id": None, "unknown_field": 1}]
        for body in ok:
            self.assertEqual(self.api("POST", "/keys", body).status, 201, body)

    def test_patch_400(self):
        h = self.add_keys({"name": "x"})["hash"]
        for body in ({"name": 5}, {"name": ""}, {"disabled": "true"}, {"limit": -5},
                     {"limit": "1"}, {"limit_reset": "hourly"}, {"include_byok_in_limit": 0},
                     {"expires_at": "2027-12-31T23:59:59Z"}, {"expires_at": None}):
            self.assertError(self.api("PATCH", "/keys/" + h, body), 400)
        self.assertError(self.request("PATCH", "/api/v1/keys/" + h, raw="{nope"), 400)


class ListTest(StubTestCase):
    def fill(self, n, **extra):
        if n:
            self.add_keys([dict({"name": "k%04d" % i}, **extra) for i in range(n)])

    def all_pages(self, query=""):
        names, offset, pages = [], 0, []
        while True:
            r = self.api("GET", "/keys?offset=%d%s" % (offset, query))
            self.assertEqual(r.status, 200)
            page = r.json["data"]
            pages.append(len(page))
            names += [k["name"] for k in page]
            if len(page) < 100:
                return names, pages
            offset += 100

    def test_pagination(self):
        for n, expect_pages in ((0, [0]), (1, [1]), (100, [100, 0]), (101, [100, 1]),
                                (250, [100, 100, 50])):
            self.control("POST", "/reset", {})
            self.fill(n)
            names, pages = self.all_pages()
            self.assertEqual(pages, expect_pages, n)
            self.assertEqual(names, ["k%04d" % i for i in reversed(range(n))])
        self.assertEqual(len(self.api("GET", "/keys").json["data"]), 100)
        self.assertEqual(self.api("GET", "/keys?offset=1000").json["data"], [])

    def test_include_disabled(self):
        self.control("POST", "/reset", {"seed_keys": 20})
        keys = self.control("GET", "/keys")
        self.assertEqual(keys["count"], 20)
        disabled = sorted(k["name"] for k in keys["keys"] if k["disabled"])
        self.assertEqual(disabled, ["seed-key-0009", "seed-key-0019"])
        self.assertEqual(len(self.api("GET", "/keys").json["data"]), 18)
        self.assertEqual(len(self.api("GET", "/keys?include_disabled=false").json["data"]), 18)
        self.assertEqual(len(self.api("GET", "/keys?include_disabled=true").json["data"]), 20)

    def test_workspace_filter(self):
        self.fill(3)
        self.fill(2, workspace_id=OTHER_WS)
        self.create(name="created-in-other", workspace_id=OTHER_WS)
        self.assertEqual(len(self.api("GET", "/keys").json["data"]), 3)
        self.assertEqual(len(self.api("GET", "/keys?workspace_id=" + DEFAULT_WS).json["data"]), 3)
        other = self.api("GET", "/keys?workspace_id=" + OTHER_WS).json["data"]
        self.assertEqual(len(other), 3)
        self.assertEqual(other[0]["name"], "created-in-other")
        self.assertTrue(all(k["workspace_id"] == OTHER_WS for k in other))


class PatchTest(StubTestCase):
    def test_three_state(self):
        created = self.create(name="p", limit=10, limit_reset="daily", include_byok_in_limit=True)
        h = created["data"]["hash"]
        path = "/keys/" + h
        d = self.api("PATCH", path, {}).json["data"]      # everything omitted: unchanged
        self.assertEqual((d["name"], d["limit"], d["limit_reset"], d["disabled"],
                          d["include_byok_in_limit"]), ("p", 10, "daily", False, True))
        d = self.api("PATCH", path, {"name": "q"}).json["data"]
        self.assertEqual((d["limit"], d["limit_reset"]), (10, "daily"))
        d = self.api("PATCH", path, {"limit": 0, "include_byok_in_limit": False,
                                     "disabled": False}).json["data"]
        self.assertEqual((d["limit"], d["limit_remaining"], d["limit_reset"],
                          d["include_byok_in_limit"]), (0, 0, "daily", False))
        d = self.api("PATCH", path, {"limit": None}).json["data"]
        self.assertEqual((d["limit"], d["limit_remaining"], d["limit_reset"]), (None, None, "daily"))
        d = self.api("PATCH", path, {"limit_reset": None}).json["data"]
        self.assertIsNone(d["limit_reset"])
        d = self.api("PATCH", path, {"limit": 3.5, "limit_reset": "weekly",
                                     "disabled": True}).json["data"]
        self.assertEqual((d["limit"], d["limit_reset"], d["disabled"]), (3.5, "weekly", True))
        self.assertEqual(self.api("GET", path).json["data"], d)
        self.assertEqual(self.requests_log()[-2]["body"],
                         {"limit": 3.5, "limit_reset": "weekly", "disabled": True})


class PercentDecodingTest(StubTestCase):
    def test_odd_hash(self):
        stored = self.add_keys({"name": "odd", "hash": ODD_HASH})
        self.assertEqual(stored["hash"], ODD_HASH)
        enc = urllib.parse.quote(ODD_HASH, safe="")
        self.assertEqual(enc, "a%2Fb%3Fc%23d%25e..f")
        r = self.api("GET", "/keys/" + enc)
        self.assertEqual(r.status, 200, r.raw)
        self.assertEqual(r.json["data"]["name"], "odd")
        log = self.requests_log()[-1]
        self.assertEqual(log["path"], "/api/v1/keys/" + enc)
        self.assertEqual(log["query"], "")
        # decoded exactly once: double-encoded does not match
        self.assertError(self.api("GET", "/keys/" + urllib.parse.quote(enc, safe="")), 404)
        # unencoded '/' is another route; unencoded '?' starts the query
        self.assertError(self.api("GET", "/keys/a/b"), 404)
        self.assertEqual(self.api("PATCH", "/keys/" + enc, {"name": "odd2"}).json["data"]["name"],
                         "odd2")
        self.assertEqual(self.api("DELETE", "/keys/" + enc).json, {"deleted": True})
        self.assertEqual(self.control("GET", "/keys")["count"], 0)


class ControlTest(StubTestCase):
    def test_request_log(self):
        self.api("GET", "/keys?offset=0&include_disabled=true&x=a+b&x=c",
                 headers={"X-OpenRouter-Title": "t", "HTTP-Referer": "https://x"})
        self.api("POST", "/keys", {"name": "n"})
        self.request("POST", "/api/v1/keys", raw="not json")
        self.control("GET", "/keys")                     # not logged
        log = self.requests_log()
        self.assertEqual(len(log), 3)
        e = log[0]
        self.assertEqual(e["method"], "GET")
        self.assertEqual(e["path"], "/api/v1/keys")
        self.assertEqual(e["query"], "offset=0&include_disabled=true&x=a+b&x=c")
        self.assertEqual(e["query_params"], {"offset": ["0"], "include_disabled": ["true"],
                                             "x": ["a b", "c"]})
        self.assertEqual(e["headers"]["authorization"], "Bearer " + MGMT)
        self.assertEqual(e["headers"]["x-openrouter-title"], "t")
        self.assertEqual(e["headers"]["http-referer"], "https://x")
        self.assertEqual(e["body_raw"], "")
        self.assertIsNone(e["body"])
        self.assertEqual(log[1]["body"], {"name": "n"})
        self.assertEqual(log[1]["body_raw"], '{"name": "n"}')
        self.assertEqual(log[2]["body_raw"], "not json")
        self.assertIsNone(log[2]["body"])
        self.control("DELETE", "/requests")
        self.assertEqual(self.requests_log(), [])

    def test_reset_and_keys(self):
        self.create(name="a")
        self.faults({"status": 500})
        self.control("POST", "/reset", {"seed_keys": 5})
        self.assertEqual(self.requests_log(), [])
        self.assertEqual(self.control("GET", "/faults")["faults"], [])
        k = self.control("GET", "/keys")
        self.assertEqual(k["count"], 5)
        self.assertEqual(k["keys"][0]["name"], "seed-key-0004")
        stored = self.add_keys({"name": "explicit", "hash": "abc", "disabled": True, "limit": 4})
        self.assertEqual(set(stored), KEY_FIELDS)
        self.assertEqual((stored["hash"], stored["disabled"], stored["limit"],
                          stored["limit_remaining"]), ("abc", True, 4, 4))
        self.assertEqual(self.control("GET", "/keys")["count"], 6)
        self.control("POST", "/reset")
        self.assertEqual(self.control("GET", "/keys")["count"], 0)
        self.assertError(self.request("POST", "/_control/reset", {"seed_keys": -1}, key=None), 400)
        self.assertError(self.request("GET", "/_control/nope", key=None), 404)

    def test_created_record(self):
        a = self.create(name="a")
        self.faults({"status": 502, "apply_then": True}, {"status": 500})
        self.assertEqual(self.api("POST", "/keys", {"name": "lost"}).status, 502)
        self.assertEqual(self.api("POST", "/keys", {"name": "never"}).status, 500)
        self.add_keys({"name": "by control"})
        self.assertEqual(self.api("DELETE", "/keys/" + a["data"]["hash"]).status, 200)
        created = self.control("GET", "/created")["created"]
        self.assertEqual([(c["name"], c["deleted"]) for c in created], [("a", True), ("lost", False)])
        self.assertEqual(created[0]["key"], a["key"])
        self.assertEqual(created[0]["hash"], a["data"]["hash"])
        self.assertTrue(created[1]["key"].startswith("sk-or-v1-"))
        self.control("POST", "/reset")
        self.assertEqual(self.control("GET", "/created")["created"], [])

    def test_seed_determinism(self):
        self.control("POST", "/reset", {"seed_keys": 8})
        a = self.control("GET", "/keys")["keys"]
        self.control("POST", "/reset", {"seed_keys": 8})
        b = self.control("GET", "/keys")["keys"]
        self.assertEqual(a, b)
        limits = {k["name"]: (k["limit"], k["limit_reset"]) for k in a}
        self.assertEqual(limits["seed-key-0000"], (None, None))
        self.assertEqual(limits["seed-key-0001"], (10.0, "daily"))
        self.assertEqual(limits["seed-key-0003"], (30.0, "monthly"))

    def test_keep_alive_and_stats(self):
        self.control("POST", "/connections")
        c = self.conn()
        self.assertEqual(self.api("GET", "/keys", conn=c).status, 200)
        self.assertEqual(self.api("POST", "/keys", {"name": "ka"}, conn=c).status, 201)
        self.assertEqual(self.api("GET", "/key", conn=c).status, 200)
        self.assertError(self.api("GET", "/keys/zzz", conn=c), 404)
        c.close()
        st = self.control("GET", "/stats")
        self.assertEqual(st["api_connections"], 1)
        self.assertEqual(st["requests"], 4)
        self.assertGreaterEqual(st["connections_accepted"], 2)
        ids = {e["connection_id"] for e in self.requests_log()}
        self.assertEqual(len(ids), 1)
        self.api("GET", "/keys")
        self.assertEqual(self.control("GET", "/stats")["api_connections"], 2)


class FaultTest(StubTestCase):
    def test_status_headers_body(self):
        self.faults({"status": 429, "headers": {"Retry-After": "2", "retry-after-ms": "1500"}},
                    {"status": 503, "body": "upstream down", "headers": {"Content-Type": "text/plain"}},
                    {"status": 500, "body": {"error": {"code": "500", "message": "boom"}}})
        r = self.api("GET", "/keys")
        self.assertError(r, 429)
        self.assertEqual(r.headers["retry-after"], "2")
        self.assertEqual(r.headers["retry-after-ms"], "1500")
        r = self.api("GET", "/keys")
        self.assertEqual((r.status, r.raw, r.headers["content-type"]),
                         (503, b"upstream down", "text/plain"))
        r = self.api("GET", "/keys")
        self.assertEqual((r.status, r.json), (500, {"error": {"code": "500", "message": "boom"}}))
        self.assertEqual(self.api("GET", "/keys").status, 200)

    def test_status_fault_skips_operation_unless_apply_then(self):
        self.faults({"status": 500})
        self.assertEqual(self.api("POST", "/keys", {"name": "x"}).status, 500)
        self.assertEqual(self.control("GET", "/keys")["count"], 0)
        self.faults({"status": 502, "apply_then": True})
        self.assertEqual(self.api("POST", "/keys", {"name": "x"}).status, 502)
        self.assertEqual(self.control("GET", "/keys")["count"], 1)
        self.faults({"close_before_response": True, "apply_then": True})
        with self.assertRaises((http.client.HTTPException, ConnectionError)):
            self.api("POST", "/keys", {"name": "y"})
        self.assertEqual(self.control("GET", "/keys")["count"], 2)

    def test_match_and_times(self):
        self.faults({"status": 500, "match": {"method": "POST", "path_prefix": "/api/v1/keys"},
                     "times": 2})
        self.assertEqual(self.api("GET", "/keys").status, 200)
        self.assertEqual(self.api("GET", "/key").status, 200)
        self.assertEqual(self.api("POST", "/keys", {"name": "a"}).status, 500)
        self.assertEqual(len(self.control("GET", "/faults")["faults"]), 1)
        self.assertEqual(self.api("POST", "/keys", {"name": "a"}).status, 500)
        self.assertEqual(self.api("POST", "/keys", {"name": "a"}).status, 201)

    def test_consumed_before_auth(self):
        self.faults({"status": 503})
        self.assertEqual(self.api("GET", "/keys", key=None).status, 503)
        self.assertEqual(self.api("GET", "/keys", key=None).status, 401)

    def test_delay(self):
        self.faults({"delay_ms": 300})
        t = time.monotonic()
        self.assertEqual(self.api("GET", "/keys").status, 200)
        self.assertGreaterEqual(time.monotonic() - t, 0.28)
        self.faults({"delay_ms": 1000})
        c = self.conn(timeout=0.2)
        with self.assertRaises(OSError):
            self.api("POST", "/keys", {"name": "slow"}, conn=c)
        c.close()
        time.sleep(1.0)   # the operation happened even though the client gave up
        self.assertEqual(self.control("GET", "/keys")["count"], 1)

    def test_close_before_response(self):
        self.faults({"close_before_response": True})
        with self.assertRaises((http.client.HTTPException, ConnectionError)):
            self.api("GET", "/keys")
        self.assertEqual(self.api("GET", "/keys").status, 200)

    def test_close_mid_body(self):
        self.control("POST", "/reset", {"seed_keys": 5})
        self.faults({"close_mid_body": True})
        c = self.conn()
        c.request("GET", "/api/v1/keys", headers={"Authorization": "Bearer " + MGMT})
        r = c.getresponse()
        self.assertEqual(r.status, 200)
        full = int(r.getheader("Content-Length"))
        with self.assertRaises(http.client.IncompleteRead) as cm:
            r.read()
        self.assertEqual(len(cm.exception.partial), full // 2)
        c.close()

    def test_truncate_body(self):
        self.control("POST", "/reset", {"seed_keys": 2})
        self.faults({"truncate_body": True})
        r = self.api("GET", "/keys")
        self.assertEqual(r.status, 200)
        self.assertEqual(int(r.headers["content-length"]), len(r.raw))
        self.assertIsNone(r.json)
        self.assertTrue(r.raw.startswith(b'{"data"'))

    def test_body_override(self):
        self.faults({"body_override": '{"data": "not a list"'}, {"body_override": {"data": {"x": 1}}})
        r = self.api("GET", "/keys")
        self.assertEqual((r.status, r.raw), (200, b'{"data": "not a list"'))
        r = self.api("POST", "/keys", {"name": "n"})
        self.assertEqual((r.status, r.json), (201, {"data": {"x": 1}}))
        self.assertEqual(self.control("GET", "/keys")["count"], 1)

    def test_body_override_b64_sends_raw_bytes(self):
        self.faults({"body_override_b64": base64.b64encode(b'{"data":"\xff\xfe"}').decode()})
        r = self.api("GET", "/keys")
        self.assertEqual((r.status, r.raw), (200, b'{"data":"\xff\xfe"}'))

    def test_chunked(self):
        self.faults({"huge_body_bytes": 50_000, "chunked": True})
        r = self.api("GET", "/keys")
        self.assertEqual(r.status, 200)
        self.assertNotIn("content-length", r.headers)
        self.assertEqual(r.headers["transfer-encoding"], "chunked")
        self.assertEqual(len(r.raw), 50_000)
        self.assertEqual(r.json["data"], [])
        self.assertEqual(self.api("GET", "/keys").status, 200)

    def test_huge_body(self):
        self.faults({"huge_body_bytes": 3_000_000})
        r = self.api("GET", "/keys")
        self.assertEqual(r.status, 200)
        self.assertAlmostEqual(len(r.raw), 3_000_000, delta=100)
        self.assertEqual(r.json["data"], [])

    def test_deep_nesting(self):
        self.faults({"deep_nesting": 5000})
        r = self.api("GET", "/keys")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.raw, b'{"data":' + b"[" * 5000 + b"]" * 5000 + b"}")

    def test_html_502(self):
        self.faults({"html_502": True})
        r = self.api("POST", "/keys", {"name": "n"})
        self.assertEqual(r.status, 502)
        self.assertTrue(r.headers["content-type"].startswith("text/html"))
        self.assertIn(b"<html>", r.raw)
        self.assertEqual(self.control("GET", "/keys")["count"], 0)

    def test_fault_then_keepalive_recovers(self):
        self.faults({"status": 500})
        c = self.conn()
        self.assertEqual(self.api("GET", "/keys", conn=c).status, 500)
        self.assertEqual(self.api("GET", "/keys", conn=c).status, 200)
        c.close()

    def test_window_answers_every_request_inside_it(self):
        self.faults({"status": 429, "headers": {"Retry-After": "1"}, "window_ms": 400})
        t = time.monotonic()
        statuses = []
        while time.monotonic() - t < 0.3:
            statuses.append(self.api("GET", "/keys").status)
        self.assertGreaterEqual(len(statuses), 2)
        self.assertEqual(set(statuses), {429})
        time.sleep(0.15)
        self.assertEqual(self.api("GET", "/keys").status, 200)
        self.assertEqual(self.control("GET", "/faults")["faults"], [])
        self.assertEqual(self.control("GET", "/stats")["statuses"], {"429": len(statuses), "200": 1})

    def test_stall_request_leaves_the_body_unread(self):
        import socket
        self.faults({"stall_request_ms": 600})
        body = b'{"name": "' + b"x" * (8 << 20) + b'"}'
        s = socket.create_connection(("127.0.0.1", self.stub.port))
        s.sendall(b"POST /api/v1/keys HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + MGMT.encode() +
                  b"\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
        s.setblocking(False)
        sent = 0
        t = time.monotonic()
        while time.monotonic() - t < 0.3:
            try:
                sent += s.send(body[sent:sent + 65536])
            except BlockingIOError:
                time.sleep(0.01)
        self.assertLess(sent, len(body))  # the server stopped reading
        s.setblocking(True)
        s.sendall(body[sent:])
        reply = b""
        while b"\r\n\r\n" not in reply:
            reply += s.recv(4096)
        s.close()
        self.assertTrue(reply.startswith(b"HTTP/1.1 201"), reply[:40])
        self.assertGreaterEqual(time.monotonic() - t, 0.55)

    def test_pause_mid_body(self):
        self.control("POST", "/reset", {"seed_keys": 5})
        self.faults({"pause_mid_body_ms": 500})
        c = self.conn()
        c.request("GET", "/api/v1/keys", headers={"Authorization": "Bearer " + MGMT})
        r = c.getresponse()
        t = time.monotonic()
        full = int(r.getheader("Content-Length"))
        first = r.read(full // 2)
        self.assertLess(time.monotonic() - t, 0.3)
        rest = r.read()
        self.assertGreaterEqual(time.monotonic() - t, 0.45)
        self.assertEqual(len(first) + len(rest), full)
        self.assertEqual(len(json.loads(first + rest)["data"]), 5)
        c.close()

    def test_max_concurrent(self):
        import threading
        self.faults({"delay_ms": 300, "times": 3})
        threads = [threading.Thread(target=self.api, args=("GET", "/keys")) for _ in range(3)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        self.assertEqual(self.control("GET", "/stats")["max_concurrent"], 3)
        self.control("POST", "/connections")
        self.api("GET", "/keys")
        self.assertEqual(self.control("GET", "/stats")["max_concurrent"], 1)

    def test_bad_fault_payload(self):
        r = self.request("POST", "/_control/faults", raw="[1]", key=None)
        self.assertError(r, 400)


def _gone(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] in ("Z", "X")
    except OSError:
        return True


class LifecycleTest(unittest.TestCase):
    def test_idle_timeout(self):
        s = StubProcess("--idle-timeout", "0.6")
        try:
            t = time.monotonic()
            s.proc.wait(5)
            self.assertLess(time.monotonic() - t, 4)
        finally:
            s.stop()

    def test_max_lifetime_despite_activity(self):
        s = StubProcess("--max-lifetime", "1")
        try:
            deadline = time.monotonic() + 5
            while s.proc.poll() is None and time.monotonic() < deadline:
                try:
                    c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=1)
                    c.request("GET", "/_control/stats")
                    c.getresponse().read()
                    c.close()
                except OSError:
                    pass
                time.sleep(0.1)
            self.assertIsNotNone(s.proc.poll())
        finally:
            s.stop()

    def test_shutdown_endpoint(self):
        s = StubProcess()
        s.stop()
        self.assertEqual(s.proc.returncode, 0)

    def test_parent_death(self):
        d = tempfile.mkdtemp(prefix="orstub-orphan-")
        pf = os.path.join(d, "port")
        try:
            out = subprocess.run(
                ["sh", "-c", '"$0" "$1" --port-file "$2" >/dev/null 2>&1 & echo $!; '
                 'while [ ! -s "$2" ]; do sleep 0.05; done',
                 sys.executable, SCRIPT, pf],
                stdout=subprocess.PIPE, text=True, timeout=10)
            pid = int(out.stdout.strip())
            deadline = time.monotonic() + 5
            while not _gone(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            self.assertTrue(_gone(pid))
        finally:
            for f in os.listdir(d):
                os.unlink(os.path.join(d, f))
            os.rmdir(d)


if __name__ == "__main__":
    unittest.main()
