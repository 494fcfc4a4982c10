#!/usr/bin/env python3
"""Writes the libFuzzer seed corpora in tests/fuzz/corpus/<target>/ from the
upstream OpenAPI description's examples (the files are committed; rerun after
the reference changes):

    python3 tests/fuzz/make_seeds.py [--spec PATH] [--out tests/fuzz/corpus]

- every success response example -> the target of that operation's model;
- a second seed per success response built from the schema's property-level
  examples (every field present, nested objects and arrays included);
- every error response example -> fuzz_error_body, plus non-JSON bodies seen
  in the wild (an HTML 502 page, a string error code);
- every JSON example -> fuzz_json_tree, plus what json-c cannot hold as is
  (integers beyond 64 bits, a \u0000 key, duplicate keys);
- every date-time example in the document, the live service's form, HTTP
  dates in the three formats and Retry-After values -> fuzz_datetime;
- Server-Sent-Events streams as the streaming notes describe them (keep-alive
  comments, LF / CRLF / CR line ends, multi-line data, an unknown event type,
  a usage-only chunk, an error mid-stream, [DONE], a BOM, bad UTF-8), each
  behind a few fuzz_sse header choices (limit, cancel, cut) -> fuzz_sse;
- values of tests/fixtures/unions.yaml's Holder, every union form and the
  raw-text fallback -> fuzz_union_holder;
- bulk input and results files (quoted commas, quotes and line ends, CRLF,
  a BOM, blank lines, empty cells, spaces) -> fuzz_csv.
Seed file names are content hashes, so reruns are idempotent.
"""
import argparse
import hashlib
import json
import os
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SPEC = os.path.join(HERE, "..", "..", "..", "shared", "reference",
                            "openrouter-keys.upstream-2026-08-22.yaml")

# operationId -> fuzz target of its success body
TARGETS = {
    "getCurrentKey": "fuzz_current_key_response",
    "list": "fuzz_key_list",
    "createKeys": "fuzz_created_key",
    "getKey": "fuzz_key_response",
    "updateKeys": "fuzz_key_response",
    "deleteKeys": "fuzz_delete_key_response",
}


def from_schema(schema):
    """A value built from property-level examples (None when none apply)."""
    if not isinstance(schema, dict):
        return None
    if "example" in schema:
        return schema["example"]
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            v = from_schema(sub)
            if v is not None:
                return v
    t = schema.get("type")
    types = t if isinstance(t, list) else [t]
    if "object" in types or "properties" in schema:
        out = {}
        for name, sub in (schema.get("properties") or {}).items():
            v = from_schema(sub)
            if v is not None or "null" in (sub.get("type") or []):
                out[name] = v
        return out
    if "array" in types:
        v = from_schema(schema.get("items"))
        return [] if v is None else [v, v]
    if "enum" in schema:
        return schema["enum"][0]
    return None


def date_times(node, found):
    if isinstance(node, dict):
        if node.get("format") == "date-time" and isinstance(node.get("example"), str):
            found.add(node["example"])
        for v in node.values():
            date_times(v, found)
    elif isinstance(node, list):
        for v in node:
            date_times(v, found)
    elif isinstance(node, str) and len(node) >= 20 and node[4:5] == "-" and node[10:11] == "T":
        found.add(node)


def sse_streams():
    chunk = {"id": "gen-1", "object": "chat.completion.chunk", "created": 1767225600,
             "model": "openai/gpt-4", "choices": [{"index": 0, "delta": {"role": "assistant",
                                                                       "content": "Hello"},
                                                   "finish_reason": None}]}
    usage = dict(chunk, choices=[], usage={"prompt_tokens": 3, "completion_tokens": 2,
                                           "total_tokens": 5})
    error = dict(chunk, error={"code": "502", "message": "Provider returned error"},
                 choices=[{"index": 0, "delta": {}, "finish_reason": "error"}])
    ok = (": OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\n"
          "data: %s\n\nevent: keepalive\ndata: {}\n\ndata: %s\n\ndata: [DONE]\n\n"
          % (json.dumps(chunk), json.dumps(usage)))
    streams = [ok, ok.replace("\n", "\r\n"), ok.replace("\n", "\r"),
               "data: %s\n\ndata: %s\n\n" % (json.dumps(chunk), json.dumps(error)),
               "data: %s\n\ndata: {\"cho" % json.dumps(chunk),
               "id: 1\nretry: 3000\nevent: add\ndata: a\ndata:b\ndata\n\nid\nfoo: bar\n: x\r\n\r"]
    raw = [s.encode("utf-8") for s in streams]
    raw.append(b"\xef\xbb\xbfdata: \xe2\x82\xac \xe2\x82 \xff\xed\xa0\x80 \xf0\x9f\x98\x80\n\n")
    headers = [b"\x00\x00\x00", b"\x00\x41\x00", b"\xa0\x02\x01"]
    return [h + r for r in raw for h in headers]


def union_documents():
    """un_holder (tests/fixtures/unions.yaml) values: every union form, the
    members decoding picks and those it keeps as raw text."""
    pets = [{"kind": "cat", "name": "Tom", "lives": 9}, {"barks": True, "kind": "doggo"},
            {"kind": "lizard", "length": 0.5}, {"kind": "parrot"}, {"\u006bind": "cat"}, {}]
    return [
        {"pet": pets[0], "pets": pets, "shape": None,
         "shapes": [{"type": "circle", "radius": 1}, None, {"side": 2, "type": "square"}]},
        {"scalars": {"s": "x", "i": 5, "n": 5.5, "e": 1e3, "b": True, "z": -0, "big": 2 ** 63}},
        {"lists": [[1.5, 2], []]}, {"lists": ["a"]}, {"lists": [{"x": 1, "y": 2}]}, {"lists": [True]},
        {"fitted": {"x": 1, "y": 2, "z": 3}}, {"fitted": {"x": 1, "kind": "tagged"}},
        {"fitted": {"q": [1]}}, {"fitted": "text"},
        {"choice": "auto", "mode": "slow", "maybe_name": None, "maybe_mode": "on"},
        {"choice": {"name": "f"}, "mode": "turbo", "grid": [[1, 2], [], [3]]},
        {"extras": {"name": "n", "a": 1, "b": 2}, "model": {"id": "m"},
         "described": {"x": 1, "y": 2}, "merged": {"x": 0, "y": 0, "label": "l"}},
        # as text: escaped keys and tags, duplicate members
        '{"pet":{"\\u006bind":"d\\u006fggo","kind":"cat","name":"x"},"extras":{"a":1,"a":2},'
        '"fitted":{"x":1,"kind":"tagged","kind":"other"}}',
    ]


def write(out_dir, target, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    d = os.path.join(out_dir, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha256(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec", default=DEFAULT_SPEC)
    ap.add_argument("--out", default=os.path.join(HERE, "corpus"))
    args = ap.parse_args()
    with open(args.spec, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    counts = {}

    def add(target, data):
        write(args.out, target, data)
        counts[target] = counts.get(target, 0) + 1

    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            for status, resp in op["responses"].items():
                media = (resp.get("content") or {}).get("application/json") or {}
                examples = []
                if "example" in media:
                    examples.append(media["example"])
                for ex in (media.get("examples") or {}).values():
                    if isinstance(ex, dict) and "value" in ex:
                        examples.append(ex["value"])
                built = from_schema(media.get("schema"))
                if built:
                    examples.append(built)
                target = TARGETS[op["operationId"]] if str(status).startswith("2") else "fuzz_error_body"
                for ex in examples:
                    add(target, json.dumps(ex, indent=2))
                    add(target, json.dumps(ex, separators=(",", ":")))
                    add("fuzz_json_tree", json.dumps(ex, indent=2))

    # error bodies seen in the wild
    add("fuzz_error_body", '{"error":{"code":"429","message":"Rate limit exceeded","metadata":null},'
                           '"openrouter_metadata":null,"user_id":null}')
    add("fuzz_error_body", "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                           "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n")
    add("fuzz_error_body", "error code: 524")

    # trees: what json-c's own parser would change or cannot hold
    for doc in ('[99999999999999999999,-99999999999999999999,18446744073709551615,9223372036854775808]',
                '{"a\\u0000b":1,"a":2}', '{"a":1,"b":[true,false,null],"a":{"c":"\\ud83d\\ude00"}}',
                '[1e400,-0,-0.0,1.50,0.1e-400,"x\\u0000y"]', 'null', '"s"'):
        add("fuzz_json_tree", doc)

    for doc in union_documents():
        add("fuzz_union_holder", doc if isinstance(doc, str) else json.dumps(doc, separators=(",", ":")))

    found = set()
    date_times(spec, found)
    found |= {"2025-02-19T20:52:27.363244+00:00", "2027-12-31T23:59:59Z", "1970-01-01T00:00:00.000Z",
              "2026-08-22T12:00:00-07:30", "9999-12-31T23:59:59.999999Z", "2024-02-29T00:00:00z",
              "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
              "Sun Nov  6 08:49:37 1994", "120", "0", "1.5", "3600"}
    for s in sorted(found):
        add("fuzz_datetime", s)
    for s in sse_streams():
        add("fuzz_sse", s)
    for s in ("name,limit\na,5\nb,0.25\n", 'name\n"a, b"\n"say ""hi"""\n"two\nlines"\n',
              "\ufeffname,limit\r\na,1\r\nb,2", "name\n\na\n\n\nb\n", "name,limit,limit_reset\na,,\n",
              'hash,secret\n"  x ",""\n', 'name\n""\n', "name,limit\na,1,2\n", 'name\n"open\n'):
        add("fuzz_csv", s)
    for target, n in sorted(counts.items()):
        print("%-28s %d seeds" % (target, n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
