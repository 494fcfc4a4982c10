"""openrouter-api against the stand-in server: --list from the generated
operation table, parameters and bodies decoded into the typed request (what
reaches the wire is checked), responses printed as JSON encoded again from the
typed model, refusals by field name with nothing sent, the exit codes and
environment of openrouter-keys, and its warning lines on stderr for values
that break the description (--strict: an error instead).

With the library built from the key operations (spec/):
    OPENROUTER_API_BIN=build-test/cli/openrouter-api python3 tests/cli/test_api_cli.py
With OR_API_WHOLE=1 the binary is one built from OpenRouter's whole
description (cmake -DOPENROUTER_SPEC=...; tests/contract/whole_api.sh), and
the audio and video operations' bytes and a streamed chat completion are
checked too.
"""

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stubproc  # noqa: E402
import test_cli  # noqa: E402  (its odd key)
from clicase import CliCase  # noqa: E402

API_BIN = os.environ.get("OPENROUTER_API_BIN", "openrouter-api")
WHOLE = os.environ.get("OR_API_WHOLE") == "1"
SEED_HASH_1 = hashlib.sha256(b"seed-key-0001").hexdigest()
# A line as openrouter-keys prints it, this tool's name first.
WARNING_LINE = r"^openrouter-api: warning \((\w+)\): (\S+): (.+)$"


class ApiCase(CliCase):
    def api(self, *args, **kwargs):
        return self.run_cli(*args, binary=API_BIN, **kwargs)

    def api_requests(self):
        return [r for r in self.stub.requests() if r["path"].startswith("/api/")]

    def refused(self, *args, message, env=None):
        """Exit 2 with `message` on stderr, and nothing sent."""
        before = len(self.api_requests())
        p = self.api(*args, env=env, expect=2)
        self.assertIn(message, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertEqual(len(self.api_requests()), before)
        return p


@unittest.skipIf(WHOLE, "the key operations' build")
class KeyOperations(ApiCase):
    def test_help_version_list(self):
        p = self.api("--help", expect=0)
        for word in ("--list", "--param", "--body", "@-", "--output", "--strict", "OPENROUTER_API_KEY",
                     "Exit codes"):
            self.assertIn(word, p.stdout)
        p = self.api("--version", expect=0)
        self.assertRegex(p.stdout, r"^openrouter-api \d+\.\d+\.\d+ \(openrouter-c \S+, 6 operations\)\n$")
        lines = self.api("--list", env={}, expect=0).stdout.splitlines()  # no key needed
        self.assertEqual([line.split()[:3] for line in lines], [
            ["getCurrentKeyMetadata", "GET", "/key"], ["listKeys", "GET", "/keys"],
            ["createKey", "POST", "/keys"], ["getKey", "GET", "/keys/{hash}"],
            ["deleteKey", "DELETE", "/keys/{hash}"], ["updateKey", "PATCH", "/keys/{hash}"]])
        self.assertIn("--param hash=(path)", lines[3])
        self.assertIn("[--param offset=(query)]", lines[1])
        self.assertTrue(lines[2].endswith(" --body"))

    def test_response_printed_from_the_typed_model(self):
        p = self.api("listKeys", "--param", "offset=1", "--param", "include_disabled=true", expect=0)
        printed = json.loads(p.stdout)
        req = self.api_requests()[-1]
        self.assertEqual(req["query_params"], {"offset": ["1"], "include_disabled": ["true"]})
        status, raw = self.stub.api_raw("/keys?offset=1&include_disabled=true")
        self.assertEqual(status, 200)
        self.assertEqual(printed, json.loads(raw))  # nothing lost, nothing added
        self.assertEqual(p.stderr, "")  # a clean response: no warning
        p = self.api("getKey", "--param", "hash=" + SEED_HASH_1, expect=0)
        self.assertEqual(json.loads(p.stdout)["data"]["name"], "seed-key-0001")

    def test_body_as_text_file_and_stdin(self):
        body = {"name": "one", "limit": 0, "limit_reset": "weekly", "include_byok_in_limit": False,
                "external": {"user": "u-1", "api_key": "x" * 40}}
        p = self.api("createKey", "--body", json.dumps(body), expect=0)
        self.assertEqual(json.loads(p.stdout)["data"]["name"], "one")
        self.assertEqual(self.api_requests()[-1]["body"], body)  # write-only member sent too
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"name": "two"}, f)
        self.addCleanup(os.unlink, f.name)
        self.api("createKey", "--body", "@" + f.name, expect=0)
        self.assertEqual(self.api_requests()[-1]["body"], {"name": "two"})
        self.api("createKey", "--body", "@-", stdin='{"name": "three"}', expect=0)
        self.assertEqual(self.api_requests()[-1]["body"], {"name": "three"})

    def test_null_and_header_parameters(self):
        self.api("updateKey", "--param", "hash=" + SEED_HASH_1, "--param", "x-openrouter-title=Mine",
                 "--body", '{"limit": null}', expect=0)
        req = self.api_requests()[-1]
        self.assertEqual(req["method"], "PATCH")
        self.assertEqual(req["body"], {"limit": None})
        self.assertEqual(req["headers"]["x-openrouter-title"], "Mine")

    def test_refused_before_sending(self):
        self.refused("createKey", "--body", '{"name": "a", "limt": 5}',
                     message="member limt is not a field of the request type")
        self.refused("createKey", "--body", '{"name": "a", "external": {"user": "u", "nope": 1}}',
                     message="member external.nope is not a field")
        self.refused("createKey", "--body", '{"name": "a", "limit": "5"}', message="limit: expected number")
        self.refused("createKey", "--body", '{"limit": 5}', message="name: required field missing")
        self.refused("createKey", "--body", '{"name": ', message="request body:")
        self.refused("createKey", "--body", '{"name": "a", "limit": -1}', message="limit")
        self.refused("createKey", "--body", "@/nonexistent/body.json", message="--body @/nonexistent/body.json")
        self.refused("getKey", message="hash")
        self.refused("listKeys", "--param", "offset=x", message="parameter offset: expected an integer")
        self.refused("listKeys", "--param", "include_disabled=yes", message="expected true or false")
        self.refused("listKeys", "--param", "bogus=1", message="listKeys has no parameter 'bogus'")
        self.refused("listKeys", "--param", "offset", message="--param expects NAME=VALUE")
        self.refused("listKeys", "--param", "offset=1", "--param", "offset=2", message="given twice")
        self.refused("listKeys", "--body", "{}", message="takes no body")
        self.refused("noSuchOperation", message="no such operation")
        self.refused("listKeys", "--stream", message="this operation does not stream: 'listKeys'")
        self.refused(message="name an operation")
        self.refused("listKeys", "--frobnicate", message="unknown option '--frobnicate'")
        self.refused("listKeys", env=self.env(OPENROUTER_API_KEY=None), message="set OPENROUTER_API_KEY")

    # ---- values that break the description: printed as received, warned -----------------

    @staticmethod
    def odd_key(**odd):
        """A key whose values break the description: a null where none is
        allowed, a number where a string belongs, a required member left out."""
        key = test_cli.CliTest.odd_key("h", disabled=None, external_user=42, **odd)
        del key["workspace_id"]
        return key

    ODD_WARNINGS = ("openrouter-api: warning (null): data.disabled: null not allowed\n"
                    "openrouter-api: warning (type): data.external_user: expected string, got number\n"
                    "openrouter-api: warning (missing): data.workspace_id: required field missing\n")

    def test_odd_values_printed_as_received_with_warnings(self):
        odd = self.odd_key()
        self.stub.add_faults({"status": 200, "body": {"data": odd}})
        p = self.api("getKey", "--param", "hash=h", expect=0)
        printed = json.loads(p.stdout)["data"]
        self.assertIsNone(printed["disabled"])  # as received
        self.assertNotIn("workspace_id", printed)
        self.assertNotIn("external_user", printed)  # a number where a string belongs: left out
        self.assertEqual(printed, {k: v for k, v in odd.items() if k != "external_user"})
        self.assertEqual(p.stderr, self.ODD_WARNINGS)
        # In a list, the path names the item; keys without warnings add none.
        keys = [test_cli.CliTest.odd_key("k%d" % i) for i in range(3)]
        keys[2] = dict(keys[2], disabled=None)
        self.stub.add_faults({"status": 200, "body": {"data": keys}})
        p = self.api("listKeys", expect=0)
        self.assertEqual(json.loads(p.stdout)["data"], keys)
        self.assertRegex(p.stderr, WARNING_LINE)
        self.assertEqual(p.stderr, "openrouter-api: warning (null): data[2].disabled: null not allowed\n")

    def test_odd_date_time_printed_as_received(self):
        self.stub.add_faults({"status": 200, "body": {"data": test_cli.CliTest.odd_key("h", expires_at="soon")}})
        p = self.api("getKey", "--param", "hash=h", expect=0)
        self.assertEqual(json.loads(p.stdout)["data"]["expires_at"], "soon")
        self.assertEqual(p.stderr, "openrouter-api: warning (format): data.expires_at: invalid date-time "
                                   "(expected RFC 3339)\n")

    def test_strict_fails_at_the_first_odd_value(self):
        self.stub.add_faults({"status": 200, "body": {"data": self.odd_key()}})
        p = self.api("getKey", "--param", "hash=h", "--strict", expect=1)
        self.assertEqual(p.stdout, "")
        self.assertEqual(p.stderr, "openrouter-api: getKey: data.disabled: null not allowed\n")
        self.stub.add_faults({"status": 200, "body": {"data": test_cli.CliTest.odd_key("h")}})
        p = self.api("getKey", "--param", "hash=h", "--strict", expect=0)  # a clean one passes
        self.assertEqual((json.loads(p.stdout)["data"]["hash"], p.stderr), ("h", ""))

    def test_exit_codes(self):
        p = self.api("getKey", "--param", "hash=" + "0" * 64, expect=1)
        self.assertIn("getKey: HTTP 404", p.stderr)
        self.assertEqual(p.stdout, "")
        dead = "http://127.0.0.1:%d/api/v1" % stubproc.free_port()
        self.api("listKeys", env=self.env(OPENROUTER_BASE_URL=dead), expect=3)
        p = self.api("listKeys", "--base-url", "ftp://example.com", expect=2)
        self.assertIn("base_url", p.stderr)


@unittest.skipUnless(WHOLE, "needs openrouter-api built from the whole description")
class WholeApiBytes(ApiCase):
    def test_audio_to_stdout_and_video_to_a_file(self):
        self.assertEqual(len(self.api("--list", expect=0).stdout.splitlines()), 66)
        p = subprocess.run([API_BIN, "createAudioSpeech", "--body",
                            '{"input": "hi", "model": "m", "voice": "alloy", "response_format": "pcm"}'],
                           capture_output=True, env=self.env(), timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, b"OR-AUDIO\0hi" + bytes(range(256)))
        self.assertEqual(self.api_requests()[-1]["headers"]["accept"], "audio/*, application/json")
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "video.bin")
            p = self.api("listVideosContent", "--param", "jobId=job-1", "--output", out, expect=0)
            self.assertEqual(p.stdout, "")
            with open(out, "rb") as f:
                self.assertEqual(f.read(), bytes(range(256)) * 1024)
        p = self.api("listVideosContent", "--param", "jobId=missing", expect=1)
        self.assertIn("HTTP 404: Video not found", p.stderr)


@unittest.skipUnless(WHOLE, "needs openrouter-api built from the whole description")
class WholeApiStream(ApiCase):
    def test_chat_completion_streamed_as_json_lines(self):
        body = '{"model": "m", "messages": [{"role": "user", "content": "one two three"}]}'
        p = self.api("sendChatCompletionRequest", "--stream", "--body", body, expect=0)
        events = [json.loads(line) for line in p.stdout.splitlines()]
        chunks = [e["data"] for e in events]
        text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
        self.assertEqual(text, "one two three")
        self.assertEqual(chunks[-1]["choices"], [])  # the usage chunk, delivered like the others
        self.assertIn("usage", chunks[-1])
        sent = self.api_requests()[-1]
        self.assertIs(sent["body"]["stream"], True)  # asked for by --stream

    def test_odd_events_warned_as_they_come(self):
        # After each word, an event of another shape ({"type": "ping"}): printed, warned, exit 0.
        fault = {"match": {"path_prefix": "/api/v1/chat/completions"}, "stream": {"foreign_object": True}}
        body = '{"model": "m", "messages": [{"role": "user", "content": "one two three"}]}'
        self.stub.add_faults(fault)
        p = self.api("sendChatCompletionRequest", "--stream", "--body", body, expect=0)
        chunks = [json.loads(line)["data"] for line in p.stdout.splitlines()]
        pings = [c for c in chunks if "choices" not in c]
        self.assertEqual(len(pings), 3)
        lines = p.stderr.splitlines()
        self.assertTrue(lines)
        found = [re.match(WARNING_LINE, line) for line in lines]
        self.assertTrue(all(found), p.stderr)
        self.assertIn(("missing", "data.choices"), [m.group(1, 2) for m in found])
        self.assertEqual(len(lines) % 3, 0)  # the same warnings for each ping
        self.assertEqual(lines[:len(lines) // 3] * 3, lines)
        self.stub.add_faults(fault)
        p = self.api("sendChatCompletionRequest", "--stream", "--strict", "--body", body, expect=1)
        self.assertEqual(len(p.stdout.splitlines()), 1)  # the first word's event, then the ping fails
        self.assertRegex(p.stderr, r"^openrouter-api: .*event 2: data\.\w+: required field missing\n")

    def test_stream_refusals(self):
        self.refused("getKey", "--stream", "--param", "hash=x",
                     message="this operation does not stream: 'getKey'")
        body = '{"model": "m", "messages": [{"role": "user", "content": "hi"}]}'
        self.refused("sendChatCompletionRequest", "--stream", "--body", '{"model": "m", "messages": []}',
                     message="messages: 0 items, below the minimum of 1 (nothing was sent)")
        # An error before the first event is an ordinary error: exit 1, no line printed.
        p = self.api("sendChatCompletionRequest", "--stream", "--body", body,
                     env=self.env(OPENROUTER_API_KEY="sk-or-v1-" + "0" * 64), expect=1)
        self.assertEqual(p.stdout, "")
        self.assertIn("HTTP 401", p.stderr)


if __name__ == "__main__":
    unittest.main()
