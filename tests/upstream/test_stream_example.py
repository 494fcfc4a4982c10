"""examples/stream_chat.c (built from the whole-API library, --prefix orfull)
against the stand-in server: the reply printed as it streams, blocking and
--async, and a mid-stream error reported with the text so far.

    OR_STREAM_CHAT=build/tests/upstream/stream_chat python3 tests/upstream/test_stream_example.py
"""

import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
import stubproc  # noqa: E402

EXAMPLE = os.environ.get("OR_STREAM_CHAT", "stream_chat")
PROMPT = "Streams arrive one word at a time"


class StreamChatExample(stubproc.StubCase):
    def run_example(self, *args, expect=0):
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENROUTER_")}
        env["OPENROUTER_API_KEY"] = stubproc.MGMT_KEY
        env["OPENROUTER_BASE_URL"] = self.stub.base_url
        p = subprocess.run([EXAMPLE, *args], capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(p.returncode, expect, "stdout %r stderr %r" % (p.stdout, p.stderr))
        self.assertNotIn(stubproc.MGMT_KEY, p.stdout + p.stderr)
        return p

    def test_blocking_and_async(self):
        words = len(PROMPT.split())
        for mode in ([], ["--async"]):
            with self.subTest(mode=mode):
                p = self.run_example(*mode, PROMPT)
                self.assertEqual(p.stdout, PROMPT + "\n")
                # One chunk per word, the finish chunk, the usage-only chunk.
                self.assertRegex(p.stderr, r"^%d chunks, [1-9][0-9]* tokens\n$" % (words + 2))

    def test_keep_alives_and_split_bytes(self):
        self.stub.add_faults({"stream": {"keepalive_before": 2, "keepalive_delay_ms": 100,
                                         "split_random": {"seed": 3, "max_piece": 3}, "pause_ms": 0}})
        p = self.run_example("--async", PROMPT)
        self.assertEqual(p.stdout, PROMPT + "\n")

    def test_error_mid_stream(self):
        for mode in ([], ["--async"]):
            with self.subTest(mode=mode):
                self.stub.add_faults({"stream": {"error_after": 2, "error_code": 502,
                                                 "error_message": "provider went away"}})
                p = self.run_example(*mode, PROMPT, expect=1)
                self.assertEqual(p.stdout, " ".join(PROMPT.split()[:2]) + "\n")
                self.assertIn("error event after 2 events: provider went away (OPENROUTER_EHTTP)", p.stderr)

    def test_usage(self):
        self.run_example(expect=2)


if __name__ == "__main__":
    unittest.main()
