#!/usr/bin/env python3
"""Local stand-in for OpenRouter's API-key management API and a chat
completion (streamed or not), for tests.

Installed as ``openrouter-stub-server`` so users can test their own code
without a real key or network: see docs/STUB_SERVER.md.

Python 3 standard library only.  Start it with

    python3 tests/server/openrouter_stub.py [--port 0] [--host 127.0.0.1]
        [--port-file PATH] [--seed-keys N] [--max-lifetime SECONDS]
        [--idle-timeout SECONDS] [--management-key K] [--normal-key K]
        [--verbose]

It binds 127.0.0.1 on an ephemeral port by default, writes the port number to
--port-file (written to a temporary file and renamed into place, so a reader
never sees a partial file) and prints ``LISTENING <port>`` on stdout.  It
stops by itself after --max-lifetime seconds (default 600), after
--idle-timeout seconds without any request (default 120), on
``POST /_control/shutdown``, or when the process that started it dies.

HTTP/1.1 keep-alive is supported: every response carries Content-Length and
the connection stays open unless a fault closes it.

API (base path /api/v1, ``Authorization: Bearer <key>``)
---------------------------------------------------------
GET /key, GET|POST /keys, GET|PATCH|DELETE /keys/{hash}, as the real service.
GET /credits (management key): {"data": {"total_credits": 150.5, "total_usage":
the sum of every stored key's usage}}.
POST /chat/completions (any valid key): echoes the last "user" message (a
string, or the "text" of its content parts) one chunk per word (a word with
the whitespace before it); "max_tokens": N keeps N words (finish_reason
"length").  Ids are gen-stub-1, gen-stub-2, ... (reset by /_control/reset),
also in X-Generation-Id; "created" is always CHAT_CREATED; "model" is the
request's (default "openrouter/auto").  400 on a missing or empty
"messages", a message without "role", a non-boolean "stream".
* Without "stream": true: 200 JSON ChatResult {id, object "chat.completion",
  created, model, system_fingerprint null, choices [{index 0, finish_reason,
  logprobs null, message {role "assistant", content}}], usage}.
* With "stream": true: 200 text/event-stream, chunked, one event per word
  `data: {id, object "chat.completion.chunk", created, model, choices [{index
  0, delta {role "assistant", content: word}, finish_reason null}]}`, then a
  chunk with delta content "" and the finish_reason, then a usage-only chunk
  (choices []), then `data: [DONE]`, each event ended by a blank line.
  prompt_tokens counts the words of every message, completion_tokens the
  chunks.
POST /audio/speech (any valid key) {"input", "response_format" mp3|pcm}: 200
bytes that are not JSON: "OR-AUDIO\\0", the input's UTF-8, the 256 byte values;
Content-Type audio/mpeg, or audio/pcm for pcm.
POST /files, /files/both (any valid key): echoes the body's Content-Type and,
for multipart/form-data, every part: name, filename, content_type, size,
sha256 and (UTF-8 parts) text.
GET /videos/{jobId}/content (any valid key): 256 KiB application/octet-stream
(the byte values 0..255 repeated); 404 for the job id "missing".
* Missing Authorization header -> 401 "Missing Authentication header";
  unknown key -> 401 "Invalid credentials".
* The normal key (and any plaintext key returned by POST /keys, while it is
  enabled) may call only GET /key; anything else -> 403 "Only management keys
  can perform this operation".
* Unknown route -> 404 JSON error; known route, wrong method -> 405 (with
  Allow).  Order of checks: fault, route, auth, validation.
* The {hash} path segment is percent-decoded exactly once before lookup.  A
  raw "/" inside the segment means a different (unknown) route -> 404.
* GET /keys: newest first, pages of 100 by ``offset`` (non-negative decimal
  integer, else 400); ``include_disabled`` must be exactly ``true`` or
  ``false`` (else 400), default false; ``workspace_id`` (a uuid, else 400)
  filters, absent = DEFAULT_WORKSPACE_ID.
* POST /keys validates types (400 on invalid JSON, non-object body, missing or
  empty name, negative limit, bad limit_reset, non-UTC/unparseable expires_at,
  bad external...).  Unknown fields are ignored.  201 {"data": key, "key": ...}.
* PATCH: omitted field = unchanged, explicit null clears limit / limit_reset,
  expires_at present -> 400.  Sets updated_at.
* Error bodies: {"error": {"code": <int>, "message": <str>}}.

Control API (no auth, JSON in/out, never logged, never faulted)
-----------------------------------------------------------------
GET    /_control/requests  -> {"requests": [{"method", "path" (raw, undecoded,
                              no query), "query" (raw), "query_params"
                              ({name: [values]}), "headers" ({lower-case
                              name: value}, repeated headers joined by ", "),
                              "body_raw" (str), "body" (parsed JSON or null),
                              "connection_id" (int), "time" (float)}]}
DELETE /_control/requests  -> {"ok": true}; clears the log
POST   /_control/reset     -> {"ok": true}; body optional {"seed_keys": N};
                              clears keys, log, faults and counters
GET    /_control/keys      -> {"keys": [all keys, newest first, incl. disabled],
                              "count": N}
POST   /_control/keys      -> body: a partial key object (or a list of them);
                              missing fields are filled in; "hash" may be given
                              (any string); optional "key" sets the plaintext
                              key that can authenticate as a normal key.
                              Answers {"data": key} (or {"data": [keys]}).
DELETE /_control/keys      -> {"ok": true}; removes all keys
GET    /_control/created   -> {"created": [{"hash", "name", "key" (the secret
                              returned), "workspace_id", "deleted" (bool)}]}:
                              every key POST /keys stored, in order, whether
                              or not its answer reached the client (faults
                              with apply_then), deleted ones too
GET    /_control/faults    -> {"faults": [pending faults]}
POST   /_control/faults    -> body {"faults": [fault, ...]} (or a single fault
                              object); appended to a FIFO queue; answers
                              {"ok": true, "pending": N}
DELETE /_control/faults    -> {"ok": true}; clears the queue
GET    /_control/stats     -> {"connections_accepted": N (all TCP connections,
                              control ones included), "api_connections": N
                              (distinct connections that carried at least one
                              API request), "requests": N (API requests),
                              "statuses": {"<status>": N} (API responses sent,
                              by status), "max_concurrent": N (most API
                              requests being answered at one time), "active":
                              N (being answered now)}
POST   /_control/connections -> zeroes the counters above; {"ok": true}
POST   /_control/shutdown  -> {"ok": true}, then the server stops

Faults
------
Every API request (anything not under /_control) first takes the first
pending fault whose "match" fits it, as soon as its headers are read, BEFORE
its body, routing and auth (so a fault is consumed even by a request that
would get 401/404).  Non-matching faults stay
queued.  Fault keys:

  "match": {"method": "POST", "path_prefix": "/api/v1/keys"}
        optional; both parts optional; path_prefix is compared with the raw
        path.
  "times": N            consumed by N requests (default 1).
  "window_ms": N        instead of "times": from the first request it applies
                        to, it applies to every matching request for N ms,
                        then it is dropped (a rate-limit window: every
                        request inside it gets the same 429, say).
  "stall_request_ms": N after the request line and headers, stop reading for
                        N ms before reading the body, so a client sending a
                        large body is left in the middle of sending it.
  "status": int         answer this status instead of performing the
                        operation.  Body defaults to
                        {"error":{"code":status,"message":"Injected fault"}}.
  "body": str | JSON    body for "status" (a string is sent verbatim; any
                        other value is JSON-encoded).
  "headers": {name: value}  extra/overriding response headers (e.g.
                        Retry-After, retry-after-ms, Content-Type); applied to
                        whatever response is sent.
  "html_502": true      answer 502, Content-Type text/html, an HTML page.
  "close_before_response": true  close the socket without answering.
  "apply_then": true    perform the real operation first (e.g. store the
                        created key, delete the key) and THEN apply the
                        status / html_502 / close_before_response fault.
  "delay_ms": N         sleep N ms after the operation (if performed) and
                        before anything is sent.
  "body_override": str | JSON  replace the response body (normal status kept
                        unless "status" is given too).
  "body_override_b64": str  replace the response body with these raw bytes
                        (base64), e.g. invalid UTF-8.
  "huge_body_bytes": N  pad the response JSON object with a "padding" string
                        so that the body is about N bytes (still valid JSON).
  "deep_nesting": N     body becomes {"data": [[[...]]]} nested N deep.
  "truncate_body": true send only the first half of the body, with a matching
                        Content-Length (so the JSON is cut off).
  "close_mid_body": true  send headers with the full Content-Length, then half
                        of the body, then close the socket.
  "pause_mid_body_ms": N  send headers with the full Content-Length and half
                        of the body, pause N ms, then send the rest (a client
                        is left in the middle of receiving).
  "chunked": true       send the (final) body with Transfer-Encoding: chunked
                        in 16 KiB chunks and no Content-Length, so a client
                        learns its size only while receiving.
  "stream": {...}       shapes a streamed chat completion (ignored by other
                        answers; checked when queued, unknown keys -> 400):
      keepalive_before N    N ": OPENROUTER PROCESSING" comments (each
                            followed by a blank line) before the first event
      keepalive_between N   N of them between consecutive events
      keepalive_delay_ms N  pause before each comment
      event_delay_ms N      pause before each event
      line_ending           "lf" (default), "crlf" or "cr" for every line
      split_at [offsets]    also cut the body at these byte offsets
      split_random {"seed": S, "max_piece": M}  cut it into pieces of 1..M
                            bytes (default 7) drawn by random.Random(S)
      pause_ms N            pause between the pieces of a cut (default 2)
      unknown_event_type    after each word, `event: keepalive` + `data: {}`
      foreign_object        after each word, `data: {"type":"ping"}`
      error_after K         after K words, an error chunk {id, object,
                            created, model, choices [{index 0, delta {},
                            finish_reason "error"}], error {code, message}}
                            and the end of the stream (no usage, no [DONE])
      error_code C, error_message M  its code (number or string; default
                            "server_error") and message
      drop_after K          after K words, the connection is cut (no
                            terminating chunk)
      drop_mid_event true   with drop_after: half of the next event first
      framing               "chunked" (default) or "close": no length, the
                            body ends when the connection closes (a drop
                            then looks like a normal end)
    Every piece is one HTTP chunk, written at once: a client sees each cut.
    K beyond the number of words means after the last word.  An error before
    the first event is an ordinary "status" fault.

"status"/"html_502"/"close_before_response" replace the operation (it does not
happen) unless "apply_then" is set.  Body faults (body_override,
body_override_b64, huge_body_bytes, deep_nesting, truncate_body, close_mid_body,
pause_mid_body_ms, chunked), delay_ms and stall_request_ms alone do not prevent the operation; they modify the response that would be
sent.  They are applied in the order listed above; a streamed answer takes
only delay_ms, headers and stream.

Seed keys
---------
``--seed-keys N`` / {"seed_keys": N} creates "seed-key-0000".."seed-key-NNNN"
(index i, oldest first, so listings start with the highest index), all in the
default workspace, hash = sha256("seed-key-%04d" % i), plaintext
"sk-or-v1-" + sha256("seed-plaintext-%04d" % i).  limit: None if i % 4 == 0
else i * 10.0; limit_reset cycles [None, "daily", "weekly", "monthly"] by
i % 4; disabled iff i % 10 == 9; usage = i * 0.25; include_byok_in_limit iff
i % 3 == 0.
"""

import argparse
import base64
import datetime
import email.parser
import email.policy
import email.utils  # noqa: F401  (kept for HTTP-date helpers / Retry-After)
import hashlib
import http.server
import json
import os
import random
import re
import secrets
import socket
import sys
import threading
import time
import urllib.parse
import uuid

DEFAULT_WORKSPACE_ID = "0df9e665-d932-5740-b2c7-b52af166bc11"
DEFAULT_MANAGEMENT_KEY = "sk-or-v1-mgmt-test"
DEFAULT_NORMAL_KEY = "sk-or-v1-normal-test"
ORGANIZATION_ID = "org_2stubOrganization000000000"
CREATOR_USER_ID = "user_2dHFtVWx2n56w6HkM0000000000"
PAGE_SIZE = 100
API_PREFIX = "/api/v1"
LIMIT_RESETS = ("daily", "weekly", "monthly")
CREDITS_TOTAL = 150.5
SEED_BASE_TIME = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)

CHAT_CREATED = 1767225600  # 2026-01-01: fixed, so every chunk is predictable
CHAT_DEFAULT_MODEL = "openrouter/auto"
AUDIO_MAGIC = b"OR-AUDIO\x00"
VIDEO_BYTES = 256 * 1024
KEEPALIVE_COMMENT = ": OPENROUTER PROCESSING\n\n"
LINE_ENDINGS = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}

HTML_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n"
    "<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n"
)


class BadRequest(Exception):
    pass


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _fmt_z(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)


def _fmt_offset(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%f") + "+00:00"


def _label_for(plaintext):
    body = plaintext[len("sk-or-v1-"):] if plaintext.startswith("sk-or-v1-") else plaintext
    return "sk-or-v1-%s...%s" % (body[:3], body[-3:])


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _error_body(code, message):
    return {"error": {"code": code, "message": message}}


def _new_plaintext():
    return "sk-or-v1-" + secrets.token_hex(32)


class State:
    """All mutable server state, guarded by one lock."""

    def __init__(self, management_key, normal_key):
        self.lock = threading.RLock()
        self.management_key = management_key
        self.normal_key = normal_key
        self.keys = {}          # hash -> record {"seq", "key", "plaintext"}
        self.created = []       # every POST /keys that stored a key, in order
        self.seq = 0
        self.generations = 0    # chat completions answered (ids gen-stub-N)
        self.log = []
        self.faults = []
        self.connections_accepted = 0
        self.api_connections = set()
        self.api_requests = 0
        self.statuses = {}
        self.active = 0         # API requests being answered now
        self.max_concurrent = 0
        self.last_activity = time.monotonic()

    # -- keys -------------------------------------------------------------
    def _store(self, key, plaintext):
        self.seq += 1
        self.keys[key["hash"]] = {"seq": self.seq, "key": key, "plaintext": plaintext}
        return key

    def build_key(self, partial, plaintext=None):
        """Fill in a full key object from a partial one."""
        now = _now()
        if plaintext is None:
            plaintext = _new_plaintext()
        limit = partial.get("limit")
        usage = partial.get("usage", 0)
        key = {
            "hash": hashlib.sha256(plaintext.encode()).hexdigest(),
            "name": "stub-key",
            "label": _label_for(plaintext),
            "disabled": False,
            "limit": limit,
            "limit_remaining": None,
            "limit_reset": None,
            "include_byok_in_limit": False,
            "usage": usage,
            "usage_daily": 0,
            "usage_weekly": 0,
            "usage_monthly": 0,
            "byok_usage": 0,
            "byok_usage_daily": 0,
            "byok_usage_weekly": 0,
            "byok_usage_monthly": 0,
            "created_at": _fmt_z(now),
            "updated_at": None,
            "expires_at": None,
            "creator_user_id": None,
            "workspace_id": DEFAULT_WORKSPACE_ID,
            "external_user": None,
        }
        key.update(partial)
        if "limit_remaining" not in partial:
            key["limit_remaining"] = self._remaining(key)
        return key

    @staticmethod
    def _remaining(key):
        lim = key.get("limit")
        if not _is_number(lim):
            return None
        usage = key.get("usage") if _is_number(key.get("usage")) else 0
        return max(0, lim - usage)

    def seed(self, n):
        for i in range(n):
            name = "seed-key-%04d" % i
            plaintext = "sk-or-v1-" + hashlib.sha256(
                ("seed-plaintext-%04d" % i).encode()).hexdigest()
            created = SEED_BASE_TIME + datetime.timedelta(minutes=i)
            usage = i * 0.25
            partial = {
                "hash": hashlib.sha256(name.encode()).hexdigest(),
                "name": name,
                "limit": None if i % 4 == 0 else i * 10.0,
                "limit_reset": [None, "daily", "weekly", "monthly"][i % 4],
                "disabled": i % 10 == 9,
                "include_byok_in_limit": i % 3 == 0,
                "usage": usage,
                "usage_daily": usage / 4,
                "usage_weekly": usage / 2,
                "usage_monthly": usage,
                "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "creator_user_id": CREATOR_USER_ID if i % 2 == 0 else None,
            }
            self._store(self.build_key(partial, plaintext), plaintext)

    def reset(self, seed_keys=0):
        with self.lock:
            self.keys.clear()
            self.created.clear()
            self.seq = 0
            self.generations = 0
            self.log.clear()
            self.faults.clear()
            self.reset_counters()
            self.seed(seed_keys)

    def reset_counters(self):
        with self.lock:
            self.connections_accepted = 0
            self.api_connections = set()
            self.api_requests = 0
            self.statuses = {}
            self.max_concurrent = self.active

    def sorted_keys(self):
        recs = sorted(self.keys.values(), key=lambda r: r["seq"], reverse=True)
        return [r["key"] for r in recs]

    # -- faults -----------------------------------------------------------
    def pop_fault(self, method, path):
        with self.lock:
            for i, f in enumerate(self.faults):
                m = f.get("match") or {}
                if "method" in m and str(m["method"]).upper() != method:
                    continue
                if "path_prefix" in m and not path.startswith(str(m["path_prefix"])):
                    continue
                window = f.get("window_ms")
                if _is_number(window):
                    now = time.monotonic()
                    f.setdefault("_until", now + window / 1000.0)
                    if now < f["_until"]:
                        return dict(f)
                    self.faults.pop(i)
                    return self.pop_fault(method, path)
                remaining = f.get("times", 1)
                if not isinstance(remaining, int) or remaining <= 1:
                    self.faults.pop(i)
                else:
                    f["times"] = remaining - 1
                return dict(f)
            return None


class Response:
    def __init__(self, status, obj=None, raw=None, headers=None):
        self.status = status
        self.headers = {"Content-Type": "application/json"}
        if headers:
            self.headers.update(headers)
        if raw is not None:
            self.body = raw if isinstance(raw, bytes) else raw.encode("utf-8")
        else:
            self.body = json.dumps(obj).encode("utf-8")
        self.obj = obj


def err(code, message, headers=None):
    return Response(code, _error_body(code, message), headers=headers)


# ---------------------------------------------------------------- chat completions

class ChatCompletion:
    """One answered chat completion: the last user message echoed back, one
    chunk per word (a word with the whitespace before it)."""

    def __init__(self, gen_id, model, words, finish_reason, prompt_tokens):
        self.gen_id = gen_id
        self.model = model
        self.words = words
        self.finish_reason = finish_reason
        self.usage = {"prompt_tokens": prompt_tokens, "completion_tokens": len(words),
                      "total_tokens": prompt_tokens + len(words)}

    def result(self):
        """The non-streaming answer (ChatResult)."""
        return {"id": self.gen_id, "object": "chat.completion", "created": CHAT_CREATED,
                "model": self.model, "system_fingerprint": None,
                "choices": [{"index": 0, "finish_reason": self.finish_reason, "logprobs": None,
                             "message": {"role": "assistant", "content": "".join(self.words)}}],
                "usage": self.usage}

    def chunk(self, choices, **extra):
        c = {"id": self.gen_id, "object": "chat.completion.chunk", "created": CHAT_CREATED,
             "model": self.model, "choices": choices}
        c.update(extra)
        return c

    def content_chunks(self):
        return [self.chunk([{"index": 0, "delta": {"role": "assistant", "content": w},
                             "finish_reason": None}]) for w in self.words]

    def closing_chunks(self):
        """The finish_reason chunk, then the usage-only chunk (choices: [])."""
        return [self.chunk([{"index": 0, "delta": {"role": "assistant", "content": ""},
                             "finish_reason": self.finish_reason}]),
                self.chunk([], usage=self.usage)]

    def error_chunk(self, code, message):
        return self.chunk([{"index": 0, "delta": {}, "finish_reason": "error"}],
                          error={"code": code, "message": message})


class StreamResponse:
    """A 200 text/event-stream answer; Handler._send_stream writes it."""

    def __init__(self, completion):
        self.status = 200
        self.completion = completion
        self.headers = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                        "X-Generation-Id": completion.gen_id}


# The "stream" fault: name -> check of its value.
def _count(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


STREAM_FAULT_KEYS = {
    "keepalive_before": _count, "keepalive_between": _count, "keepalive_delay_ms": _count,
    "event_delay_ms": _count, "pause_ms": _count,
    "line_ending": lambda v: v in LINE_ENDINGS,
    "split_at": lambda v: isinstance(v, list) and all(_count(x) for x in v),
    "split_random": lambda v: (isinstance(v, dict) and _count(v.get("seed", 0))
                               and _count(v.get("max_piece", 7)) and v.get("max_piece", 7) > 0
                               and set(v) <= {"seed", "max_piece"}),
    "unknown_event_type": lambda v: isinstance(v, bool),
    "foreign_object": lambda v: isinstance(v, bool),
    "error_after": _count,
    "error_code": lambda v: isinstance(v, (int, str)) and not isinstance(v, bool),
    "error_message": lambda v: isinstance(v, str),
    "drop_after": _count,
    "drop_mid_event": lambda v: isinstance(v, bool),
    "framing": lambda v: v in ("chunked", "close"),
}


def check_stream_fault(opts):
    if not isinstance(opts, dict):
        raise BadRequest("stream fault must be an object")
    for k, v in opts.items():
        if k not in STREAM_FAULT_KEYS:
            raise BadRequest("unknown stream fault key %r" % k)
        if not STREAM_FAULT_KEYS[k](v):
            raise BadRequest("bad value for stream fault %r: %r" % (k, v))


def stream_plan(completion, opts):
    """What a streamed completion sends under the stream fault `opts`:
    ([(pause_seconds, bytes), ...], drop) where drop means the connection is
    cut after the last bytes instead of ending the response."""
    eol = LINE_ENDINGS[opts.get("line_ending", "lf")]
    content = completion.content_chunks()
    # error_after / drop_after past the last word mean after all the content.
    error_at = min(opts["error_after"], len(content)) if "error_after" in opts else None
    drop_at = min(opts["drop_after"], len(content)) if "drop_after" in opts else None
    out = []

    def send(text, pause_ms, half=False):
        raw = text.replace("\n", eol).encode("utf-8")
        out.append((pause_ms / 1000.0, raw[:len(raw) // 2] if half else raw))

    def keepalives(n):
        for _ in range(n):
            send(KEEPALIVE_COMMENT, opts.get("keepalive_delay_ms", 0))

    events_sent = 0

    def event(obj, half=False):
        nonlocal events_sent
        if events_sent:
            keepalives(opts.get("keepalive_between", 0))
        events_sent += 1
        text = obj if isinstance(obj, str) else "data: %s\n\n" % json.dumps(obj, separators=(",", ":"))
        send(text, opts.get("event_delay_ms", 0), half)

    keepalives(opts.get("keepalive_before", 0))
    for i in range(len(content) + 1):
        if i == error_at:
            event(completion.error_chunk(opts.get("error_code", "server_error"),
                                         opts.get("error_message", "Injected mid-stream error")))
            return out, False
        if i == drop_at:
            if opts.get("drop_mid_event"):
                event(content[i] if i < len(content) else completion.closing_chunks()[0], half=True)
            return out, True
        if i == len(content):
            break
        event(content[i])
        if opts.get("unknown_event_type"):
            event("event: keepalive\ndata: {}\n\n")
        if opts.get("foreign_object"):
            event({"type": "ping"})
    for chunk in completion.closing_chunks():
        event(chunk)
    event("data: [DONE]\n\n")
    return out, False


def stream_cuts(total, opts):
    """Byte offsets (0 < offset < total) where the body is cut into pieces."""
    if "split_at" in opts:
        return sorted({c for c in opts["split_at"] if 0 < c < total})
    spec = opts.get("split_random")
    if spec is None:
        return []
    rng = random.Random(spec.get("seed", 0))
    cuts, pos = [], 0
    while True:
        pos += rng.randint(1, spec.get("max_piece", 7))
        if pos >= total:
            return cuts
        cuts.append(pos)


def message_text(message):
    """A chat message's text: a string, or the text parts of an array."""
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content
                       if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


class StubServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # listen() backlog: a client opening 64 connections at once must not
    # see SYNs dropped (and retried a second later) behind the default 5.
    request_queue_size = 128

    def __init__(self, addr, state, verbose=False):
        self.state = state
        self.verbose = verbose
        super().__init__(addr, Handler)

    def handle_error(self, request, client_address):
        # A client that gives up mid-transfer (size limit, timeout) is an
        # expected event here, not a server error worth a traceback.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)

    def get_request(self):
        sock, addr = super().get_request()
        # Headers and body go out in separate writes: without this, Nagle
        # plus the client's delayed ACK stall each response by ~40 ms.
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        with self.state.lock:
            self.state.connections_accepted += 1
            conn_id = self.state.connections_accepted
            self.state.last_activity = time.monotonic()
        # client_address[0] is still the host, so logging keeps working.
        return sock, (addr[0], addr[1], conn_id)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "openrouter-stub/1.0"

    def version_string(self):
        return self.server_version

    # ------------------------------------------------------------ plumbing
    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("stub: %s\n" % (fmt % args))

    @property
    def state(self):
        return self.server.state

    def _read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    break
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    # trailers until blank line
                    while True:
                        t = self.rfile.readline(65537)
                        if not t or t in (b"\r\n", b"\n"):
                            break
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        length = self.headers.get("Content-Length")
        if length:
            try:
                n = int(length)
            except ValueError:
                n = 0
            if n > 0:
                return self.rfile.read(n)
        return b""

    def _send(self, resp):
        if isinstance(resp, StreamResponse):
            self._send_stream(resp, {})
            return
        try:
            self._send_head(resp)
            if self.command != "HEAD":
                self.wfile.write(resp.body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    def _send_head(self, resp):
        """Status line and headers, with the body's full Content-Length."""
        self.send_response(resp.status)
        for k, v in resp.headers.items():
            self.send_header(k, str(v))
        self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()

    def _hard_close(self):
        self._answered()
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _dispatch(self, method):
        self.state.last_activity = time.monotonic()
        raw_target = self.path
        path, _, query = raw_target.partition("?")
        path = path.split("#", 1)[0]
        if path == "/_control" or path.startswith("/_control/"):
            self._handle_control(method, path, query, self._read_body())
        else:
            fault = self.state.pop_fault(method, path)
            stall = (fault or {}).get("stall_request_ms")
            if _is_number(stall) and stall > 0:
                time.sleep(stall / 1000.0)
            body_raw = self._read_body()
            with self.state.lock:
                self.state.active += 1
                self.state.max_concurrent = max(self.state.max_concurrent, self.state.active)
            self._answering = True
            try:
                self._handle_api(method, path, query, body_raw, fault)
            finally:
                self._answered()
        self.state.last_activity = time.monotonic()

    def _answered(self):
        """No longer counted as being answered: called before the first byte
        of the response, so a client that reacts to it can never be seen
        as one request too many."""
        if getattr(self, "_answering", False):
            self._answering = False
            with self.state.lock:
                self.state.active -= 1

    def send_response(self, code, message=None):
        if not getattr(self, "path", "").startswith("/_control"):
            self._answered()
            with self.state.lock:
                self.state.statuses[str(code)] = self.state.statuses.get(str(code), 0) + 1
        super().send_response(code, message)

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_HEAD(self):
        self._dispatch("HEAD")

    def do_OPTIONS(self):
        self._dispatch("OPTIONS")

    # ------------------------------------------------------------- control
    def _handle_control(self, method, path, query, body_raw):
        body = None
        if body_raw.strip():
            try:
                body = json.loads(body_raw)
            except ValueError:
                self._send(err(400, "control: invalid JSON body"))
                return
        route = path[len("/_control"):]
        try:
            resp = self._control_route(method, route, body)
        except BadRequest as e:
            resp = err(400, "control: %s" % e)
        self._send(resp)
        if route == "/shutdown" and method == "POST":
            threading.Thread(target=self.server.shutdown, daemon=True).start()

    def _control_route(self, method, route, body):
        st = self.state
        ok = Response(200, {"ok": True})
        if route == "/requests":
            if method == "GET":
                with st.lock:
                    return Response(200, {"requests": list(st.log)})
            if method == "DELETE":
                with st.lock:
                    st.log.clear()
                return ok
        elif route == "/reset" and method == "POST":
            n = 0
            if isinstance(body, dict) and body.get("seed_keys") is not None:
                n = body["seed_keys"]
                if not isinstance(n, int) or isinstance(n, bool) or n < 0:
                    raise BadRequest("seed_keys must be a non-negative integer")
            st.reset(n)
            return ok
        elif route == "/keys":
            if method == "GET":
                with st.lock:
                    keys = st.sorted_keys()
                return Response(200, {"keys": keys, "count": len(keys)})
            if method == "POST":
                if isinstance(body, list):
                    return Response(201, {"data": [self._control_add_key(k) for k in body]})
                return Response(201, {"data": self._control_add_key(body)})
            if method == "DELETE":
                with st.lock:
                    st.keys.clear()
                return ok
        elif route == "/created" and method == "GET":
            with st.lock:
                return Response(200, {"created": [dict(c) for c in st.created]})
        elif route == "/faults":
            if method == "GET":
                with st.lock:
                    return Response(200, {"faults": list(st.faults)})
            if method == "POST":
                if isinstance(body, dict) and "faults" in body:
                    faults = body["faults"]
                elif isinstance(body, dict):
                    faults = [body]
                else:
                    faults = body
                if not isinstance(faults, list) or not all(isinstance(f, dict) for f in faults):
                    raise BadRequest('expected {"faults": [{...}, ...]}')
                for f in faults:
                    if "stream" in f:
                        check_stream_fault(f["stream"])
                with st.lock:
                    st.faults.extend(faults)
                    pending = len(st.faults)
                return Response(200, {"ok": True, "pending": pending})
            if method == "DELETE":
                with st.lock:
                    st.faults.clear()
                return ok
        elif route == "/stats" and method == "GET":
            with st.lock:
                return Response(200, {
                    "connections_accepted": st.connections_accepted,
                    "api_connections": len(st.api_connections),
                    "requests": st.api_requests,
                    "statuses": dict(st.statuses),
                    "max_concurrent": st.max_concurrent,
                    "active": st.active,
                })
        elif route == "/connections" and method == "POST":
            st.reset_counters()
            return ok
        elif route == "/shutdown" and method == "POST":
            return ok
        return err(404, "control: no such route %s %s" % (method, route))

    def _control_add_key(self, partial):
        if not isinstance(partial, dict):
            raise BadRequest("key must be a JSON object")
        partial = dict(partial)
        plaintext = partial.pop("key", None)
        if plaintext is not None and not isinstance(plaintext, str):
            raise BadRequest("key must be a string")
        with self.state.lock:
            key = self.state.build_key(partial, plaintext)
            self.state.keys.pop(key["hash"], None)
            self.state._store(key, plaintext or "")
            return key

    # ----------------------------------------------------------------- API
    def _handle_api(self, method, path, query, body_raw, fault):
        self.body_bytes = body_raw  # a form's file parts are bytes, not text
        st = self.state
        conn_id = self.client_address[2] if len(self.client_address) > 2 else 0
        try:
            body_text = body_raw.decode("utf-8")
        except UnicodeDecodeError:
            body_text = body_raw.decode("utf-8", errors="replace")
        try:
            parsed = json.loads(body_text) if body_text.strip() else None
        except ValueError:
            parsed = None
        headers = {}
        for k, v in self.headers.items():
            lk = k.lower()
            headers[lk] = headers[lk] + ", " + v if lk in headers else v
        entry = {
            "method": method,
            "path": path,
            "query": query,
            "query_params": urllib.parse.parse_qs(query, keep_blank_values=True),
            "headers": headers,
            "body_raw": body_text,
            "body": parsed,
            "connection_id": conn_id,
            "time": time.time(),
        }
        with st.lock:
            st.log.append(entry)
            st.api_requests += 1
            st.api_connections.add(conn_id)

        replacing = bool(fault) and (
            "status" in fault or fault.get("html_502") or fault.get("close_before_response"))

        resp = None
        if not replacing or fault.get("apply_then"):
            resp = self._api_route(method, path, query, body_text)

        if fault is None:
            self._send(resp)
            return

        delay = fault.get("delay_ms")
        if _is_number(delay) and delay > 0:
            time.sleep(delay / 1000.0)

        if fault.get("close_before_response"):
            self._hard_close()
            return
        if fault.get("html_502"):
            resp = Response(502, raw=HTML_502, headers={"Content-Type": "text/html; charset=UTF-8"})
        elif "status" in fault:
            status = int(fault["status"])
            fb = fault.get("body")
            if fb is None:
                resp = Response(status, _error_body(status, "Injected fault"))
            elif isinstance(fb, str):
                resp = Response(status, raw=fb)
            else:
                resp = Response(status, fb)
        if isinstance(fault.get("headers"), dict):
            for k, v in fault["headers"].items():
                # replace case-insensitively
                for existing in [h for h in resp.headers if h.lower() == k.lower()]:
                    del resp.headers[existing]
                resp.headers[k] = v
        if isinstance(resp, StreamResponse):
            self._send_stream(resp, fault.get("stream") or {})
            return
        if "body_override" in fault:
            bo = fault["body_override"]
            resp.body = (bo if isinstance(bo, str) else json.dumps(bo)).encode("utf-8")
        if isinstance(fault.get("body_override_b64"), str):
            resp.body = base64.b64decode(fault["body_override_b64"])
        n = fault.get("huge_body_bytes")
        if _is_number(n) and n > 0:
            try:
                obj = json.loads(resp.body)
            except ValueError:
                obj = None
            if not isinstance(obj, dict):
                obj = {"data": obj}
            obj["padding"] = ""
            base = len(json.dumps(obj).encode("utf-8"))
            obj["padding"] = "x" * max(0, int(n) - base)
            resp.body = json.dumps(obj).encode("utf-8")
        n = fault.get("deep_nesting")
        if _is_number(n) and n > 0:
            n = int(n)
            resp.body = ('{"data":' + "[" * n + "]" * n + "}").encode("utf-8")
        if fault.get("truncate_body"):
            resp.body = resp.body[:max(1, len(resp.body) // 2)] if len(resp.body) > 1 else b"{"
        pause = fault.get("pause_mid_body_ms")
        if fault.get("close_mid_body") or (_is_number(pause) and pause > 0):
            self._send_in_halves(resp, pause if not fault.get("close_mid_body") else None)
            return
        if fault.get("chunked"):
            self._send_chunked(resp)
            return
        self._send(resp)

    def _send_in_halves(self, resp, pause_ms):
        """Headers with the full Content-Length and half of the body; then
        the rest after pause_ms, or (None) a closed socket."""
        half = len(resp.body) // 2
        try:
            self._send_head(resp)
            self.wfile.write(resp.body[:half])
            self.wfile.flush()
            if pause_ms is not None:
                time.sleep(pause_ms / 1000.0)
                self.wfile.write(resp.body[half:])
                self.wfile.flush()
                return
        except OSError:
            if pause_ms is not None:
                self.close_connection = True
                return
        self._hard_close()

    def _send_chunked(self, resp):
        """Transfer-Encoding: chunked, no Content-Length, 16 KiB chunks."""
        try:
            self.send_response(resp.status)
            for k, v in resp.headers.items():
                self.send_header(k, str(v))
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(resp.body), 16384):
                piece = resp.body[i:i + 16384]
                self.wfile.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    def _send_stream(self, resp, opts):
        """Writes a text/event-stream answer as stream_plan() lays it out,
        cut into pieces at stream_cuts() with pauses, chunked or ended by
        closing the connection (opts: the fault's "stream" object)."""
        blobs, drop = stream_plan(resp.completion, opts)
        cuts = stream_cuts(sum(len(b) for _, b in blobs), opts)
        pause = opts.get("pause_ms", 2 if cuts else 0) / 1000.0
        chunked = opts.get("framing", "chunked") == "chunked"
        try:
            self.send_response(resp.status)
            for k, v in resp.headers.items():
                self.send_header(k, str(v))
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            offset = 0
            for wait, raw in blobs:
                if wait:
                    time.sleep(wait)
                bounds = [0] + [c - offset for c in cuts if offset < c < offset + len(raw)] + [len(raw)]
                for a, b in zip(bounds, bounds[1:]):
                    if a and pause:
                        time.sleep(pause)
                    piece = raw[a:b]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                offset += len(raw)
            if drop:
                self._hard_close()
                return
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    def _authenticate(self):
        """Returns ("management"|"normal", record_or_None) or an error Response."""
        auth = self.headers.get("Authorization")
        if auth is None or not auth.strip():
            return err(401, "Missing Authentication header")
        parts = auth.strip().split(None, 1)
        if len(parts) != 2 or parts[0].lower() != "bearer" or not parts[1].strip():
            return err(401, "Missing Authentication header")
        token = parts[1].strip()
        st = self.state
        if token == st.management_key:
            return ("management", None)
        if token == st.normal_key:
            return ("normal", None)
        with st.lock:
            for rec in st.keys.values():
                if rec["plaintext"] and rec["plaintext"] == token and not rec["key"].get("disabled"):
                    return ("normal", rec)
        return err(401, "Invalid credentials")

    def _api_route(self, method, path, query, body_text):
        if not (path == API_PREFIX or path.startswith(API_PREFIX + "/")):
            return err(404, "Not Found")
        sub = path[len(API_PREFIX):]
        if sub == "/key":
            allowed, handler, arg = ("GET",), self._get_current_key, None
        elif sub == "/keys":
            allowed = ("GET", "POST")
            handler = self._list_keys if method == "GET" else self._create_key
            arg = None
        elif sub.startswith("/keys/") and len(sub) > len("/keys/") and "/" not in sub[len("/keys/"):]:
            allowed = ("GET", "PATCH", "DELETE")
            handler = {"GET": self._get_key, "PATCH": self._update_key,
                       "DELETE": self._delete_key}.get(method)
            arg = urllib.parse.unquote(sub[len("/keys/"):])
        elif sub == "/credits":  # the README's "Adding an endpoint" example
            allowed, handler, arg = ("GET",), self._get_credits, None
        elif sub == "/chat/completions":
            allowed, handler, arg = ("POST",), self._chat_completions, None
        elif sub in ("/files", "/files/both"):
            allowed, handler, arg = ("POST",), self._files_echo, None
        elif sub == "/audio/speech":
            allowed, handler, arg = ("POST",), self._audio_speech, None
        elif sub.startswith("/videos/") and sub.endswith("/content") and sub.count("/") == 3:
            allowed, handler, arg = ("GET",), self._video_content, \
                urllib.parse.unquote(sub[len("/videos/"):-len("/content")])
        else:
            return err(404, "Not Found")
        if method not in allowed:
            return err(405, "Method Not Allowed", headers={"Allow": ", ".join(allowed)})
        who = self._authenticate()
        if isinstance(who, Response):
            return who
        if sub not in ("/key", "/chat/completions", "/audio/speech", "/files", "/files/both") and \
                handler != self._video_content and who[0] != "management":
            return err(403, "Only management keys can perform this operation")
        try:
            if sub == "/key":
                return handler(who)
            if handler == self._get_credits:
                return handler()
            if handler in (self._list_keys,):
                return handler(query)
            if handler in (self._create_key, self._chat_completions, self._audio_speech):
                return handler(body_text)
            if handler in (self._video_content, self._files_echo):
                return handler(arg)
            if handler == self._update_key:
                return handler(arg, body_text)
            return handler(arg)
        except BadRequest as e:
            return err(400, str(e))

    # -- operations -------------------------------------------------------
    def _audio_speech(self, body_text):
        """POST /audio/speech: bytes that are not JSON: AUDIO_MAGIC, the
        input's UTF-8, then the 256 byte values; audio/pcm for
        "response_format": "pcm", else audio/mpeg."""
        body = self._parse_object(body_text)
        text = body.get("input")
        if not isinstance(text, str) or not text:
            raise BadRequest("input must be a non-empty string")
        fmt = body.get("response_format", "mp3")
        if fmt not in ("mp3", "pcm"):
            raise BadRequest("response_format must be mp3 or pcm")
        audio = AUDIO_MAGIC + text.encode("utf-8") + bytes(range(256))
        return Response(200, raw=audio, headers={"Content-Type": "audio/pcm" if fmt == "pcm" else "audio/mpeg"})

    def _files_echo(self, _):
        """POST /files, /files/both: what came, part by part: {"content_type",
        "parts": [{name, filename, content_type, size, sha256, text (UTF-8
        parts only)}]}; a JSON body has no parts."""
        ctype = self.headers.get("Content-Type", "")
        parts = []
        if ctype.startswith("multipart/form-data"):
            msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                b"Content-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + self.body_bytes)
            if not msg.is_multipart():
                raise BadRequest("a multipart/form-data body that does not parse")
            for part in msg.iter_parts():
                data = part.get_payload(decode=True) or b""
                item = {"name": part.get_param("name", header="content-disposition"),
                        "content_type": part.get_content_type(), "size": len(data),
                        "sha256": hashlib.sha256(data).hexdigest()}
                if part.get_filename() is not None:
                    item["filename"] = part.get_filename()
                try:
                    item["text"] = data.decode("utf-8")
                except UnicodeDecodeError:
                    pass
                parts.append(item)
        return Response(200, {"content_type": ctype.split(";")[0], "parts": parts})

    def _video_content(self, job_id):
        """GET /videos/{jobId}/content: VIDEO_BYTES of application/octet-stream
        (the 256 byte values over and over) for any job id but "missing"."""
        if job_id == "missing":
            return err(404, "Video not found")
        data = bytes(range(256)) * (VIDEO_BYTES // 256)
        return Response(200, raw=data, headers={"Content-Type": "application/octet-stream"})

    def _get_credits(self):
        """GET /credits: CREDITS_TOTAL purchased, usage = sum over all keys."""
        with self.state.lock:
            usage = sum(float(r["key"].get("usage") or 0) for r in self.state.keys.values())
        return Response(200, {"data": {"total_credits": CREDITS_TOTAL, "total_usage": usage}})

    def _chat_completions(self, body_text):
        """POST /chat/completions: echoes the last user message, one chunk
        per word; "stream": true answers text/event-stream."""
        body = self._parse_object(body_text)
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages or \
                not all(isinstance(m, dict) and isinstance(m.get("role"), str) for m in messages):
            raise BadRequest("messages must be a non-empty array of objects with a role")
        stream = body.get("stream", False)
        if not isinstance(stream, bool):
            raise BadRequest("stream must be a boolean")
        model = body.get("model", CHAT_DEFAULT_MODEL)
        if not isinstance(model, str) or not model:
            raise BadRequest("model must be a non-empty string")
        max_tokens = body.get("max_tokens")
        if max_tokens is not None and (not _count(max_tokens) or max_tokens < 1):
            raise BadRequest("max_tokens must be a positive integer")
        users = [m for m in messages if m["role"] == "user"]
        words = re.findall(r"\s*\S+", message_text(users[-1]) if users else "")
        finish = "stop"
        if max_tokens is not None and len(words) > max_tokens:
            words, finish = words[:max_tokens], "length"
        prompt_tokens = sum(len(message_text(m).split()) for m in messages)
        with self.state.lock:
            self.state.generations += 1
            gen_id = "gen-stub-%d" % self.state.generations
        completion = ChatCompletion(gen_id, model, words, finish, prompt_tokens)
        if stream:
            return StreamResponse(completion)
        return Response(200, completion.result(), headers={"X-Generation-Id": gen_id})

    def _get_current_key(self, who):
        kind, rec = who
        st = self.state
        if kind == "management":
            label, limit, usage = _label_for(st.management_key), None, 0
            k = {"limit_reset": None, "include_byok_in_limit": False,
                 "creator_user_id": CREATOR_USER_ID, "expires_at": None,
                 "workspace_id": DEFAULT_WORKSPACE_ID, "limit_remaining": None}
        elif rec is None:
            label, limit, usage = _label_for(st.normal_key), 100, 25.5
            k = {"limit_reset": "monthly", "include_byok_in_limit": False,
                 "creator_user_id": CREATOR_USER_ID, "expires_at": "2027-12-31T23:59:59Z",
                 "workspace_id": DEFAULT_WORKSPACE_ID, "limit_remaining": 74.5}
        else:
            k = rec["key"]
            label, limit, usage = k["label"], k["limit"], k["usage"]
        data = {
            "label": label,
            "limit": limit,
            "usage": usage,
            "usage_daily": usage if rec is None else k.get("usage_daily", 0),
            "usage_weekly": usage if rec is None else k.get("usage_weekly", 0),
            "usage_monthly": usage if rec is None else k.get("usage_monthly", 0),
            "byok_usage": 0 if rec is None else k.get("byok_usage", 0),
            "byok_usage_daily": 0 if rec is None else k.get("byok_usage_daily", 0),
            "byok_usage_weekly": 0 if rec is None else k.get("byok_usage_weekly", 0),
            "byok_usage_monthly": 0 if rec is None else k.get("byok_usage_monthly", 0),
            "is_free_tier": False,
            "is_management_key": kind == "management",
            "is_provisioning_key": kind == "management",
            "limit_remaining": k.get("limit_remaining"),
            "limit_reset": k.get("limit_reset"),
            "include_byok_in_limit": k.get("include_byok_in_limit", False),
            "creator_user_id": k.get("creator_user_id"),
            "expires_at": k.get("expires_at"),
            "rate_limit": {"requests": -1, "interval": "10s",
                           "note": "This field is deprecated and safe to ignore."},
            "allowed_data_regions": ["global"],
            "free_model_daily_requests": {"limit": 1000, "remaining": 1000, "used": 0},
            "organization_id": ORGANIZATION_ID,
            "workspace_id": k.get("workspace_id", DEFAULT_WORKSPACE_ID),
        }
        return Response(200, {"data": data})

    def _list_keys(self, query):
        params = urllib.parse.parse_qs(query, keep_blank_values=True)
        offset = 0
        if "offset" in params:
            v = params["offset"][0]
            if not v.isascii() or not v.isdigit():
                raise BadRequest("offset must be a non-negative integer")
            offset = int(v)
        include_disabled = False
        if "include_disabled" in params:
            v = params["include_disabled"][0]
            if v not in ("true", "false"):
                raise BadRequest("include_disabled must be 'true' or 'false'")
            include_disabled = v == "true"
        workspace = DEFAULT_WORKSPACE_ID
        if "workspace_id" in params:
            v = params["workspace_id"][0]
            try:
                uuid.UUID(v)
            except ValueError:
                raise BadRequest("workspace_id must be a UUID")
            workspace = v
        with self.state.lock:
            keys = [k for k in self.state.sorted_keys()
                    if k.get("workspace_id") == workspace
                    and (include_disabled or not k.get("disabled"))]
            page = [dict(k) for k in keys[offset:offset + PAGE_SIZE]]
        return Response(200, {"data": page})

    @staticmethod
    def _parse_object(body_text):
        if not body_text.strip():
            raise BadRequest("Request body is required")
        try:
            body = json.loads(body_text)
        except ValueError:
            raise BadRequest("Invalid JSON in request body")
        if not isinstance(body, dict):
            raise BadRequest("Request body must be a JSON object")
        return body

    @staticmethod
    def _check_limit_fields(body):
        if "limit" in body:
            v = body["limit"]
            if v is not None and (not _is_number(v) or v < 0 or v != v or v in (float("inf"),)):
                raise BadRequest("limit must be a non-negative number or null")
        if "limit_reset" in body:
            v = body["limit_reset"]
            if v is not None and v not in LIMIT_RESETS:
                raise BadRequest("limit_reset must be one of daily, weekly, monthly or null")
        if "include_byok_in_limit" in body and not isinstance(body["include_byok_in_limit"], bool):
            raise BadRequest("include_byok_in_limit must be a boolean")

    def _create_key(self, body_text):
        body = self._parse_object(body_text)
        name = body.get("name")
        if not isinstance(name, str) or not name:
            raise BadRequest("name is required and must be a non-empty string")
        self._check_limit_fields(body)
        expires_at = body.get("expires_at")
        if expires_at is not None:
            if not isinstance(expires_at, str) or not expires_at.endswith("Z"):
                raise BadRequest("expires_at must be an ISO 8601 UTC timestamp ending in Z")
            try:
                datetime.datetime.fromisoformat(expires_at[:-1] + "+00:00")
            except ValueError:
                raise BadRequest("expires_at is not a valid ISO 8601 timestamp")
            if "T" not in expires_at:
                raise BadRequest("expires_at must include a time")
        creator = body.get("creator_user_id")
        if creator is not None and not isinstance(creator, str):
            raise BadRequest("creator_user_id must be a string or null")
        workspace = body.get("workspace_id", DEFAULT_WORKSPACE_ID)
        if not isinstance(workspace, str) or not workspace:
            raise BadRequest("workspace_id must be a string")
        external_user = None
        if "external" in body and body["external"] is not None:
            ext = body["external"]
            if not isinstance(ext, dict):
                raise BadRequest("external must be an object")
            if not isinstance(ext.get("user"), str) or not ext["user"]:
                raise BadRequest("external.user is required and must be a string")
            if "api_key" in ext and ext["api_key"] is not None:
                if not isinstance(ext["api_key"], str) or len(ext["api_key"]) < 32:
                    raise BadRequest("external.api_key must be a string of at least 32 characters")
            external_user = ext["user"]
        plaintext = _new_plaintext()
        partial = {
            "name": name,
            "limit": body.get("limit"),
            "limit_reset": body.get("limit_reset"),
            "include_byok_in_limit": body.get("include_byok_in_limit", False),
            "expires_at": expires_at,
            "creator_user_id": creator,
            "workspace_id": workspace,
            "external_user": external_user,
        }
        with self.state.lock:
            key = self.state.build_key(partial, plaintext)
            self.state._store(key, plaintext)
            self.state.created.append({"hash": key["hash"], "name": name, "key": plaintext,
                                       "workspace_id": workspace, "deleted": False})
            return Response(201, {"data": dict(key), "key": plaintext})

    def _get_key(self, hash_):
        with self.state.lock:
            rec = self.state.keys.get(hash_)
            if rec is None:
                return err(404, "Resource not found")
            return Response(200, {"data": dict(rec["key"])})

    def _update_key(self, hash_, body_text):
        with self.state.lock:
            if hash_ not in self.state.keys:
                return err(404, "Resource not found")
        body = self._parse_object(body_text)
        if "expires_at" in body:
            raise BadRequest("expires_at cannot be updated")
        if "name" in body and (not isinstance(body["name"], str) or not body["name"]):
            raise BadRequest("name must be a non-empty string")
        if "disabled" in body and not isinstance(body["disabled"], bool):
            raise BadRequest("disabled must be a boolean")
        self._check_limit_fields(body)
        with self.state.lock:
            rec = self.state.keys.get(hash_)
            if rec is None:
                return err(404, "Resource not found")
            key = rec["key"]
            for f in ("name", "disabled", "limit", "limit_reset", "include_byok_in_limit"):
                if f in body:
                    key[f] = body[f]
            key["limit_remaining"] = State._remaining(key)
            key["updated_at"] = _fmt_offset(_now())
            return Response(200, {"data": dict(key)})

    def _delete_key(self, hash_):
        with self.state.lock:
            if self.state.keys.pop(hash_, None) is None:
                return err(404, "Resource not found")
            for c in self.state.created:
                if c["hash"] == hash_:
                    c["deleted"] = True
        return Response(200, {"deleted": True})


def _write_port_file(path, port):
    directory = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(directory, ".%s.%d.tmp" % (os.path.basename(path), os.getpid()))
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _watchdog(server, state, max_lifetime, idle_timeout, parent_pid):
    started = time.monotonic()
    while True:
        time.sleep(0.2)
        now = time.monotonic()
        reason = None
        if max_lifetime > 0 and now - started >= max_lifetime:
            reason = "max lifetime reached"
        elif idle_timeout > 0 and now - state.last_activity >= idle_timeout:
            reason = "idle timeout"
        elif parent_pid > 1 and os.getppid() != parent_pid:
            reason = "parent process died"
        if reason:
            if server.verbose:
                sys.stderr.write("stub: stopping: %s\n" % reason)
            server.shutdown()
            return


STUB_HELP_EPILOG = """\
examples:
  openrouter-stub-server --port 8089 --seed-keys 250 --max-lifetime 0 --idle-timeout 0 &
  export OPENROUTER_BASE_URL=http://127.0.0.1:8089/api/v1
  export OPENROUTER_API_KEY=sk-or-v1-mgmt-test
  openrouter-keys list --all

control API (no auth, JSON):
  GET|DELETE /_control/requests   requests received (method, path, query, headers, body)
  POST /_control/reset            {"seed_keys": N}: start over
  GET|POST|DELETE /_control/keys  read, add (partial key objects) or remove keys
  GET|POST|DELETE /_control/faults
  GET /_control/stats, POST /_control/shutdown

fault injection: POST /_control/faults {"faults": [FAULT, ...]}; each API request
takes the first pending fault whose "match" fits. FAULT keys:
  match {"method", "path_prefix"}, times N, status N [+ body], headers {...},
  html_502, close_before_response, apply_then, delay_ms N, body_override,
  huge_body_bytes N, deep_nesting N, truncate_body, close_mid_body,
  stream {keepalive_before, keepalive_between, keepalive_delay_ms, event_delay_ms,
          line_ending, split_at, split_random, pause_ms, unknown_event_type,
          foreign_object, error_after, error_code, error_message, drop_after,
          drop_mid_event, framing} for streamed chat completions
  e.g. curl -X POST http://127.0.0.1:8089/_control/faults \\
         -d '{"status": 429, "headers": {"Retry-After": "1"}, "times": 2}'

More: docs/STUB_SERVER.md (installed under share/doc/openrouter-c/).
"""


def main(argv=None):
    p = argparse.ArgumentParser(
        description="Local stand-in for OpenRouter's API-key management API and chat "
                    "completions, for testing code "
                    "that uses it without a real key or network. Serves "
                    "http://HOST:PORT/api/v1 (GET /key, GET|POST /keys, GET|PATCH|DELETE "
                    "/keys/{hash}, POST /chat/completions, streamed or not) and a control "
                    "API under /_control.",
        epilog=STUB_HELP_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1; keep it on loopback)")
    p.add_argument("--port", type=int, default=0,
                   help="port to listen on (default 0: any free port, printed as LISTENING <port>)")
    p.add_argument("--port-file", metavar="PATH",
                   help="write the port number to PATH once listening (atomically)")
    p.add_argument("--seed-keys", type=int, default=0, metavar="N",
                   help="start with N keys seed-key-0000.. (newest first; every 10th disabled)")
    p.add_argument("--max-lifetime", type=float, default=600, metavar="SECONDS",
                   help="stop after this long (default 600; 0: never)")
    p.add_argument("--idle-timeout", type=float, default=120, metavar="SECONDS",
                   help="stop after this long without a request (default 120; 0: never)")
    p.add_argument("--management-key", default=DEFAULT_MANAGEMENT_KEY, metavar="KEY",
                   help="key accepted for every operation (default %(default)s)")
    p.add_argument("--normal-key", default=DEFAULT_NORMAL_KEY, metavar="KEY",
                   help="key accepted for GET /key only (default %(default)s)")
    p.add_argument("--verbose", action="store_true", help="log requests to stderr")
    args = p.parse_args(argv)

    parent_pid = os.getppid()
    state = State(args.management_key, args.normal_key)
    state.reset(args.seed_keys)
    server = StubServer((args.host, args.port), state, verbose=args.verbose)
    port = server.server_address[1]
    if args.port_file:
        _write_port_file(args.port_file, port)
    sys.stdout.write("LISTENING %d\n" % port)
    sys.stdout.flush()
    state.last_activity = time.monotonic()
    threading.Thread(target=_watchdog, daemon=True,
                     args=(server, state, args.max_lifetime, args.idle_timeout, parent_pid)).start()
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
