"""text/event-stream responses (generator/README.md, "Streaming"): an event
object with `data` gets its stream description and the *_stream functions;
any other event schema leaves the operation generated without them, named
in GENERATION_REPORT.md; the sentinel and the body's `stream` flag reach the
generated C. The whole 2026-06-09 description streams chat completions,
responses and messages.

Run from the repository root:
    python3 -m unittest discover -s tests/generator
"""
import copy
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FULL = os.path.normpath(os.path.join(REPO, "..", "shared", "reference",
                                     "openrouter-full.upstream-2026-06-09.yaml"))
sys.path.insert(0, os.path.join(REPO, "generator"))
import generate  # noqa: E402
from orgen.errors import GeneratorError  # noqa: E402

CHUNK = {"type": "object", "properties": {"text": {"type": "string"}}}
EVENT = {"type": "object", "required": ["data"],
         "properties": {"data": {"$ref": "#/components/schemas/Chunk"}, "event": {"type": "string"}}}


def doc(sse=None, json_too=True):
    content = {}
    if json_too:
        content["application/json"] = {"schema": {"$ref": "#/components/schemas/Chunk"}}
    content["text/event-stream"] = sse if sse is not None else {
        "schema": {"$ref": "#/components/schemas/Event"}, "x-speakeasy-sse-sentinel": "[DONE]"}
    return {
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/talk": {"post": {
            "operationId": "talk",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "properties": {"say": {"type": "string"},
                                                 "stream": {"type": "boolean"}}}}}},
            "responses": {"200": {"description": "ok", "content": content}}}}},
        "components": {"schemas": {"Chunk": CHUNK, "Event": EVENT}},
    }


def gen(d, strict=True):
    import json
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(d, fh)
    try:
        return generate.generate(fh.name, prefix="st", strict=strict)
    finally:
        os.unlink(fh.name)


class Streaming(unittest.TestCase):
    def test_event_object_streams(self):
        files = gen(doc())
        c, h = files["src/operations.c"], files["include/st/operations.h"]
        self.assertIn("static const openrouter_stream_desc st_talk_stream_desc = {\n"
                      "    .event = &st_event_desc,\n    .sentinel = \"[DONE]\"\n};", c)
        self.assertIn(".stream = &st_talk_stream_desc,", c)
        self.assertIn("typedef int (*st_talk_event_fn)(void *user, const st_event *event);", h)
        self.assertIn("int st_talk_stream(openrouter_client *client,", h)
        self.assertIn("int st_talk_stream_start(openrouter_async *async,", h)
        # The body's boolean `stream` is set on a copy of the request.
        self.assertIn("copy->body.stream.value = true;", c)
        self.assertIn("`st_talk`, `st_talk_stream`", files["GENERATION_REPORT.md"])

    def test_without_sentinel_or_stream_flag(self):
        d = doc({"schema": {"$ref": "#/components/schemas/Event"}})
        del d["paths"]["/talk"]["post"]["requestBody"]["content"]["application/json"]["schema"][
            "properties"]["stream"]
        c = gen(d)["src/operations.c"]
        self.assertIn(".sentinel = NULL", c)
        self.assertNotIn("_streamed(", c)

    def test_stream_request_field(self):
        d = doc()
        props = d["paths"]["/talk"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
        props["sse"] = props.pop("stream")
        d["paths"]["/talk"]["post"]["x-speakeasy-stream-request-field"] = "sse"
        self.assertIn("copy->body.sse.value = true;", gen(d)["src/operations.c"])
        d["paths"]["/talk"]["post"]["x-speakeasy-stream-request-field"] = True
        with self.assertRaises(GeneratorError):
            gen(d)

    def test_only_a_stream(self):
        files = gen(doc(json_too=False))
        self.assertIn("int st_talk_stream(", files["include/st/operations.h"])

    def test_other_event_schemas_skip_the_stream_only(self):
        for schema in ({"type": "string"}, CHUNK):
            with self.subTest(schema=schema):
                files = gen(doc({"schema": copy.deepcopy(schema), "x-speakeasy-sse-sentinel": "[DONE]"}))
                self.assertNotIn("st_talk_stream", files["include/st/operations.h"])
                self.assertIn("int st_talk(", files["include/st/operations.h"])
                report = files["GENERATION_REPORT.md"]
                self.assertIn("## Event streams not generated", report)
                self.assertIn("| `talk` | text/event-stream schema that is not an event object with `data` | "
                              "`#/paths/~1talk/post/responses/200/content/text~1event-stream/schema` |", report)

    def test_bad_sentinel(self):
        with self.assertRaises(GeneratorError) as cm:
            gen(doc({"schema": {"$ref": "#/components/schemas/Event"}, "x-speakeasy-sse-sentinel": 1}))
        self.assertIn("x-speakeasy-sse-sentinel must be a string", str(cm.exception))


@unittest.skipUnless(os.path.exists(FULL), "the whole description is not beside the clone")
class FullDescription(unittest.TestCase):
    def test_streaming_operations(self):
        files = generate.generate(FULL, prefix="orfull", strict=False, skipped=[])
        h = files["include/orfull/operations.h"]
        for op in ("send_chat_completion_request", "create_responses", "create_messages"):
            self.assertIn("int orfull_%s_stream(" % op, h)
            self.assertIn("int orfull_%s_stream_start(" % op, h)
        self.assertIn("typedef int (*orfull_send_chat_completion_request_event_fn)(void *user, "
                      "const orfull_chat_streaming_response *event);", h)
        report = files["GENERATION_REPORT.md"]
        self.readme_compiles()
        for op in ("createEmbeddings", "createRerank"):
            self.assertIn("| `%s` | text/event-stream schema that is not an event object" % op, report)

    def readme_compiles(self):
        """README "Streaming": its C, the callback at file scope and the calls
        in a function given what they use, compiles against the whole API
        generated as the README's "The whole API" says (--prefix orall)."""
        cc = shutil.which("gcc") or shutil.which("clang")
        if cc is None:
            return
        with open(os.path.join(REPO, "README.md"), encoding="utf-8") as fh:
            section = fh.read().split("## Streaming\n", 1)[1]
        code = section.split("```c\n", 1)[1].split("```", 1)[0]
        callback, calls = code.split("\n/* Blocking", 1)
        work = tempfile.mkdtemp(prefix="orgen-stream-readme-")
        self.addCleanup(shutil.rmtree, work, ignore_errors=True)
        files = generate.generate(FULL, prefix="orall", strict=False, skipped=[])
        for rel, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(work, rel)), exist_ok=True)
            with open(os.path.join(work, rel), "w") as fh:
                fh.write(text)
        src = os.path.join(work, "readme.c")
        with open(src, "w") as fh:
            fh.write("#include <stdio.h>\n#include <orall/orall.h>\n" + callback +
                     "\nvoid readme(openrouter_client *client, openrouter_async *async,\n"
                     "            const orall_send_chat_completion_request_request req,\n"
                     "            openrouter_async_stream_done_fn on_end, void *ctx);\n"
                     "void readme(openrouter_client *client, openrouter_async *async,\n"
                     "            const orall_send_chat_completion_request_request req,\n"
                     "            openrouter_async_stream_done_fn on_end, void *ctx)\n{\n"
                     "    openrouter_error err = OPENROUTER_ERROR_INIT;\n"
                     "    openrouter_async_call *call = NULL;\n/* Blocking" + calls +
                     "    (void)rc;\n}\n")
        res = subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-fsyntax-only",
                              "-I" + os.path.join(work, "include"), "-I" + os.path.join(REPO, "runtime", "include"),
                              src], capture_output=True, text=True)
        self.assertEqual(res.returncode, 0, res.stderr)


if __name__ == "__main__":
    unittest.main()
