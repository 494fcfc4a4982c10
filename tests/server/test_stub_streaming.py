"""Tests for the stand-in server's chat completions, streamed and not, and
its stream faults. Read over a raw socket (not the C library): each HTTP
chunk the server writes is one piece, so the tests see every cut exactly.

Run: python3 -m unittest discover -s tests/server
"""

import json
import re
import socket
import time
import unittest

import openrouter_stub
from test_openrouter_stub import NORMAL, MGMT, StubTestCase

CHAT = "/api/v1/chat/completions"
TEXT = "The quick  brown fox jumps"
WORDS = ["The", " quick", "  brown", " fox", " jumps"]
CHUNK_KEYS = {"id", "object", "created", "model", "choices"}


class RawResponse:
    def __init__(self, status, headers, pieces, times, complete):
        self.status = status
        self.headers = headers      # lower-case names
        self.pieces = pieces        # the body as written: one bytes per chunk (or recv)
        self.times = times          # arrival time of each piece, from the request
        self.complete = complete    # the body ended properly (last chunk / EOF by design)
        self.body = b"".join(pieces)


def _read_line(sock, buf):
    while b"\r\n" not in buf:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("connection closed in the middle of a line")
        buf += data
    line, _, rest = buf.partition(b"\r\n")
    return line, rest


def _read_exact(sock, buf, n):
    while len(buf) < n:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("connection closed in the middle of a chunk")
        buf += data
    return buf[:n], buf[n:]


def raw_request(port, body, key=NORMAL, path=CHAT, sock=None, timeout=20):
    """POSTs `body` (JSON) and reads the answer chunk by chunk."""
    own = sock is None
    if own:
        sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    data = json.dumps(body).encode()
    head = ["POST %s HTTP/1.1" % path, "Host: 127.0.0.1", "Content-Type: application/json",
            "Content-Length: %d" % len(data), "Accept: text/event-stream"]
    if key:
        head.append("Authorization: Bearer " + key)
    start = time.monotonic()
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + data)
    try:
        buf = b""
        line, buf = _read_line(sock, buf)
        status = int(line.split()[1])
        headers = {}
        while True:
            line, buf = _read_line(sock, buf)
            if not line:
                break
            k, _, v = line.decode().partition(":")
            headers[k.strip().lower()] = v.strip()
        pieces, times = [], []
        if headers.get("transfer-encoding") == "chunked":
            try:
                while True:
                    line, buf = _read_line(sock, buf)
                    size = int(line, 16)
                    piece, buf = _read_exact(sock, buf, size + 2)
                    if size == 0:
                        return RawResponse(status, headers, pieces, times, True)
                    pieces.append(piece[:-2])
                    times.append(time.monotonic() - start)
            except ConnectionError:
                return RawResponse(status, headers, pieces, times, False)
        if "content-length" in headers:
            piece, buf = _read_exact(sock, buf, int(headers["content-length"]))
            return RawResponse(status, headers, [piece], [time.monotonic() - start], True)
        pieces = [buf] if buf else []
        while True:
            data = sock.recv(65536)
            if not data:
                return RawResponse(status, headers, pieces, times, True)
            pieces.append(data)
            times.append(time.monotonic() - start)
    finally:
        if own:
            sock.close()


def parse_sse(body):
    """A small SSE reader for the tests: [(type, data)], comment count, and
    whether the body ended between events."""
    text = body.decode("utf-8")
    lines = re.split(r"\r\n|\r|\n", text)
    tail = lines.pop()  # after the last line end
    events, comments, data, etype, pending = [], 0, None, "message", False
    for line in lines:
        if not line:
            if data is not None:
                events.append((etype, "\n".join(data)))
            data, etype, pending = None, "message", False
            continue
        if line.startswith(":"):
            comments += 1
            continue
        pending = True
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            data = (data or []) + [value]
        elif name == "event":
            etype = value or "message"
    return events, comments, not tail and not pending


def chunks(events):
    """The JSON of the message events, [DONE] as the string."""
    return [e[1] if e[1] == "[DONE]" else json.loads(e[1]) for e in events if e[0] == "message"]


class StreamingTest(StubTestCase):
    def chat(self, stream=True, text=TEXT, key=NORMAL, **extra):
        body = {"model": "openai/gpt-4", "messages": [
            {"role": "system", "content": "Be brief."}, {"role": "user", "content": "first"},
            {"role": "assistant", "content": "ok"}, {"role": "user", "content": text}]}
        if stream is not None:
            body["stream"] = stream
        body.update(extra)
        return raw_request(self.stub.port, body, key=key)

    def stream_fault(self, **opts):
        self.faults({"match": {"path_prefix": CHAT}, "stream": opts})

    def assert_complete_stream(self, r, words=WORDS, finish="stop", gen="gen-stub-1"):
        self.assertEqual(r.status, 200)
        self.assertTrue(r.complete)
        events, _, clean = parse_sse(r.body)
        self.assertTrue(clean)
        got = chunks(events)
        self.assertEqual(got[-1], "[DONE]")
        content, closing, usage = got[:-3], got[-3], got[-2]
        for c in got[:-1]:
            self.assertEqual(set(c), CHUNK_KEYS | ({"usage"} if c is usage else set()))
            self.assertEqual((c["id"], c["object"], c["created"], c["model"]),
                             (gen, "chat.completion.chunk", openrouter_stub.CHAT_CREATED, "openai/gpt-4"))
        self.assertEqual([c["choices"] for c in content],
                         [[{"index": 0, "delta": {"role": "assistant", "content": w},
                            "finish_reason": None}] for w in words])
        self.assertEqual(closing["choices"][0]["finish_reason"], finish)
        self.assertEqual(usage["choices"], [])
        self.assertEqual(usage["usage"], {"prompt_tokens": 9, "completion_tokens": len(words),
                                          "total_tokens": 9 + len(words)})
        return events

    def test_stream(self):
        r = self.chat()
        self.assertEqual(r.headers["content-type"], "text/event-stream")
        self.assertEqual(r.headers["x-generation-id"], "gen-stub-1")
        events = self.assert_complete_stream(r)
        self.assertEqual(len(events), len(WORDS) + 3)
        self.assertEqual(self.requests_log()[0]["body"]["stream"], True)

    def test_not_streamed(self):
        for stream in (False, None):
            r = self.chat(stream=stream)
            self.assertEqual((r.status, r.headers["content-type"]), (200, "application/json"))
            result = json.loads(r.body)
            gen = "gen-stub-%d" % (1 if stream is False else 2)
            self.assertEqual(r.headers["x-generation-id"], gen)
            self.assertEqual(result, {
                "id": gen, "object": "chat.completion", "created": openrouter_stub.CHAT_CREATED,
                "model": "openai/gpt-4", "system_fingerprint": None,
                "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                             "message": {"role": "assistant", "content": "".join(WORDS)}}],
                "usage": {"prompt_tokens": 9, "completion_tokens": 5, "total_tokens": 14}})

    def test_max_tokens_and_content_parts(self):
        self.assert_complete_stream(self.chat(max_tokens=2), words=WORDS[:2], finish="length")
        parts = [{"type": "text", "text": "Hello"}, {"type": "image_url", "image_url": {"url": "x"}},
                 {"type": "text", "text": " there"}]
        r = self.chat(text=parts)
        self.assertEqual([c["choices"][0]["delta"]["content"] for c in chunks(parse_sse(r.body)[0])[:2]],
                         ["Hello", " there"])

    def test_keys_and_validation(self):
        self.assertEqual(self.chat(key=MGMT).status, 200)
        self.assertEqual(self.chat(key=None).status, 401)
        self.assertEqual(self.chat(key="sk-or-v1-unknown").status, 401)
        for bad in ({"messages": []}, {"messages": [{"content": "x"}]}, {"messages": "hi"},
                    {"messages": [{"role": "user", "content": "x"}], "stream": "yes"},
                    {"messages": [{"role": "user", "content": "x"}], "max_tokens": 0},
                    {"messages": [{"role": "user", "content": "x"}], "model": 5}):
            r = raw_request(self.stub.port, bad)
            self.assertEqual(r.status, 400, bad)
            self.assertEqual(json.loads(r.body)["error"]["code"], 400)
        r = raw_request(self.stub.port, {"messages": [{"role": "user", "content": "x"}]}, path=CHAT + "x")
        self.assertEqual(r.status, 404)

    def test_error_before_first_event(self):
        self.faults({"match": {"path_prefix": CHAT}, "status": 429, "headers": {"Retry-After": "3"}})
        r = self.chat()
        self.assertEqual((r.status, r.headers["content-type"], r.headers["retry-after"]),
                         (429, "application/json", "3"))
        self.assertEqual(json.loads(r.body)["error"]["code"], 429)
        self.assert_complete_stream(self.chat(), gen="gen-stub-1")  # the fault was used up

    def test_keepalives(self):
        self.stream_fault(keepalive_before=3, keepalive_between=1, keepalive_delay_ms=100)
        r = self.chat()
        events = self.assert_complete_stream(r)
        _, comments, _ = parse_sse(r.body)
        self.assertEqual(comments, 3 + len(events) - 1)
        self.assertTrue(r.body.startswith(b": OPENROUTER PROCESSING\n\n" * 3 + b"data: "))
        first_event = next(t for p, t in zip(r.pieces, r.times) if b"data:" in p)
        self.assertGreaterEqual(first_event, 0.29)

    def test_event_delay(self):
        self.stream_fault(event_delay_ms=50)
        r = self.chat()
        self.assert_complete_stream(r)
        self.assertGreaterEqual(r.times[-1], 0.05 * (len(WORDS) + 3) - 0.01)

    def test_split_at(self):
        whole = self.chat().body
        cuts = [1, 2, 5, 6, 7, 40, len(whole) - 1]
        self.stream_fault(split_at=cuts + [0, len(whole), len(whole) + 9])  # out of range: ignored
        r = self.chat()
        self.assert_complete_stream(r, gen="gen-stub-2")
        self.assertEqual(r.body, whole.replace(b"gen-stub-1", b"gen-stub-2"))
        # A piece ends at every cut and at every event's end.
        ends, at = set(), 0
        for p in r.pieces:
            at += len(p)
            ends.add(at)
        self.assertEqual(ends, set(cuts) | {m.end() for m in re.finditer(rb"\n\n", r.body)})

    def test_split_random(self):
        self.stream_fault(split_random={"seed": 7, "max_piece": 5}, pause_ms=0)
        self.stream_fault(split_random={"seed": 7, "max_piece": 5}, pause_ms=0)
        a, b = self.chat(), self.chat()
        self.assert_complete_stream(a, gen="gen-stub-1")
        self.assert_complete_stream(b, gen="gen-stub-2")
        self.assertEqual([len(p) for p in a.pieces], [len(p) for p in b.pieces])
        self.assertTrue(all(1 <= len(p) <= 5 for p in a.pieces))
        self.assertGreater(len(a.pieces), len(a.body) // 5)

    def test_line_endings(self):
        lf = self.chat()
        for name, eol in (("crlf", b"\r\n"), ("cr", b"\r"), ("lf", b"\n")):
            self.stream_fault(line_ending=name, keepalive_before=1)
            r = self.chat()
            body = r.body.replace(b"gen-stub-%d" % (2 + ["crlf", "cr", "lf"].index(name)), b"gen-stub-1")
            self.assertEqual(body, b": OPENROUTER PROCESSING" + eol + eol + lf.body.replace(b"\n", eol))
            if name == "cr":
                self.assertNotIn(b"\n", r.body)
            self.assertEqual(chunks(parse_sse(body)[0]), chunks(parse_sse(lf.body)[0]))

    def test_error_mid_stream(self):
        for code in (502, "server_error"):
            self.control("POST", "/reset")
            self.stream_fault(error_after=2, error_code=code, error_message="Provider disconnected")
            r = self.chat()
            self.assertEqual(r.status, 200)
            self.assertTrue(r.complete)
            events, _, clean = parse_sse(r.body)
            self.assertTrue(clean)
            got = chunks(events)
            self.assertEqual([c["choices"][0]["delta"].get("content") for c in got[:2]], WORDS[:2])
            self.assertEqual(len(got), 3)  # no usage chunk, no [DONE]
            self.assertEqual(set(got[2]), CHUNK_KEYS | {"error"})
            self.assertEqual(got[2]["error"], {"code": code, "message": "Provider disconnected"})
            self.assertEqual(got[2]["choices"], [{"index": 0, "delta": {}, "finish_reason": "error"}])
        self.stream_fault(error_after=99)  # past the content: after the last word
        got = chunks(parse_sse(self.chat().body)[0])
        self.assertEqual((len(got), got[-1]["error"]["code"]), (len(WORDS) + 1, "server_error"))

    def test_drop(self):
        self.stream_fault(drop_after=2)
        r = self.chat()
        self.assertFalse(r.complete)  # no last chunk: the client sees a broken transfer
        events, _, clean = parse_sse(r.body)
        self.assertTrue(clean)
        self.assertEqual(len(events), 2)
        self.stream_fault(drop_after=2, drop_mid_event=True, keepalive_between=1)
        r = self.chat()
        events, _, clean = parse_sse(r.body)
        self.assertFalse(r.complete or clean)
        self.assertEqual(len(events), 2)
        tail = r.body.rsplit(b"\n\n", 1)[1]  # half of the third word's event
        self.assertTrue(tail.startswith(b'data: {"id"') and b"\n" not in tail, tail)
        self.assertTrue(r.body.endswith(b": OPENROUTER PROCESSING\n\n" + tail))
        # With close framing a drop looks like a normal end: only SSE shows it.
        self.stream_fault(drop_after=0, drop_mid_event=True, framing="close")
        r = self.chat()
        self.assertEqual(r.headers.get("connection"), "close")
        self.assertTrue(r.complete)
        self.assertTrue(r.body.startswith(b"data: {"))
        self.assertEqual(parse_sse(r.body)[0], [])
        self.assertFalse(parse_sse(r.body)[2])

    def test_close_framing_complete(self):
        self.stream_fault(framing="close")
        r = self.chat()
        self.assertNotIn("transfer-encoding", r.headers)
        self.assertNotIn("content-length", r.headers)
        self.assert_complete_stream(r)

    def test_unknown_events(self):
        self.stream_fault(unknown_event_type=True, foreign_object=True)
        r = self.chat()
        events, _, clean = parse_sse(r.body)
        self.assertTrue(clean)
        self.assertEqual(events.count(("keepalive", "{}")), len(WORDS))
        self.assertEqual(events.count(("message", '{"type":"ping"}')), len(WORDS))
        known = [e for e in events if e[0] == "message" and e[1] != '{"type":"ping"}']
        self.assertEqual(len(known), len(WORDS) + 3)
        self.assertEqual(events[1], ("keepalive", "{}"))

    def test_connection_reused_after_stream(self):
        sock = socket.create_connection(("127.0.0.1", self.stub.port), timeout=20)
        try:
            body = {"stream": True, "model": "openai/gpt-4", "messages": [{"role": "user", "content": "a b"}]}
            first = raw_request(self.stub.port, body, sock=sock)
            second = raw_request(self.stub.port, body, sock=sock)
        finally:
            sock.close()
        self.assertEqual(len(chunks(parse_sse(first.body)[0])), 5)
        self.assertEqual(chunks(parse_sse(second.body)[0])[0]["id"], "gen-stub-2")
        self.assertEqual(self.control("GET", "/stats")["api_connections"], 1)

    def test_bad_stream_fault(self):
        for bad in ({"line_ending": "crcr"}, {"split_at": [-1]}, {"keepalive_before": "3"},
                    {"split_random": {"seed": 1, "pieces": 3}}, {"split_random": {"max_piece": 0}},
                    {"error_code": True}, {"framing": "h2"}, {"no_such": 1}, []):
            r = self.request("POST", "/_control/faults", {"stream": bad}, key=None)
            self.assertEqual(r.status, 400, bad)
        self.assertEqual(self.control("GET", "/faults")["faults"], [])


class PlanTest(unittest.TestCase):
    """stream_plan() and stream_cuts() directly."""

    def completion(self, words=("a", " b")):
        return openrouter_stub.ChatCompletion("gen-x", "m", list(words), "stop", 2)

    def test_plan_pauses_and_order(self):
        plan, drop = openrouter_stub.stream_plan(self.completion(), {
            "keepalive_before": 2, "keepalive_delay_ms": 30, "event_delay_ms": 10})
        self.assertFalse(drop)
        self.assertEqual([p for p, _ in plan], [0.03, 0.03] + [0.01] * 5)
        self.assertEqual(plan[-1][1], b"data: [DONE]\n\n")

    def test_cuts(self):
        for seed in range(20):
            cuts = openrouter_stub.stream_cuts(100, {"split_random": {"seed": seed, "max_piece": 3}})
            bounds = [0] + cuts + [100]
            self.assertTrue(all(1 <= b - a <= 3 for a, b in zip(bounds, bounds[1:])))
        self.assertEqual(openrouter_stub.stream_cuts(10, {"split_at": [9, 3, 3, 0, 10]}), [3, 9])
        self.assertEqual(openrouter_stub.stream_cuts(10, {}), [])

    def test_empty_message(self):
        plan, _ = openrouter_stub.stream_plan(self.completion(words=()), {})
        self.assertEqual(len(plan), 3)  # finish, usage, [DONE]


if __name__ == "__main__":
    unittest.main()
