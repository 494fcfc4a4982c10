"""Whole-spec mode (generate.py's default): operations and component
schemas that cannot be generated are skipped with their reason and JSON
pointer, on stderr and in GENERATION_REPORT.md; --strict stops instead.
The whole 2026-06-09 description generates every JSON operation.

Run from the repository root:
    python3 -m unittest discover -s tests/generator
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GENERATE = os.path.join(REPO, "generator", "generate.py")
FULL = os.path.normpath(os.path.join(REPO, "..", "shared", "reference",
                                     "openrouter-full.upstream-2026-06-09.yaml"))
sys.path.insert(0, os.path.join(REPO, "generator"))
sys.path.insert(0, os.path.join(REPO, "tests", "upstream"))
import apply_recipe  # noqa: E402
import generate  # noqa: E402
from orgen import load, model  # noqa: E402


def doc():
    """Four good operations (one answering audio bytes, one only
    Server-Sent Events: its stream functions), one using an unsupported
    construct, and an unreferenced component that cannot be generated."""
    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": {
        "$ref": "#/components/schemas/Thing"}}}}}
    return {
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {
            "/things": {"get": {"operationId": "listThings", "responses": ok}},
            "/things/{id}": {"get": {"operationId": "getThing", "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": ok}},
            "/odd": {"get": {"operationId": "getOdd", "responses": {"200": {
                "description": "ok", "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/Odd"}}}}}}},
            "/speech": {"post": {"operationId": "speak", "responses": {"200": {
                "description": "audio", "content": {"audio/*": {"schema": {
                    "type": "string", "format": "binary"}}}}}}},
            "/events": {"get": {"operationId": "watch", "responses": {"200": {
                "description": "events", "content": {"text/event-stream": {"schema": {
                    "type": "object", "properties": {"data": {"type": "string"}}}}}}}}},
        },
        "components": {"schemas": {
            "Thing": {"type": "object", "properties": {"id": {"type": "string"}}},
            "Odd": {"type": "object", "properties": {"n": {"not": {"type": "string"}}}},
            "Unused": {"type": "object", "properties": {"x": {"if": {"type": "string"}}}},
        }},
    }


class WholeSpec(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="orgen-whole-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.spec = os.path.join(self.tmp, "spec.json")
        with open(self.spec, "w") as fh:
            json.dump(doc(), fh)

    def run_cli(self, *extra):
        out = os.path.join(self.tmp, "out")
        res = subprocess.run([sys.executable, GENERATE, "--spec", self.spec, "--out", out] +
                             list(extra), capture_output=True, text=True)
        return res, out

    def test_skips_with_reason_and_pointer(self):
        res, out = self.run_cli()
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stderr.splitlines(), [
            "skipped schema Odd: unsupported not at #/components/schemas/Odd/properties/n/not",
            "skipped schema Unused: unsupported if at #/components/schemas/Unused/properties/x/if",
            "skipped operation getOdd (GET /odd): unsupported not at "
            "#/components/schemas/Odd/properties/n/not"])
        with open(os.path.join(out, "GENERATION_REPORT.md"), encoding="utf-8") as fh:
            report = fh.read()
        self.assertIn("4 operations generated, 1 skipped; 2 component schemas skipped.", report)
        self.assertIn("| `getOdd` | GET `/odd` | unsupported not | "
                      "`#/components/schemas/Odd/properties/n/not` |", report)
        self.assertIn("| `Unused` | unsupported if | `#/components/schemas/Unused/properties/x/if` |",
                      report)
        self.assertIn("| `listThings` | GET `/things` | `openrouter_list_things` |", report)
        with open(os.path.join(out, "include", "openrouter", "operations.h")) as fh:
            ops = fh.read()
        self.assertIn("int openrouter_get_thing(", ops)
        self.assertIn("openrouter_bytes **out", ops)  # speak's audio
        self.assertIn("int openrouter_speak_to_sink(", ops)
        self.assertIn("int openrouter_watch_stream(", ops)
        self.assertNotIn("get_odd", ops)
        with open(os.path.join(out, "include", "openrouter", "models.h")) as fh:
            self.assertNotIn("openrouter_odd", fh.read())  # nothing half-generated

    def test_strict_stops_and_writes_nothing(self):
        res, out = self.run_cli("--strict")
        self.assertEqual(res.returncode, 2)
        self.assertEqual(res.stderr, "error: unsupported not at "
                                     "#/components/schemas/Odd/properties/n/not\n")
        self.assertFalse(os.path.exists(out))

    def test_python_api_is_strict_by_default(self):
        from orgen.errors import GeneratorError
        with self.assertRaises(GeneratorError):
            generate.generate(self.spec)
        skipped = []
        files = generate.generate(self.spec, strict=False, skipped=skipped)
        self.assertEqual(len(skipped), 3)
        self.assertIn("GENERATION_REPORT.md", files)

    def test_a_broken_path_item_skips_its_operations(self):
        d = doc()
        d["paths"]["/things"]["servers"] = [{"url": "https://elsewhere.example"}]
        with open(self.spec, "w") as fh:
            json.dump(d, fh)
        m = model.build(load.load(self.spec), strict=False)
        self.assertIn(("listThings", "unsupported path item servers", "#/paths/~1things/servers"),
                      [(s.name, s.reason, s.ptr) for s in m.skipped])
        self.assertEqual(sorted(o.op_id for o in m.operations), ["getThing", "speak", "watch"])


@unittest.skipUnless(os.path.exists(FULL), "the whole description is not beside the clone")
class FullDescription(unittest.TestCase):
    def test_every_json_operation_generates(self):
        skipped = []
        files = generate.generate(FULL, prefix="orfull", strict=False, skipped=skipped)
        self.assertEqual(skipped, [])
        self.assertIn("66 operations generated, 0 skipped; 0 component schemas skipped.",
                      files["GENERATION_REPORT.md"])
        ops = files["include/orfull/operations.h"]
        for fn in ("orfull_create_audio_speech", "orfull_list_videos_content"):
            self.assertIn("int %s_to_sink(" % fn, ops)
            self.assertRegex(ops, r"int %s\(openrouter_client \*client,\n.*\n    openrouter_bytes \*\*out" % fn)
        for fn in ("orfull_send_chat_completion_request(", "orfull_create_responses(",
                   "orfull_create_messages(", "orfull_create_embeddings(", "orfull_get_key(",
                   "orfull_list_observability_destinations("):
            self.assertIn("int " + fn, ops)

    def test_readme_section_as_written(self):
        """README "The whole API": the command prints what the README shows,
        and its C compiles against what it generated."""
        with open(os.path.join(REPO, "README.md"), encoding="utf-8") as fh:
            readme = fh.read()
        section = readme[readme.index("## The whole API"):]
        section = section[:section.index("\n## ", 1)]
        command = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
        shown = re.search(r"```text\n(.*?)```", section, re.S).group(1).strip()
        tmp = tempfile.mkdtemp(prefix="orgen-whole-readme-")
        self.addCleanup(shutil.rmtree, tmp, ignore_errors=True)
        out = os.path.join(tmp, "openrouter-all")
        res = subprocess.run(["bash", "-c", command.replace("/tmp/openrouter-all", out)], cwd=REPO,
                             capture_output=True, text=True)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stderr, "")
        with open(os.path.join(out, "GENERATION_REPORT.md"), encoding="utf-8") as fh:
            report = fh.read()
        self.assertIn(shown, report)
        self.assertIn("`orall_create_byok_key_request_2`", report)
        res = apply_recipe.compile_c(readme, "## The whole API", "orall/orall.h",
                                     [os.path.join(out, "include"),
                                      os.path.join(REPO, "runtime", "include")], tmp)
        if res is not None:
            self.assertEqual(res.returncode, 0, res.stderr)

if __name__ == "__main__":
    unittest.main()
