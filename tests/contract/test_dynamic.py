"""The judges of the dynamic contract test can fail: response_check.py
finds each kind of mark in a doctored body (the whole description's unions
and allOf too), dynamic.py's judge flags a library record whose warnings or
strict result disagree with it, an openrouter-api run whose warning lines
disagree with the body it received or that does not print what it decoded,
and the recording proxy that gives the judge that body.

Run from the repository root (no Prism needed):
    python3 -m unittest discover -s tests/contract
"""
import copy
import http.server
import json
import os
import sys
import threading
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "generator"))
import dynamic  # noqa: E402
import recorder  # noqa: E402
import response_check  # noqa: E402
from orgen import load  # noqa: E402

SPEC = load.load(os.path.join(REPO, "spec", "openrouter-keys.yaml")).data
KEY = {"hash": "h", "name": "n", "label": "l", "disabled": False, "limit": None, "limit_remaining": None,
       "limit_reset": None, "include_byok_in_limit": False, "usage": 1, "usage_daily": 1, "usage_weekly": 1,
       "usage_monthly": 1, "byok_usage": 0, "byok_usage_daily": 0, "byok_usage_weekly": 0,
       "byok_usage_monthly": 0, "created_at": "anything", "updated_at": None, "creator_user_id": None,
       "workspace_id": "w"}


def marks(body, method="GET", path="/keys/{hash}"):
    schema = response_check.response_schema(SPEC, method, path)
    return response_check.check(SPEC, schema, body)


class ResponseCheck(unittest.TestCase):
    def test_clean_key_has_no_marks(self):
        self.assertEqual(marks({"data": KEY}), ([], None))
        self.assertEqual(marks({"data": [KEY, KEY]}, path="/keys"), ([], None))

    def test_each_kind(self):
        cases = [
            ({"expires_at": "next tuesday"}, ("data.expires_at", "format")),
            ({"expires_at": 5}, ("data.expires_at", "type")),
            ({"disabled": None}, ("data.disabled", "null")),
            ({"usage": 1e400}, ("data.usage", "unrepresentable")),
            ({"name": "a\0b"}, ("data.name", "unrepresentable")),
        ]
        for change, want in cases:
            with self.subTest(change=change):
                self.assertEqual(marks({"data": dict(KEY, **change)}), ([want], None))
        key = dict(KEY)
        del key["workspace_id"]
        self.assertEqual(marks({"data": key}), ([("data.workspace_id", "missing")], None))

    def test_open_enums_and_unbounded_values_are_not_marked(self):
        self.assertEqual(marks({"data": dict(KEY, limit_reset="fortnightly", usage=-5)}), ([], None))

    def test_required_of_the_wrong_type_is_fatal(self):
        self.assertEqual(marks({"data": dict(KEY, hash=7)})[1], "data.hash")
        self.assertEqual(marks({"data": "x"})[1], "data")
        self.assertEqual(marks([])[1], "")

    def test_bounds_and_integers(self):
        doc = {"type": "object", "properties": {
            "s": {"type": "string", "minLength": 2, "maxLength": 3},
            "a": {"type": "array", "maxItems": 1, "items": {"type": "integer", "format": "int32"}},
            "n": {"type": "number", "minimum": 0}}}
        self.assertEqual(response_check.check({}, doc, {"s": "abcd", "a": [1, 2], "n": -1}),
                         ([("s", "length"), ("a", "length"), ("n", "range")], None))
        self.assertEqual(response_check.check({}, doc, {"a": [2 ** 31, 1.5, 2.0]}),
                         ([("a", "length"), ("a[0]", "unrepresentable"), ("a[1]", "type")], None))

    def test_rfc3339(self):
        for ok in ("2027-12-31T23:59:59Z", "2025-02-19T20:52:27.363244+00:00", "2024-02-29t00:00:60z"):
            self.assertTrue(response_check.is_rfc3339(ok), ok)
        for bad in ("2025-02-29T00:00:00Z", "2025-01-01 00:00:00Z", "2025-01-01T24:00:00Z",
                    "2025-01-01T00:00:00", "2025-01-01T00:00:00+2400", "2025-01-01T00:00:00.Z"):
            self.assertFalse(response_check.is_rfc3339(bad), bad)


def shape(**props):
    return {"type": "object", "properties": props}


# Unions and allOf as OpenRouter's whole description writes them.
DOC = {"components": {"schemas": {
    "Text": {"type": "object", "required": ["type", "text"],
             "properties": {"type": {"type": "string", "enum": ["text"]}, "text": {"type": "string"}}},
    "Image": {"type": "object", "required": ["type", "url"],
              "properties": {"type": {"type": "string", "enum": ["image"]}, "url": {"type": "string"}}},
    "Named": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
}}}
REF = {k: {"$ref": "#/components/schemas/" + k} for k in DOC["components"]["schemas"]}
NULL_30 = {"nullable": True, "description": "OpenAPI 3.0's null"}
UNIONS = shape(
    content={"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}, NULL_30]},
    phase={"anyOf": [{"type": "string", "enum": ["a"]}, {"type": "string", "enum": ["b"]}, NULL_30]},
    part={"oneOf": [REF["Text"], REF["Image"]]},
    tagged={"oneOf": [REF["Text"], REF["Named"]],
            "discriminator": {"propertyName": "type", "mapping": {"t": "#/components/schemas/Text"}}},
    fitted={"anyOf": [REF["Named"], shape(id={"type": "integer"}) | {"required": ["id"]}]},
    number={"anyOf": [{"type": "integer", "format": "int32"}, {"type": "string", "maxLength": 1}]},
    short={"anyOf": [{"type": "string", "maxLength": 1}, {"type": "null"}]},
    lists={"anyOf": [{"type": "array", "items": {"type": "string"}},
                     {"type": "array", "items": {"type": "integer"}}]},
    merged={"allOf": [REF["Named"], shape(age={"type": "integer"}) | {"required": ["age"]}]},
    noted={"allOf": [REF["Named"], {"description": "only a note", "nullable": True}]},
    ref_null={"$ref": "#/components/schemas/Named", "nullable": True},
    extra=shape(a={"type": "string"}) | {"additionalProperties": {"type": "integer"}},
)


def union_marks(**body):
    return response_check.check(DOC, UNIONS, body)


class WholeDescription(unittest.TestCase):
    """response_check on the constructs of the whole description."""

    def test_null_variants(self):
        self.assertEqual(union_marks(content=None, phase=None), ([], None))
        self.assertEqual(union_marks(content=["x"], phase="zz"), ([], None))
        # Prism fills `nullable: true` alone (any value in JSON Schema 2020-12) with an object.
        self.assertEqual(union_marks(content=NULL_30), ([("content", "unknown_variant")], None))
        self.assertEqual(union_marks(phase=NULL_30), ([("phase", "type")], None))

    def test_object_variants(self):
        self.assertEqual(union_marks(part={"type": "image", "url": "u"}), ([], None))
        self.assertEqual(union_marks(part={"type": "image"}), ([("part.url", "missing")], None))
        self.assertEqual(union_marks(part={"type": "video"}), ([("part", "unknown_variant")], None))
        self.assertEqual(union_marks(part=[]), ([("part", "unknown_variant")], None))
        self.assertEqual(union_marks(tagged={"type": "t", "text": 5}), ([], "tagged.text"))
        self.assertEqual(union_marks(tagged={"type": "Named", "name": "n"}), ([], None))
        self.assertEqual(union_marks(tagged={"type": "text", "text": "x"}), ([("tagged", "unknown_variant")], None))
        self.assertEqual(union_marks(fitted={"id": 1}), ([], None))
        self.assertEqual(union_marks(fitted={"id": "x", "name": "n"}), ([], None))  # a tie: the first
        self.assertEqual(union_marks(fitted={"other": 1}), ([("fitted", "unknown_variant")], None))

    def test_scalar_and_array_variants(self):
        self.assertEqual(union_marks(number=2 ** 40), ([("number", "unrepresentable")], None))
        self.assertEqual(union_marks(number=1.5), ([("number", "type")], None))
        self.assertEqual(union_marks(number="long"), ([], None))  # a variant's own limits do not apply
        self.assertEqual(union_marks(short="long"), ([("short", "length")], None))  # T or null: they do
        self.assertEqual(union_marks(number=True), ([("number", "unknown_variant")], None))
        self.assertEqual(union_marks(lists=[1, 2], content=[]), ([], None))
        self.assertEqual(union_marks(lists=[True]), ([("lists", "unknown_variant")], None))
        self.assertEqual(union_marks(lists=[None]), ([("lists", "unknown_variant")], None))

    def test_all_of_refs_and_extra_members(self):
        self.assertEqual(union_marks(merged={"name": "n"}), ([("merged.age", "missing")], None))
        self.assertEqual(union_marks(noted=None, ref_null=None), ([], None))
        self.assertEqual(union_marks(noted={}), ([("noted.name", "missing")], None))
        self.assertEqual(union_marks(extra={"a": "x", "b": 1, "c": "y"}), ([("extra.c", "type")], None))


class Judge(unittest.TestCase):
    """dynamic.judge_library on records as dynamic_client writes them."""

    def record(self, body, warnings, strict_rc=0, strict_field=None, strict_message=None):
        return {"op": "getKey", "rc": 0, "error": None, "body": json.dumps(body), "warnings": warnings,
                "strict_rc": strict_rc, "strict_field": strict_field, "strict_message": strict_message}

    def judge(self, rec):
        t = dynamic.Tally()
        dynamic.judge_library(SPEC, "GET", "/keys/{hash}", rec, t)
        return t

    def test_agreeing_record_passes(self):
        body = {"data": dict(KEY, expires_at="soon")}
        msg = "invalid date-time (expected RFC 3339)"
        t = self.judge(self.record(body, [["data.expires_at", "format", msg]], -5, "data.expires_at",
                                   "getKey: data.expires_at: " + msg))
        self.assertEqual(t.problems, [])
        self.assertEqual((t.decoded, t.strict_failures, t.marks["format"]), (1, 1, 1))

    def test_disagreements_are_problems(self):
        body = {"data": dict(KEY, expires_at="soon")}
        msg = "invalid date-time (expected RFC 3339)"
        self.assertTrue(self.judge(self.record(body, [])).problems)  # a warning missed
        self.assertTrue(self.judge(self.record({"data": KEY}, [["data.name", "length", "x"]], -5, "data.name",
                                               "x")).problems)        # a warning too many
        self.assertTrue(self.judge(self.record(body, [["data.expires_at", "format", msg]])).problems)  # strict passed
        self.assertTrue(self.judge(self.record({"data": KEY}, [], -5, "data", "x")).problems)  # strict failed clean
        failed = dict(self.record({"data": KEY}, []), rc=-5, error="boom")
        t = self.judge(failed)
        self.assertEqual((t.failures, len(t.problems)), (1, 1))


class ApiCli(unittest.TestCase):
    """dynamic.judge_api_cli: openrouter-api's warnings against the body it
    received (as the recording proxy kept it), its output read again."""

    def judge(self, rc, out, err="", raw=None):
        t = dynamic.Tally()
        raw = out if raw is None else raw
        dynamic.judge_api_cli(SPEC, "GET", "/keys/{hash}", (rc, out, err, raw and raw.encode()), t)
        return t

    FORMAT = "openrouter-api: warning (format): data.expires_at: invalid date-time (expected RFC 3339)\n"

    def test_agreeing_runs_pass(self):
        body = json.dumps({"data": dict(KEY, expires_at="soon")})
        t = self.judge(0, body, self.FORMAT)
        self.assertEqual((t.problems, t.decoded, t.marks["format"]), ([], 1, 1))
        self.assertEqual(self.judge(0, json.dumps({"data": KEY})).problems, [])
        # A value left out of the output is still warned: the body received decides.
        t = self.judge(0, json.dumps({"data": KEY}), "openrouter-api: warning (type): data.expires_at: expected "
                       "string, got number\n", json.dumps({"data": dict(KEY, expires_at=5)}))
        self.assertEqual((t.problems, t.marks["type"]), ([], 1))

    def test_failures(self):
        odd = json.dumps({"data": dict(KEY, expires_at="soon")})
        self.assertTrue(self.judge(0, odd).problems)  # a warning missed
        self.assertTrue(self.judge(0, json.dumps({"data": KEY}), self.FORMAT).problems)  # one too many
        self.assertTrue(self.judge(0, odd, self.FORMAT.replace("format", "length")).problems)  # wrong kind
        self.assertTrue(self.judge(0, odd, self.FORMAT.replace("-api", "-keys")).problems)  # not its line
        self.assertTrue(self.judge(0, json.dumps({"data": KEY}), "openrouter-api: odd\n").problems)
        self.assertTrue(self.judge(0, json.dumps({"data": dict(KEY, expires_at=5)})).problems)  # not left out
        self.assertTrue(self.judge(0, json.dumps({"data": dict(KEY, hash=7)})).problems)  # undecodable
        t = dynamic.Tally()
        dynamic.judge_api_cli(SPEC, "GET", "/keys/{hash}", (0, json.dumps({"data": KEY}), "", None), t)
        self.assertTrue(t.problems)  # nothing recorded
        self.assertEqual(self.judge(3, "", "openrouter-api: refused").failures, 1)


class RecorderTest(unittest.TestCase):
    """recorder.Recorder passes a request on as it came and keeps the answer."""

    def test_forwards_and_records(self):
        seen = []

        class Upstream(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                seen.append((self.path, self.headers["Authorization"], body))
                answer = b'{"n": %d}' % len(seen)
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        upstream = http.server.HTTPServer(("127.0.0.1", 0), Upstream)
        threading.Thread(target=upstream.serve_forever, daemon=True).start()
        self.addCleanup(upstream.server_close)
        self.addCleanup(upstream.shutdown)
        proxy = recorder.Recorder("http://127.0.0.1:%d" % upstream.server_address[1])
        self.addCleanup(proxy.close)
        self.assertIsNone(proxy.take_last())
        for _ in range(2):
            req = urllib.request.Request(proxy.url + "/api/v1/keys?x=1", data=b'{"name": "a"}', method="POST",
                                         headers={"Authorization": "Bearer k", "Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=10) as r:
                self.assertEqual((r.status, r.headers["Content-Type"]), (201, "application/json"))
                got = r.read()
        self.assertEqual(got, b'{"n": 2}')
        self.assertEqual(seen, [("/api/v1/keys?x=1", "Bearer k", b'{"name": "a"}')] * 2)
        self.assertEqual(proxy.take_last(), b'{"n": 2}')  # the last answer, once
        self.assertIsNone(proxy.take_last())


class DescribedOperations(unittest.TestCase):
    """The operation list comes from the description itself."""

    def test_whole_description(self):
        path = os.path.join(REPO, "..", "shared", "reference", "openrouter-full.upstream-2026-06-09.yaml")
        if not os.path.exists(path):
            self.skipTest("no ../shared/reference")
        ops, requests, left_out = dynamic.described_operations(path)
        self.assertEqual(dict(left_out), {
            "createAudioSpeech": "success body audio/*, not JSON",
            "createCoinbaseCharge": "success body empty, not JSON",
            "listVideosContent": "success body application/octet-stream, not JSON"})
        self.assertEqual(len(ops), 63)
        by_id = {o[0]: o for o in ops}
        self.assertEqual(by_id["getKey"][1:], ("GET", "/keys/{hash}", "openrouter_get_key_operation"))
        chat = requests[by_id["sendChatCompletionRequest"][3]]
        self.assertTrue(chat["body"]["messages"])  # the example's, not an empty array
        self.assertEqual(requests[by_id["getGuardrail"][3]]["params"],
                         {"id": "550e8400-e29b-41d4-a716-446655440000"})


if __name__ == "__main__":
    unittest.main()
